import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DevicesDocument, ProfilesDocument, RevokeDeviceDocument, ServersDocument, SwitchHomeUserDocument } from '../operations/generated/graphql.js';
import { DEMO_ACCOUNTS, DEMO_HOME } from '../src/simulator/index.js';
import { LIMITS } from '../src/config.js';
import { bearer, ISO_DATE_TIME, startHarness, type GraphQLResponse, type Harness } from './support/servers.js';

// The account after sign-in through GraphQL (in-process Yoga, or real HTTP with npm run test:http) against the
// simulator: resources and their connection order, the Plex Home and the profile switch, devices and revokeDevice.

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await startHarness();
  token = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
});
afterAll(() => h.close());
afterEach(() => h.sim.reset());

const code = (response: GraphQLResponse) => response.body.errors?.[0]?.extensions?.['code'];
type Data = Record<string, any>;

const SWITCH = `mutation Switch($input: SwitchHomeUserInput!) {
  switchHomeUser(input: $input) {
    __typename
    ... on SignInSuccess { authToken user { uuid title username resources { name owned home accessToken } } }
    ... on HomeUserPinInvalidError { message pinSent }
    ... on SignInThrottledError { retryAfterSeconds }
    ... on Error { message }
  }
}`;

describe('resources', () => {
  it('connections in the order to try them: owned local, remote, relay; shared remote then relay; no http when https is required', async () => {
    const response = await h.gql<Data>(
      '{ viewer { resources { name owned provides accessToken createdAt connections { protocol uri local relay ipv6 } } } }',
      {},
      bearer(token),
    );
    expect(response.body.errors).toBeUndefined();
    const byName = Object.fromEntries(response.body.data!.viewer.resources.map((r: Data) => [r.name, r]));
    const shape = (name: string) => byName[name].connections.map((c: Data) => `${c.protocol}:${c.local ? 'local' : c.relay ? 'relay' : 'remote'}${c.ipv6 ? ':v6' : ''}`);
    expect(shape('StreamMaster')).toEqual(['HTTPS:local', 'HTTP:local', 'HTTPS:remote', 'HTTPS:remote:v6', 'HTTPS:relay']);
    expect(shape('PirateBay')).toEqual(['HTTPS:remote', 'HTTPS:relay']);
    expect(shape('Attic NAS')).toEqual(['HTTPS:local', 'HTTPS:remote']);
    expect(byName['StreamMaster']).toMatchObject({ owned: true, provides: ['SERVER'], accessToken: expect.any(String) });
    expect(byName['StreamMaster'].createdAt).toMatch(ISO_DATE_TIME);
    expect(byName['Living Room']).toMatchObject({ accessToken: null, provides: ['CLIENT', 'PLAYER', 'PUBSUB_PLAYER', 'CONTROLLER'] });
    const request = h.sim.requests.find((r) => r.route === 'resources');
    expect(request?.query.get('includeHttps')).toBe('1');
    expect(request?.query.get('includeRelay')).toBe('1');
    expect(request?.query.get('includeIPv6')).toBe('1');
  });

  it('one plex.tv call per field per request, whatever the aliases and filters', async () => {
    const response = await h.gql<Data>(
      `{ viewer {
          servers: resources(provides: [SERVER]) { name }
          players: resources(provides: [PLAYER]) { name }
          all: resources { name }
          home1: plexHome { name } home2: plexHome { users { title } }
          d1: devices { id } d2: devices { name }
        }
        again: viewer { resources { clientIdentifier } plexHome { id } devices { current } } }`,
      {},
      bearer(token),
    );
    expect(response.body.errors).toBeUndefined();
    const viewer = response.body.data!.viewer;
    expect(viewer.servers.map((r: Data) => r.name)).toEqual(['StreamMaster', 'PirateBay', 'Attic NAS']);
    expect(viewer.players.map((r: Data) => r.name)).toEqual(['Living Room']);
    expect(viewer.all).toHaveLength(4);
    expect([h.sim.count('user'), h.sim.count('resources'), h.sim.count('homeUsers'), h.sim.count('devices')]).toEqual([1, 1, 1, 1]);
  });

  it('no token: UNAUTHENTICATED with no plex.tv call; a token plex.tv rejects: UNAUTHENTICATED', async () => {
    for (const query of ['{ viewer { resources { name } plexHome { id } devices { id } } }', 'mutation { revokeDevice(id: "1") { __typename } }', `mutation { switchHomeUser(input: { uuid: "${DEMO_HOME.managedUser.uuid}" }) { __typename } }`]) {
      expect(code(await h.gql(query))).toBe('UNAUTHENTICATED');
    }
    expect(h.sim.count()).toBe(0);
    const revoked = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    h.sim.revokeToken(revoked);
    expect(code(await h.gql('mutation { revokeDevice(id: "1") { __typename } }', {}, bearer(revoked)))).toBe('UNAUTHENTICATED');
  });

  it('plex.tv down: the upstream error codes', async () => {
    h.sim.setFault('resources', { kind: 'status', status: 503 });
    const response = await h.gql<Data>('{ viewer { username resources { name } } }', {}, bearer(token));
    expect(code(response)).toBe('UPSTREAM_UNAVAILABLE');
    expect(response.body.data?.viewer).toBeNull();
    h.sim.setFault('devices', { kind: 'rate-limit', retryAfter: 7 });
    const limited = await h.gql<Data>('{ viewer { devices { id } } }', {}, bearer(token));
    expect(limited.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 7 });
  });
});

