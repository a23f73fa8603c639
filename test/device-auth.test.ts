import { createServer } from 'node:http';
import { inspect } from 'node:util';
import type { GraphQLError } from 'graphql';
import { SignJWT, calculateJwkThumbprint, compactDecrypt, decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEVICE_JWT_LIFETIME_SECONDS,
  createDevice,
  generateSealingKey,
  parseSealingKeys,
  sealDevice,
  signDeviceJwt,
  unsealDevice,
  type PlexDevice,
  type SealingKeyring,
} from '../src/auth/device.js';
import { createTokenCheck, type TokenCheck } from '../src/auth/verifier.js';
import { createPlexClient, type Plex, type PlexClient } from '../src/plex/client.js';
import { DEMO_ACCOUNTS, createPlexSimulator, type PlexSimulator } from '../src/simulator/index.js';
import { capturingLogger } from './support/servers.js';

// The client side of plex.tv's JWT device authentication, over real HTTP against the simulator (whose clock the tests
// move): devices, the sealed refresh credential, the Plex client's JWT calls, and the local token check.

const START = Date.parse('2026-09-01T12:00:00Z');
const DAY = 86_400_000;
const PRODUCT = 'Device Auth Tests';

let clock = START;
const now = () => clock;
let sim: PlexSimulator;
const clients: PlexClient[] = [];
let plex: Plex;
const { logger, lines } = capturingLogger();

function keyring(value: string): SealingKeyring {
  const parsed = parseSealingKeys(value);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.keyring;
}

/** The Plex client's calls against `server` (the shared simulator by default). */
function plexOf(server: { url: string } = sim, timeoutMs = 1_000): Plex {
  const client = createPlexClient({ baseUrl: server.url, clientIdentifier: 'facade-under-test', product: PRODUCT, version: '1.0.0', timeoutMs, now, logger });
  clients.push(client);
  return client.forRequest();
}

const check = (options: { plex?: Plex; cooldownMs?: number } = {}) => createTokenCheck({ plex: options.plex ?? plex, logger, now, ...options });

/** What a token check says: 'passed' (valid, legacy, or left to plex.tv), or the UNAUTHENTICATED reason. */
async function verdict(tokenCheck: TokenCheck, token: string): Promise<unknown> {
  try {
    await tokenCheck(token);
    return 'passed';
  } catch (error) {
    return (error as GraphQLError).extensions['reason'];
  }
}

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'resolved',
    (error: GraphQLError) => error.extensions['code'],
  );
}

async function forge(token: string, kid?: string): Promise<string> {
  const forger = await generateKeyPair('EdDSA');
  const header = decodeProtectedHeader(token) as { alg: string };
  return new SignJWT(decodeJwt(token)).setProtectedHeader(kid === undefined ? header : { ...header, kid }).sign(forger.privateKey);
}

/** Client-level PIN sign-in: create, see it pending, approve as `login`, poll until the Plex JWT comes. */
async function signIn(device: PlexDevice, login: string = DEMO_ACCOUNTS.plain.login): Promise<string> {
  const pin = await plex.createPin({ device });
  expect((await plex.getPin(pin.id, device))?.authToken).toBeFalsy();
  expect(sim.approvePin(pin.id, login)).toBe(true);
  const approved = await plex.getPin(pin.id, device);
  if (!approved?.authToken) throw new Error('not approved');
  return approved.authToken;
}

async function refreshed(device: PlexDevice): Promise<string> {
  const outcome = await plex.refreshToken(device);
  if (outcome.kind !== 'token') throw new Error(outcome.kind);
  return outcome.authToken;
}

