import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../src/config.js';

const { homePinFailuresPerUserPerHour: HOME_PIN_FAILURES_PER_USER_PER_HOUR, homePinFailuresPerAddressPerHour: HOME_PIN_FAILURES_PER_ADDRESS_PER_HOUR } = LIMITS.abuse;
import { createPlexSimulator, DEMO_ACCOUNTS, DEMO_HOME, type PlexSimulator } from '../src/simulator/index.js';
import { startRedis, type TestRedis } from './support/redis.js';
import { until } from './support/until.js';
import { startRealServer, uniquePrefix, type RealServer } from './support/servers.js';

// Home PINs cannot be guessed by a script: only a wrong PIN sent to a switch counts (plex.tv's 1041 to a switch that
// carried a PIN), at most 10 per Home user per hour across every instance (Redis) and 20 per client address.

const SWITCH = `mutation Switch($input: SwitchHomeUserInput!) {
  switchHomeUser(input: $input) { __typename ... on HomeUserPinInvalidError { pinSent } ... on SignInThrottledError { retryAfterSeconds } }
}`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
type Outcome = { __typename: string; pinSent?: boolean; retryAfterSeconds?: number };

async function attempt(s: RealServer, token: string, uuid: string, pin?: string, from?: string): Promise<Outcome> {
  const input = pin === undefined ? { uuid } : { uuid, pin };
  const result = from === undefined ? await s.gql(SWITCH, { input }, bearer(token)) : await s.gqlFrom(from, SWITCH, { input }, bearer(token));
  expect(result.body.errors).toBeUndefined();
  return result.body.data.switchHomeUser as Outcome;
}

describe('per Home user and per address', () => {
  let s: RealServer;
  let sim: PlexSimulator;
  let token: string;
  beforeAll(async () => {
    sim = createPlexSimulator({ account: { switchesPerMinute: 1000 } });
    await sim.listen(0, '127.0.0.1');
    s = await startRealServer({}, { sim });
    token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
  });
  afterAll(async () => {
    await s.close();
    await sim.close();
  });

  it('10 wrong PINs to one Home user, then SignInThrottledError without a plex.tv call; switches without a PIN do not count', async () => {
    const { uuid } = DEMO_HOME.unflaggedPinUser;
    const from = '127.0.0.2';
    for (let i = 0; i < 3; i++) expect(await attempt(s, token, uuid, undefined, from)).toEqual({ __typename: 'HomeUserPinInvalidError', pinSent: false });
    for (let i = 0; i < HOME_PIN_FAILURES_PER_USER_PER_HOUR; i++) {
      expect(await attempt(s, token, uuid, '0000', from)).toEqual({ __typename: 'HomeUserPinInvalidError', pinSent: true });
    }
    const switches = sim.count('homeSwitch');
    const refused = await attempt(s, token, uuid, DEMO_HOME.unflaggedPinUser.pin, from);
    expect(refused.__typename).toBe('SignInThrottledError');
    expect(refused.retryAfterSeconds).toBeGreaterThan(3000);
    expect(sim.count('homeSwitch')).toBe(switches);
    // From another address too: the limit is the Home user's.
    expect((await attempt(s, token, uuid, '0000', '127.0.0.3')).__typename).toBe('SignInThrottledError');
    // Another Home user is not affected; the right PIN works and is not counted.
    expect((await attempt(s, token, DEMO_HOME.protectedUser.uuid, DEMO_HOME.protectedUser.pin, from)).__typename).toBe('SignInSuccess');
  });

  it('20 wrong PINs from one address across a Home, then SignInThrottledError for every Home user', async () => {
    const from = '127.0.0.4';
    const users = [DEMO_HOME.protectedUser.uuid, DEMO_HOME.managedUser.uuid, (await adminUuid(s, token))];
    const perUser = Math.ceil(HOME_PIN_FAILURES_PER_ADDRESS_PER_HOUR / users.length);
    expect(perUser).toBeLessThan(HOME_PIN_FAILURES_PER_USER_PER_HOUR);
    let sent = 0;
    for (const uuid of users) {
      for (let i = 0; i < perUser && sent < HOME_PIN_FAILURES_PER_ADDRESS_PER_HOUR; i++, sent++) {
        expect((await attempt(s, token, uuid, '9999', from)).pinSent).toBe(true);
      }
    }
    const switches = sim.count('homeSwitch');
    expect((await attempt(s, token, DEMO_HOME.protectedUser.uuid, DEMO_HOME.protectedUser.pin, from)).__typename).toBe('SignInThrottledError');
    expect(sim.count('homeSwitch')).toBe(switches);
    // Another address may still try that user.
    expect((await attempt(s, token, DEMO_HOME.protectedUser.uuid, DEMO_HOME.protectedUser.pin, '127.0.0.5')).__typename).toBe('SignInSuccess');
  });
});

async function adminUuid(s: RealServer, token: string): Promise<string> {
  const result = await s.gql('{ viewer { plexHome { users { uuid admin } } } }', {}, bearer(token));
  return (result.body.data.viewer.plexHome.users as { uuid: string; admin: boolean }[]).find((user) => user.admin)!.uuid;
}

describe('across instances sharing Redis', () => {
  let redis: TestRedis;
  let sim: PlexSimulator;
  let a: RealServer;
  let b: RealServer;
  beforeAll(async () => {
    redis = await startRedis();
    sim = createPlexSimulator({ account: { switchesPerMinute: 1000 } });
    await sim.listen(0, '127.0.0.1');
    const shared = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix() };
    a = await startRealServer(shared, { sim });
    b = await startRealServer(shared, { sim });
    await until(() => [a, b].every((s) => s.logs.some((line) => line.includes('Redis connected'))), 'both instances to reach Redis');
  }, 20_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await sim?.close();
    await redis?.stop();
  });

  it('10 wrong PINs per Home user in all: 5 on one instance, 5 on the other, the 11th refused on either', async () => {
    const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    const { uuid } = DEMO_HOME.protectedUser;
    // From a different address each time: only the per-user limit can refuse.
    for (let i = 0; i < HOME_PIN_FAILURES_PER_USER_PER_HOUR; i++) {
      const instance = i % 2 === 0 ? a : b;
      expect((await attempt(instance, token, uuid, '0000', `127.0.1.${i + 1}`)).pinSent).toBe(true);
    }
    const switches = sim.count('homeSwitch');
    expect((await attempt(a, token, uuid, DEMO_HOME.protectedUser.pin, '127.0.1.100')).__typename).toBe('SignInThrottledError');
    expect((await attempt(b, token, uuid, DEMO_HOME.protectedUser.pin, '127.0.1.101')).__typename).toBe('SignInThrottledError');
    expect(sim.count('homeSwitch')).toBe(switches);
  });
});
