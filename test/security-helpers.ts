import { randomUUID } from 'node:crypto';
import { Agent, fetch as undiciFetch } from 'undici';
import { startServer, type RunningServer } from '../src/server.js';
import { createPlexSimulator, type PlexSimulator } from '../src/simulator/index.js';
import { capturingLogger, testConfig, testLimits, type ServerOptions } from './harness.js';

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
    async close() {
      await Promise.all([...agents.values()].map((agent) => agent.close()));
      await running.close();
      if (!shared) await sim.close();
    },
  };
}

export function errorCode(result: HttpResult): unknown {
  return result.body?.errors?.[0]?.extensions?.code;
}
