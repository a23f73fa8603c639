import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, startRealServer, type HttpResult, type RealServer } from './support/servers.js';

const CREATE_PIN = 'mutation { createSignInPin { id code } }';
const POLL_PIN = 'query ($id: ID!, $code: String!) { signInPin(id: $id, code: $code) { __typename } }';
const WATCH_PIN = 'subscription ($id: ID!, $code: String!) { signInPin(id: $id, code: $code) { __typename } }';

// A generous plex.tv deadline: the counts below are exact, and a loaded machine must not turn a call into a timeout.
const GENEROUS = { limits: { plex: { timeoutMs: 5000 } } };

const retryAfterSeconds = (result: HttpResult): unknown => result.body?.errors?.[0]?.extensions?.retryAfterSeconds;

function expectRateLimited(result: HttpResult, maxSeconds = 60): void {
  expect(errorCode(result)).toBe('RATE_LIMITED');
  expect(retryAfterSeconds(result)).toBeGreaterThan(0);
  expect(retryAfterSeconds(result)).toBeLessThanOrEqual(maxSeconds);
}

async function createPin(s: RealServer): Promise<{ id: string; code: string }> {
  const created = await s.gql(CREATE_PIN);
  expect(created.body.errors).toBeUndefined();
  return created.body.data.createSignInPin;
}

describe('createSignInPin per client address (a third of SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: 10 by default)', () => {
  let s: RealServer;
  beforeAll(async () => {
    s = await startRealServer({}, GENEROUS);
  });
  afterAll(() => s.close());

  it('lets 10 of a burst of 60 from one address reach plex.tv, refuses the rest with RATE_LIMITED, and still serves another address', async () => {
    const burst = await Promise.all(Array.from({ length: 60 }, () => s.gqlFrom('127.0.0.2', CREATE_PIN)));
    const created = burst.filter((result) => result.body.data?.createSignInPin);
    const refused = burst.filter((result) => errorCode(result) !== undefined);
    expect(created).toHaveLength(10);
    expect(refused).toHaveLength(50);
    for (const result of refused) expectRateLimited(result);
    expect(s.sim.count('pins')).toBe(10);

    const other = await s.gqlFrom('127.0.0.3', CREATE_PIN);
    expect(other.body.errors).toBeUndefined();
    expect(other.body.data.createSignInPin.id).toMatch(/^\d+$/);
    expect(s.sim.count('pins')).toBe(11);
  });
});

describe('Query.signInPin per (client address, PIN) (twice SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: 60 by default)', () => {
  let s: RealServer;
  beforeAll(async () => {
    s = await startRealServer({}, GENEROUS);
  });
  afterAll(() => s.close());

  it('lets 60 checks of one PIN a minute from one address reach plex.tv, and never locks out the owner polling from elsewhere', async () => {
    const pin = await createPin(s);
    s.sim.reset();
    // A stranger hammering the PIN's id (with or without its code) from one address.
    const polls = await Promise.all(Array.from({ length: 75 }, () => s.gqlFrom('127.0.0.2', POLL_PIN, pin)));
    expect(polls.filter((result) => result.body.data?.signInPin?.__typename === 'SignInPinPending')).toHaveLength(60);
    const refused = polls.filter((result) => errorCode(result) !== undefined);
    expect(refused).toHaveLength(15);
    for (const result of refused) expectRateLimited(result);
    expect(s.sim.count('pin')).toBe(60);

    s.sim.approvePin(pin.id);
    const owner = await s.gqlFrom('127.0.0.3', POLL_PIN, pin);
    expect(owner.body.data.signInPin.__typename).toBe('SignInSuccess');
    expect(s.sim.count('pin')).toBe(61);
  });

  it('counts one check per PIN per request, however many aliases ask for it', async () => {
    const limited = await startRealServer({ SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: '1' }, GENEROUS);
    try {
      const pin = await createPin(limited);
      const aliased = 'query ($id: ID!, $code: String!) { a: signInPin(id: $id, code: $code) { __typename } b: signInPin(id: $id, code: $code) { __typename } c: signInPin(id: $id, code: $code) { __typename } }';
      for (let request = 1; request <= 2; request += 1) {
        const result = await limited.gql(aliased, pin);
        expect(result.body.errors).toBeUndefined();
        expect(Object.values(result.body.data)).toEqual(Array(3).fill({ __typename: 'SignInPinPending' }));
      }
      expectRateLimited(await limited.gql(aliased, pin));
      expect(limited.sim.count('pin')).toBe(2);
    } finally {
      await limited.close();
    }
  });
});

describe('Subscription.signInPin per client address (SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: 30 by default)', () => {
  it('refuses new subscriptions over the limit with RATE_LIMITED before any poll, and lets other addresses subscribe', async () => {
    const s = await startRealServer({ SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: '2' }, GENEROUS);
    try {
      // An unknown PIN: each accepted stream polls once, sends SignInPinExpiredError and completes.
      const subscribe = (localAddress: string) =>
        s.gqlFrom(localAddress, WATCH_PIN, { id: '424242', code: 'abc' }, { accept: 'text/event-stream' });
      for (let stream = 1; stream <= 2; stream += 1) expect((await subscribe('127.0.0.2')).text).toContain('SignInPinExpiredError');
      const polled = s.sim.count('pin');
      expect(polled).toBeGreaterThanOrEqual(2);
      const refused = await subscribe('127.0.0.2');
      expect(refused.text).toContain('"code":"RATE_LIMITED"');
      expect(refused.text).toMatch(/"retryAfterSeconds":\d+/);
      expect(s.sim.count('pin')).toBe(polled);
      expect((await subscribe('127.0.0.3')).text).toContain('SignInPinExpiredError');
      expect(s.sim.count('pin')).toBeGreaterThan(polled);
    } finally {
      await s.close();
    }
  });
});
