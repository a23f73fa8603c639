import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { ENV_VARIABLES, LIMITS, loadConfig, withLimits } from '../src/config.js';

function load(env: Record<string, string>) {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(result.problems.join());
  return result;
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const { config } = load({});
    expect(config).toMatchObject({
      port: 4000,
      host: '0.0.0.0',
      logLevel: 'info',
      plex: { baseUrl: 'https://plex.tv', clientIdentifierGenerated: true, authUrl: 'https://app.plex.tv/auth' },
    });
    expect(config.plex.clientIdentifier).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps a configured client identifier and trims the URL', () => {
    const { config } = load({ PLEX_CLIENT_IDENTIFIER: 'my-app-1', PLEX_API_URL: 'http://127.0.0.1:3000/', PORT: '8080' });
    expect(config.plex).toMatchObject({ clientIdentifier: 'my-app-1', clientIdentifierGenerated: false, baseUrl: 'http://127.0.0.1:3000' });
    expect(config.port).toBe(8080);
  });

  it('derives what can be derived: the version, the approval page, the 15-minute and the PIN limits', () => {
    expect(load({}).config.plex.version).toBe(packageJson.version);
    expect(load({ PLEX_API_URL: 'http://127.0.0.1:3000' }).config.plex.authUrl).toBe('http://127.0.0.1:3000/simulator/approve');
    const { throttles } = load({ SIGN_IN_LOGIN_FAILURES_PER_MINUTE: '3', SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: '12' }).config;
    expect(throttles.signIn).toEqual({ loginFailuresPerMinute: 3, loginFailuresPerQuarterHour: 60, addressAttemptsPerMinute: 12 });
    expect(throttles.pins).toEqual({ creationsPerMinute: 4, pollsPerMinute: 24, subscriptionsPerMinute: 12 });
    // 0 turns every limit it drives off (shared NAT addresses, load tests).
    expect(load({ SIGN_IN_LOGIN_FAILURES_PER_MINUTE: '0', SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: '0' }).config.throttles).toMatchObject({
      signIn: { loginFailuresPerMinute: 0, loginFailuresPerQuarterHour: 0, addressAttemptsPerMinute: 0 },
      pins: { creationsPerMinute: 0, pollsPerMinute: 0, subscriptionsPerMinute: 0 },
    });
  });

  it('turns GraphiQL and the subgraph SDL on and off with introspection', () => {
    const graphql = (env: Record<string, string>) => load(env).config.graphql;
    expect(graphql({})).toEqual({ introspection: true, subgraphSdl: true, graphiql: true, hideSuggestions: false });
    expect(graphql({ NODE_ENV: 'production' })).toEqual({ introspection: false, subgraphSdl: false, graphiql: false, hideSuggestions: true });
    expect(graphql({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' })).toMatchObject({ introspection: true, subgraphSdl: true, graphiql: true });
    expect(graphql({ GRAPHQL_INTROSPECTION: 'false' })).toMatchObject({ introspection: false, subgraphSdl: false, graphiql: false });
  });

  it('reports every bad variable at once', () => {
    const result = loadConfig({ PORT: 'eighty', PLEX_API_URL: 'ftp://plex.tv', SHUTDOWN_DRAIN_MS: '-5', LOG_LEVEL: 'loud' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const names = result.problems.map((problem) => problem.split(':')[0]);
    expect(names).toEqual(expect.arrayContaining(['PORT', 'PLEX_API_URL', 'SHUTDOWN_DRAIN_MS', 'LOG_LEVEL']));
  });

  it('warns once about each variable it no longer reads, naming what replaced it', () => {
    const { warnings } = load({ PLEX_TIMEOUT_MS: '5000', PIN_POLLS_PER_MINUTE: '0', GRAPHIQL: 'true', PORT: '4001' });
    expect(warnings).toHaveLength(3);
    expect(warnings.find((line) => line.startsWith('PLEX_TIMEOUT_MS '))).toMatch(/fixed limit/);
    expect(warnings.find((line) => line.startsWith('PIN_POLLS_PER_MINUTE '))).toMatch(/SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE/);
    expect(warnings.find((line) => line.startsWith('GRAPHIQL '))).toMatch(/GRAPHQL_INTROSPECTION/);
    expect(load({ PORT: '4001' }).warnings).toEqual([]);
  });

  it('makes a sealing key for the process in mock mode with PLEX_AUTH_MODE=jwt, and only there', () => {
    expect(loadConfig({ PLEX_AUTH_MODE: 'jwt' }).ok).toBe(false);
    const mock = loadConfig({ PLEX_AUTH_MODE: 'jwt' }, { mock: true });
    expect(mock.ok && mock.config.auth.mode === 'jwt' && mock.config.auth.sealingKeys !== null).toBe(true);
  });
});

describe('the environment variables', () => {
  it('are at most 25 (23 and the two of /metrics), each documented in docs/configuration.md', () => {
    expect(ENV_VARIABLES.length).toBeLessThanOrEqual(25);
    const documented = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    const table = new Set([...documented.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]));
    expect([...table].sort()).toEqual([...ENV_VARIABLES].sort());
  });

  it('are read only by src/main.ts (through loadConfig) among the server modules', () => {
    // Counted in the source: any other process.env read outside the standalone simulator is a variable nobody documents.
    const main = readFileSync(new URL('../src/main.ts', import.meta.url), 'utf8');
    expect(main.match(/process\.env\b/g)).toHaveLength(1);
  });
});

describe('withLimits', () => {
  it('overrides one field of a group and keeps the others', () => {
    const limits = withLimits({ plex: { timeoutMs: 200 }, viewerCacheMaxEntries: 3 });
    expect(limits.plex).toEqual({ ...LIMITS.plex, timeoutMs: 200 });
    expect(limits.viewerCacheMaxEntries).toBe(3);
    expect(limits.operations).toBe(LIMITS.operations);
  });
});
