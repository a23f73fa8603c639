// Starting the service in tests: its config from operator variables, the fixed limits a test overrides, and the two
// ways of serving it (in-process through Yoga's fetch, or on a real port).
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { print, type DocumentNode } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Agent, fetch as undiciFetch } from 'undici';
import { readSse } from './sse.js';
import { loadConfig, type Config, type LimitOverrides } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/observability/logger.js';
import { createYogaServer, startServer, type RunningServer, type YogaServer } from '../../src/server.js';
import { createPlexSimulator, type PlexSimulator } from '../../src/simulator/index.js';

export const CLIENT_ID = 'test-client-identifier';

export function testConfig(plexUrl: string, env: Record<string, string> = {}): Config {
  const loaded = loadConfig({ PLEX_API_URL: plexUrl, PLEX_CLIENT_IDENTIFIER: CLIENT_ID, LOG_LEVEL: 'debug', ...env });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return loaded.config;
}

/** The limits of the servers tests start, with `overrides` on top. */
export function testLimits(overrides: LimitOverrides = {}): LimitOverrides {
  // Short enough that the timeout tests stay quick, long enough for a loaded machine to answer the others.
  return { ...overrides, plex: { timeoutMs: 1500, ...overrides.plex } };
}

/** How a test starts a server: operator variables, fixed limits it overrides, and settings beyond what variables say. */
export interface ServerOptions {
  readonly limits?: LimitOverrides;
  /** Changes the loaded config, for what no variable sets alone (a derived limit, say). */
  readonly configure?: (config: Config) => Config;
}

/** A logger whose every line is kept, to assert on what was (and was not) logged. */
export function capturingLogger(level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger(level, stream), lines };
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  text: string;
  body: { data?: T | null; errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[] };
}

export interface Harness {
  readonly sim: PlexSimulator;
  readonly yoga: YogaServer;
  readonly logs: string[];
  readonly config: Config;
  gql<T = Record<string, unknown>, V = Record<string, unknown>>(
    document: string | DocumentNode | TypedDocumentNode<T, V>,
    variables?: V,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

/**
 * Requests go to Yoga in-process (`yoga.fetch`), or, with FACADE_TRANSPORT=http (`npm run test:http`), over real HTTP
 * to a started server: the same tests, the same expectations.
 */
export async function startHarness(env: Record<string, string> = {}, options: ServerOptions = {}): Promise<Harness> {
  const sim = createPlexSimulator();
  await sim.listen(0, '127.0.0.1');
  const { logger, lines } = capturingLogger();
  const overHttp = process.env['FACADE_TRANSPORT'] === 'http';
  const loaded = testConfig(sim.url, overHttp ? { PORT: '0', HOST: '127.0.0.1', ...env } : env);
  const config = options.configure?.(loaded) ?? loaded;
  const limits = testLimits(options.limits);
  const server = overHttp ? await startServer({ config, logger, limits }) : undefined;
  const yoga = server?.yoga ?? createYogaServer({ config, logger, limits });
  const send = server ? (url: string, init: RequestInit) => fetch(url.replace('http://facade.test', server.url), init) : yoga.fetch;
  return {
    sim,
    yoga,
    logs: lines,
    config,
    async gql(document, variables, headers = {}) {
      const query = typeof document === 'string' ? document : print(document);
      const response = await send('http://facade.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
    },
    async close() {
      if (server) await server.close();
      else await yoga.dispose();
      await sim.close();
    },
  };
}

export const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

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
   * A subscription over Server-Sent Events from another loopback address, its events read one by one (data parsed as
   * JSON). Returns at once: the request is on its way, and `next()` waits for its answer.
   */
  subscribeFrom(localAddress: string, query: string, variables?: unknown): EventStream;
  close(): Promise<void>;
}

/** A key prefix no other test run shares, so specs running in parallel never see each other's counters. */
export function uniquePrefix(): string {
  return `test-${randomUUID().slice(0, 8)}:`;
}

/** The facade on a real port (node:http), in front of its own simulator unless one is given. */
export async function startRealServer(
  env: Record<string, string> = {},
  options: ServerOptions & { readonly sim?: PlexSimulator } = {},
): Promise<RealServer> {
  const shared = options.sim;
  const sim = shared ?? createPlexSimulator();
  if (!shared) await sim.listen(0, '127.0.0.1');
  const { logger, lines } = capturingLogger();
  const loaded = { ...testConfig(sim.url, env), port: 0, host: '127.0.0.1' };
  const config = options.configure?.(loaded) ?? loaded;
  const running = await startServer({ config, logger, limits: testLimits(options.limits) });
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
      const events = (async function* () {
        const answer = await undiciFetch(`${running.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
          body: JSON.stringify({ query, variables }),
          dispatcher: agentAt(localAddress),
          signal: abort.signal,
        });
        if (answer.body) yield* readSse(answer.body);
      })();
      return {
        async next() {
          const step = await events.next().catch(() => ({ done: true as const, value: undefined }));
          if (step.done) return undefined;
          return { event: step.value.event, data: step.value.data === '' ? undefined : JSON.parse(step.value.data) };
        },
        close: () => abort.abort(),
      };
    },
    async close() {
      await Promise.all([...agents.values()].map((agent) => agent.destroy()));
      await running.close();
      if (!shared) await sim.close();
    },
  };
}

/** Events of one subscription, read as they arrive. */
export interface EventStream {
  /** The next event, its data parsed; undefined once the stream ended (or could not be opened). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  next(): Promise<{ event: string; data: any } | undefined>;
  close(): void;
}

export function errorCode(result: HttpResult): unknown {
  return result.body?.errors?.[0]?.extensions?.code;
}
