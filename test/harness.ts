import { Writable } from 'node:stream';
import { print, type DocumentNode } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { loadConfig, type Config, type LimitOverrides } from '../src/config.js';
import { createLogger, type Logger } from '../src/observability/logger.js';
import { createYogaServer, startServer, type YogaServer } from '../src/server.js';
import { createPlexSimulator, type PlexSimulator } from '../src/simulator/index.js';

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
