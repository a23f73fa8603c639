import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, createPlexSimulator, type PlexSimulator } from '../src/simulator/index.js';

// The benchmark runs the simulator as its own process and reads these counters over HTTP.
describe('GET /simulator/stats', () => {
  let sim: PlexSimulator;
  beforeAll(async () => {
    sim = createPlexSimulator({ record: false });
    await sim.listen(0);
  });
  afterAll(() => sim.close());

  async function stats(): Promise<{ total: number; routes: Record<string, number> }> {
    const response = await fetch(`${sim.url}/simulator/stats`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    return (await response.json()) as { total: number; routes: Record<string, number> };
  }

  it('reports per-route counters without recording requests', async () => {
    const before = await stats();
    expect(before.routes).toEqual({ signin: 0, user: 0, pins: 0, pin: 0, signout: 0, nonce: 0, token: 0, keys: 0, resources: 0, homeUsers: 0, homeSwitch: 0, devices: 0, deviceDelete: 0 });

    const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    const headers = { accept: 'application/json', 'x-plex-client-identifier': 'stats-test', 'x-plex-token': token };
    for (let i = 0; i < 3; i++) expect((await fetch(`${sim.url}/api/v2/user`, { headers })).status).toBe(200);
    const signIn = await fetch(`${sim.url}/api/v2/users/signin`, {
      method: 'POST',
      headers: { accept: 'application/json', 'x-plex-client-identifier': 'stats-test', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login: DEMO_ACCOUNTS.plain.login, password: DEMO_ACCOUNTS.plain.password }).toString(),
    });
    expect(signIn.status).toBe(201);

    const after = await stats();
    expect(after.routes).toEqual({ signin: 1, user: 3, pins: 0, pin: 0, signout: 0, nonce: 0, token: 0, keys: 0, resources: 0, homeUsers: 0, homeSwitch: 0, devices: 0, deviceDelete: 0 });
    // The stats requests themselves count towards the total only.
    expect(after.total).toBe(before.total + 5);
    expect(sim.requests).toEqual([]);
  });

  it('answers only GET', async () => {
    const response = await fetch(`${sim.url}/simulator/stats`, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
  });
});