describe('Plex Home', () => {
  it('the Home with its users: a managed user without username and email, avatars, Unix seconds as DateTime', async () => {
    const response = await h.gql<Data>(
      '{ viewer { home plexHome { name plexPass users { uuid title username email thumb admin restricted restrictionProfile protected hasPassword updatedAt } } } }',
      {},
      bearer(token),
    );
    expect(response.body.errors).toBeUndefined();
    const home = response.body.data!.viewer.plexHome;
    expect(home.name).toBe(DEMO_HOME.name);
    const byUuid = Object.fromEntries(home.users.map((u: Data) => [u.uuid, u]));
    expect(byUuid[DEMO_HOME.managedUser.uuid]).toMatchObject({ username: null, email: null, restricted: true, restrictionProfile: 'LITTLE_KID', updatedAt: null });
    expect(byUuid[DEMO_HOME.protectedUser.uuid]).toMatchObject({ protected: true, updatedAt: expect.stringMatching(ISO_DATE_TIME) });
    expect(home.users.filter((u: Data) => u.admin)).toHaveLength(1);
    for (const user of home.users) expect(user.thumb).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/users\/[0-9a-f]{16}\/avatar/);
  });

  it('switch: a wrong PIN, then no PIN, then the right one; nested fields use the new token', async () => {
    const input = { uuid: DEMO_HOME.protectedUser.uuid };
    const wrong = await h.gql<Data>(SWITCH, { input: { ...input, pin: '0000' } }, bearer(token));
    expect(wrong.body.data!.switchHomeUser).toMatchObject({ __typename: 'HomeUserPinInvalidError', pinSent: true });
    const none = await h.gql<Data>(SWITCH, { input }, bearer(token));
    expect(none.body.data!.switchHomeUser).toMatchObject({ __typename: 'HomeUserPinInvalidError', pinSent: false });
    const right = await h.gql<Data>(SWITCH, { input: { ...input, pin: DEMO_HOME.protectedUser.pin } }, bearer(token));
    expect(right.body.errors).toBeUndefined();
    const success = right.body.data!.switchHomeUser;
    expect(success.__typename).toBe('SignInSuccess');
    expect(success.authToken).not.toBe(token);
    expect(success.user).toMatchObject({ uuid: DEMO_HOME.protectedUser.uuid, title: DEMO_HOME.protectedUser.title });
    // The Home user sees the admin's server shared through the Home, with a token of its own.
    expect(success.user.resources).toEqual([{ name: 'StreamMaster', owned: false, home: true, accessToken: expect.any(String) }]);
    const switchCall = h.sim.requests.find((r) => r.route === 'homeSwitch' && r.query.get('pin') === DEMO_HOME.protectedUser.pin)!;
    expect(switchCall.headers['x-plex-token']).toBe(token);
    const nested = h.sim.requests.filter((r) => r.route === 'resources' || r.route === 'user').map((r) => r.headers['x-plex-token']);
    expect(nested).toEqual([success.authToken, success.authToken]);
  });

  it('a user whose `protected` is false may still need a PIN; a managed user switches without one', async () => {
    const sam = await h.gql<Data>(SWITCH, { input: { uuid: DEMO_HOME.unflaggedPinUser.uuid } }, bearer(token));
    expect(sam.body.data!.switchHomeUser).toMatchObject({ __typename: 'HomeUserPinInvalidError', pinSent: false });
    const withPin = await h.gql<Data>(SWITCH, { input: { uuid: DEMO_HOME.unflaggedPinUser.uuid, pin: DEMO_HOME.unflaggedPinUser.pin } }, bearer(token));
    expect(withPin.body.data!.switchHomeUser.__typename).toBe('SignInSuccess');
    const kid = await h.gql<Data>(SWITCH, { input: { uuid: DEMO_HOME.managedUser.uuid } }, bearer(token));
    expect(kid.body.data!.switchHomeUser).toMatchObject({ __typename: 'SignInSuccess', user: { username: null, title: DEMO_HOME.managedUser.title } });
  });

  it('an unknown uuid: HomeUserNotFoundError without a switch call; a PIN that is not 4 digits: BAD_USER_INPUT naming input.pin', async () => {
    const unknown = await h.gql<Data>(SWITCH, { input: { uuid: 'ffffffffffffffff', pin: '1234' } }, bearer(token));
    expect(unknown.body.data!.switchHomeUser.__typename).toBe('HomeUserNotFoundError');
    expect(h.sim.count('homeSwitch')).toBe(0);
    for (const pin of ['123', '12345', 'abcd']) {
      const invalid = await h.gql<Data>(SWITCH, { input: { uuid: DEMO_HOME.protectedUser.uuid, pin } }, bearer(token));
      expect(code(invalid)).toBe('BAD_USER_INPUT');
      expect(invalid.body.errors?.[0]?.extensions?.['issues']).toEqual([expect.objectContaining({ path: ['input', 'pin'] })]);
      expect(invalid.text).not.toContain(pin);
    }
    expect(h.sim.count('homeSwitch')).toBe(0);
  });

  it('a Home PIN is never logged or echoed, whatever the outcome', async () => {
    const PIN = '7391';
    const texts: string[] = [];
    const run = async (query: string, variables?: Record<string, unknown>) => texts.push((await h.gql(query, variables, bearer(token))).text);
    await run(SWITCH, { input: { uuid: DEMO_HOME.protectedUser.uuid, pin: PIN } });
    await run(`mutation { switchHomeUser(input: { uuid: "${DEMO_HOME.protectedUser.uuid}", pin: "${PIN}" }) { __typename } }`);
    await run(`mutation { switchHomeUser(input: { uuid: "${DEMO_HOME.protectedUser.uuid}", pin: "${PIN}", bogus: 1 }) { __typename } }`);
    await run(SWITCH, { input: { uuid: DEMO_HOME.protectedUser.uuid, pin: Number(PIN) } });
    await run(SWITCH, { input: { uuid: DEMO_HOME.protectedUser.uuid, pin: `${PIN}x` } });
    for (const fault of [{ kind: 'status', status: 500 }, { kind: 'hang' }, { kind: 'rate-limit' }] as const) {
      h.sim.setFault('homeSwitch', fault, 1);
      await run(SWITCH, { input: { uuid: DEMO_HOME.protectedUser.uuid, pin: PIN } });
    }
    expect(h.sim.requests.filter((r) => r.route === 'homeSwitch' && r.query.get('pin') === PIN).length).toBeGreaterThan(3);
    const pattern = new RegExp(`["=]${PIN}\\b`);
    expect(texts.join('\n')).not.toMatch(pattern);
    expect(h.logs.join('\n')).not.toMatch(pattern);
  });

  it("plex.tv's 429: SignInThrottledError", async () => {
    h.sim.setFault('homeSwitch', { kind: 'rate-limit', retryAfter: 3 });
    const response = await h.gql<Data>(SWITCH, { input: { uuid: DEMO_HOME.managedUser.uuid } }, bearer(token));
    expect(response.body.data!.switchHomeUser).toEqual({ __typename: 'SignInThrottledError', retryAfterSeconds: 3, message: expect.any(String) });
  });

  it('a second switch in one operation is over the plex.tv call budget, and nothing runs', async () => {
    const response = await h.gql(
      `mutation { a: switchHomeUser(input: { uuid: "${DEMO_HOME.managedUser.uuid}" }) { __typename } b: switchHomeUser(input: { uuid: "${DEMO_HOME.managedUser.uuid}" }) { __typename } }`,
      {},
      bearer(token),
    );
    expect(code(response)).toBe('PLEX_CALL_BUDGET_EXCEEDED');
    expect(h.sim.count()).toBe(0);
  });
});

