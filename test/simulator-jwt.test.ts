import { randomUUID } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, createPlexSimulator, type PlexSimulator } from '../src/simulator/index.js';
import { openApiValidator } from './openapi-validator.js';

// The simulator's JWT device authentication over real HTTP, with device keys and JWTs made here with jose directly,
// so that every rule can be broken on purpose. Bodies are checked against test/fixtures/plex-jwt-endpoints.yaml.

const spec = openApiValidator(new URL('./fixtures/plex-jwt-endpoints.yaml', import.meta.url));
const START = Date.parse('2026-09-01T12:00:00Z');
const DAY = 86_400_000;

let sim: PlexSimulator;
let clock = START;
const seconds = () => Math.floor(clock / 1000);

interface TestDevice {
  clientId: string;
  jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string; kid: string; alg: 'EdDSA'; use: 'sig' };
  key: CryptoKey;
}

async function newDevice(clientId: string = randomUUID()): Promise<TestDevice> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const { x } = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: x! });
  return { clientId, jwk: { kty: 'OKP', crv: 'Ed25519', x: x!, kid, alg: 'EdDSA', use: 'sig' }, key: privateKey };
}

interface JwtParts {
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  key?: CryptoKey;
}

/** A device JWT as the documentation's example has it, with any part overridden (undefined removes a claim). */
function deviceJwt(device: TestDevice, parts: JwtParts = {}): Promise<string> {
  const claims: Record<string, unknown> = {
    aud: 'plex.tv',
    iss: device.clientId,
    iat: seconds(),
    exp: seconds() + 300,
    scope: 'username,email,friendly_name',
    ...parts.claims,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: device.jwk.kid, ...parts.header } as { alg: string })
    .sign(parts.key ?? device.key);
}

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

