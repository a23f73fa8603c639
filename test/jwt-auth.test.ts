import { print, type DocumentNode } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { SignJWT, compactDecrypt, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateSignInPinDocument,
  RefreshAuthTokenDocument,
  SignInPinDocument,
  SignOutDocument,
  ViewerNameDocument,
  WatchSignInPinDocument,
} from '../operations/generated/graphql.js';
import { generateSealingKey } from '../src/auth/device.js';
import { startServer, type RunningServer } from '../src/server.js';
import { DEMO_ACCOUNTS, createPlexSimulator, type PlexSimulator } from '../src/simulator/index.js';
import { until } from './support/until.js';
import { freePort } from './support/ports.js';
import { startRedis, type TestRedis } from './support/redis.js';
import { subscribeSse, type SseEvent } from './support/sse.js';
import { bearer, capturingLogger, CLIENT_ID, ISO_DATE_TIME, testConfig, testLimits } from './support/servers.js';

// PLEX_AUTH_MODE=jwt end to end: real HTTP to the facade, real HTTP from it to the simulator, one clock for both that
// the tests move forward (only ever forward: the servers' key caches and cool-downs must see time pass).

const DAY = 86_400_000;
let offset = 0;
const now = () => Date.now() + offset;

const SEALING_KEY = generateSealingKey();
let sim: PlexSimulator;
let facade: Facade;
const responses: string[] = [];
const secrets = new Set<string>();
const deviceJwts = new Set<string>();
const allLogs: string[][] = [];

