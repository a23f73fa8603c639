import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clientAddressResolver } from '../src/security/client-address.js';
import { DEMO_ACCOUNTS } from '../src/simulator/index.js';
import { startHarness, errorCode, SIGN_IN, startRealServer, type RealServer } from './support/servers.js';

const plain = DEMO_ACCOUNTS.plain;
const twoFactor = DEMO_ACCOUNTS.twoFactor;

async function signIn(s: RealServer, login: string, password: string, headers: Record<string, string> = {}) {
  const result = await s.gql(SIGN_IN, { input: { login, password } }, headers);
  expect(result.status).toBe(200);
  return result.body.data.signIn as { __typename: string; retryAfterSeconds?: number | null };
}

describe('sign-in throttle per (login, address) (5 failures a minute by default)', () => {
  let s: RealServer;
  beforeAll(async () => {
    // The per-address limit is tested on its own below.
    s = await startRealServer({ SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: '0' });
  });
  afterAll(() => s.close());
  afterEach(() => s.sim.reset());

  it('refuses the 6th attempt after 5 wrong passwords, without calling plex.tv, even with the right password', async () => {
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      expect((await signIn(s, plain.login, `wrong-${attempt}`)).__typename).toBe('InvalidCredentialsError');
    }
    expect(s.sim.count('signin')).toBe(5);
    const throttled = await signIn(s, plain.login, plain.password);
    expect(throttled.__typename).toBe('SignInThrottledError');
    expect(throttled.retryAfterSeconds).toBeGreaterThan(0);
    expect(throttled.retryAfterSeconds).toBeLessThanOrEqual(60);
    // Case and surrounding spaces do not make a new login.
    expect((await signIn(s, `  ${plain.login.toUpperCase()} `, 'wrong')).__typename).toBe('SignInThrottledError');
    expect(s.sim.count('signin')).toBe(5);
  });

  it('counts a username in any case as one login', async () => {
    const login = 'Some.User';
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const variant = attempt % 2 === 0 ? login.toUpperCase() : ` ${login.toLowerCase()}`;
      expect((await signIn(s, variant, `wrong-${attempt}`)).__typename).toBe('InvalidCredentialsError');
    }
    expect((await signIn(s, 'sOME.uSER', 'wrong-6')).__typename).toBe('SignInThrottledError');
    expect(s.sim.count('signin')).toBe(5);
  });

  it('counts logins apart: another account is not throttled', async () => {
    expect((await signIn(s, twoFactor.login, 'wrong')).__typename).toBe('InvalidCredentialsError');
    expect(s.sim.count('signin')).toBe(1);
  });

  it('forgets the failures of a login after a successful sign-in', async () => {
    const login = twoFactor.login;
    for (let attempt = 1; attempt <= 3; attempt += 1) await signIn(s, login, `wrong-${attempt}`);
    // The right password (a 2FA prompt) is not a failure; the right code is a success and resets the count.
    expect((await signIn(s, login, twoFactor.password)).__typename).toBe('TwoFactorRequiredError');
    const success = await s.gql(SIGN_IN, { input: { login, password: twoFactor.password, verificationCode: twoFactor.verificationCode } });
    expect(success.body.data.signIn.__typename).toBe('SignInSuccess');
    s.sim.reset();
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      expect((await signIn(s, login, `again-${attempt}`)).__typename).toBe('InvalidCredentialsError');
    }
    expect(s.sim.count('signin')).toBe(5);
    expect((await signIn(s, login, 'again-6')).__typename).toBe('SignInThrottledError');
    expect(s.sim.count('signin')).toBe(5);
  });

  it('does not count attempts that plex.tv could not answer', async () => {
    const login = 'outage@example.com';
    s.sim.setFault('signin', { kind: 'status', status: 503 }, 4);
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      expect(errorCode(await s.gql(SIGN_IN, { input: { login, password: 'whatever' } }))).toBe('UPSTREAM_UNAVAILABLE');
    }
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      expect((await signIn(s, login, `wrong-${attempt}`)).__typename).toBe('InvalidCredentialsError');
    }
    expect(s.sim.count('signin')).toBe(9);
    expect((await signIn(s, login, 'wrong-6')).__typename).toBe('SignInThrottledError');
  });

  it('throttles parallel guesses too: at most 5 of 12 simultaneous wrong passwords reach plex.tv', async () => {
    const login = 'parallel@example.com';
    const results = await Promise.all(Array.from({ length: 12 }, (_, index) => signIn(s, login, `parallel-${index}`)));
    expect(results.filter((result) => result.__typename === 'SignInThrottledError')).toHaveLength(7);
    expect(s.sim.count('signin')).toBe(5);
  });
});