describe('SignInSuccess', () => {
  it("nested resources, plexHome and devices use the result's authToken, not the request's", async () => {
    const { login, password, verificationCode } = DEMO_ACCOUNTS.twoFactor;
    const response = await h.gql<Data>(
      `mutation { signIn(input: { login: "${login}", password: "${password}", verificationCode: "${verificationCode}" }) {
        ... on SignInSuccess { authToken user { username resources { name } plexHome { users { title } } devices { current clientIdentifier } } } } }`,
      {},
      bearer(token),
    );
    expect(response.body.errors).toBeUndefined();
    const { authToken, user } = response.body.data!.signIn;
    expect(user.username).toBe(DEMO_ACCOUNTS.twoFactor.username);
    expect(user.resources.map((r: Data) => r.name)).toEqual(['Den']);
    // Not in a Home: null, and plex.tv is not asked.
    expect(user.plexHome).toBeNull();
    expect(h.sim.count('homeUsers')).toBe(0);
    expect(user.devices.filter((d: Data) => d.current)).toHaveLength(1);
    const used = h.sim.requests.filter((r) => r.route === 'resources' || r.route === 'devices').map((r) => r.headers['x-plex-token']);
    expect(used).toEqual([authToken, authToken]);
  });
});

describe('devices', () => {
  it('lists the devices with no token anywhere: not in the response, not in a log line', async () => {
    const response = await h.gql<Data>(
      '{ viewer { devices { id name product platform model vendor clientIdentifier provides createdAt lastSeenAt current } } }',
      {},
      bearer(token),
    );
    expect(response.body.errors).toBeUndefined();
    const devices = response.body.data!.viewer.devices as Data[];
    const held = h.sim.devicesOf(DEMO_ACCOUNTS.plain.login);
    expect(devices.map((d) => d.id)).toEqual(held.map((d) => String(d.id)));
    expect(devices.filter((d) => d.current).map((d) => d.id)).toEqual([String(held.find((d) => d.token === token)!.id)]);
    expect(devices.find((d) => d.name === 'iPhone')).toMatchObject({ model: '14,2', vendor: 'Apple', createdAt: expect.stringMatching(ISO_DATE_TIME) });
    // The canary: every device token plex.tv sent (the request's own included, which only the request carried).
    const others = held.map((d) => d.token).filter((t) => t !== token);
    expect(others.length).toBeGreaterThan(2);
    for (const secret of others) {
      expect(response.text).not.toContain(secret);
      expect(h.logs.join('\n')).not.toContain(secret);
    }
  });

  it('revokeDevice: unknown, current and media-server devices are refused without a DELETE; another device is removed', async () => {
    const other = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    const held = h.sim.devicesOf(DEMO_ACCOUNTS.plain.login);
    const current = held.find((d) => d.token === token)!;
    const server = held.find((d) => d.provides === 'server')!;
    const target = held.find((d) => d.token === other)!;
    const REVOKE = 'mutation Revoke($id: ID!) { revokeDevice(id: $id) { __typename ... on RevokeDeviceSuccess { deviceId } ... on RevokeDeviceRefusedError { reason } ... on Error { message } } }';
    const revoke = async (id: string | number) => (await h.gql<Data>(REVOKE, { id: String(id) }, bearer(token))).body.data!.revokeDevice;

    expect(await revoke(999_999_999)).toMatchObject({ __typename: 'DeviceNotFoundError' });
    expect(await revoke(current.id)).toMatchObject({ __typename: 'RevokeDeviceRefusedError', reason: 'CURRENT_DEVICE' });
    expect(await revoke(server.id)).toMatchObject({ __typename: 'RevokeDeviceRefusedError', reason: 'MEDIA_SERVER' });
    expect(h.sim.count('deviceDelete')).toBe(0);

    expect(await revoke(target.id)).toEqual({ __typename: 'RevokeDeviceSuccess', deviceId: String(target.id) });
    expect(h.sim.count('deviceDelete')).toBe(1);
    expect(code(await h.gql('{ viewer { id } }', {}, bearer(other)))).toBe('UNAUTHENTICATED');
    expect(await revoke(target.id)).toMatchObject({ __typename: 'DeviceNotFoundError' });
  });

  it('with a Plex JWT, the current device is the one the JWT was issued to', async () => {
    const jwt = await h.sim.issuePlexJwt(DEMO_ACCOUNTS.plain.login, 'jwt-device-under-test');
    const response = await h.gql<Data>('{ viewer { devices { clientIdentifier current } } }', {}, bearer(jwt));
    expect(response.body.errors).toBeUndefined();
    const current = (response.body.data!.viewer.devices as Data[]).filter((d) => d.current).map((d) => d.clientIdentifier);
    expect(current).toEqual(['jwt-device-under-test']);
    expect(response.text).not.toContain(jwt);
  });

  it('an id that is not 1 to 20 digits is BAD_USER_INPUT, and plex.tv is not called', async () => {
    for (const id of ['abc', '1/../2', '123456789012345678901']) {
      const response = await h.gql('mutation Revoke($id: ID!) { revokeDevice(id: $id) { __typename } }', { id }, bearer(token));
      expect(code(response)).toBe('BAD_USER_INPUT');
    }
    expect(h.sim.count()).toBe(0);
  });

  it('two revokes in one operation are over the plex.tv call budget', async () => {
    const response = await h.gql('mutation { a: revokeDevice(id: "1") { __typename } b: revokeDevice(id: "2") { __typename } }', {}, bearer(token));
    expect(code(response)).toBe('PLEX_CALL_BUDGET_EXCEEDED');
    expect(h.sim.count()).toBe(0);
  });
});