interface Result<T> {
  status: number;
  text: string;
  body: { data?: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

interface Facade {
  readonly url: string;
  readonly logs: string[];
  gql<T = Record<string, unknown>, V = Record<string, unknown>>(
    document: string | DocumentNode | TypedDocumentNode<T, V>,
    variables?: V,
    headers?: Record<string, string>,
  ): Promise<Result<T>>;
  close(): Promise<void>;
}

async function startFacade(env: Record<string, string> = {}, plex: PlexSimulator = sim): Promise<Facade> {
  const { logger, lines } = capturingLogger();
  allLogs.push(lines);
  const config = testConfig(plex.url, {
    PORT: '0',
    HOST: '127.0.0.1',
    // These tests sign in many times from one address; the throttles have tests of their own.
    SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: '0',
    PLEX_AUTH_MODE: 'jwt',
    AUTH_SEALING_KEY: SEALING_KEY,
    ...env,
  });
  // Generous: the machine running the tests is shared, and these flows sign and seal.
  const limits = testLimits({ plex: { timeoutMs: 5000 }, pins: { pollIntervalMs: 50 } });
  const running: RunningServer = await startServer({ config, logger, now, limits });
  return {
    url: running.url,
    logs: lines,
    async gql(document, variables, headers = {}) {
      const query = typeof document === 'string' ? document : print(document);
      const response = await fetch(`${running.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      responses.push(text);
      return { status: response.status, text, body: JSON.parse(text) };
    },
    close: () => running.close(),
  };
}

/** The device JWTs the facade sent (PIN polls, token exchanges): secrets too, collected before each reset. */
function harvestDeviceJwts(): void {
  for (const request of sim.requests) {
    const polled = request.query.get('deviceJWT');
    if (polled) deviceJwts.add(polled);
    if (request.route === 'token' && request.body !== '') deviceJwts.add((JSON.parse(request.body) as { jwt: string }).jwt);
  }
}

beforeAll(async () => {
  sim = createPlexSimulator({ now });
  await sim.listen(0, '127.0.0.1');
  const reset = sim.reset.bind(sim);
  sim.reset = () => {
    harvestDeviceJwts();
    reset();
  };
  facade = await startFacade();
});
afterAll(async () => {
  await facade.close();
  await sim.close();
});
afterEach(() => {
  sim.reset();
});

const errorOf = (result: Result<unknown>) => result.body.errors?.[0]?.extensions;

interface SignedIn {
  authToken: string;
  authTokenExpiresAt: string | null;
  refreshToken: string;
  /** The device's client identifier (the PIN's clientID, the token's second audience). */
  clientIdentifier: string;
}

function keep(signedIn: { authToken: string; refreshToken?: string | null }): void {
  secrets.add(signedIn.authToken);
  if (signedIn.refreshToken) secrets.add(signedIn.refreshToken);
}

async function createPin(server: Facade = facade) {
  const created = await server.gql(CreateSignInPinDocument, { input: {} });
  expect(created.body.errors).toBeUndefined();
  return created.body.data!.createSignInPin;
}

/** createSignInPin, approve as `login`, poll the query until SignInSuccess. */
async function signIn(login: string = DEMO_ACCOUNTS.plain.login, server: Facade = facade, poller: Facade = server): Promise<SignedIn> {
  const pin = await createPin(server);
  expect(sim.approvePin(pin.id, login)).toBe(true);
  const polled = await poller.gql(SignInPinDocument, { id: pin.id, code: pin.code });
  const status = polled.body.data?.signInPin;
  if (status?.__typename !== 'SignInSuccess') throw new Error(`not signed in: ${polled.text}`);
  keep(status);
  return {
    authToken: status.authToken,
    authTokenExpiresAt: status.authTokenExpiresAt ?? null,
    refreshToken: status.refreshToken!,
    clientIdentifier: new URLSearchParams(new URL(pin.authUrl).hash.slice(2)).get('clientID')!,
  };
}

async function refresh(refreshToken: string, server: Facade = facade) {
  const result = await server.gql(RefreshAuthTokenDocument, { refreshToken });
  expect(result.body.errors).toBeUndefined();
  const outcome = result.body.data!.refreshAuthToken;
  if (outcome.__typename === 'AuthTokenRefreshed') keep(outcome);
  return outcome;
}

async function viewerName(token: string, server: Facade = facade) {
  return server.gql(ViewerNameDocument, {}, bearer(token));
}

/** A token with the claims and header (kid included) of a genuine one, signed by a key plex.tv never had. */
async function forge(genuine: string, claims: Record<string, unknown> = {}): Promise<string> {
  const forger = await generateKeyPair('EdDSA');
  return new SignJWT({ ...decodeJwt(genuine), ...claims })
    .setProtectedHeader(decodeProtectedHeader(genuine) as { alg: string })
    .sign(forger.privateKey);
}

describe('configuration', () => {
  it('jwt mode is refused at start without a sealing key; the key is never quoted', async () => {
    const { loadConfig } = await import('../src/config.js');
    const missing = loadConfig({ PLEX_AUTH_MODE: 'jwt', PORT: 'eighty' });
    expect(missing.ok).toBe(false);
    if (missing.ok) return;
    // Reported with the other problems, at once.
    expect(missing.problems.map((problem) => problem.split(/[: ]/)[0])).toEqual(expect.arrayContaining(['PORT', 'AUTH_SEALING_KEY']));
    const short = 'c2hvcnQta2V5LXZhbHVl';
    const bad = loadConfig({ PLEX_AUTH_MODE: 'jwt', AUTH_SEALING_KEY: short });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems.join('\n')).toMatch(/AUTH_SEALING_KEY/);
    expect(bad.problems.join('\n')).not.toContain(short);
    expect(loadConfig({ PLEX_AUTH_MODE: 'sometimes' }).ok).toBe(false);
    const legacy = loadConfig({});
    expect(legacy.ok && legacy.config.auth).toEqual({ mode: 'legacy', sealingKeys: null });
  });
});

describe('PIN sign-in in jwt mode', () => {
  it('makes a device per PIN, polls with device JWTs, and returns a Plex JWT with its expiry and a refresh token', async () => {
    const pin = await createPin();
    const create = sim.requests.find((request) => request.route === 'pins')!;
    const deviceId = String(create.headers['x-plex-client-identifier']);
    expect(deviceId).not.toBe(CLIENT_ID);
    const body = JSON.parse(create.body) as { jwk: Record<string, unknown>; strong: boolean };
    expect(body.strong).toBe(true);
    expect(body.jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
    expect(body.jwk).not.toHaveProperty('d');
    expect(new URLSearchParams(new URL(pin.authUrl).hash.slice(2)).get('clientID')).toBe(deviceId);

    const pending = await facade.gql(SignInPinDocument, { id: pin.id, code: pin.code });
    expect(pending.body.data?.signInPin).toMatchObject({ __typename: 'SignInPinPending', id: pin.id });
    const poll = sim.requests.find((request) => request.route === 'pin')!;
    expect(poll.headers['x-plex-client-identifier']).toBe(deviceId);
    expect(decodeProtectedHeader(poll.query.get('deviceJWT')!)).toMatchObject({ alg: 'EdDSA', kid: body.jwk['kid'] });

    sim.approvePin(pin.id, DEMO_ACCOUNTS.plain.login);
    const approved = await facade.gql(SignInPinDocument, { id: pin.id, code: pin.code });
    const success = approved.body.data?.signInPin;
    if (success?.__typename !== 'SignInSuccess') throw new Error(approved.text);
    keep(success);
    expect(success.user.username).toBe(DEMO_ACCOUNTS.plain.username);
    expect(success.authToken.split('.')).toHaveLength(3);
    expect(decodeJwt(success.authToken).aud).toEqual(['plex.tv', deviceId]);
    expect(success.authTokenExpiresAt).toMatch(ISO_DATE_TIME);
    expect(Date.parse(success.authTokenExpiresAt!)).toBe(Number(decodeJwt(success.authToken).exp) * 1000);
    expect(Date.parse(success.authTokenExpiresAt!) - now()).toBeGreaterThan(7 * DAY - 60_000);
    expect(success.refreshToken).toMatch(/^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/);

    const viewer = await viewerName(success.authToken);
    expect(viewer.body.data?.viewer?.username).toBe(DEMO_ACCOUNTS.plain.username);
  });

  it('follows the PIN over Server-Sent Events with the same device, and the token works', async () => {
    const pin = await createPin();
    const events: SseEvent[] = [];
    for await (const event of subscribeSse(facade.url, print(WatchSignInPinDocument), { id: pin.id, code: pin.code })) {
      events.push(event);
      if (events.length === 1) sim.approvePin(pin.id, DEMO_ACCOUNTS.twoFactor.login);
    }
    expect(events.map((e) => e.event)).toEqual(['next', 'next', 'complete']);
    expect(JSON.parse(events[0]!.data).data.signInPin.__typename).toBe('SignInPinPending');
    const success = JSON.parse(events[1]!.data).data.signInPin;
    expect(success).toMatchObject({ __typename: 'SignInSuccess', user: { username: DEMO_ACCOUNTS.twoFactor.username } });
    expect(success.refreshToken).toEqual(expect.any(String));
    expect(success.authTokenExpiresAt).toMatch(ISO_DATE_TIME);
    keep(success);
    const polls = sim.requests.filter((request) => request.route === 'pin');
    expect(new Set(polls.map((request) => request.headers['x-plex-client-identifier'])).size).toBe(1);
    expect(polls.every((request) => request.query.has('deviceJWT'))).toBe(true);
    expect((await viewerName(success.authToken)).body.data?.viewer?.username).toBe(DEMO_ACCOUNTS.twoFactor.username);
  });

  it('answers an unknown PIN, or a wrong code, like an expired one; an unknown PIN costs no plex.tv call', async () => {
    const unknown = await facade.gql(SignInPinDocument, { id: '123', code: 'abc' });
    expect(unknown.body.data?.signInPin).toMatchObject({ __typename: 'SignInPinExpiredError', id: '123' });
    expect(sim.count()).toBe(0);
    const pin = await createPin();
    sim.approvePin(pin.id);
    const wrong = await facade.gql(SignInPinDocument, { id: pin.id, code: 'x'.repeat(pin.code.length) });
    expect(wrong.body.data?.signInPin?.__typename).toBe('SignInPinExpiredError');
    expect(wrong.text).not.toMatch(/authToken|refreshToken/);
    expect(sim.count('user')).toBe(0);
  });

  it('two sign-ins of one account are two devices, each keeping its own working token', async () => {
    const first = await signIn();
    const second = await signIn();
    expect(first.clientIdentifier).not.toBe(second.clientIdentifier);
    expect(first.authToken).not.toBe(second.authToken);
    expect(first.refreshToken).not.toBe(second.refreshToken);
    const renewed = await refresh(second.refreshToken);
    expect(renewed.__typename).toBe('AuthTokenRefreshed');
    for (const token of [first.authToken, renewed.__typename === 'AuthTokenRefreshed' ? renewed.authToken : '']) {
      expect((await viewerName(token)).body.data?.viewer?.username).toBe(DEMO_ACCOUNTS.plain.username);
    }
  });

  it('password sign-in stays legacy: no expiry, no refresh token', async () => {
    const result = await facade.gql(
      `mutation ($input: SignInInput!) { signIn(input: $input) { __typename ... on SignInSuccess { authToken authTokenExpiresAt refreshToken } } }`,
      { input: { login: DEMO_ACCOUNTS.plain.login, password: DEMO_ACCOUNTS.plain.password } },
    );
    const success = (result.body.data as { signIn: { authToken: string; authTokenExpiresAt: string | null; refreshToken: string | null } }).signIn;
    keep(success);
    expect(success).toMatchObject({ authTokenExpiresAt: null, refreshToken: null });
    expect(success.authToken).toMatch(/^\w{20}$/);
  });
});

describe('local token checks', () => {
  it('an expired Plex JWT is TOKEN_EXPIRED without calling plex.tv, for viewer, _entities and signOut', async () => {
    const { authToken } = await signIn();
    offset += 8 * DAY;
    sim.reset();
    const viewer = await viewerName(authToken);
    expect(viewer.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
    const entities = await facade.gql(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }',
      { r: [{ __typename: 'User', id: '1' }] },
      bearer(authToken),
    );
    expect(errorOf(entities)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
    const signOut = await facade.gql(SignOutDocument, {}, bearer(authToken));
    expect(errorOf(signOut)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
    expect(sim.count('user')).toBe(0);
    expect(sim.count('signout')).toBe(0);
  });

  it("plex.tv's 498 is TOKEN_EXPIRED too (inside the minute of leeway the local check allows)", async () => {
    const { authToken } = await signIn();
    offset = Number(decodeJwt(authToken).exp) * 1000 - Date.now() + 30_000;
    sim.reset();
    const viewer = await viewerName(authToken);
    expect(errorOf(viewer)).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
    expect(sim.count('user')).toBe(1);
  });

  it('a forged or altered token is INVALID_TOKEN without calling plex.tv', async () => {
    const { authToken } = await signIn();
    expect((await viewerName(authToken)).body.data?.viewer).toBeTruthy();
    const forged = await forge(authToken);
    const [head, , signature] = authToken.split('.');
    const claims = { ...decodeJwt(authToken), exp: Number(decodeJwt(authToken).exp) + 365 * 86_400 };
    const altered = `${head}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    sim.reset();
    for (const token of [forged, altered]) {
      expect(errorOf(await viewerName(token))).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' });
      expect(errorOf(await facade.gql(SignOutDocument, {}, bearer(token)))).toMatchObject({ reason: 'INVALID_TOKEN' });
    }
    expect(sim.count('user')).toBe(0);
    expect(sim.count('signout')).toBe(0);
    // Even past its exp, a forged token is invalid rather than expired: the signature is checked first.
    offset += 8 * DAY;
    expect(errorOf(await viewerName(forged))).toMatchObject({ reason: 'INVALID_TOKEN' });
    expect(sim.count('user')).toBe(0);
  });

  it('legacy tokens pass through unchanged: plex.tv decides, no keys are fetched for them', async () => {
    const legacy = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    secrets.add(legacy);
    expect((await viewerName(legacy)).body.data?.viewer?.username).toBe(DEMO_ACCOUNTS.plain.username);
    expect(errorOf(await viewerName('NotAToken0123456789x'))).toEqual({ code: 'UNAUTHENTICATED' });
    expect(sim.count('keys')).toBe(0);
    expect(sim.count('user')).toBe(2);
  });

  it("fails open to plex.tv, never to acceptance, while plex.tv's keys cannot be fetched", async () => {
    const { authToken } = await signIn();
    const forged = await forge(authToken);
    sim.reset();
    sim.setFault('keys', { kind: 'status', status: 503 });
    // A server that has not fetched the keys yet.
    const fresh = await startFacade();
    try {
      expect((await viewerName(authToken, fresh)).body.data?.viewer?.username).toBe(DEMO_ACCOUNTS.plain.username);
      const refused = await viewerName(forged, fresh);
      expect(refused.body.data?.viewer ?? null).toBeNull();
      expect(errorOf(refused)).toEqual({ code: 'UNAUTHENTICATED' });
      expect(sim.count('keys')).toBe(1);
      expect(sim.count('user')).toBe(2);
      expect(fresh.logs.some((line) => line.includes('signing keys could not be fetched'))).toBe(true);
    } finally {
      await fresh.close();
    }
  });

  it('key rotation: a token signed by a new key works, at the cost of one key fetch; within the cool-down plex.tv decides', async () => {
    const { authToken, refreshToken } = await signIn();
    expect((await viewerName(authToken)).body.data?.viewer).toBeTruthy();
    const newKid = sim.rotateSigningKey();
    offset += 61_000;
    sim.reset();
    const renewed = await refresh(refreshToken);
    if (renewed.__typename !== 'AuthTokenRefreshed') throw new Error(renewed.__typename);
    expect(decodeProtectedHeader(renewed.authToken).kid).toBe(newKid);
    expect((await viewerName(renewed.authToken)).body.data?.viewer?.username).toBe(DEMO_ACCOUNTS.plain.username);
    expect(sim.count('keys')).toBe(1);
    // A forged token with the new kid is caught locally now.
    expect(errorOf(await viewerName(await forge(renewed.authToken)))).toMatchObject({ reason: 'INVALID_TOKEN' });
    // Rotated again right away: the kid is unknown, the keys were fetched moments ago, so plex.tv is asked, and the
    // genuine token is never refused here.
    const newerKid = sim.rotateSigningKey();
    const again = await refresh(renewed.refreshToken);
    if (again.__typename !== 'AuthTokenRefreshed') throw new Error(again.__typename);
    expect(decodeProtectedHeader(again.authToken).kid).toBe(newerKid);
    expect((await viewerName(again.authToken)).body.data?.viewer?.username).toBe(DEMO_ACCOUNTS.plain.username);
    expect(sim.count('keys')).toBe(1);
  });
});

describe('refreshAuthToken', () => {
  it('gets a new Plex JWT after the old one expired, and a new refresh token', async () => {
    const { authToken, refreshToken, clientIdentifier } = await signIn();
    offset += 8 * DAY;
    expect(errorOf(await viewerName(authToken))).toMatchObject({ reason: 'TOKEN_EXPIRED' });
    sim.reset();
    const renewed = await refresh(refreshToken);
    if (renewed.__typename !== 'AuthTokenRefreshed') throw new Error(renewed.__typename);
    expect(renewed.authToken).not.toBe(authToken);
    expect(renewed.refreshToken).not.toBe(refreshToken);
    expect(Date.parse(renewed.authTokenExpiresAt!) - now()).toBeGreaterThan(7 * DAY - 60_000);
    expect(decodeJwt(renewed.authToken).aud).toEqual(['plex.tv', clientIdentifier]);
    expect([sim.count('nonce'), sim.count('token')]).toEqual([1, 1]);
    const exchange = sim.requests.find((request) => request.route === 'token')!;
    expect(exchange.headers['x-plex-client-identifier']).toBe(clientIdentifier);
    expect(exchange.headers['x-plex-token']).toBeUndefined();
    expect((await viewerName(renewed.authToken)).body.data?.viewer?.username).toBe(DEMO_ACCOUNTS.plain.username);
  });

  it('refuses a tampered, foreign or malformed refresh token without calling plex.tv', async () => {
    const { refreshToken, authToken } = await signIn();
    const parts = refreshToken.split('.');
    const cipher = parts[3]!;
    parts[3] = (cipher[0] === 'A' ? 'B' : 'A') + cipher.slice(1);
    const other = await startFacade({ AUTH_SEALING_KEY: generateSealingKey() });
    try {
      sim.reset();
      for (const candidate of [parts.join('.'), refreshToken.slice(0, -2), 'not-a-refresh-token', authToken, '']) {
        const outcome = await refresh(candidate);
        expect(outcome).toMatchObject({ __typename: 'RefreshTokenInvalidError', message: expect.any(String) });
      }
      // Sealed under a key the other server does not have.
      expect((await refresh(refreshToken, other)).__typename).toBe('RefreshTokenInvalidError');
      expect(sim.count()).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('re-seals under the new AUTH_SEALING_KEY after a rotation; the old server cannot open the new credential', async () => {
    const { refreshToken } = await signIn();
    const rotated = await startFacade({ AUTH_SEALING_KEY: `${generateSealingKey()},${SEALING_KEY}` });
    try {
      const renewed = await refresh(refreshToken, rotated);
      if (renewed.__typename !== 'AuthTokenRefreshed') throw new Error(renewed.__typename);
      expect(renewed.refreshToken).not.toBe(refreshToken);
      const again = await refresh(renewed.refreshToken, rotated);
      expect(again.__typename).toBe('AuthTokenRefreshed');
      expect((await refresh(renewed.refreshToken)).__typename).toBe('RefreshTokenInvalidError');
    } finally {
      await rotated.close();
    }
  });

  it('rotates: a superseded token works for 30 s, is refused after, and its reuse then revokes the whole chain', async () => {
    const first = await signIn();
    const second = await refresh(first.refreshToken);
    if (second.__typename !== 'AuthTokenRefreshed') throw new Error(second.__typename);
    // A second tab refreshing with the token the first tab just replaced.
    offset += 20_000;
    const tab = await refresh(first.refreshToken);
    if (tab.__typename !== 'AuthTokenRefreshed') throw new Error(tab.__typename);
    expect(new Set([first.refreshToken, second.refreshToken, tab.refreshToken]).size).toBe(3);
    expect((await viewerName(tab.authToken)).body.data?.viewer?.username).toBe(DEMO_ACCOUNTS.plain.username);
    offset += 11_000;
    sim.reset();
    expect(await refresh(first.refreshToken)).toMatchObject({ __typename: 'RefreshTokenInvalidError' });
    // The reuse ended the chain: the newest tokens are refused too, and plex.tv was not asked.
    expect((await refresh(second.refreshToken)).__typename).toBe('RefreshTokenInvalidError');
    expect((await refresh(tab.refreshToken)).__typename).toBe('RefreshTokenInvalidError');
    expect(sim.count()).toBe(0);
    expect(facade.logs.some((line) => line.includes('its chain is revoked'))).toBe(true);
  });

  it('a chain refreshed in turn keeps working; another sign-in is not touched by a reuse', async () => {
    const other = await signIn();
    const first = await signIn();
    let current = first.refreshToken;
    for (let round = 0; round < 3; round += 1) {
      offset += 60_000;
      const next = await refresh(current);
      if (next.__typename !== 'AuthTokenRefreshed') throw new Error(next.__typename);
      current = next.refreshToken;
    }
    expect((await refresh(first.refreshToken)).__typename).toBe('RefreshTokenInvalidError');
    expect((await refresh(other.refreshToken)).__typename).toBe('AuthTokenRefreshed');
  });

  it('expires after 90 days without use', async () => {
    const { refreshToken } = await signIn();
    offset += 89 * DAY;
    const used = await refresh(refreshToken);
    if (used.__typename !== 'AuthTokenRefreshed') throw new Error(used.__typename);
    offset += 91 * DAY;
    sim.reset();
    expect((await refresh(used.refreshToken)).__typename).toBe('RefreshTokenInvalidError');
    expect(sim.count()).toBe(0);
  });

  it('expires 365 days after the sign-in, however often it was refreshed', async () => {
    let { refreshToken } = await signIn();
    for (let days = 0; days < 320; days += 80) {
      offset += 80 * DAY;
      const next = await refresh(refreshToken);
      if (next.__typename !== 'AuthTokenRefreshed') throw new Error(`${next.__typename} after ${days + 80} days`);
      refreshToken = next.refreshToken;
    }
    // 370 days after the sign-in, 50 after the last refresh.
    offset += 50 * DAY;
    sim.reset();
    expect((await refresh(refreshToken)).__typename).toBe('RefreshTokenInvalidError');
    expect(sim.count()).toBe(0);
  });

  it("signOut with the Plex JWT revokes the sign-in's refresh tokens (in memory without Redis)", async () => {
    const other = await signIn();
    const { authToken, refreshToken } = await signIn();
    const renewed = await refresh(refreshToken);
    if (renewed.__typename !== 'AuthTokenRefreshed') throw new Error(renewed.__typename);
    const signedOut = await facade.gql(SignOutDocument, {}, bearer(renewed.authToken));
    expect(signedOut.body.data?.signOut).toMatchObject({ signedOut: true, tokenWasValid: true });
    sim.reset();
    expect((await refresh(renewed.refreshToken)).__typename).toBe('RefreshTokenInvalidError');
    expect((await refresh(refreshToken)).__typename).toBe('RefreshTokenInvalidError');
    expect(sim.count()).toBe(0);
    expect(authToken).not.toBe(renewed.authToken);
    expect((await refresh(other.refreshToken)).__typename).toBe('AuthTokenRefreshed');
  });

  it('DeviceRevokedError once the device is removed from the account; SignInThrottledError on 429', async () => {
    const { refreshToken, clientIdentifier } = await signIn();
    sim.setFault('nonce', { kind: 'rate-limit', retryAfter: 9 }, 1);
    expect(await refresh(refreshToken)).toMatchObject({ __typename: 'SignInThrottledError', retryAfterSeconds: 9 });
    expect(sim.revokeDevice(clientIdentifier)).toBe(true);
    expect(await refresh(refreshToken)).toMatchObject({ __typename: 'DeviceRevokedError', message: expect.any(String) });
  });

  it('plex.tv down is a GraphQL error, logged without the credential', async () => {
    const { refreshToken } = await signIn();
    sim.setFault('token', { kind: 'status', status: 503 }, 1);
    const result = await facade.gql(RefreshAuthTokenDocument, { refreshToken });
    expect(errorOf(result)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(facade.logs.some((line) => line.includes('plex.tv token: server error'))).toBe(true);
  });

  it.each([
    ['aliases', 'mutation ($r: String!) { a: refreshAuthToken(refreshToken: $r) { __typename } b: refreshAuthToken(refreshToken: $r) { __typename } }'],
    ['a fragment spread twice', 'mutation ($r: String!) { ...R ...R } fragment R on Mutation { refreshAuthToken(refreshToken: $r) { __typename } }'],
  ])('at most one refreshAuthToken per operation (%s), refused before plex.tv is called', async (_name, document) => {
    const { refreshToken } = await signIn();
    sim.reset();
    const result = await facade.gql(document, { r: refreshToken });
    expect(result.status).toBe(400);
    expect(errorOf(result)).toMatchObject({ code: 'PLEX_CALL_BUDGET_EXCEEDED' });
    expect(result.body.errors?.[0]?.message).toContain('refreshAuthToken');
    expect(sim.count()).toBe(0);
  });
});

describe('legacy mode', () => {
  it('PIN sign-ins get legacy tokens (no expiry, no refresh token), refreshAuthToken refuses without a call, JWTs are still checked', async () => {
    const legacy = await startFacade({ PLEX_AUTH_MODE: 'legacy', AUTH_SEALING_KEY: '' });
    try {
      const { refreshToken, authToken } = await signIn();
      const pin = await createPin(legacy);
      expect(new URLSearchParams(new URL(pin.authUrl).hash.slice(2)).get('clientID')).toBe(CLIENT_ID);
      sim.approvePin(pin.id);
      const polled = await legacy.gql(SignInPinDocument, { id: pin.id, code: pin.code });
      const success = polled.body.data?.signInPin;
      if (success?.__typename !== 'SignInSuccess') throw new Error(polled.text);
      keep(success);
      expect(success).toMatchObject({ authTokenExpiresAt: null, refreshToken: null });
      sim.reset();
      expect((await refresh(refreshToken, legacy)).__typename).toBe('RefreshTokenInvalidError');
      expect(sim.count()).toBe(0);
      offset += 8 * DAY;
      expect(errorOf(await viewerName(authToken, legacy))).toMatchObject({ reason: 'TOKEN_EXPIRED' });
      expect(sim.count('user')).toBe(0);
    } finally {
      await legacy.close();
    }
  });
});

// ---- two instances sharing the pending devices through Redis -------------------------------------------------------

describe('jwt mode with REDIS_URL', () => {
  let redis: TestRedis;
  let url = '';
  beforeAll(async () => {
    redis = await startRedis();
    url = redis.url;
  });
  afterAll(() => redis?.stop());

  it('a PIN created on one instance finishes on another; the device is stored sealed', async () => {
    const env = { REDIS_URL: url, REDIS_KEY_PREFIX: 'jwt-test:' };
    const a = await startFacade(env);
    const b = await startFacade(env);
    try {
      const connected = (f: Facade) => f.logs.some((line) => line.includes('Redis connected'));
      await until(() => connected(a) && connected(b), 'both instances to reach Redis');
      const signedIn = await signIn(DEMO_ACCOUNTS.plain.login, a, b);
      expect((await viewerName(signedIn.authToken, b)).body.data?.viewer?.username).toBe(DEMO_ACCOUNTS.plain.username);
      const client = new Redis(url);
      try {
        const keys = await client.keys('jwt-test:pending-device:*');
        expect(keys).toHaveLength(1);
        const stored = (await client.get(keys[0]!))!;
        expect(stored).toBe(signedIn.refreshToken);
        expect(decodeProtectedHeader(stored)).toMatchObject({ alg: 'dir', enc: 'A256GCM' });
        expect(Number(await client.pttl(keys[0]!))).toBeGreaterThan(0);
      } finally {
        client.disconnect();
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('rotation and sign-out hold on every instance: a token superseded on one is refused on the other', async () => {
    const env = { REDIS_URL: url, REDIS_KEY_PREFIX: 'jwt-chains:' };
    const a = await startFacade(env);
    const b = await startFacade(env);
    try {
      const connected = (f: Facade) => f.logs.some((line) => line.includes('Redis connected'));
      await until(() => connected(a) && connected(b), 'both instances to reach Redis');
      // Rotated on a, reused on b past the grace window: the chain ends on both.
      const rotated = await signIn(DEMO_ACCOUNTS.plain.login, a);
      const renewed = await refresh(rotated.refreshToken, a);
      if (renewed.__typename !== 'AuthTokenRefreshed') throw new Error(renewed.__typename);
      offset += 31_000;
      expect((await refresh(rotated.refreshToken, b)).__typename).toBe('RefreshTokenInvalidError');
      expect((await refresh(renewed.refreshToken, a)).__typename).toBe('RefreshTokenInvalidError');
      // Signed out on a: refused on b, and on a.
      const { authToken, refreshToken } = await signIn(DEMO_ACCOUNTS.plain.login, a);
      expect((await a.gql(SignOutDocument, {}, bearer(authToken))).body.data?.signOut).toMatchObject({ tokenWasValid: true });
      sim.reset();
      expect((await refresh(refreshToken, b)).__typename).toBe('RefreshTokenInvalidError');
      expect((await refresh(refreshToken, a)).__typename).toBe('RefreshTokenInvalidError');
      expect(sim.count()).toBe(0);
      const client = new Redis(url);
      try {
        const keys = await client.keys('jwt-chains:refresh-chain:*');
        expect(keys).toHaveLength(2);
        for (const key of keys) expect(Number(await client.pttl(key))).toBeGreaterThan(0);
      } finally {
        client.disconnect();
      }
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('jwt mode with REDIS_URL unreachable', () => {
  it("keeps pending sign-ins in the instance's memory, says so once, and the sign-in completes there", async () => {
    const down = await startFacade({ REDIS_URL: `redis://127.0.0.1:${await freePort()}`, REDIS_KEY_PREFIX: 'jwt-down:' });
    try {
      const signedIn = await signIn(DEMO_ACCOUNTS.plain.login, down);
      expect((await viewerName(signedIn.authToken, down)).body.data?.viewer?.username).toBe(DEMO_ACCOUNTS.plain.username);
      await signIn(DEMO_ACCOUNTS.plain.login, down);
      expect(down.logs.filter((line) => line.includes("pending PIN sign-ins are kept in this instance's memory"))).toHaveLength(1);
    } finally {
      await down.close();
    }
  });
});

// ---- last: nothing secret in any log line ---------------------------------------------------------------------------

describe('secrets', () => {
  it('no private key, sealed credential, device JWT, Plex JWT or sealing key in any log line or response', async () => {
    harvestDeviceJwts();
    expect(deviceJwts.size).toBeGreaterThan(10);
    // The private keys, out of the sealed credentials (the test knows the sealing key).
    const privateKeys: string[] = [];
    const key = Buffer.from(SEALING_KEY, 'base64url');
    for (const secret of secrets) {
      if (secret.split('.').length !== 5) continue;
      try {
        const { plaintext } = await compactDecrypt(secret, key);
        privateKeys.push((JSON.parse(new TextDecoder().decode(plaintext)) as { jwk: { d: string } }).jwk.d);
      } catch {
        // Sealed under another test server's key.
      }
    }
    expect(privateKeys.length).toBeGreaterThan(5);
    const logs = allLogs.flat().join('\n');
    expect(logs.length).toBeGreaterThan(1000);
    for (const value of [...secrets, ...deviceJwts, ...privateKeys, SEALING_KEY]) expect(logs).not.toContain(value);
    const all = responses.join('\n');
    for (const value of [...privateKeys, SEALING_KEY]) expect(all).not.toContain(value);
  });
});