describe('throttling an attacker cannot turn against the owner', () => {
  const signInFrom = async (s: RealServer, localAddress: string, login: string, password: string) => {
    const result = await s.gqlFrom(localAddress, SIGN_IN, { input: { login, password } });
    expect(result.status).toBe(200);
    return result.body.data.signIn as { __typename: string; retryAfterSeconds?: number | null };
  };

  it('after 6 wrong passwords from one address, the right password from another address signs in (default limits)', async () => {
    const s = await startRealServer({}, { limits: { plex: { timeoutMs: 5000 } } });
    try {
      const outcomes: string[] = [];
      for (let attempt = 1; attempt <= 6; attempt += 1) outcomes.push((await signInFrom(s, '127.0.0.2', plain.login, `wrong-${attempt}`)).__typename);
      expect(outcomes).toEqual([...Array(5).fill('InvalidCredentialsError'), 'SignInThrottledError']);
      expect(s.sim.count('signin')).toBe(5);
      expect((await signInFrom(s, '127.0.0.3', plain.login, plain.password)).__typename).toBe('SignInSuccess');
      // The owner's success does not lift the attacker's throttle.
      expect((await signInFrom(s, '127.0.0.2', plain.login, plain.password)).__typename).toBe('SignInThrottledError');
      expect(s.sim.count('signin')).toBe(6);
    } finally {
      await s.close();
    }
  });

  it('stops a guessing attack spread over many addresses: 100 failures a quarter hour per login by default', async () => {
    const s = await startRealServer({ TRUST_PROXY: 'loopback' }, { limits: { plex: { timeoutMs: 5000 } } });
    try {
      const from = (index: number) => ({ 'x-forwarded-for': `198.51.100.${index}` });
      // 20 addresses, each within its own 5 a minute.
      for (let address = 1; address <= 20; address += 1) {
        for (let attempt = 1; attempt <= 5; attempt += 1) {
          expect((await signIn(s, twoFactor.login, `wrong-${address}-${attempt}`, from(address))).__typename).toBe('InvalidCredentialsError');
        }
      }
      expect(s.sim.count('signin')).toBe(100);
      const throttled = await signIn(s, twoFactor.login, twoFactor.password, from(21));
      expect(throttled.__typename).toBe('SignInThrottledError');
      expect(throttled.retryAfterSeconds).toBeGreaterThan(60);
      expect(throttled.retryAfterSeconds).toBeLessThanOrEqual(15 * 60);
      expect(s.sim.count('signin')).toBe(100);
      // Other logins are untouched.
      expect((await signIn(s, plain.login, plain.password, from(21))).__typename).toBe('SignInSuccess');
    } finally {
      await s.close();
    }
  });

  it('does not count attempts an address was already refused for against the login', async () => {
    const s = await startRealServer(
      { SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: '0' },
      {
        limits: { plex: { timeoutMs: 5000 } },
        // Below the 16 × 5 one address could fail in 15 minutes: only the refused attempts not counting keeps it unmet.
        configure: (c) => ({ ...c, throttles: { ...c.throttles, signIn: { ...c.throttles.signIn, loginFailuresPerQuarterHour: 8 } } }),
      },
    );
    try {
      for (let attempt = 1; attempt <= 25; attempt += 1) await signInFrom(s, '127.0.0.4', plain.login, `wrong-${attempt}`);
      expect(s.sim.count('signin')).toBe(5);
      expect((await signInFrom(s, '127.0.0.5', plain.login, plain.password)).__typename).toBe('SignInSuccess');
    } finally {
      await s.close();
    }
  });
});

describe('sign-in throttle per client address', () => {
  let s: RealServer;
  beforeAll(async () => {
    s = await startRealServer({ SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: '3', TRUST_PROXY: 'loopback' });
  });
  afterAll(() => s.close());
  afterEach(() => s.sim.reset());

  it('refuses the 4th attempt from one address, whatever the login, and lets other addresses in', async () => {
    const from = (address: string) => ({ 'x-forwarded-for': address });
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      expect((await signIn(s, `spray-${attempt}@example.com`, 'password', from('203.0.113.7'))).__typename).toBe('InvalidCredentialsError');
    }
    const throttled = await signIn(s, 'spray-4@example.com', 'password', from('203.0.113.7'));
    expect(throttled.__typename).toBe('SignInThrottledError');
    expect(throttled.retryAfterSeconds).toBeGreaterThan(0);
    expect(s.sim.count('signin')).toBe(3);
    expect((await signIn(s, 'spray-4@example.com', 'password', from('198.51.100.9'))).__typename).toBe('InvalidCredentialsError');
    expect(s.sim.count('signin')).toBe(4);
  });
});

