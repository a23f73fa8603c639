import { inspect } from 'node:util';
import { SignJWT, calculateJwkThumbprint, compactDecrypt, decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPlexClient, type PlexClient } from '../src/plex/client.js';
import { createDeviceAuthTransport } from './support/device-auth-transport.js';
import {
  DEVICE_JWT_LIFETIME_SECONDS,
  DeviceAuthUnreachable,
  createDevice,
  createDeviceAuthCalls,
  createPlexJwtVerifier,
  generateSealingKey,
  looksLikeJwt,
  parseSealingKeys,
  sealDevice,
  signDeviceJwt,
  unsealDevice,
  type DeviceAuthCalls,
  type DeviceAuthTransport,
  type PlexDevice,
  type PlexJwtVerifierOptions,
  type SealingKeyring,
} from '../src/plex/device-auth.js';
import { DEMO_ACCOUNTS, createPlexSimulator, type PlexSimulator } from '../src/simulator/index.js';

// The client side of plex.tv's JWT device authentication, over real HTTP against the simulator (whose clock the tests
// move), plus the sealed refresh credential and the local verifier.

const START = Date.parse('2026-09-01T12:00:00Z');
const DAY = 86_400_000;
const PRODUCT = 'Device Auth Tests';

let clock = START;
const now = () => clock;
let sim: PlexSimulator;
let transport: DeviceAuthTransport;
let calls: DeviceAuthCalls;
let plex: PlexClient;

function keyring(value: string): SealingKeyring {
  const parsed = parseSealingKeys(value);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.keyring;
}

function verifier(options: Partial<PlexJwtVerifierOptions> = {}) {
  return createPlexJwtVerifier({
    keysUrl: `${sim.url}/api/v2/auth/keys`,
    headers: { 'x-plex-client-identifier': 'facade-under-test' },
    now,
    ...options,
  } as PlexJwtVerifierOptions);
}

function expectKind<T extends { kind: string }, K extends T['kind']>(outcome: T, kind: K): Extract<T, { kind: K }> {
  expect(outcome).toMatchObject({ kind });
  return outcome as Extract<T, { kind: K }>;
}

/** Client-level PIN sign-in: create, see it pending, approve as `login`, poll until the Plex JWT comes. */
async function signIn(device: PlexDevice, login: string = DEMO_ACCOUNTS.plain.login): Promise<string> {
  const { pin } = expectKind(await calls.createJwtPin(device), 'created');
  expectKind(await calls.getJwtPin(device, pin.id), 'pending');
  expect(sim.approvePin(pin.id, login)).toBe(true);
  return expectKind(await calls.getJwtPin(device, pin.id), 'approved').authToken;
}

beforeAll(async () => {
  sim = createPlexSimulator({ now });
  await sim.listen(0, '127.0.0.1');
  transport = createDeviceAuthTransport({ baseUrl: sim.url, clientIdentifier: 'facade-under-test', product: PRODUCT, version: '1.0.0', timeoutMs: 1_000 });
  calls = createDeviceAuthCalls(transport, { product: PRODUCT, authUrl: `${sim.url}/simulator/approve`, now });
  plex = createPlexClient({ baseUrl: sim.url, clientIdentifier: 'facade-under-test', product: PRODUCT, version: '1.0.0', timeoutMs: 1_000 });
});
afterAll(async () => {
  await plex.close();
  await sim.close();
});
beforeEach(() => {
  clock = START;
  sim.reset();
});

