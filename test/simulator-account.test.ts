import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, DEMO_HOME, SWITCH_BODY_2026, createPlexSimulator, type PlexSimulator } from '../src/simulator/index.js';
import { openApiValidator } from './openapi-validator.js';

// The simulator's resources, Plex Home and devices endpoints over real HTTP. Bodies are checked against
// test/fixtures/plex-account-after-sign-in.yaml, a description of these endpoints written from the research.

const spec = openApiValidator(new URL('./fixtures/plex-account-after-sign-in.yaml', import.meta.url));
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, isArray: (name) => name === 'Device' });

let sim: PlexSimulator;
let clock = Date.parse('2026-09-01T12:00:00Z');
beforeAll(async () => {
  sim = createPlexSimulator({ now: () => clock, account: { switchesPerMinute: 8 } });
  await sim.listen(0, '127.0.0.1');
});
afterAll(() => sim.close());
beforeEach(() => {
  clock += 120_000;
  sim.reset();
});

async function call(path: string, token: string | undefined, init: { method?: string; json?: boolean } = {}) {
  const response = await fetch(`${sim.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      'x-plex-client-identifier': 'simulator-account-test',
      'x-plex-product': 'Tests',
      ...(token === undefined ? {} : { 'x-plex-token': token }),
      ...(init.json === false ? {} : { accept: 'application/json' }),
    },
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, type, text, body: type.startsWith('application/json') ? JSON.parse(text) : undefined };
}

const RESOURCES = '/api/v2/resources?includeHttps=1&includeRelay=1&includeIPv6=1';

describe('GET /api/v2/resources', () => {
  it('owned and shared servers and a player without accessToken, as the description has them', async () => {
    const { status, body } = await call(RESOURCES, sim.issueToken(DEMO_ACCOUNTS.plain.login));
    expect(status).toBe(200);
    spec.expectResponse(body, '/api/v2/resources', 'get', 200);
    const byName = Object.fromEntries(body.map((resource: { name: string }) => [resource.name, resource]));
    expect(byName['StreamMaster']).toMatchObject({ owned: true, ownerId: null, accessToken: expect.any(String) });
    expect(byName['PirateBay']).toMatchObject({ owned: false, ownerId: 2639453, sourceTitle: 'kingpirate123' });
    expect(byName['Living Room']).not.toHaveProperty('accessToken');
    expect(byName['Living Room'].provides).toContain('player');
    expect(byName['StreamMaster'].connections.some((c: { relay: boolean }) => c.relay)).toBe(true);
    expect(byName['StreamMaster'].connections.some((c: { IPv6: boolean }) => c.IPv6)).toBe(true);
  });

  it('relay connections only with includeRelay=1, plex.direct https ones only with includeHttps=1', async () => {
    const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    const plain = (await call('/api/v2/resources', token)).body as { connections: { uri: string; relay: boolean; IPv6: boolean }[] }[];
    spec.expectResponse(plain, '/api/v2/resources', 'get', 200);
    const connections = plain.flatMap((resource) => resource.connections);
    expect(connections.length).toBeGreaterThan(0);
    expect(connections.every((c) => !c.relay && !c.IPv6 && !c.uri.includes('plex.direct'))).toBe(true);
    const relays = (await call('/api/v2/resources?includeRelay=1&includeHttps=1', token)).body.flatMap((r: { connections: { relay: boolean }[] }) => r.connections);
    expect(relays.some((c: { relay: boolean }) => c.relay)).toBe(true);
  });

  it('XML without Accept: application/json; 401 without a token', async () => {
    const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    const answer = await call(RESOURCES, token, { json: false });
    expect(answer.type).toMatch(/^application\/xml/);
    expect(xml.parse(answer.text).MediaContainer.Device.length).toBeGreaterThan(1);
    const refused = await call(RESOURCES, undefined);
    expect(refused.status).toBe(401);
    spec.expectResponse(refused.body, '/api/v2/resources', 'get', 401);
  });
});

describe('Plex Home', () => {
  it('GET /api/v2/home/users: an admin, a managed user and two users with PINs', async () => {
    const { status, body } = await call('/api/v2/home/users', sim.issueToken(DEMO_ACCOUNTS.plain.login));
    expect(status).toBe(200);
    spec.expectResponse(body, '/api/v2/home/users', 'get', 200);
    const byUuid = Object.fromEntries(body.users.map((user: { uuid: string }) => [user.uuid, user]));
    expect(body.users.filter((user: { admin: boolean }) => user.admin)).toHaveLength(1);
    expect(byUuid[DEMO_HOME.managedUser.uuid]).toMatchObject({ username: null, email: null, restricted: true, restrictionProfile: 'little_kid' });
    expect(byUuid[DEMO_HOME.protectedUser.uuid]).toMatchObject({ protected: true });
    expect(byUuid[DEMO_HOME.unflaggedPinUser.uuid]).toMatchObject({ protected: false });
  });

  it('switch: 403/1041 alike for a missing and a wrong PIN, 201 with the published body for the right one', async () => {
    const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    const path = `/api/v2/home/users/${DEMO_HOME.protectedUser.uuid}/switch`;
    const missing = await call(path, token, { method: 'POST' });
    const wrong = await call(`${path}?pin=0000`, token, { method: 'POST' });
    expect([missing.status, wrong.status]).toEqual([403, 403]);
    expect(missing.text).toBe(wrong.text);
    spec.expectResponse(wrong.body, '/api/v2/home/users/{uuid}/switch', 'post', 403);

    const switched = await call(`${path}?pin=${DEMO_HOME.protectedUser.pin}`, token, { method: 'POST' });
    expect(switched.status).toBe(201);
    spec.expectResponse(switched.body, '/api/v2/home/users/{uuid}/switch', 'post', 201);
    const { authToken, thumb, ...rest } = switched.body;
    const { thumb: publishedThumb, ...published } = SWITCH_BODY_2026;
    expect(rest).toEqual(published);
    expect(thumb).toBe(publishedThumb.replace('https://plex.tv', sim.url));
    expect(authToken).toMatch(/^\w{20}$/);
    // The new token reads the Home user's account.
    expect((await call('/api/v2/user', authToken)).body).toMatchObject({ uuid: DEMO_HOME.protectedUser.uuid, authToken });
  });

  it('a user whose `protected` is false may still need a PIN; a managed user needs none', async () => {
    const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    const sam = `/api/v2/home/users/${DEMO_HOME.unflaggedPinUser.uuid}/switch`;
    expect((await call(sam, token, { method: 'POST' })).body.errors[0].code).toBe(1041);
    expect((await call(`${sam}?pin=${DEMO_HOME.unflaggedPinUser.pin}`, token, { method: 'POST' })).status).toBe(201);
    const kid = await call(`/api/v2/home/users/${DEMO_HOME.managedUser.uuid}/switch`, token, { method: 'POST' });
    expect(kid.status).toBe(201);
    expect(kid.body).toMatchObject({ username: null, email: null, restricted: true });
  });

  it('too many switches in a minute: 429', async () => {
    const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    const path = `/api/v2/home/users/${DEMO_HOME.managedUser.uuid}/switch`;
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push((await call(path, token, { method: 'POST' })).status);
    expect(statuses).toEqual([...Array(8).fill(201), 429]);
    clock += 60_000;
    expect((await call(path, token, { method: 'POST' })).status).toBe(201);
  });
});

describe('devices', () => {
  it('GET /devices.xml is XML, even when JSON is asked for, with a token on every device', async () => {
    const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    const answer = await call('/devices.xml', token);
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/^application\/xml/);
    const devices = xml.parse(answer.text).MediaContainer.Device as Record<string, string>[];
    for (const device of devices) spec.expectComponent(device, 'DeviceXml');
    expect(devices.map((device) => device.token)).toContain(token);
    expect(devices.some((device) => device.provides === 'server')).toBe(true);
    expect(new Set(devices.map((device) => device.id)).size).toBe(devices.length);
  });

  it('DELETE /devices/{id}.xml: 200 and its token stops working; 404 for an unknown id', async () => {
    const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    const other = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    const device = sim.devicesOf(DEMO_ACCOUNTS.plain.login).find((d) => d.token === other)!;
    expect((await call('/api/v2/user', other)).status).toBe(200);
    const removed = await call(`/devices/${device.id}.xml`, token, { method: 'DELETE' });
    expect(removed.status).toBe(200);
    expect((await call('/api/v2/user', other)).status).toBe(401);
    expect(sim.devicesOf(DEMO_ACCOUNTS.plain.login).some((d) => d.id === device.id)).toBe(false);
    expect((await call(`/devices/${device.id}.xml`, token, { method: 'DELETE' })).status).toBe(404);
    // The other account's devices are not this account's to remove.
    const foreign = sim.devicesOf(DEMO_ACCOUNTS.twoFactor.login)[0]!;
    expect((await call(`/devices/${foreign.id}.xml`, token, { method: 'DELETE' })).status).toBe(404);
  });
});