describe('TRUST_PROXY', () => {
  it('ignores X-Forwarded-For by default: a client cannot pick its own address', async () => {
    const s = await startRealServer({ SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: '2' });
    try {
      await signIn(s, 'a@example.com', 'p', { 'x-forwarded-for': '192.0.2.1' });
      await signIn(s, 'b@example.com', 'p', { 'x-forwarded-for': '192.0.2.2' });
      expect((await signIn(s, 'c@example.com', 'p', { 'x-forwarded-for': '192.0.2.3' })).__typename).toBe('SignInThrottledError');
      expect(s.sim.count('signin')).toBe(2);
    } finally {
      await s.close();
    }
  });

  const socket = (remoteAddress: string) => ({ req: { socket: { remoteAddress } } });
  const request = (forwardedFor?: string) =>
    new Request('http://facade.test/graphql', { headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });

  it('takes the socket address when it is false, and unmaps IPv4-mapped IPv6', () => {
    const resolve = clientAddressResolver(false);
    expect(resolve(request('1.1.1.1'), socket('::ffff:10.0.0.5'))).toBe('10.0.0.5');
    expect(resolve(request(), {})).toBe('unknown');
  });

  it('believes exactly N hops with a hop count: a spoofed leftmost entry is ignored', () => {
    const resolve = clientAddressResolver(1);
    expect(resolve(request('6.6.6.6, 203.0.113.7'), socket('10.0.0.1'))).toBe('203.0.113.7');
    expect(resolve(request(), socket('10.0.0.1'))).toBe('10.0.0.1');
    expect(clientAddressResolver(2)(request('6.6.6.6, 203.0.113.7, 10.0.0.2'), socket('10.0.0.1'))).toBe('203.0.113.7');
  });

  it('walks back through trusted proxies only with a CIDR list', () => {
    const resolve = clientAddressResolver(['10.0.0.0/8']);
    expect(resolve(request('6.6.6.6, 203.0.113.7, 10.1.2.3'), socket('10.0.0.1'))).toBe('203.0.113.7');
    // An untrusted peer's header is not believed at all.
    expect(resolve(request('6.6.6.6'), socket('198.51.100.1'))).toBe('198.51.100.1');
  });
});

describe('general per-address request limit (RATE_LIMIT_PER_MINUTE)', () => {
  it('is off by default: 120 quick requests from one address all pass', async () => {
    const s = await startRealServer();
    try {
      const statuses = await Promise.all(Array.from({ length: 120 }, () => s.gql('{ __typename }').then((result) => result.status)));
      expect(statuses.every((status) => status === 200)).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('answers 429 RATE_LIMITED with Retry-After over the limit, and never limits /health', async () => {
    const s = await startRealServer({ RATE_LIMIT_PER_MINUTE: '3' });
    try {
      for (let request = 1; request <= 3; request += 1) expect((await s.gql('{ __typename }')).status).toBe(200);
      const limited = await s.gql(SIGN_IN, { input: { login: plain.login, password: plain.password } });
      expect(limited.status).toBe(429);
      expect(errorCode(limited)).toBe('RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.body.errors[0].extensions.retryAfterSeconds).toBe(Number(limited.headers.get('retry-after')));
      expect(s.sim.count()).toBe(0);
      expect((await s.fetch({ path: '/health' })).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('requests without a socket (in-process yoga.fetch)', () => {
  it('skip per-address limits rather than share one bucket, keep per-login limits, and say so once', async () => {
    const h = await startHarness({ SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: '1', SIGN_IN_LOGIN_FAILURES_PER_MINUTE: '1' });
    try {
      const attempt = async (login: string) => ((await h.gql(SIGN_IN, { input: { login, password: 'wrong' } })).body.data as { signIn: { __typename: string } }).signIn.__typename;
      expect(await attempt('one@example.com')).toBe('InvalidCredentialsError');
      expect(await attempt('two@example.com')).toBe('InvalidCredentialsError');
      expect(await attempt('two@example.com')).toBe('SignInThrottledError');
      expect(h.sim.count('signin')).toBe(2);
      expect(h.logs.filter((line) => line.includes('client address unknown'))).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
