import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const result = loadConfig({});
    if (!result.ok) throw new Error(result.problems.join());
    expect(result.config).toMatchObject({
      port: 4000,
      host: '0.0.0.0',
      logLevel: 'info',
      plex: { baseUrl: 'https://plex.tv', timeoutMs: 10_000, clientIdentifierGenerated: true },
    });
    expect(result.config.plex.clientIdentifier).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps a configured client identifier and trims the URL', () => {
    const result = loadConfig({ PLEX_CLIENT_IDENTIFIER: 'my-app-1', PLEX_API_URL: 'http://127.0.0.1:3000/', PORT: '8080' });
    if (!result.ok) throw new Error(result.problems.join());
    expect(result.config.plex).toMatchObject({ clientIdentifier: 'my-app-1', clientIdentifierGenerated: false, baseUrl: 'http://127.0.0.1:3000' });
    expect(result.config.port).toBe(8080);
  });

  it('serves the subgraph SDL where introspection is on, unless FEDERATION_SDL says otherwise', () => {
    const subgraphSdl = (env: Record<string, string>) => {
      const result = loadConfig(env);
      if (!result.ok) throw new Error(result.problems.join());
      return result.config.security.subgraphSdl;
    };
    expect(subgraphSdl({})).toBe(true);
    expect(subgraphSdl({ NODE_ENV: 'production' })).toBe(false);
    expect(subgraphSdl({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' })).toBe(true);
    expect(subgraphSdl({ NODE_ENV: 'production', FEDERATION_SDL: 'true' })).toBe(true);
    expect(subgraphSdl({ FEDERATION_SDL: 'false' })).toBe(false);
  });

  it('reports every bad variable at once', () => {
    const result = loadConfig({ PORT: 'eighty', PLEX_API_URL: 'ftp://plex.tv', PLEX_TIMEOUT_MS: '-5', LOG_LEVEL: 'loud' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const names = result.problems.map((problem) => problem.split(':')[0]);
    expect(names).toEqual(expect.arrayContaining(['PORT', 'PLEX_API_URL', 'PLEX_TIMEOUT_MS', 'LOG_LEVEL']));
  });
});