describe('devices and device JWTs', () => {
  it('a device is a fresh UUID client identifier and an Ed25519 key whose kid is its RFC 7638 thumbprint', async () => {
    const device = await createDevice();
    const other = await createDevice();
    expect(device.clientIdentifier).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(other.clientIdentifier).not.toBe(device.clientIdentifier);
    expect(Object.keys(device.publicJwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    expect(device.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: device.kid });
    expect(device.publicJwk.x).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(device.kid).toBe(await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: device.publicJwk.x }));
    expect(other.kid).not.toBe(device.kid);
    expect(Object.isFrozen(device) && Object.isFrozen(device.publicJwk)).toBe(true);
  });

  it('signs {alg EdDSA, typ JWT, kid} / {aud plex.tv, iss, iat, exp = iat + 300, scope, nonce?}', async () => {
    const device = await createDevice();
    const jwt = await signDeviceJwt(device, { scope: ['username', 'email'], nonce: 'n-1', now: START + 999 });
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: device.kid });
    const iat = START / 1000;
    expect(decodeJwt(jwt)).toEqual({ aud: 'plex.tv', iss: device.clientIdentifier, iat, exp: iat + DEVICE_JWT_LIFETIME_SECONDS, scope: 'username,email', nonce: 'n-1' });
    const { payload } = await jwtVerify(jwt, await importJWK(device.publicJwk, 'EdDSA'), { currentDate: new Date(START) });
    expect(payload.iss).toBe(device.clientIdentifier);
    expect(decodeJwt(await signDeviceJwt(device, { scope: [] }))).not.toHaveProperty('nonce');
  });

  it('only devices made here can sign: a copy holds no key', async () => {
    const device = await createDevice();
    await expect(signDeviceJwt({ ...device }, { scope: [] })).rejects.toThrow(TypeError);
  });
});

describe('AUTH_SEALING_KEY', () => {
  it.each([
    ['missing', undefined, /AUTH_SEALING_KEY is not set; generate one with: node -e/],
    ['blank', '  ', /is not set/],
    ['too short', Buffer.alloc(31, 7).toString('base64url'), /the key decodes to 31 bytes, not 32/],
    ['too long', Buffer.alloc(33, 7).toString('base64url'), /decodes to 33 bytes/],
    ['not base64', 'this is not a key at all, not even close!!', /key 1 of 2 is not base64url/],
    ['an empty entry', `${generateSealingKey()},,${generateSealingKey()}`, /key 2 of 3 is empty/],
  ])('is refused when %s, with a message for the start-up error that never repeats the value', (_name, value, message) => {
    const parsed = parseSealingKeys(value);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problem).toMatch(message);
    for (const part of (value ?? '').split(',').filter((p) => p.trim().length > 3)) expect(parsed.problem).not.toContain(part.trim());
  });

  it('refuses a repeated key and takes padded or standard base64 of 32 bytes', () => {
    const key = generateSealingKey();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const repeated = parseSealingKeys(`${key}, ${key}`);
    expect(repeated).toEqual({ ok: false, problem: 'AUTH_SEALING_KEY: key 2 of 2 repeats an earlier key' });
    const standard = Buffer.from(key, 'base64url').toString('base64');
    expect(parseSealingKeys(standard).ok).toBe(true);
    expect(parseSealingKeys(` ${key} , ${generateSealingKey()} `)).toMatchObject({ ok: true, keyring: { size: 2 } });
  });
});