describe('Resource as a federation entity', () => {
  const ENTITIES = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Resource { name clientIdentifier connections { uri } } } }';

  it("resolves the request's own resources by clientIdentifier with one plex.tv call; others are null", async () => {
    const response = await h.gql<Data>(
      ENTITIES,
      {
        r: [
          { __typename: 'Resource', clientIdentifier: '8276c3fa6bc24e44b347e19c71fbb98b9287c1e9' },
          { __typename: 'Resource', clientIdentifier: 'not-a-resource-of-this-account' },
          { __typename: 'Resource', clientIdentifier: 'f76e7b49cd981f44e37f3128b6e9fca2db32bca1' },
        ],
      },
      bearer(token),
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!._entities.map((e: Data | null) => e?.name ?? null)).toEqual(['StreamMaster', null, 'PirateBay']);
    expect(h.sim.count('resources')).toBe(1);
  });

  it('a representation without clientIdentifier is BAD_USER_INPUT; too many are OPERATION_LIMIT_EXCEEDED; no plex.tv call', async () => {
    const missing = await h.gql(ENTITIES, { r: [{ __typename: 'Resource' }] }, bearer(token));
    expect(code(missing)).toBe('BAD_USER_INPUT');
    const many = Array.from({ length: LIMITS.operations.maxAliases + 1 }, (_, i) => ({ __typename: 'Resource', clientIdentifier: `r${i}` }));
    expect(code(await h.gql(ENTITIES, { r: many }, bearer(token)))).toBe('OPERATION_LIMIT_EXCEEDED');
    expect(h.sim.count()).toBe(0);
  });
});

