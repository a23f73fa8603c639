import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignInDocument, ViewerDocument } from '../operations/generated/graphql.js';
import { DEMO_ACCOUNTS } from '../src/simulator/index.js';
import { bearer, startHarness, type Harness } from './support/servers.js';

// Canary values: if any of them shows up in a log line or a response where it should not, a secret leaked.
const CANARY_PASSWORD = 'canary-PASSWORD-7f3a9c';
const CANARY_CODE = '904172';
const CANARY_TOKEN = 'canaryTOKENzz81b7c2q';

let h: Harness;
const responses: string[] = [];
const issued: string[] = [];

beforeAll(async () => {
  // This one client makes more attempts, and causes more upstream faults in a row, than the sign-in throttle and the
  // circuit breaker allow by default: both would then answer before plex.tv is reached, which is not the path under test.
  h = await startHarness({ SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: '200', SIGN_IN_LOGIN_FAILURES_PER_MINUTE: '100' }, { limits: { plex: { breakerFailures: 1000 } } });
  const plain = DEMO_ACCOUNTS.plain;
  const twoFactor = DEMO_ACCOUNTS.twoFactor;
  const run = async (...args: Parameters<Harness['gql']>) => {
    const response = await h.gql(...args);
    responses.push(response.text);
    return response;
  };

  // Every sign-in outcome, with the canary password and code. Failures use a login of their own, so that the
  // per-login sign-in throttle leaves the demo account free for the successful sign-in below.
  const other = 'someone-else@example.com';
  await run(SignInDocument, { input: { login: other, password: CANARY_PASSWORD } });
  await run(SignInDocument, { input: { login: twoFactor.login, password: CANARY_PASSWORD, verificationCode: CANARY_CODE } });
  await run(SignInDocument, { input: { login: twoFactor.login, password: twoFactor.password, verificationCode: CANARY_CODE } });
  await run(SignInDocument, { input: { login: '', password: CANARY_PASSWORD, verificationCode: `${CANARY_CODE}x` } });
  // Inline literals instead of variables, including a document that does not validate.
  await run(`mutation { signIn(input: { login: "${other}", password: "${CANARY_PASSWORD}", verificationCode: "${CANARY_CODE}" }) { __typename } }`);
  await run(`mutation { signIn(input: { login: "${other}", password: "${CANARY_PASSWORD}", bogus: 1 }) { __typename } }`);
  await run(`mutation { signIn(input: { login: "${other}", password: "${CANARY_PASSWORD}" }) { nope } }`);
  // Variables of the wrong type: GraphQL's own coercion errors would quote the value.
  await run(SignInDocument, { input: { login: other, password: [CANARY_PASSWORD] } } as never);
  await run(SignInDocument, { input: { login: other, password: { p: CANARY_PASSWORD }, verificationCode: Number(CANARY_CODE) } } as never);
  for (const fault of [{ kind: 'status', status: 500 }, { kind: 'invalid-json' }, { kind: 'xml' }, { kind: 'missing-fields' }, { kind: 'hang' }, { kind: 'rate-limit', retryAfter: 3 }] as const) {
    h.sim.setFault('signin', fault, 1);
    await run(SignInDocument, { input: { login: other, password: CANARY_PASSWORD, verificationCode: CANARY_CODE } });
  }

  // A successful sign-in: its token and service credentials may be in that response only, never in logs.
  const success = await h.gql(SignInDocument, { input: { login: plain.login, password: plain.password } });
  const result = success.body.data!.signIn;
  if (result.__typename !== 'SignInSuccess') throw new Error(`sign-in failed: ${result.__typename}`);
  issued.push(result.authToken);
  for (const service of result.user.services ?? []) {
    if (service.token) issued.push(service.token);
    if (service.secret) issued.push(service.secret);
  }

  // viewer with the canary token on every path, both headers.
  await run(ViewerDocument, {}, bearer(CANARY_TOKEN));
  await run(ViewerDocument, {}, { 'x-plex-token': CANARY_TOKEN });
  for (const fault of [{ kind: 'status', status: 503 }, { kind: 'invalid-json' }, { kind: 'xml' }, { kind: 'missing-fields' }, { kind: 'hang' }, { kind: 'rate-limit' }] as const) {
    h.sim.setFault('user', fault, 1);
    await run(ViewerDocument, {}, bearer(CANARY_TOKEN));
  }
  await run(`{ viewer { id nope } }`, {}, bearer(CANARY_TOKEN));
  await run(`{ viewer { id } `, {}, bearer(CANARY_TOKEN));
  // A valid token: the body (with service tokens) passes through the facade, which must not log it.
  const viewer = await h.gql(ViewerDocument, {}, bearer(result.authToken));
  expect(viewer.body.data?.viewer?.id).toBeTruthy();
}, 20_000);

afterAll(() => h.close());

describe('secrets', () => {
  it('exercised the paths it meant to (logs were written, plex.tv was called)', () => {
    expect(h.logs.length).toBeGreaterThan(20);
    expect(h.sim.count('signin')).toBeGreaterThan(8);
    expect(h.sim.count('user')).toBeGreaterThan(6);
  });

  it('never logs a password, a 2FA code or a token', () => {
    const logs = h.logs.join('\n');
    for (const secret of [CANARY_PASSWORD, CANARY_CODE, CANARY_TOKEN, ...issued]) {
      expect(logs).not.toContain(secret);
    }
  });

  it('never echoes a password, a 2FA code or a token in a response', () => {
    const all = responses.join('\n');
    for (const secret of [CANARY_PASSWORD, CANARY_CODE, CANARY_TOKEN, ...issued]) {
      expect(all).not.toContain(secret);
    }
  });

  it('never passes an upstream body through (no XML, no plex error text)', () => {
    const all = responses.join('\n');
    expect(all).not.toMatch(/<\?xml|<errors|User could not be authenticated|Please enter the verification code/);
  });
});
