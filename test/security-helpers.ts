import { randomUUID } from 'node:crypto';
import { Agent, fetch as undiciFetch } from 'undici';
import type { AbuseLimits } from '../src/security/limits.js';
import { startServer, type RunningServer } from '../src/server.js';
import { createPlexSimulator, type PlexSimulator } from '../src/simulator/index.js';
import { capturingLogger, testConfig } from './harness.js';

export const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };

export const SIGN_IN = `mutation SignIn($input: SignInInput!) {
  signIn(input: $input) {
    __typename
    ... on SignInThrottledError { retryAfterSeconds }
    ... on Error { message }
  }
}`;

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface SseEvent {
  readonly event: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly data: any;
}

export interface EventStream {
  /** The next event; undefined when the stream ended. */
  next(): Promise<SseEvent | undefined>;
  close(): void;
}

/** Reads `text/event-stream` blocks from a body as they arrive. */
function eventStream(body: Promise<ReadableStream<Uint8Array>>, abort: AbortController): EventStream {
  const reader = body.then((stream) => stream.getReader());
  // A stream nobody reads must not fail the run when it is closed.
  reader.catch(() => {});
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next() {
      for (;;) {
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const lines = buffer.slice(0, end).split('\n').filter((line) => line !== '' && !line.startsWith(':'));
          buffer = buffer.slice(end + 2);
          if (lines.length === 0) continue;
          const event = lines.find((line) => line.startsWith('event:'))?.slice(6).trim() ?? 'message';
          const data = lines.filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim()).join('\n');
          return { event, data: data === '' ? undefined : JSON.parse(data) };
        }
        const chunk = await reader.then((open) => open.read()).catch(() => ({ done: true as const, value: undefined }));
        if (chunk.done) return undefined;
        buffer += decoder.decode(chunk.value, { stream: true });
      }
    },
    close: () => abort.abort(),
  };
}

export interface RealServer {
  readonly url: string;
  readonly sim: PlexSimulator;
  readonly running: RunningServer;
  readonly logs: string[];
  /** POSTs a GraphQL request as JSON over a real socket. */
  gql(query: string, variables?: unknown, headers?: Record<string, string>): Promise<HttpResult>;
  /** Any request to /graphql (or `path`) over a real socket. */
  fetch(init: RequestInit & { path?: string }): Promise<HttpResult>;
  /**
   * POSTs a GraphQL request from another loopback address (Linux routes all of 127.0.0.0/8 to loopback), so that the
   * server sees a different client address without trusting X-Forwarded-For.
   */
  gqlFrom(localAddress: string, query: string, variables?: unknown, headers?: Record<string, string>): Promise<HttpResult>;
  /**
   * A subscription over Server-Sent Events from another loopback address, its events read one by one. Returns at once:
   * the request is on its way, and `next()` waits for its answer.
   */
  subscribeFrom(localAddress: string, query: string, variables?: unknown): EventStream;
  close(): Promise<void>;
}

/** A key prefix no other test run shares, so specs running in parallel never see each other's counters. */
export function uniquePrefix(): string {
  return `test-${randomUUID().slice(0, 8)}:`;
}

/** The facade on a real port (node:http), in front of its own simulator unless one is given. */
export async function startRealServer(env: Record<string, string> = {}, shared?: PlexSimulator, limits?: Partial<AbuseLimits>): Promise<RealServer> {
  const sim = shared ?? createPlexSimulator();
  if (!shared) await sim.listen(0, '127.0.0.1');
  const { logger, lines } = capturingLogger();
  const config = { ...testConfig(sim.url, env), port: 0, host: '127.0.0.1' };
  const running = await startServer({ config, logger, ...(limits && { limits }) });
  const agents = new Map<string, Agent>();
  const agentAt = (localAddress: string): Agent => {
    let agent = agents.get(localAddress);
    if (!agent) agents.set(localAddress, (agent = new Agent({ localAddress })));
    return agent;
  };
  const read = async (response: { status: number; headers: Headers; text(): Promise<string> }): Promise<HttpResult> => {
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: response.headers, text, body };
  };
  const request = async (init: RequestInit & { path?: string }): Promise<HttpResult> =>
    read(await fetch(`${running.url}${init.path ?? '/graphql'}`, init));
  return {
    url: running.url,
    sim,
    running,
    logs: lines,
    gql: (query, variables, headers = {}) =>
      request({ method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify({ query, variables }) }),
    fetch: request,
    gqlFrom: async (localAddress, query, variables, headers = {}) =>
      read(
        (await undiciFetch(`${running.url}/graphql`, {
          method: 'POST',
          headers: { ...JSON_HEADERS, ...headers },
          body: JSON.stringify({ query, variables }),
          dispatcher: agentAt(localAddress),
        })) as unknown as Response,
      ),
    subscribeFrom(localAddress, query, variables) {
      const abort = new AbortController();
      const response = undiciFetch(`${running.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query, variables }),
        dispatcher: agentAt(localAddress),
        signal: abort.signal,
      });
      return eventStream(response.then((answer) => answer.body as ReadableStream<Uint8Array>), abort);
    },
    async close() {
      await Promise.all([...agents.values()].map((agent) => agent.destroy()));
      await running.close();
      if (!shared) await sim.close();
    },
  };
}

export function errorCode(result: HttpResult): unknown {
  return result.body?.errors?.[0]?.extensions?.code;
}