describe('the operations/ documents a frontend uses', () => {
  it('Servers, Profiles, SwitchHomeUser, Devices and RevokeDevice run, typed, as written', async () => {
    const servers = await h.gql(ServersDocument, {}, bearer(token));
    expect(servers.body.errors).toBeUndefined();
    const first = servers.body.data!.viewer!.resources[0]!;
    expect(first.connections[0]?.uri).toMatch(/^https:\/\//);

    const profiles = await h.gql(ProfilesDocument, {}, bearer(token));
    const users = profiles.body.data!.viewer!.plexHome!.users;
    const kid = users.find((user) => user.restrictionProfile === 'LITTLE_KID')!;

    const switched = await h.gql(SwitchHomeUserDocument, { input: { uuid: kid.uuid } }, bearer(token));
    const result = switched.body.data!.switchHomeUser;
    expect(result.__typename === 'SignInSuccess' && result.user.uuid).toBe(kid.uuid);

    const devices = await h.gql(DevicesDocument, {}, bearer(token));
    const removable = devices.body.data!.viewer!.devices.find((device) => !device.current && !device.provides.includes('SERVER'))!;
    const revoked = await h.gql(RevokeDeviceDocument, { id: removable.id }, bearer(token));
    expect(revoked.body.data!.revokeDevice).toEqual({ __typename: 'RevokeDeviceSuccess', deviceId: removable.id });
  });
});
