import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createYogaServer, type YogaServer } from '../src/server.js';
import { createPlexSimulator, DEMO_ACCOUNTS, type PlexSimulator } from '../src/simulator/index.js';
import { capturingLogger, testConfig } from './support/servers.js';

// At info and above the request id is passed explicitly (no async context): the lines must still carry it.
let sim: PlexSimulator;
beforeAll(async () => {
  sim = createPlexSimulator();
  await sim.listen(0, '127.0.0.1');
});
afterAll(() => sim.close());

async function viewer(yoga: YogaServer, token: string, requestId: string) {
  const response = await yoga.fetch('http://facade.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': requestId },
    body: JSON.stringify({ query: 'query Who { viewer { id } }' }),
  });
  return { response, body: (await response.json()) as { errors?: { extensions?: { code?: string } }[] } };
}

describe.each(['info', 'warn'] as const)('logs at %s', (level) => {
  it('put the request id on the upstream diagnostics of the request, and echo it', async () => {
    const { logger, lines } = capturingLogger(level);
    const yoga = createYogaServer({ config: testConfig(sim.url, { LOG_LEVEL: level }), logger });
    try {
      const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
      sim.setFault('user', { kind: 'invalid-json' }, 1);
      const failed = await viewer(yoga, token, `req-${level}-1`);
      expect(failed.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_BAD_RESPONSE');
      expect(failed.response.headers.get('x-request-id')).toBe(`req-${level}-1`);
      const ok = await viewer(yoga, token, `req-${level}-2`);
      expect(ok.body.errors).toBeUndefined();
      expect(ok.response.headers.get('x-request-id')).toBe(`req-${level}-2`);

      const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      const diagnostics = parsed.filter((line) => String(line['msg']).startsWith('plex.tv user'));
      expect(diagnostics).toHaveLength(1);
      expect(diagnostics[0]!['requestId']).toBe(`req-${level}-1`);
      const operations = parsed.filter((line) => line['msg'] === 'operation');
      if (level === 'info') expect(operations.map((line) => line['requestId'])).toEqual([`req-${level}-1`, `req-${level}-2`]);
      else expect(operations).toEqual([]);
      // Every line carries exactly one request id, that of the request it was written for.
      for (const line of lines) expect(line.match(/"requestId"/g)).toHaveLength(1);
      expect(lines.join('\n')).not.toContain(token);
    } finally {
      await yoga.dispose();
    }
  });
});

describe.each(['info', 'warn', 'debug'] as const)('an unexpected error at %s', (level) => {
  it('is masked for the client and logged once, with its request id', async () => {
    const { logger, lines } = capturingLogger(level);
    const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    // A dependency that fails in a way nobody planned for: the one path that ends as INTERNAL_SERVER_ERROR.
    const plex = {
      forRequest: () => ({ currentUser: () => Promise.reject(new TypeError('unplanned failure while reading the user')) }),
      close: () => Promise.resolve(),
    } as unknown as Parameters<typeof createYogaServer>[0]['plex'];
    const yoga = createYogaServer({ config: testConfig(sim.url, { LOG_LEVEL: level }), logger, plex });
    try {
      const { body } = await viewer(yoga, token, `req-unexpected-${level}`);
      expect(JSON.stringify(body)).not.toContain('unplanned');
      expect(body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      const errorLines = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['level'] === 'error');
      expect(errorLines).toHaveLength(1);
      expect(errorLines[0]!['requestId']).toBe(`req-unexpected-${level}`);
      expect(JSON.stringify(errorLines[0])).toContain('unplanned failure while reading the user');
      expect(lines.join('\n')).not.toContain(token);
    } finally {
      await yoga.dispose();
    }
  });
});