beforeAll(async () => {
  sim = createPlexSimulator({ now });
  await sim.listen(0, '127.0.0.1');
  plex = plexOf();
});
afterAll(async () => {
  for (const client of clients) await client.close();
  await sim.close();
});
beforeEach(() => {
  clock = START;
  sim.reset();
  lines.length = 0;
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
    const jwt = await signDeviceJwt(device, START + 999, 'n-1');
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: device.kid });
    const iat = START / 1000;
    expect(decodeJwt(jwt)).toEqual({
      aud: 'plex.tv',
      iss: device.clientIdentifier,
      iat,
      exp: iat + DEVICE_JWT_LIFETIME_SECONDS,
      scope: 'username,email,friendly_name',
      nonce: 'n-1',
    });
    const { payload } = await jwtVerify(jwt, await importJWK(device.publicJwk, 'EdDSA'), { currentDate: new Date(START) });
    expect(payload.iss).toBe(device.clientIdentifier);
    expect(decodeJwt(await signDeviceJwt(device, START))).not.toHaveProperty('nonce');
  });

  it('only devices made here can sign: a copy holds no key', async () => {
    const device = await createDevice();
    await expect(signDeviceJwt({ ...device }, START)).rejects.toThrow(TypeError);
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
    const jwt = await signDeviceJwt(opened.device, Date.now());
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

describe('JWT calls of the Plex client against the simulator', () => {
  it('device, PIN with its JWK, approval, poll with a device JWT, Plex JWT, GET /user with it', async () => {
    const device = await createDevice();
    const pin = await plex.createPin({ device, forwardUrl: 'https://app.example/back' });
    expect(pin.clientIdentifier).toBe(device.clientIdentifier);
    expect(pin.authUrl).toContain(`#?clientID=${device.clientIdentifier}&code=${pin.code}`);
    expect(pin.authUrl).toContain('forwardUrl=https%3A%2F%2Fapp.example%2Fback');
    const request = sim.requests.at(-1)!;
    expect(request.headers['x-plex-client-identifier']).toBe(device.clientIdentifier);
    expect(JSON.parse(request.body)).toEqual({ jwk: device.publicJwk, strong: true });

    expect((await plex.getPin(pin.id, device))?.authToken).toBeFalsy();
    expect(sim.approvePin(pin.id)).toBe(true);
    const token = (await plex.getPin(pin.id, device))?.authToken;
    expect(sim.requests.at(-1)!.query.get('deviceJWT')).toMatch(/^ey/);
    expect(decodeJwt(token!)).toMatchObject({ aud: ['plex.tv', device.clientIdentifier], thumbprint: device.kid, exp: (START + 7 * DAY) / 1000 });
    expect(await verdict(check(), token!)).toBe('passed');
    expect((await plex.currentUser(token!)).username).toBe(DEMO_ACCOUNTS.plain.username);
  });

  it('refreshes after expiry (injected clock): nonce, device JWT, exchange; the new token works, the old one is gone', async () => {
    const device = await createDevice();
    const first = await signIn(device);
    const tokenCheck = check();
    clock += 8 * DAY;
    expect(await verdict(tokenCheck, first)).toBe('TOKEN_EXPIRED');
    await expect(plex.currentUser(first)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' } });

    const renewed = await refreshed(device);
    expect(sim.requests.map((r) => r.route).slice(-2)).toEqual(['nonce', 'token']);
    expect(sim.requests.at(-1)!.headers['x-plex-token']).toBeUndefined();
    expect(decodeJwt(renewed).exp).toBe((clock + 7 * DAY) / 1000);
    expect(await verdict(tokenCheck, renewed)).toBe('passed');
    expect((await plex.currentUser(renewed)).username).toBe('demo');
    await expect(plex.currentUser(first)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('refreshes from a sealed credential opened by another process (a new keyring object, the same key)', async () => {
    const key = generateSealingKey();
    const device = await createDevice();
    await signIn(device);
    const opened = await unsealDevice(await sealDevice(device, keyring(key)), keyring(key));
    if (!opened.ok) throw new Error(opened.reason);
    expect(decodeJwt(await refreshed(opened.device)).thumbprint).toBe(device.kid);
  });

  it('two sign-ins of one account (two devices) each keep a working token', async () => {
    const laptop = await createDevice();
    const phone = await createDevice();
    const a = await signIn(laptop);
    const b = await signIn(phone);
    const c = await refreshed(phone);
    expect((await plex.currentUser(a)).username).toBe('demo');
    expect((await plex.currentUser(c)).username).toBe('demo');
    await expect(plex.currentUser(b)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('a key another device registered is refused: UPSTREAM_BAD_RESPONSE, logged', async () => {
    const device = await createDevice();
    await signIn(device);
    // The same key sent under another client identifier (what a copied key would do).
    expect(await codeOf(plex.createPin({ device: { ...device, clientIdentifier: 'impostor' } }))).toBe('UPSTREAM_BAD_RESPONSE');
    expect(lines.some((line) => line.includes('plex.tv pins: request refused'))).toBe(true);
  });

  it('a revoked device cannot refresh: device-revoked', async () => {
    const device = await createDevice();
    await signIn(device);
    sim.revokeDevice(device.clientIdentifier);
    expect(await plex.refreshToken(device)).toEqual({ kind: 'device-revoked' });
  });

  it('maps statuses: 429 throttled, one 498 signed again, 4xx device-revoked, failures as GraphQL errors', async () => {
    const device = await createDevice();
    await signIn(device);
    sim.setFault('nonce', { kind: 'rate-limit', retryAfter: 7 }, 1);
    expect(await plex.refreshToken(device)).toEqual({ kind: 'throttled', retryAfterSeconds: 7 });
    sim.setFault('token', { kind: 'status', status: 498 }, 1);
    expect(await plex.refreshToken(device)).toMatchObject({ kind: 'token' });
    sim.setFault('token', { kind: 'status', status: 498 }, 2);
    expect(await codeOf(plex.refreshToken(device))).toBe('UPSTREAM_BAD_RESPONSE');
    expect(lines.some((line) => line.includes('refused as expired twice'))).toBe(true);
    for (const status of [400, 401, 403, 422]) {
      sim.setFault('token', { kind: 'status', status }, 1);
      expect(await plex.refreshToken(device)).toEqual({ kind: 'device-revoked' });
    }
    sim.setFault('nonce', { kind: 'status', status: 422 }, 1);
    expect(await plex.refreshToken(device)).toEqual({ kind: 'device-revoked' });
    sim.setFault('token', { kind: 'status', status: 502 }, 1);
    expect(await codeOf(plex.refreshToken(device))).toBe('UPSTREAM_UNAVAILABLE');
    sim.setFault('token', { kind: 'status', status: 404 }, 1);
    expect(await codeOf(plex.refreshToken(device))).toBe('UPSTREAM_BAD_RESPONSE');
    sim.setFault('keys', { kind: 'invalid-json' }, 1);
    expect(await codeOf(plex.signingKeys())).toBe('UPSTREAM_BAD_RESPONSE');
    sim.setFault('nonce', { kind: 'xml' }, 1);
    expect(await codeOf(plex.refreshToken(device))).toBe('UPSTREAM_BAD_RESPONSE');
    sim.setFault('pins', { kind: 'missing-fields' }, 1);
    expect(await codeOf(plex.createPin({ device: await createDevice() }))).toBe('UPSTREAM_BAD_RESPONSE');
    sim.setFault('nonce', { kind: 'hang' }, 1);
    expect(await codeOf(plexOf(sim, 150).refreshToken(device))).toBe('UPSTREAM_TIMEOUT');
    expect((await plex.signingKeys()).keys).toEqual([expect.objectContaining({ kty: 'OKP', crv: 'Ed25519' })]);
  });

  it('PIN polls: 404 null, a refused device JWT, a bad id without a call', async () => {
    const device = await createDevice();
    const pin = await plex.createPin({ device });
    expect(await plex.getPin(pin.id, await createDevice())).toBeNull();
    sim.setFault('pin', { kind: 'status', status: 422 }, 1);
    expect(await codeOf(plex.getPin(pin.id, device))).toBe('UPSTREAM_BAD_RESPONSE');
    sim.expirePin(pin.id);
    expect(await plex.getPin(pin.id, device)).toBeNull();
    const before = sim.count();
    expect(await plex.getPin('../user', device)).toBeNull();
    expect(sim.count()).toBe(before);
  });
});

describe('local token check', () => {
  it('a valid token with keys in cache costs 0 plex.tv calls; a legacy token is passed through', async () => {
    const token = await signIn(await createDevice());
    const tokenCheck = check();
    expect(await verdict(tokenCheck, token)).toBe('passed');
    sim.reset();
    for (let i = 0; i < 5; i++) expect(await verdict(tokenCheck, token)).toBe('passed');
    expect(await verdict(tokenCheck, await forge(token))).toBe('INVALID_TOKEN');
    expect(await verdict(tokenCheck, 'AbCdEfGhIjKlMnOpQrSt')).toBe('passed');
    expect(sim.count()).toBe(0);
  });

  it('forged (another key), altered, unsigned or kid-less tokens are invalid; a genuine expired one is expired', async () => {
    const token = await signIn(await createDevice());
    const tokenCheck = check();
    const claims = decodeJwt(token);
    const forged = await forge(token);
    expect(await verdict(tokenCheck, forged)).toBe('INVALID_TOKEN');
    const [head, , sig] = token.split('.');
    const longer = Buffer.from(JSON.stringify({ ...claims, exp: Number(claims.exp) + 365 * 86_400 })).toString('base64url');
    expect(await verdict(tokenCheck, `${head}.${longer}.${sig}`)).toBe('INVALID_TOKEN');
    const unsigned = `${Buffer.from('{"alg":"none","kid":"x"}').toString('base64url')}.${token.split('.')[1]}.AA`;
    expect(await verdict(tokenCheck, unsigned)).toBe('INVALID_TOKEN');
    const noKid = await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' }).sign((await generateKeyPair('EdDSA')).privateKey);
    expect(await verdict(tokenCheck, noKid)).toBe('INVALID_TOKEN');
    // A forged token that is also expired is invalid, not expired: the signature is checked first.
    clock += 8 * DAY;
    expect(await verdict(tokenCheck, forged)).toBe('INVALID_TOKEN');
    expect(await verdict(tokenCheck, token)).toBe('TOKEN_EXPIRED');
  });

  it('leeway: a minute of skew on iat and exp, no more', async () => {
    const ahead = createPlexSimulator({ now: () => clock + 5 * 60_000 });
    const slightlyAhead = createPlexSimulator({ now: () => clock + 30_000 });
    await ahead.listen(0, '127.0.0.1');
    await slightlyAhead.listen(0, '127.0.0.1');
    try {
      for (const [server, expected] of [[ahead, 'INVALID_TOKEN'], [slightlyAhead, 'passed']] as const) {
        const token = await server.issuePlexJwt(DEMO_ACCOUNTS.plain.login, 'skew-client');
        expect(await verdict(check({ plex: plexOf(server) }), token)).toBe(expected);
      }
      const token = await slightlyAhead.issuePlexJwt(DEMO_ACCOUNTS.plain.login, 'skew-client');
      const tokenCheck = check({ plex: plexOf(slightlyAhead) });
      clock += 7 * DAY + 30_000 + 59_000;
      expect(await verdict(tokenCheck, token)).toBe('passed');
      clock += 2_000;
      expect(await verdict(tokenCheck, token)).toBe('TOKEN_EXPIRED');
    } finally {
      await ahead.close();
      await slightlyAhead.close();
    }
  });

  it("key rotation: an unknown kid triggers one re-fetch; a flood of unknown kids cannot make it call again before the cool-down (they are plex.tv's to judge until then)", async () => {
    const device = await createDevice();
    const tokenCheck = check({ cooldownMs: 60_000 });
    expect(await verdict(tokenCheck, await signIn(device))).toBe('passed');
    expect(sim.count('keys')).toBe(1);

    const newKid = sim.rotateSigningKey();
    clock += 61_000;
    const rotated = await refreshed(device);
    expect(decodeProtectedHeader(rotated).kid).toBe(newKid);
    expect(await verdict(tokenCheck, rotated)).toBe('passed');
    expect(await verdict(tokenCheck, await forge(rotated))).toBe('INVALID_TOKEN');
    expect(sim.count('keys')).toBe(2);

    const flood = await Promise.all(Array.from({ length: 25 }, (_, i) => forge(rotated, `unknown-${i}`)));
    // Within the cool-down a kid could be one plex.tv started signing with since the last fetch: not rejected here.
    expect(new Set(await Promise.all(flood.map((token) => verdict(tokenCheck, token))))).toEqual(new Set(['passed']));
    expect(sim.count('keys')).toBe(2);

    clock += 60_000;
    expect(await Promise.all(flood.slice(0, 5).map((token) => verdict(tokenCheck, token)))).toEqual(Array(5).fill('INVALID_TOKEN'));
    expect(sim.count('keys')).toBe(3);
    expect(await verdict(tokenCheck, rotated)).toBe('passed');
    expect(sim.count('keys')).toBe(3);
  });

  it('keys endpoint down: plex.tv judges (never acceptance), without hammering it; checked again once it answers', async () => {
    const token = await signIn(await createDevice());
    const forged = await forge(token);
    const tokenCheck = check();
    sim.setFault('keys', { kind: 'status', status: 503 });
    expect(await verdict(tokenCheck, forged)).toBe('passed');
    expect(await Promise.all([verdict(tokenCheck, forged), verdict(tokenCheck, token)])).toEqual(['passed', 'passed']);
    expect(sim.count('keys')).toBe(1);
    expect(lines.some((line) => line.includes('signing keys could not be fetched'))).toBe(true);
    sim.setFault('keys', null);
    clock += 60_000;
    expect(await verdict(tokenCheck, forged)).toBe('INVALID_TOKEN');
    expect(await verdict(tokenCheck, token)).toBe('passed');
    expect(sim.count('keys')).toBe(2);
  });

  it('a key set without a usable Ed25519 key counts as a failed fetch: plex.tv judges', async () => {
    const token = await signIn(await createDevice());
    const forged = await forge(token);
    for (const keys of [[], [{ kty: 'RSA', kid: 'x' }, null, { kty: 'OKP', crv: 'Ed25519', x: 'short', kid: 'k' }]]) {
      const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys })));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const junk = plexOf({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}` });
        expect(await codeOf(junk.signingKeys())).toBe('UPSTREAM_BAD_RESPONSE');
        expect(await verdict(check({ plex: junk }), forged)).toBe('passed');
      } finally {
        server.closeAllConnections();
        server.close();
      }
    }
  });
});

describe('secrets stay secret (canary)', () => {
  it('the private key and the sealed credential appear in no output, error, log line or request', async () => {
    const sealingKey = generateSealingKey();
    const ring = keyring(sealingKey);
    const device = await createDevice();
    await signIn(device);
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
      await plex.refreshToken(device),
      await plex.signingKeys(),
      parseSealingKeys(`${sealingKey},${sealingKey}`),
      parseSealingKeys(`${sealingKey.slice(0, 40)}`),
    ];
    const opened = await unsealDevice(sealed, ring);
    if (opened.ok) outputs.push(opened.device);
    for (const attempt of [() => signDeviceJwt({ ...device }, START), () => sealDevice({ ...device }, ring), () => sealDevice(device, { size: 1 })]) {
      outputs.push(await attempt().catch((error: Error) => ({ message: error.message, stack: error.stack })));
    }
    const haystack = [
      ...outputs.map((value) => JSON.stringify(value)),
      ...outputs.map((value) => inspect(value, { depth: Infinity, showHidden: true, getters: true })),
      ...outputs.map((value) => String(value)),
      ...lines,
      ...sim.requests.map((r) => `${r.method} ${r.path}?${r.query} ${JSON.stringify(r.headers)} ${r.body}`),
    ].join('\n');
    expect(haystack).not.toContain(privateKey);
    expect(haystack).not.toContain(Buffer.from(privateKey, 'base64url').toString('hex'));
    expect(haystack).not.toContain(sealingKey);
    expect(haystack).not.toContain(sealed);
    expect(sealed).not.toContain(privateKey);
  });
});