async function call(
  path: string,
  options: { method?: string; clientId?: string | null; json?: unknown; token?: string; body?: string; contentType?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { accept: 'application/json', 'x-plex-product': 'JWT Tests' };
  if (options.clientId !== null) headers['x-plex-client-identifier'] = options.clientId ?? 'jwt-tests';
  if (options.token !== undefined) headers['x-plex-token'] = options.token;
  let body = options.body;
  if (options.json !== undefined) body = JSON.stringify(options.json);
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(`${sim.url}/api/v2${path}`, { method: options.method ?? 'GET', headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

const createPin = (device: TestDevice, body: unknown = { jwk: device.jwk, strong: true }) =>
  call('/pins', { method: 'POST', clientId: device.clientId, json: body });
const poll = (device: TestDevice, id: number, jwt?: string) =>
  call(`/pins/${id}${jwt === undefined ? '' : `?deviceJWT=${encodeURIComponent(jwt)}`}`, { clientId: device.clientId });
const nonce = async (device: TestDevice): Promise<string> => {
  const reply = await call('/auth/nonce', { clientId: device.clientId });
  expect(reply.status).toBe(200);
  return reply.body.nonce;
};
const exchange = (device: TestDevice, jwt: string) => call('/auth/token', { method: 'POST', clientId: device.clientId, json: { jwt } });
const getUser = (token: string) => call('/user', { token });

/** PIN, approval, poll: the Plex JWT of a freshly signed-in device. */
async function signIn(device: TestDevice, login: string = DEMO_ACCOUNTS.plain.login): Promise<string> {
  const pin = await createPin(device);
  expect(pin.status).toBe(201);
  expect(sim.approvePin(pin.body.id, login)).toBe(true);
  const approved = await poll(device, pin.body.id, await deviceJwt(device));
  expect(approved.status).toBe(200);
  return approved.body.authToken;
}

async function refresh(device: TestDevice): Promise<Reply> {
  return exchange(device, await deviceJwt(device, { claims: { nonce: await nonce(device) } }));
}

beforeAll(async () => {
  sim = createPlexSimulator({ now: () => clock });
  await sim.listen(0, '127.0.0.1');
});
afterAll(() => sim.close());
beforeEach(() => {
  clock = START;
  sim.reset();
});

describe('JWT endpoints answer as plex-jwt-endpoints.yaml describes', () => {
  it('PIN with a JWK, poll with a device JWT, approval, Plex JWT', async () => {
    const device = await newDevice();
    const created = await createPin(device);
    expect(created.status).toBe(201);
    spec.expectResponse(created.body, '/pins', 'post', 201);
    expect(created.body).toMatchObject({ clientIdentifier: device.clientId, authToken: null });
    expect(created.body.code).toHaveLength(25);

    const pending = await poll(device, created.body.id, await deviceJwt(device));
    expect(pending.status).toBe(200);
    spec.expectResponse(pending.body, '/pins/{pinID}', 'get', 200);
    expect(pending.body.authToken).toBeNull();

    expect(sim.approvePin(created.body.id)).toBe(true);
    // The same device JWT may be sent on every poll.
    const jwt = await deviceJwt(device);
    const approved = await poll(device, created.body.id, jwt);
    spec.expectResponse(approved.body, '/pins/{pinID}', 'get', 200);
    const token: string = approved.body.authToken;
    expect((await poll(device, created.body.id, jwt)).body.authToken).toBe(token);

    spec.expectComponent(decodeProtectedHeader(token), 'PlexJwtHeader');
    const claims = decodeJwt(token);
    spec.expectComponent(claims, 'PlexJwtClaims');
    expect(Object.keys(decodeProtectedHeader(token))).toEqual(['kid', 'typ', 'alg']);
    expect(claims).toMatchObject({
      iss: 'plex.tv',
      aud: ['plex.tv', device.clientId],
      exp: seconds() + 7 * 86_400,
      iat: seconds(),
      thumbprint: device.jwk.kid,
      user: { id: 31415926, uuid: 'a1b2c3d4e5f60718', username: 'demo', email: 'demo@example.com', friendly_name: 'Demo User' },
    });
    expect(claims.user).not.toHaveProperty('joinedAt');

    const user = await getUser(token);
    expect(user.status).toBe(200);
    expect(user.body).toMatchObject({ username: 'demo', authToken: token });
  });

  it('nonce, token exchange and keys', async () => {
    const device = await newDevice();
    await signIn(device);
    const issued = await call('/auth/nonce', { clientId: device.clientId });
    spec.expectResponse(issued.body, '/auth/nonce', 'get', 200);

    const exchanged = await exchange(device, await deviceJwt(device, { claims: { nonce: issued.body.nonce, scope: 'username,joinedAt' } }));
    expect(exchanged.status).toBe(200);
    spec.expectResponse(exchanged.body, '/auth/token', 'post', 200);
    const claims = decodeJwt(exchanged.body.auth_token);
    spec.expectComponent(claims, 'PlexJwtClaims');
    expect(claims).toMatchObject({ nonce: issued.body.nonce, user: { username: 'demo', joinedAt: 1552593531 } });
    expect(claims.user).not.toHaveProperty('email');

    const keys = await call('/auth/keys');
    expect(keys.status).toBe(200);
    spec.expectResponse(keys.body, '/auth/keys', 'get', 200);
    expect(keys.body.keys).toHaveLength(1);
    expect(keys.body.keys[0].kid).toBe(decodeProtectedHeader(exchanged.body.auth_token).kid);
    // The kid is opaque: not the RFC 7638 thumbprint of the key.
    expect(keys.body.keys[0].kid).not.toBe(await calculateJwkThumbprint(keys.body.keys[0]));
  });

  it('error answers keep the plex.tv error shape', async () => {
    const device = await newDevice();
    const other = await newDevice();
    expect((await createPin(device)).status).toBe(201);
    const taken = await createPin(other, { jwk: device.jwk, strong: true });
    expect(taken.status).toBe(422);
    spec.expectResponse(taken.body, '/pins', 'post', 422);
    expect(taken.body.errors[0].message).toBe('Thumbprint Already Taken');

    const bad = await createPin(other, { jwk: { ...other.jwk, kid: undefined }, strong: true });
    expect(bad.status).toBe(400);
    spec.expectResponse(bad.body, '/pins', 'post', 400);

    const unregistered = await exchange(other, await deviceJwt(other, { claims: { nonce: await nonce(other) } }));
    expect(unregistered.status).toBe(401);
    spec.expectResponse(unregistered.body, '/auth/token', 'post', 401);

    const token = await signIn(device);
    clock += 7 * DAY;
    const expired = await getUser(token);
    expect(expired.status).toBe(498);
    spec.expectResponse(expired.body, '/user', 'get', 498);

    const noClient = await call('/auth/nonce', { clientId: null });
    expect(noClient.status).toBe(422);
    spec.expectResponse(noClient.body, '/auth/nonce', 'get', 422);
  });

  it('the validator catches bodies that drift from the description', () => {
    const validate = spec.component('PlexJwtClaims');
    const good = { iss: 'plex.tv', aud: ['plex.tv', 'c'], iat: 1, exp: 2, user: { id: 1, uuid: 'u' } };
    expect(validate(good)).toBe(true);
    expect(validate({ ...good, iss: 'plex' })).toBe(false);
    expect(validate({ ...good, aud: 'plex.tv' })).toBe(false);
    expect(validate({ ...good, aud: ['a', 'b'] })).toBe(false);
    expect(spec.component('DeviceJwk')({ kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(43), kid: 'k', d: 'secret' })).toBe(false);
    expect(spec.response('/auth/token', 'post', 200)({ authToken: 'a.b.c' })).toBe(false);
  });
});

describe('PIN with a JWK: the simulator is strict', () => {
  it.each([
    ['no kid', (jwk: TestDevice['jwk']) => ({ ...jwk, kid: undefined })],
    ['a private key', (jwk: TestDevice['jwk']) => ({ ...jwk, d: 'A'.repeat(43) })],
    ['another curve', (jwk: TestDevice['jwk']) => ({ ...jwk, crv: 'Ed448' })],
    ['a short x', (jwk: TestDevice['jwk']) => ({ ...jwk, x: jwk.x.slice(1) })],
    ['another alg', (jwk: TestDevice['jwk']) => ({ ...jwk, alg: 'ES256' })],
    ['an encryption key', (jwk: TestDevice['jwk']) => ({ ...jwk, use: 'enc' })],
    ['not an object', () => 'jwk'],
  ])('refuses a JWK with %s (400)', async (_name, change) => {
    const device = await newDevice();
    const reply = await createPin(device, { jwk: change(device.jwk), strong: true });
    expect(reply.status).toBe(400);
  });

  it('refuses a body that is not JSON (400); a JSON body without jwk is a plain PIN', async () => {
    const device = await newDevice();
    expect((await call('/pins', { method: 'POST', clientId: device.clientId, body: '{"jwk":' })).status).toBe(400);
    const plain = await createPin(device, { strong: false });
    expect(plain.status).toBe(201);
    expect(plain.body.code).toHaveLength(4);
    // A plain PIN polls without a device JWT, as before.
    expect((await poll(device, plain.body.id)).status).toBe(200);
  });

  it('a key belongs to one client identifier: pending or registered (422), while its own device may reuse it', async () => {
    const device = await newDevice();
    await signIn(device);
    const thief = await newDevice();
    expect((await createPin(thief, { jwk: device.jwk, strong: true })).status).toBe(422);
    expect((await createPin(device)).status).toBe(201);
  });

  it('the approval page approves a JWT PIN too', async () => {
    const device = await newDevice();
    const pin = await createPin(device);
    const page = await fetch(`${sim.url}/simulator/approve?code=${pin.body.code}&clientID=${device.clientId}`);
    expect(page.status).toBe(200);
    const done = await fetch(`${sim.url}/simulator/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ pin: String(pin.body.id), login: DEMO_ACCOUNTS.twoFactor.login }).toString(),
    });
    expect(done.status).toBe(200);
    const token = (await poll(device, pin.body.id, await deviceJwt(device))).body.authToken;
    expect(decodeJwt(token)).toMatchObject({ user: { username: 'demo2fa' } });
  });

  it('a PIN stays visible only to its client identifier', async () => {
    const device = await newDevice();
    const pin = await createPin(device);
    const stranger = await newDevice();
    expect((await poll(stranger, pin.body.id, await deviceJwt(stranger))).status).toBe(404);
  });
});

describe('device JWTs: every rule enforced', () => {
  let device: TestDevice;
  let pinId: number;
  beforeEach(async () => {
    device = await newDevice();
    pinId = (await createPin(device)).body.id;
  });

  const cases: [string, (d: TestDevice) => Promise<JwtParts>, number, number?][] = [
    ['signed by another key', async () => ({ key: (await newDevice()).key }), 422],
    ['no kid', async () => ({ header: { kid: undefined } }), 422],
    ['another kid', async () => ({ header: { kid: 'someone-else' } }), 422],
    ['iss not the client identifier', async () => ({ claims: { iss: 'another-client' } }), 422, 1097],
    ['aud not plex.tv', async () => ({ claims: { aud: 'plex.example' } }), 422],
    ['no iat', async () => ({ claims: { iat: undefined } }), 422],
    ['no exp', async () => ({ claims: { exp: undefined } }), 422],
    ['expired beyond the skew', async () => ({ claims: { iat: seconds() - 400, exp: seconds() - 100 } }), 422],
    ['issued in the future', async () => ({ claims: { iat: seconds() + 600, exp: seconds() + 900 } }), 422],
    ['an unknown nonce', async () => ({ claims: { nonce: randomUUID() } }), 422],
    ['a nonce issued to another client', async () => ({ claims: { nonce: await nonce(await newDevice()) } }), 422],
    ['a scope that is not a string', async () => ({ claims: { scope: ['username'] } }), 400],
  ];

  it.each(cases)('a poll with a device JWT %s is refused', async (_name, parts, status, code) => {
    const reply = await poll(device, pinId, await deviceJwt(device, await parts(device)));
    expect(reply.status).toBe(status);
    if (code !== undefined) expect(reply.body.errors[0].code).toBe(code);
  });

  it('a poll without a device JWT, or with garbage, is refused', async () => {
    expect((await poll(device, pinId)).status).toBe(400);
    expect((await poll(device, pinId, 'not-a-jwt')).status).toBe(422);
    const [head, , sig] = (await deviceJwt(device)).split('.');
    const forged = Buffer.from(JSON.stringify({ aud: 'plex.tv', iss: device.clientId, iat: seconds(), exp: seconds() + 300 })).toString('base64url');
    expect((await poll(device, pinId, `${head}.${forged}.${sig}`)).status).toBe(422);
  });

  it('tolerates a minute of clock skew', async () => {
    const reply = await poll(device, pinId, await deviceJwt(device, { claims: { iat: seconds() + 30, exp: seconds() + 330 } }));
    expect(reply.status).toBe(200);
    const late = await poll(device, pinId, await deviceJwt(device, { claims: { iat: seconds() - 330, exp: seconds() - 30 } }));
    expect(late.status).toBe(200);
  });

  it('a nonce in a poll must be fresh (5 minutes), but a poll does not use it up', async () => {
    const fresh = await nonce(device);
    const jwt = await deviceJwt(device, { claims: { nonce: fresh } });
    expect((await poll(device, pinId, jwt)).status).toBe(200);
    expect((await poll(device, pinId, jwt)).status).toBe(200);
    clock += 301_000;
    const stale = await deviceJwt(device, { claims: { nonce: fresh } });
    expect((await poll(device, pinId, stale)).status).toBe(422);
  });
});

describe('token exchange', () => {
  it('needs a registered device, a nonce, used once and within 5 minutes', async () => {
    const device = await newDevice();
    expect((await exchange(device, await deviceJwt(device, { claims: { nonce: await nonce(device) } }))).status).toBe(401);
    await signIn(device);

    expect((await exchange(device, await deviceJwt(device))).status).toBe(400);
    const once = await nonce(device);
    const jwt = await deviceJwt(device, { claims: { nonce: once } });
    expect((await exchange(device, jwt)).status).toBe(200);
    expect((await exchange(device, jwt)).status).toBe(422);

    const old = await nonce(device);
    clock += 301_000;
    expect((await exchange(device, await deviceJwt(device, { claims: { nonce: old } }))).status).toBe(422);
    expect((await exchange(device, await deviceJwt(device, { claims: { nonce: await nonce(device), iss: 'x' } }))).status).toBe(422);
    expect((await exchange(device, await deviceJwt(device, { claims: { nonce: await nonce(device) }, key: (await newDevice()).key }))).status).toBe(422);
  });

  it('takes JSON only, with a jwt', async () => {
    const device = await newDevice();
    await signIn(device);
    expect((await call('/auth/token', { method: 'POST', clientId: device.clientId, body: 'jwt=abc', contentType: 'application/x-www-form-urlencoded' })).status).toBe(400);
    expect((await call('/auth/token', { method: 'POST', clientId: device.clientId, json: {} })).status).toBe(400);
    expect((await call('/auth/token', { method: 'POST', clientId: device.clientId, body: '{' })).status).toBe(400);
  });

  it('works after the Plex JWT expired, and the new token retires the old one', async () => {
    const device = await newDevice();
    const first = await signIn(device);
    clock += 8 * DAY;
    expect((await getUser(first)).status).toBe(498);
    const refreshed = await refresh(device);
    expect(refreshed.status).toBe(200);
    const second: string = refreshed.body.auth_token;
    expect((await getUser(second)).status).toBe(200);
    // One token per account and client identifier: the old one is no longer known at all.
    expect((await getUser(first)).status).toBe(401);
  });

  it('rate-limits nonces per client identifier, with Retry-After', async () => {
    const limited = createPlexSimulator({ now: () => clock, jwt: { noncesPerMinute: 2 } });
    await limited.listen(0, '127.0.0.1');
    try {
      const ask = () => fetch(`${limited.url}/api/v2/auth/nonce`, { headers: { accept: 'application/json', 'x-plex-client-identifier': 'c1' } });
      expect((await ask()).status).toBe(200);
      expect((await ask()).status).toBe(200);
      const refused = await ask();
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('60');
      spec.expectResponse(await refused.json(), '/auth/nonce', 'get', 429);
      clock += 60_000;
      expect((await ask()).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('Plex JWTs on plex.tv endpoints', () => {
  it('one token per account and client identifier; two devices of one account each keep theirs', async () => {
    const laptop = await newDevice();
    const phone = await newDevice();
    const a = await signIn(laptop);
    const b = await signIn(phone);
    expect((await getUser(a)).status).toBe(200);
    expect((await getUser(b)).status).toBe(200);

    // Signing in again on the laptop (same client identifier) retires the laptop's previous token only.
    const again = await signIn(laptop);
    expect(again).not.toBe(a);
    expect((await getUser(a)).status).toBe(401);
    expect((await getUser(again)).status).toBe(200);
    expect((await getUser(b)).status).toBe(200);
  });

  it('sign-out retires the token; an expired one answers 498', async () => {
    const device = await newDevice();
    const token = await signIn(device);
    expect((await call('/users/signout', { method: 'DELETE', token })).status).toBe(204);
    expect((await getUser(token)).status).toBe(401);

    const next = (await refresh(device)).body.auth_token;
    clock += 7 * DAY;
    expect((await call('/users/signout', { method: 'DELETE', token: next })).status).toBe(498);
  });

  it('rejects a token signed by another key or altered', async () => {
    const device = await newDevice();
    const token = await signIn(device);
    const [head, body] = token.split('.');
    const forged = await new SignJWT(decodeJwt(token)).setProtectedHeader(decodeProtectedHeader(token) as { alg: string }).sign((await newDevice()).key);
    expect((await getUser(forged)).status).toBe(401);
    expect((await getUser(`${head}.${body}.${'A'.repeat(86)}`)).status).toBe(401);
  });

  it('revoking a device ends its tokens and its refreshes', async () => {
    const device = await newDevice();
    const token = await signIn(device);
    expect(sim.revokeDevice(device.clientId)).toBe(true);
    expect(sim.revokeDevice(device.clientId)).toBe(false);
    expect((await getUser(token)).status).toBe(401);
    expect((await refresh(device)).status).toBe(401);
  });

  it('revokeToken and issuePlexJwt work for Plex JWTs', async () => {
    const token = await sim.issuePlexJwt(DEMO_ACCOUNTS.twoFactor.login, 'hook-client');
    expect(decodeJwt(token)).toMatchObject({ aud: ['plex.tv', 'hook-client'], user: { username: 'demo2fa' } });
    expect((await getUser(token)).status).toBe(200);
    sim.revokeToken(token);
    expect((await getUser(token)).status).toBe(401);
  });

  it('signing-key rotation: the old key stays published and valid by default, or is dropped on request', async () => {
    const device = await newDevice();
    const before = await signIn(device);
    const firstKid = decodeProtectedHeader(before).kid;

    const secondKid = sim.rotateSigningKey();
    expect((await call('/auth/keys')).body.keys.map((key: { kid: string }) => key.kid)).toEqual([secondKid, firstKid]);
    expect((await getUser(before)).status).toBe(200);
    const after = (await refresh(device)).body.auth_token;
    expect(decodeProtectedHeader(after).kid).toBe(secondKid);

    const other = await newDevice();
    const otherToken = await signIn(other);
    const thirdKid = sim.rotateSigningKey({ keepPrevious: false });
    expect((await call('/auth/keys')).body.keys.map((key: { kid: string }) => key.kid)).toEqual([thirdKid, firstKid]);
    // Tokens signed by a key no longer published are no longer accepted.
    expect((await getUser(otherToken)).status).toBe(401);

    // Kept keys are dropped once their retirement period (8 days by default) is over.
    clock += 9 * DAY;
    expect((await call('/auth/keys')).body.keys.map((key: { kid: string }) => key.kid)).toEqual([thirdKid]);
  });

  it('counts each route of the flow', async () => {
    const device = await newDevice();
    await signIn(device);
    await refresh(device);
    await call('/auth/keys');
    expect([sim.count('pins'), sim.count('pin'), sim.count('nonce'), sim.count('token'), sim.count('keys')]).toEqual([1, 1, 1, 1, 1]);
    sim.setFault('keys', { kind: 'status', status: 503 }, 1);
    expect((await call('/auth/keys')).status).toBe(503);
    expect((await call('/auth/keys')).status).toBe(200);
  });
});
