import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from './deployment/processes.js';
import { startRealServer } from './support/servers.js';

const TOKEN = 'metrics-token-0123456789abcdef';

describe('/metrics is not for the public', () => {
  it('is off in production without METRICS_TOKEN or METRICS_PORT, and says so at start', async () => {
    const s = await startRealServer({ NODE_ENV: 'production' });
    try {
      expect((await s.fetch({ path: '/metrics' })).status).toBe(404);
      expect(s.logs.some((line) => line.includes('/metrics is off') && line.includes('METRICS_TOKEN'))).toBe(true);
      // Everything else is served.
      expect((await s.gql('{ __typename }')).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('with METRICS_TOKEN answers 401 without the bearer token (or with another), and the exposition with it', async () => {
    const s = await startRealServer({ NODE_ENV: 'production', METRICS_TOKEN: TOKEN });
    try {
      const anonymous = await s.fetch({ path: '/metrics' });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
      expect(anonymous.text).not.toContain('nodejs_');
      expect((await s.fetch({ path: '/metrics', headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
      const scraped = await s.fetch({ path: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(scraped.status).toBe(200);
      expect(scraped.text).toContain('plex_request_duration_seconds');
      expect(s.logs.some((line) => line.includes('/metrics is off'))).toBe(false);
    } finally {
      await s.close();
    }
  });

  it('with METRICS_PORT is served on that port on loopback only, not on the service port', async () => {
    const port = await freePort();
    const s = await startRealServer({ NODE_ENV: 'production', METRICS_PORT: String(port) });
    try {
      expect((await s.fetch({ path: '/metrics' })).status).toBe(404);
      await s.gql('{ __typename }');
      const scraped = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('graphql_operations_total{operationName="Anonymous",operationType="query",result="OK"} 1');
      expect((await fetch(`http://127.0.0.1:${port}/graphql`)).status).toBe(404);
    } finally {
      await s.close();
    }
  });
});

describe('operation-name labels', () => {
  it("junk names never take a label; the manifest's and operations/ names always have one", async () => {
    const custom = 'query CustomReport { __typename }';
    const dir = mkdtempSync(join(tmpdir(), 'manifest-'));
    const manifest = join(dir, 'manifest.json');
    writeFileSync(manifest, JSON.stringify({ [createHash('sha256').update(custom).digest('hex')]: custom }));
    const s = await startRealServer({ PERSISTED_OPERATIONS_MANIFEST: manifest });
    try {
      for (let n = 0; n < 150; n += 1) expect((await s.gql(`query Junk${n} { __typename }`)).status).toBe(200);
      await s.gql(custom);
      // SignIn is one of the project's own operations/ documents, not in the configured manifest.
      await s.gql('mutation SignIn { signIn(input: { login: "a@example.com", password: "x" }) { __typename } }');
      const exposition = (await s.fetch({ path: '/metrics' })).text;
      expect(exposition).not.toMatch(/operationName="Junk/);
      expect(exposition).toMatch(/graphql_operations_total\{operationName="\(other\)",operationType="query",result="OK"\} 150/);
      expect(exposition).toContain('operationName="CustomReport"');
      expect(exposition).toContain('operationName="SignIn"');
    } finally {
      await s.close();
    }
  });
});
