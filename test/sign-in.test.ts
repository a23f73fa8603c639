import packageJson from '../package.json' with { type: 'json' };
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SignInDocument, ViewerDocument } from '../operations/generated/graphql.js';
import { DEMO_ACCOUNTS } from '../src/simulator/index.js';
import { bearer, CLIENT_ID, ISO_DATE_TIME, startHarness, type Harness } from './support/servers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
afterEach(() => h.sim.reset());

const plain = DEMO_ACCOUNTS.plain;
const twoFactor = DEMO_ACCOUNTS.twoFactor;

function signIn(input: { login: string; password: string; rememberMe?: boolean; verificationCode?: string | null }) {
  return h.gql(SignInDocument, { input });
}

/** Every leaf of a value, with its path, to prove that no field came back null. */
function nullLeaves(value: unknown, path = ''): string[] {
  if (value === null || value === undefined) return [path];
  if (Array.isArray(value)) return value.flatMap((item, index) => nullLeaves(item, `${path}[${index}]`));
  if (typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => nullLeaves(item, `${path}.${key}`));
  return [];
}

describe('signIn', () => {
  it('returns SignInSuccess with the token and every User field filled', async () => {
    const { body, status } = await signIn({ login: plain.login, password: plain.password });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const result = body.data!.signIn;
    expect(result.__typename).toBe('SignInSuccess');
    if (result.__typename !== 'SignInSuccess') throw new Error('unreachable');
    expect(result.authToken).toMatch(/^\S{20}$/);
    const user = result.user;
    expect(user.username).toBe(plain.username);
    expect(user.email).toBe(plain.login);
    // The demo account fills every field; the only nulls are values plex.tv itself sends as null.
    const allowedNulls = new Set(['.attributionPartner', '.subscriptions[0].endsAt', '.subscriptions[0].transfer', '.pastSubscriptions[0].renewsAt', '.pastSubscriptions[0].transfer']);
    const nulls = nullLeaves(user).filter((path) => !allowedNulls.has(path) && !/^\.services\[\d+\]\.(token|secret)$/.test(path) && !/^\.subscriptions\[0\]\.(active|subscribedAt|status|paymentService|plan|features)$/.test(path));
    expect(nulls).toEqual([]);
    for (const date of [user.joinedAt, user.rememberExpiresAt, user.adsConsentSetAt, user.adsConsentReminderAt, user.subscription?.subscribedAt, user.pastSubscriptions![0]!.endsAt]) {
      expect(date).toMatch(ISO_DATE_TIME);
    }
    expect(user.mailingListStatus).toBe('ACTIVE');
    expect(user.subscription?.status).toBe('ACTIVE');
    expect(user.profile?.autoSelectSubtitle).toBe('SHOWN_WITH_FOREIGN_AUDIO');
    expect(user.profile?.mediaReviewsVisibility).toBe('PLEX_USERS_AND_CRITICS');
    expect(user.services?.map((service) => service.status)).toContain('ONLINE');
    expect(user.country).toMatch(/^[A-Z]{2}$/);
    expect(user.trials).toEqual([expect.any(Object)]);
  });

  it('sends plex.tv the client headers and the form body, and no token', async () => {
    await signIn({ login: `  ${plain.login} `, password: plain.password, rememberMe: true });
    const [request] = h.sim.requests;
    expect(request?.route).toBe('signin');
    expect(request?.method).toBe('POST');
    expect(request?.headers['x-plex-client-identifier']).toBe(CLIENT_ID);
    expect(request?.headers['x-plex-product']).toBe('Plex Account GraphQL');
    expect(request?.headers['x-plex-version']).toBe(packageJson.version);
    expect(request?.headers['accept']).toBe('application/json');
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.headers['x-plex-token']).toBeUndefined();
    const form = new URLSearchParams(request!.body);
    expect(Object.fromEntries(form)).toEqual({ login: plain.login, password: plain.password, rememberMe: 'true' });
  });

  it('sends rememberMe=false by default and verificationCode only when given', async () => {
    await signIn({ login: twoFactor.login, password: twoFactor.password, verificationCode: twoFactor.verificationCode });
    const form = new URLSearchParams(h.sim.requests[0]!.body);
    expect(form.get('rememberMe')).toBe('false');
    expect(form.get('verificationCode')).toBe(twoFactor.verificationCode);
  });

  it('maps plex code 1001 to InvalidCredentialsError', async () => {
    const { body } = await signIn({ login: plain.login, password: 'wrong-password' });
    expect(body.data!.signIn).toMatchObject({ __typename: 'InvalidCredentialsError', message: expect.any(String) });
  });

  it('runs the two-factor flow: 1029 first, 1028 for a wrong code, success with the right one', async () => {
    const first = await signIn({ login: twoFactor.login, password: twoFactor.password });
    expect(first.body.data!.signIn.__typename).toBe('TwoFactorRequiredError');
    const wrong = await signIn({ login: twoFactor.login, password: twoFactor.password, verificationCode: '000000' });
    expect(wrong.body.data!.signIn.__typename).toBe('InvalidVerificationCodeError');
    const right = await signIn({ login: twoFactor.login, password: twoFactor.password, verificationCode: twoFactor.verificationCode });
    const result = right.body.data!.signIn;
    expect(result.__typename).toBe('SignInSuccess');
    if (result.__typename === 'SignInSuccess') expect(result.user.twoFactorEnabled).toBe(true);
  });

  it('maps plex code 1031 and HTTP 429 to SignInThrottledError', async () => {
    h.sim.setFault('signin', { kind: 'repeated-failures' });
    const repeated = await signIn({ login: plain.login, password: plain.password });
    expect(repeated.body.data!.signIn).toMatchObject({ __typename: 'SignInThrottledError', retryAfterSeconds: null });
    h.sim.setFault('signin', { kind: 'rate-limit', retryAfter: 42 });
    const limited = await signIn({ login: plain.login, password: plain.password });
    expect(limited.body.data!.signIn).toMatchObject({ __typename: 'SignInThrottledError', retryAfterSeconds: 42 });
  });

  it.each([
    ['an empty login', { login: '', password: 'x' }, ['input', 'login']],
    ['a blank login', { login: '   ', password: 'x' }, ['input', 'login']],
    ['a login over 255 chars', { login: 'a'.repeat(256), password: 'x' }, ['input', 'login']],
    ['an empty password', { login: 'someone', password: '' }, ['input', 'password']],
    ['a password over 1024 chars', { login: 'someone', password: 'p'.repeat(1025) }, ['input', 'password']],
    ['a 5-digit code', { login: 'someone', password: 'x', verificationCode: '12345' }, ['input', 'verificationCode']],
    ['a code with letters', { login: 'someone', password: 'x', verificationCode: '12a456' }, ['input', 'verificationCode']],
  ])('answers ValidationError for %s without calling plex.tv', async (_name, input, path) => {
    const { body } = await signIn(input);
    const result = body.data!.signIn;
    expect(result.__typename).toBe('ValidationError');
    if (result.__typename !== 'ValidationError') throw new Error('unreachable');
    expect(result.issues.map((issue) => issue.path)).toContainEqual(path);
    expect(result.issues.every((issue) => issue.message.length > 0)).toBe(true);
    expect(h.sim.count()).toBe(0);
  });

  it('reports every invalid field at once', async () => {
    const { body } = await signIn({ login: '', password: '', verificationCode: 'abc' });
    const result = body.data!.signIn;
    if (result.__typename !== 'ValidationError') throw new Error(`got ${result.__typename}`);
    expect(result.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['input.login', 'input.password', 'input.verificationCode']);
    expect(h.sim.count()).toBe(0);
  });

  it('primes the user it returns: nested fields cost no GET /user', async () => {
    await signIn({ login: plain.login, password: plain.password });
    expect(h.sim.count('signin')).toBe(1);
    expect(h.sim.count('user')).toBe(0);
  });

  it.each([
    [{ kind: 'status', status: 500 } as const, 'UPSTREAM_UNAVAILABLE'],
    [{ kind: 'status', status: 503 } as const, 'UPSTREAM_UNAVAILABLE'],
    [{ kind: 'invalid-json' } as const, 'UPSTREAM_BAD_RESPONSE'],
    [{ kind: 'xml' } as const, 'UPSTREAM_BAD_RESPONSE'],
    [{ kind: 'missing-fields' } as const, 'UPSTREAM_BAD_RESPONSE'],
    [{ kind: 'hang' } as const, 'UPSTREAM_TIMEOUT'],
    [{ kind: 'delay', ms: 4000 } as const, 'UPSTREAM_TIMEOUT'],
  ])('turns the upstream fault %o into %s, calling plex.tv once', async (fault, code) => {
    h.sim.setFault('signin', fault);
    const { body } = await signIn({ login: plain.login, password: plain.password });
    expect(body.data).toBeNull();
    expect(body.errors?.[0]?.extensions?.['code']).toBe(code);
    expect(h.sim.count('signin')).toBe(1);
  });
});

describe('viewer after signIn', () => {
  it('returns the same user for the token signIn returned, with either header', async () => {
    const { body } = await signIn({ login: plain.login, password: plain.password });
    const result = body.data!.signIn;
    if (result.__typename !== 'SignInSuccess') throw new Error(`got ${result.__typename}`);
    const { pastSubscriptions: _p, trials: _t, ...signedIn } = result.user;
    for (const headers of [bearer(result.authToken), { 'x-plex-token': result.authToken }]) {
      const viewer = await h.gql(ViewerDocument, {}, headers);
      expect(viewer.body.errors).toBeUndefined();
      const { pastSubscriptions: _vp, trials: _vt, ...user } = viewer.body.data!.viewer!;
      expect(user).toEqual(signedIn);
    }
  });
});