describe('sealed refresh credential', () => {
  it('round-trips a device: same identity, same key', async () => {
    const ring = keyring(generateSealingKey());
    const device = await createDevice();
    const sealed = await sealDevice(device, ring);
    expect(sealed.split('.')).toHaveLength(5);
    expect(decodeProtectedHeader(sealed)).toEqual({ alg: 'dir', enc: 'A256GCM', typ: 'plex-device+jwe' });
    const opened = await unsealDevice(sealed, ring);
    if (!opened.ok) throw new Error(opened.reason);
    expect(opened.needsReseal).toBe(false);
    expect(opened.device.clientIdentifier).toBe(device.clientIdentifier);
    expect(opened.device.publicJwk).toEqual(device.publicJwk);
    // The unsealed key signs JWTs the original public key verifies.
    const jwt = await signDeviceJwt(opened.device, { scope: [] });
    await expect(jwtVerify(jwt, await importJWK(device.publicJwk, 'EdDSA'))).resolves.toBeTruthy();
  });

  it('rotation: the first key seals, every key unseals, an old key asks for a reseal, a dropped key rejects', async () => {
    const older = generateSealingKey();
    const newer = generateSealingKey();
    const device = await createDevice();
    const sealedOld = await sealDevice(device, keyring(older));
    const rotated = keyring(`${newer},${older}`);
    expect(await unsealDevice(sealedOld, rotated)).toMatchObject({ ok: true, needsReseal: true });
    const resealed = await sealDevice(device, rotated);
    expect(await unsealDevice(resealed, keyring(newer))).toMatchObject({ ok: true, needsReseal: false });
    expect(await unsealDevice(sealedOld, keyring(newer))).toEqual({ ok: false, reason: 'rejected' });
  });

  it('tampered, foreign or non-sealed input is a typed failure, never an exception', async () => {
    const ring = keyring(generateSealingKey());
    const sealed = await sealDevice(await createDevice(), ring);
    const flip = (segment: number) =>
      sealed
        .split('.')
        .map((part, i) => (i === segment ? `${part.slice(0, 5)}${part[5] === 'A' ? 'B' : 'A'}${part.slice(6)}` : part))
        .join('.');
    for (const segment of [2, 3, 4]) expect(await unsealDevice(flip(segment), ring)).toEqual({ ok: false, reason: 'rejected' });
    expect((await unsealDevice(flip(0), ring)).ok).toBe(false);
    expect(await unsealDevice(sealed, keyring(generateSealingKey()))).toEqual({ ok: false, reason: 'rejected' });
    const plexLike = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA' }).sign((await generateKeyPair('EdDSA')).privateKey);
    const headerOnly = `${Buffer.from('{"alg":"dir","enc":"A256GCM","typ":"plex-device+jwe"}').toString('base64url')}....`;
    const otherTyp = sealed.replace(/^[^.]+/, Buffer.from('{"alg":"dir","enc":"A256GCM"}').toString('base64url'));
    for (const input of ['', 'refresh-token', plexLike, headerOnly, otherTyp, `${sealed}.x`, 'a'.repeat(10_000), 42 as unknown as string]) {
      const opened = await unsealDevice(input, ring);
      expect(opened.ok).toBe(false);
    }
    expect(await unsealDevice(otherTyp, ring)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('JWT PIN sign-in against the simulator', () => {
  it('device, PIN with its JWK, approval, poll with a device JWT, Plex JWT, GET /user with it', async () => {
    const device = await createDevice();
    const created = expectKind(await calls.createJwtPin(device, { forwardUrl: 'https://app.example/back' }), 'created');
    expect(created.pin.clientIdentifier).toBe(device.clientIdentifier);
    expect(created.pin.authUrl).toContain(`#?clientID=${device.clientIdentifier}&code=${created.pin.code}`);
    expect(created.pin.authUrl).toContain('forwardUrl=https%3A%2F%2Fapp.example%2Fback');
    const request = sim.requests.at(-1)!;
    expect(request.headers['x-plex-client-identifier']).toBe(device.clientIdentifier);
    expect(JSON.parse(request.body)).toEqual({ jwk: device.publicJwk, strong: true });

    expectKind(await calls.getJwtPin(device, created.pin.id), 'pending');
    expect(sim.approvePin(created.pin.id)).toBe(true);
    const approved = expectKind(await calls.getJwtPin(device, created.pin.id), 'approved');
    expect(sim.requests.at(-1)!.query.get('deviceJWT')).toMatch(/^ey/);

    const verdict = await verifier().verify(approved.authToken, { clientIdentifier: device.clientIdentifier, thumbprint: device.kid });
    expect(verdict).toEqual({
      kind: 'valid',
      expiresAt: new Date(START + 7 * DAY),
      issuedAt: new Date(START),
      user: { id: '31415926', uuid: 'a1b2c3d4e5f60718' },
      audience: ['plex.tv', device.clientIdentifier],
    });
    const user = await plex.currentUser(approved.authToken);
    expect(user.username).toBe(DEMO_ACCOUNTS.plain.username);
  });

  it('refreshes after expiry (injected clock): nonce, device JWT, exchange; the new token works, the old one is gone', async () => {
    const device = await createDevice();
    const first = await signIn(device);
    const check = verifier();
    clock += 8 * DAY;
    expect(await check.verify(first)).toEqual({ kind: 'expired' });
    const expired = await fetch(`${sim.url}/api/v2/user`, { headers: { accept: 'application/json', 'x-plex-client-identifier': 'c', 'x-plex-token': first } });
    expect(expired.status).toBe(498);

    const refreshed = expectKind(await calls.refreshToken(device), 'token');
    expect(sim.requests.map((r) => r.route).slice(-2)).toEqual(['nonce', 'token']);
    expect(sim.requests.at(-1)!.headers['x-plex-token']).toBeUndefined();
    const verdict = await check.verify(refreshed.authToken, { clientIdentifier: device.clientIdentifier, thumbprint: device.kid });
    expect(verdict).toMatchObject({ kind: 'valid', expiresAt: new Date(clock + 7 * DAY) });
    expect((await plex.currentUser(refreshed.authToken)).username).toBe('demo');
    await expect(plex.currentUser(first)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('refreshes from a sealed credential opened by another process (a new keyring object, the same key)', async () => {
    const key = generateSealingKey();
    const device = await createDevice();
    await signIn(device);
    const sealed = await sealDevice(device, keyring(key));
    const opened = await unsealDevice(sealed, keyring(key));
    if (!opened.ok) throw new Error(opened.reason);
    const token = expectKind(await calls.refreshToken(opened.device), 'token').authToken;
    expect(await verifier().verify(token, { thumbprint: device.kid })).toMatchObject({ kind: 'valid' });
  });

  it('two sign-ins of one account (two devices) each keep a working token', async () => {
    const laptop = await createDevice();
    const phone = await createDevice();
    const a = await signIn(laptop);
    const b = await signIn(phone);
    const c = expectKind(await calls.refreshToken(phone), 'token').authToken;
    expect((await plex.currentUser(a)).username).toBe('demo');
    expect((await plex.currentUser(c)).username).toBe('demo');
    await expect(plex.currentUser(b)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    const check = verifier();
    expect(await check.verify(a, { clientIdentifier: phone.clientIdentifier })).toEqual({ kind: 'invalid' });
    expect(await check.verify(a, { thumbprint: phone.kid })).toEqual({ kind: 'invalid' });
    expect(await check.verify(a, { clientIdentifier: laptop.clientIdentifier, thumbprint: laptop.kid })).toMatchObject({ kind: 'valid' });
  });

  it('a key another device registered: thumbprint-taken', async () => {
    const device = await createDevice();
    await signIn(device);
    // The same key sent under another client identifier (what a copied key would do).
    const impostor: DeviceAuthTransport = {
      ...transport,
      call: (endpoint, url, init, options) =>
        transport.call(endpoint, url, { ...init, headers: { ...init.headers, 'x-plex-client-identifier': 'impostor' } }, options),
    };
    const impostorCalls = createDeviceAuthCalls(impostor, { product: PRODUCT, authUrl: 'https://app.plex.tv/auth', now });
    expect(await impostorCalls.createJwtPin(device)).toEqual({ kind: 'thumbprint-taken' });
  });

  it('a revoked device cannot refresh: device-revoked', async () => {
    const device = await createDevice();
    await signIn(device);
    sim.revokeDevice(device.clientIdentifier);
    expect(await calls.refreshToken(device)).toEqual({ kind: 'device-revoked', status: 401 });
  });

  it('maps statuses: 429 throttled with Retry-After, 498 token-expired, 4xx device-revoked, 5xx unavailable, bad bodies', async () => {
    const device = await createDevice();
    await signIn(device);
    sim.setFault('nonce', { kind: 'rate-limit', retryAfter: 7 }, 1);
    expect(await calls.refreshToken(device)).toEqual({ kind: 'throttled', retryAfterSeconds: 7 });
    sim.setFault('token', { kind: 'status', status: 498 }, 1);
    expect(await calls.refreshToken(device)).toEqual({ kind: 'token-expired' });
    for (const status of [400, 401, 403, 422]) {
      sim.setFault('token', { kind: 'status', status }, 1);
      expect(await calls.refreshToken(device)).toEqual({ kind: 'device-revoked', status });
    }
    sim.setFault('nonce', { kind: 'status', status: 422 }, 1);
    expect(await calls.refreshToken(device)).toEqual({ kind: 'device-revoked', status: 422 });
    sim.setFault('token', { kind: 'status', status: 502 }, 1);
    expect(await calls.refreshToken(device)).toEqual({ kind: 'unavailable', status: 502 });
    sim.setFault('token', { kind: 'status', status: 404 }, 1);
    expect(await calls.refreshToken(device)).toMatchObject({ kind: 'bad-response', status: 404 });
    sim.setFault('keys', { kind: 'invalid-json' }, 1);
    expect(await calls.fetchKeys()).toEqual({ kind: 'bad-response', status: 200, problem: 'body is not JSON' });
    sim.setFault('nonce', { kind: 'xml' }, 1);
    expect(await calls.getNonce(device)).toMatchObject({ kind: 'bad-response', problem: 'body is not JSON' });
    sim.setFault('pins', { kind: 'missing-fields' }, 1);
    expect(await calls.createJwtPin(await createDevice())).toMatchObject({ kind: 'bad-response', problem: expect.stringMatching(/at id, code/) });
    expect(await calls.fetchKeys()).toMatchObject({ kind: 'keys', keys: [expect.objectContaining({ kty: 'OKP' })] });
  });

  it('PIN polls: 404 not-found, a refused device JWT, a bad id without a call', async () => {
    const device = await createDevice();
    const { pin } = expectKind(await calls.createJwtPin(device), 'created');
    const stranger = await createDevice();
    expect(await calls.getJwtPin(stranger, pin.id)).toEqual({ kind: 'not-found' });
    sim.setFault('pin', { kind: 'status', status: 422 }, 1);
    expect(await calls.getJwtPin(device, pin.id)).toEqual({ kind: 'refused', status: 422 });
    sim.expirePin(pin.id);
    expect(await calls.getJwtPin(device, pin.id)).toEqual({ kind: 'not-found' });
    const before = sim.count();
    expect(await calls.getJwtPin(device, '../user')).toEqual({ kind: 'not-found' });
    expect(sim.count()).toBe(before);
  });

  it('no answer is thrown by the transport as DeviceAuthUnreachable, with a message fit for logs', async () => {
    const quick = createDeviceAuthCalls(createDeviceAuthTransport({ baseUrl: sim.url, clientIdentifier: 'c', product: PRODUCT, version: '1', timeoutMs: 150 }), {
      product: PRODUCT,
      authUrl: 'https://app.plex.tv/auth',
    });
    sim.setFault('nonce', { kind: 'hang' }, 1);
    const error = await quick.getNonce(await createDevice()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceAuthUnreachable);
    expect(error).toMatchObject({ endpoint: 'nonce', reason: 'timeout', message: 'plex.tv nonce: timeout' });
  });
});

describe('local verification of Plex JWTs', () => {
  it('a valid token with keys in cache costs 0 plex.tv calls; a legacy token is passed through', async () => {
    const device = await createDevice();
    const token = await signIn(device);
    const check = verifier();
    expect(await check.verify(token)).toMatchObject({ kind: 'valid' });
    sim.reset();
    for (let i = 0; i < 5; i++) expect(await check.verify(token)).toMatchObject({ kind: 'valid' });
    expect(sim.count()).toBe(0);
    expect(await check.verify('AbCdEfGhIjKlMnOpQrSt')).toEqual({ kind: 'not-jwt' });
    expect(looksLikeJwt(token)).toBe(true);
    expect(sim.count()).toBe(0);
  });

  it('forged (another key), altered, unsigned or kid-less tokens are invalid; a genuine expired one is expired', async () => {
    const device = await createDevice();
    const token = await signIn(device);
    const check = verifier();
    const header = decodeProtectedHeader(token);
    const claims = decodeJwt(token);
    const forger = await generateKeyPair('EdDSA');
    const forged = await new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(forger.privateKey);
    expect(await check.verify(forged)).toEqual({ kind: 'invalid' });
    const [head, , sig] = token.split('.');
    const longer = Buffer.from(JSON.stringify({ ...claims, exp: Number(claims.exp) + 365 * 86_400 })).toString('base64url');
    expect(await check.verify(`${head}.${longer}.${sig}`)).toEqual({ kind: 'invalid' });
    const unsigned = `${Buffer.from('{"alg":"none","kid":"x"}').toString('base64url')}.${token.split('.')[1]}.AA`;
    expect(await check.verify(unsigned)).toEqual({ kind: 'invalid' });
    const noKid = await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' }).sign(forger.privateKey);
    expect(await check.verify(noKid)).toEqual({ kind: 'invalid' });
    // A forged token that is also expired is invalid, not expired: the signature is checked first.
    clock += 8 * DAY;
    expect(await check.verify(forged)).toEqual({ kind: 'invalid' });
    expect(await check.verify(token)).toEqual({ kind: 'expired' });
  });

  it('leeway: a minute of skew on iat and exp, no more', async () => {
    const ahead = createPlexSimulator({ now: () => clock + 5 * 60_000 });
    const slightlyAhead = createPlexSimulator({ now: () => clock + 30_000 });
    await ahead.listen(0, '127.0.0.1');
    await slightlyAhead.listen(0, '127.0.0.1');
    try {
      for (const [server, kind] of [[ahead, 'invalid'], [slightlyAhead, 'valid']] as const) {
        const token = await server.issuePlexJwt(DEMO_ACCOUNTS.plain.login, 'skew-client');
        const check = createPlexJwtVerifier({ keysUrl: `${server.url}/api/v2/auth/keys`, headers: { 'x-plex-client-identifier': 'f' }, now });
        expect(await check.verify(token)).toMatchObject({ kind });
      }
      const token = await slightlyAhead.issuePlexJwt(DEMO_ACCOUNTS.plain.login, 'skew-client');
      const check = createPlexJwtVerifier({ keysUrl: `${slightlyAhead.url}/api/v2/auth/keys`, headers: { 'x-plex-client-identifier': 'f' }, now });
      clock += 7 * DAY + 30_000 + 59_000;
      expect(await check.verify(token)).toMatchObject({ kind: 'valid' });
      clock += 2_000;
      expect(await check.verify(token)).toEqual({ kind: 'expired' });
    } finally {
      await ahead.close();
      await slightlyAhead.close();
    }
  });

  it('key rotation: an unknown kid triggers one re-fetch; a flood of unknown kids cannot make it call again before the cool-down (they are plex.tv\'s to judge until then)', async () => {
    const device = await createDevice();
    const check = verifier({ refetchCooldownMs: 60_000 });
    expect(await check.verify(await signIn(device))).toMatchObject({ kind: 'valid' });
    expect(sim.count('keys')).toBe(1);

    const newKid = sim.rotateSigningKey();
    clock += 61_000;
    const rotated = expectKind(await calls.refreshToken(device), 'token').authToken;
    expect(decodeProtectedHeader(rotated).kid).toBe(newKid);
    expect(await check.verify(rotated)).toMatchObject({ kind: 'valid' });
    expect(sim.count('keys')).toBe(2);

    const forger = await generateKeyPair('EdDSA');
    const claims = decodeJwt(rotated);
    const flood = await Promise.all(
      Array.from({ length: 25 }, (_, i) => new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: `unknown-${i}` }).sign(forger.privateKey)),
    );
    const verdicts = await Promise.all(flood.map((token) => check.verify(token)));
    // Within the cool-down a kid could be one plex.tv started signing with since the last fetch: not rejected here.
    expect(new Set(verdicts.map((v) => v.kind))).toEqual(new Set(['unverifiable']));
    expect(sim.count('keys')).toBe(2);

    clock += 60_000;
    expect(await Promise.all(flood.slice(0, 5).map((token) => check.verify(token)))).toEqual(Array(5).fill({ kind: 'invalid' }));
    expect(sim.count('keys')).toBe(3);
    expect(await check.verify(rotated)).toMatchObject({ kind: 'valid' });
    expect(sim.count('keys')).toBe(3);
  });

  it('keys endpoint down: unverifiable (the caller asks plex.tv), without hammering it; valid again once it answers', async () => {
    const token = await signIn(await createDevice());
    const check = verifier();
    sim.setFault('keys', { kind: 'status', status: 503 });
    expect(await check.verify(token)).toEqual({ kind: 'unverifiable' });
    expect(await Promise.all([check.verify(token), check.verify(token)])).toEqual([{ kind: 'unverifiable' }, { kind: 'unverifiable' }]);
    expect(sim.count('keys')).toBe(1);
    sim.setFault('keys', null);
    clock += 60_000;
    expect(await check.verify(token)).toMatchObject({ kind: 'valid' });
    expect(sim.count('keys')).toBe(2);
  });

  it('stale keys still verify when a refresh fails; an empty key set counts as a failure', async () => {
    const token = await signIn(await createDevice());
    const fetches: { ok: boolean; keys: number }[] = [];
    const check = verifier({ onKeysFetch: (result) => fetches.push(result) });
    expect(await check.verify(token)).toMatchObject({ kind: 'valid' });
    clock += 2 * 3_600_000;
    sim.setFault('keys', { kind: 'hang' });
    const slow = verifier({ timeoutMs: 100 } as Partial<PlexJwtVerifierOptions>);
    expect(await slow.verify(token)).toEqual({ kind: 'unverifiable' });
    sim.setFault('keys', { kind: 'status', status: 500 });
    expect(await check.verify(token)).toMatchObject({ kind: 'valid' });
    // Earlier tests rotated the shared simulator's key, which keeps the old one published for a while.
    expect(fetches).toEqual([{ ok: true, keys: expect.any(Number) }, { ok: false, keys: 0 }]);
    sim.setFault('keys', null);

    const empty = createPlexJwtVerifier({ loadKeys: async () => ({ keys: [] }), now });
    expect(await empty.verify(token)).toEqual({ kind: 'unverifiable' });
    const junk = createPlexJwtVerifier({ loadKeys: async () => ({ keys: [{ kty: 'RSA', kid: 'x' }, null, { kty: 'OKP', crv: 'Ed25519', x: 'short', kid: 'k' }] }), now });
    expect(await junk.verify(token)).toEqual({ kind: 'unverifiable' });
  });

  it('takes its keys through the calls transport too (loadKeys)', async () => {
    const token = await signIn(await createDevice());
    const check = createPlexJwtVerifier({
      now,
      loadKeys: async () => {
        const outcome = await calls.fetchKeys();
        if (outcome.kind !== 'keys') throw new Error(outcome.kind);
        return outcome;
      },
    });
    expect(await check.verify(token)).toMatchObject({ kind: 'valid' });
    expect(sim.count('keys')).toBe(1);
  });
});

describe('secrets stay secret (canary)', () => {
  it('the private key and the sealed credential appear in no output, error, log-able value or request', async () => {
    const sealingKey = generateSealingKey();
    const ring = keyring(sealingKey);
    const device = await createDevice();
    const token = await signIn(device);
    const sealed = await sealDevice(device, ring);
    // Only a holder of the sealing key can read the private key; the test is one.
    const { plaintext } = await compactDecrypt(sealed, Buffer.from(sealingKey, 'base64url'));
    const privateKey: string = JSON.parse(new TextDecoder().decode(plaintext)).jwk.d;
    expect(privateKey).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const outputs: unknown[] = [
      device,
      ring,
      await unsealDevice(sealed, ring),
      await unsealDevice(`${sealed.slice(0, -2)}AA`, ring),
      await unsealDevice(sealed, keyring(generateSealingKey())),
      await verifier().verify(token),
      await calls.refreshToken(device),
      await calls.fetchKeys(),
      parseSealingKeys(`${sealingKey},${sealingKey}`),
      parseSealingKeys(`${sealingKey.slice(0, 40)}`),
    ];
    const opened = await unsealDevice(sealed, ring);
    if (opened.ok) outputs.push(opened.device);
    for (const attempt of [() => signDeviceJwt({ ...device }, { scope: [] }), () => sealDevice({ ...device }, ring), () => sealDevice(device, { size: 1 })]) {
      outputs.push(await attempt().catch((error: Error) => ({ message: error.message, stack: error.stack })));
    }
    const haystack = [
      ...outputs.map((value) => JSON.stringify(value)),
      ...outputs.map((value) => inspect(value, { depth: Infinity, showHidden: true, getters: true })),
      ...outputs.map((value) => String(value)),
      ...sim.requests.map((r) => `${r.method} ${r.path}?${r.query} ${JSON.stringify(r.headers)} ${r.body}`),
    ].join('\n');
    expect(haystack).not.toContain(privateKey);
    expect(haystack).not.toContain(Buffer.from(privateKey, 'base64url').toString('hex'));
    expect(haystack).not.toContain(sealingKey);
    expect(haystack).not.toContain(sealed);
    expect(sealed).not.toContain(privateKey);
  });
});
