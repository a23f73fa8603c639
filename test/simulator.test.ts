import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEMO_ACCOUNTS, createPlexSimulator, type PlexSimulator } from '../src/simulator/index.js';
import { until } from './support/until.js';

// ---- OpenAPI validation ------------------------------------------------------------------------

const openapi = parse(readFileSync(new URL('./fixtures/openapi-account.yaml', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;
// OAS 3.1 keeps `example`, `x-speakeasy-*` etc. next to JSON Schema keywords: strict mode would reject them.
const ajv = new Ajv2020({ strict: false, allErrors: true });
const addFormats = (ajvFormats as unknown as { default: (a: Ajv2020) => Ajv2020 }).default;
addFormats(ajv);
ajv.addSchema({ ...openapi, $id: 'openapi.json' });

const validators = new Map<string, ValidateFunction>();
function responseSchema(path: string, method: string, status: number): ValidateFunction {
  const pointer = `openapi.json#/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}/responses/${status}/content/application~1json/schema`;
  let validate = validators.get(pointer);
  if (validate === undefined) {
    validate = ajv.getSchema(pointer);
    if (validate === undefined) throw new Error(`the spec describes no JSON response at ${pointer}`);
    validators.set(pointer, validate);
  }
  return validate;
}

function expectValid(body: unknown, path: string, method: string, status: number): void {
  const validate = responseSchema(path, method, status);
  const ok = validate(body);
  expect(ok ? [] : validate.errors, `${method.toUpperCase()} ${path} ${status}`).toEqual([]);
}

// The spec describes no 429 or 5xx answers. Those use the error shape plex.tv uses for its
// described errors, so they are checked against the /user 401 schema.
function expectValidUndescribedError(body: unknown): void {
  expectValid(body, '/user', 'get', 401);
}

function plexError(code: number, message: string, status: number) {
  return { errors: [{ code, message, status }] };
}

const BAD_CREDENTIALS = plexError(1001, 'User could not be authenticated', 401);
const REPEATED_FAILURES = plexError(
  1031,
  'User could not be authenticated. This IP appears to be having trouble signing in to an account (detected repeated failures)',
  401,
);

// ---- HTTP helpers ------------------------------------------------------------------------------

let sim: PlexSimulator;

interface CallOptions {
  method?: string;
  form?: Record<string, string>;
  body?: string;
  token?: string;
  clientId?: string | null;
  json?: boolean;
  headers?: Record<string, string>;
  base?: string;
}

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

async function call(path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { 'X-Plex-Product': 'Simulator Tests', ...options.headers };
  if (options.clientId !== null) headers['X-Plex-Client-Identifier'] = options.clientId ?? 'test-client';
  if (options.json !== false) headers.Accept = 'application/json';
  if (options.token !== undefined) headers['X-Plex-Token'] = options.token;
  let body = options.body;
  if (options.form !== undefined) {
    body = new URLSearchParams(options.form).toString();
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  const res = await fetch(`${options.base ?? sim.url}${path}`, { method: options.method ?? 'GET', headers, body });
  const text = await res.text();
  let parsed: unknown;
  if ((res.headers.get('content-type') ?? '').startsWith('application/json') && text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

const signIn = (form: Record<string, string>, options: CallOptions = {}) =>
  call('/api/v2/users/signin', { method: 'POST', form, ...options });
const plainSignIn = () => signIn({ login: DEMO_ACCOUNTS.plain.login, password: DEMO_ACCOUNTS.plain.password });
const getUser = (token: string, options: CallOptions = {}) => call('/api/v2/user', { token, ...options });
const createPin = (query = '', options: CallOptions = {}) => call(`/api/v2/pins${query}`, { method: 'POST', ...options });
const getPin = (id: number | string, options: CallOptions = {}) => call(`/api/v2/pins/${id}`, options);

beforeAll(async () => {
  sim = createPlexSimulator();
  await sim.listen();
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.reset();
});

// ---- tests -------------------------------------------------------------------------------------

describe('bodies match the OpenAPI description', () => {
  it('sign-in 201 for the plain account', async () => {
    const res = await plainSignIn();
    expect(res.status).toBe(201);
    expectValid(res.body, '/users/signin', 'post', 201);
    expect(res.body.username).toBe('demo');
    expect(res.body.twoFactorEnabled).toBe(false);
    expect(res.body.authToken).toMatch(/^[A-Za-z0-9]{20}$/);
    // Every field a client can read is present, including the rarely seen ones.
    for (const key of ['pin', 'roles', 'locale', 'subscriptions', 'pastSubscriptions', 'trials', 'services', 'profile']) {
      expect(res.body, key).toHaveProperty(key);
    }
    expect(res.body.roles).toEqual(['plexpass']);
    expect(Object.keys(res.body.profile)).toHaveLength(12);
  });

  it('sign-in 201 for the two-factor account', async () => {
    const { twoFactor } = DEMO_ACCOUNTS;
    const res = await signIn({ login: twoFactor.login, password: twoFactor.password, verificationCode: twoFactor.verificationCode });
    expect(res.status).toBe(201);
    expectValid(res.body, '/users/signin', 'post', 201);
    expect(res.body.username).toBe('demo2fa');
    expect(res.body.twoFactorEnabled).toBe(true);
  });

  it('user 200, without the sign-in-only arrays', async () => {
    const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    const res = await getUser(token);
    expect(res.status).toBe(200);
    expectValid(res.body, '/user', 'get', 200);
    expect(res.body.authToken).toBe(token);
    expect(res.body).not.toHaveProperty('pastSubscriptions');
    expect(res.body).not.toHaveProperty('trials');
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(res.text)));
  });

  it('pin 201, pin 200 pending and authorized', async () => {
    const created = await createPin('?strong=true');
    expect(created.status).toBe(201);
    expectValid(created.body, '/pins', 'post', 201);
    const plain = await createPin();
    expectValid(plain.body, '/pins', 'post', 201);

    const pending = await getPin(created.body.id);
    expect(pending.status).toBe(200);
    expectValid(pending.body, '/pins/{pinID}', 'get', 200);
    expect(pending.body.authToken).toBeNull();

    expect(sim.approvePin(created.body.id)).toBe(true);
    const authorized = await getPin(created.body.id);
    expectValid(authorized.body, '/pins/{pinID}', 'get', 200);
    expect(authorized.body.authToken).toMatch(/^[A-Za-z0-9]{20}$/);
  });

  it('sign-in errors 1001, 1028, 1029, 1031', async () => {
    const { twoFactor } = DEMO_ACCOUNTS;
    const wrong = await signIn({ login: 'demo', password: 'nope' });
    expectValid(wrong.body, '/users/signin', 'post', 401);
    expect(wrong.body).toEqual(BAD_CREDENTIALS);

    const badCode = await signIn({ login: twoFactor.login, password: twoFactor.password, verificationCode: '000000' });
    expectValid(badCode.body, '/users/signin', 'post', 401);
    expect(badCode.body).toEqual(plexError(1028, 'Invalid verification code.', 401));

    const noCode = await signIn({ login: twoFactor.login, password: twoFactor.password });
    expectValid(noCode.body, '/users/signin', 'post', 401);
    expect(noCode.body).toEqual(plexError(1029, 'Please enter the verification code', 401));

    sim.setFault('signin', { kind: 'repeated-failures' });
    const repeated = await plainSignIn();
    expect(repeated.status).toBe(401);
    expectValid(repeated.body, '/users/signin', 'post', 401);
    expect(repeated.body).toEqual(REPEATED_FAILURES);
  });

  it('missing client identifier 400/1000 on every route', async () => {
    const expected = plexError(1000, 'X-Plex-Client-Identifier is missing', 400);
    const cases = [
      [await signIn({ login: 'demo', password: 'demo-password' }, { clientId: null }), '/users/signin', 'post'],
      [await getUser(sim.issueToken('demo'), { clientId: null }), '/user', 'get'],
      [await createPin('', { clientId: null }), '/pins', 'post'],
      [await getPin(1, { clientId: null }), '/pins/{pinID}', 'get'],
    ] as const;
    for (const [res, path, method] of cases) {
      expect(res.status).toBe(400);
      expectValid(res.body, path, method, 400);
      expect(res.body).toEqual(expected);
    }
  });

  it('pin 404/1020 and invalid-token 401', async () => {
    const missing = await getPin(999);
    expect(missing.status).toBe(404);
    expectValid(missing.body, '/pins/{pinID}', 'get', 404);
    expect(missing.body).toEqual(plexError(1020, 'Code not found or expired', 404));

    const invalid = await getUser('not-a-real-token-xx');
    expect(invalid.status).toBe(401);
    expectValid(invalid.body, '/user', 'get', 401);
    expect(invalid.body).toEqual(BAD_CREDENTIALS);

    const none = await call('/api/v2/user');
    expectValid(none.body, '/user', 'get', 401);
    expect(none.body).toEqual(BAD_CREDENTIALS);
  });

  it('undescribed errors (429, 5xx) keep the plex error shape', async () => {
    sim.setFault('user', { kind: 'rate-limit', retryAfter: 3 }, 1);
    const limited = await getUser('x');
    expectValidUndescribedError(limited.body);
    sim.setFault('user', { kind: 'status', status: 503 }, 1);
    const unavailable = await getUser('x');
    expectValidUndescribedError(unavailable.body);
    expect(unavailable.body.errors[0]).toMatchObject({ status: 503 });
  });

  it("plex.tv's 2026 shape: comma-string language lists; GET /user without mailingListStatus and rememberExpiresAt", async () => {
    const { current } = DEMO_ACCOUNTS;
    const signedIn = await signIn({ login: current.login, password: current.password });
    expect(signedIn.status).toBe(201);
    expectValid(signedIn.body, '/users/signin', 'post', 201);
    expect(signedIn.body).toHaveProperty('rememberExpiresAt');
    expect(signedIn.body).toHaveProperty('mailingListStatus');
    expect(signedIn.body.profile).toMatchObject({ defaultAudioLanguages: 'en,sv', defaultSubtitleLanguages: 'en,sv' });

    const user = await getUser(signedIn.body.authToken);
    expect(user.status).toBe(200);
    expectValid(user.body, '/user', 'get', 200);
    for (const key of ['rememberExpiresAt', 'mailingListStatus', 'pastSubscriptions', 'trials']) expect(user.body, key).not.toHaveProperty(key);
    expect(user.body.profile.defaultAudioLanguages).toBe('en,sv');
    // The other accounts keep the old shape.
    const old = await getUser(sim.issueToken(DEMO_ACCOUNTS.plain.login));
    expect(old.body).toHaveProperty('rememberExpiresAt');
    expect(old.body.profile.defaultAudioLanguages).toEqual(['en', 'ja']);
  });

  it('a managed Home user: GET /user without username, email or Plex Pass; no password sign-in', async () => {
    const { managed } = DEMO_ACCOUNTS;
    const user = await getUser(sim.issueToken(managed.login));
    expect(user.status).toBe(200);
    expectValid(user.body, '/user', 'get', 200);
    expect(user.body).toMatchObject({ username: null, email: null, title: managed.title, restricted: true, hasPassword: false });
    for (const key of ['subscription', 'mailingListStatus', 'rememberExpiresAt', 'services']) expect(user.body, key).not.toHaveProperty(key);
    expect((await signIn({ login: managed.login, password: '' })).body).toEqual(BAD_CREDENTIALS);
    expect((await signIn({ login: managed.login, password: 'null' })).body).toEqual(BAD_CREDENTIALS);
  });

  it('set-field sends one field as given, or leaves it out', async () => {
    const token = sim.issueToken('demo');
    sim.setFault('user', { kind: 'set-field', path: 'profile.watchedIndicator', value: 'often' }, 1);
    expect((await getUser(token)).body.profile.watchedIndicator).toBe('often');
    sim.setFault('user', { kind: 'set-field', path: 'uuid', value: undefined }, 1);
    expect((await getUser(token)).body).not.toHaveProperty('uuid');
    expect((await getUser(token)).body.uuid).toBe('a1b2c3d4e5f60718');
  });

  it('the validator catches bodies that drift from the spec', async () => {
    const user = (await getUser(sim.issueToken('demo'))).body;
    const validate = responseSchema('/user', 'get', 200);
    expect(validate(user)).toBe(true);

    const { id: _id, ...withoutId } = user;
    expect(validate(withoutId)).toBe(false);
    expect(validate({ ...user, joinedAt: '2019-03-14' })).toBe(false);
    expect(validate({ ...user, profile: { ...user.profile, autoSelectSubtitle: 'always' } })).toBe(false);
    expect(validate({ ...user, services: [{ ...user.services[0], endpoint: 'not a uri' }] })).toBe(false);

    const pin = (await createPin()).body;
    const validatePin = responseSchema('/pins', 'post', 201);
    expect(validatePin({ ...pin, expiresAt: 'tomorrow' })).toBe(false);
    expect(validatePin({ ...pin, location: { ...pin.location, european_union_member: 'yes' } })).toBe(false);

    const validateError = responseSchema('/users/signin', 'post', 401);
    expect(validateError({ errors: [{ code: '1001', message: 'x', status: 401 }] })).toBe(false);
  });

  it('fault bodies break the spec exactly where intended', async () => {
    const token = sim.issueToken('demo');
    const validate = responseSchema('/user', 'get', 200);

    sim.setFault('user', { kind: 'missing-fields' }, 1);
    const missing = await getUser(token);
    expect(validate(missing.body)).toBe(false);
    expect(validate.errors?.map((e) => e.params)).toEqual(
      expect.arrayContaining([{ missingProperty: 'id' }, { missingProperty: 'uuid' }]),
    );

    sim.setFault('user', { kind: 'unknown-enums' }, 1);
    const unknown = await getUser(token);
    expect(validate(unknown.body)).toBe(false);
    // Only enum checks fail (allOf wrappers around the profile ints report alongside them).
    expect(new Set(validate.errors?.map((e) => e.keyword))).toEqual(new Set(['enum']));
  });
});

describe('sign-in', () => {
  it('rejects a wrong password or unknown login with 1001', async () => {
    expect((await signIn({ login: 'demo@example.com', password: 'wrong' })).body).toEqual(BAD_CREDENTIALS);
    expect((await signIn({ login: 'nobody@example.com', password: 'demo-password' })).body).toEqual(BAD_CREDENTIALS);
    expect((await signIn({ login: 'demo' })).status).toBe(401);
  });

  it('accepts the email (any case) or the username', async () => {
    expect((await signIn({ login: 'DEMO@example.com', password: 'demo-password' })).status).toBe(201);
    expect((await signIn({ login: 'demo', password: 'demo-password', rememberMe: 'true' })).status).toBe(201);
  });

  it('walks the two-factor flow', async () => {
    const { login, password, verificationCode } = DEMO_ACCOUNTS.twoFactor;
    expect((await signIn({ login, password })).body.errors[0].code).toBe(1029);
    expect((await signIn({ login, password, verificationCode: '654321' })).body.errors[0].code).toBe(1028);
    // A wrong password is reported as such, not as a missing code.
    expect((await signIn({ login, password: 'wrong' })).body.errors[0].code).toBe(1001);
    const ok = await signIn({ login: 'demo2fa', password, verificationCode });
    expect(ok.status).toBe(201);
    expect((await getUser(ok.body.authToken)).body.username).toBe('demo2fa');
    // Legacy clients append the code to the password.
    expect((await signIn({ login, password: password + verificationCode })).status).toBe(201);
  });

  it('mints a fresh token per sign-in', async () => {
    const a = (await plainSignIn()).body.authToken;
    const b = (await plainSignIn()).body.authToken;
    expect(a).not.toBe(b);
  });

  it('takes the client identifier from the query string or the form too', async () => {
    const viaQuery = await call('/api/v2/users/signin?X-Plex-Client-Identifier=q-client', {
      method: 'POST',
      clientId: null,
      form: { login: 'demo', password: 'demo-password' },
    });
    expect(viaQuery.status).toBe(201);
    const viaForm = await signIn(
      { login: 'demo', password: 'demo-password', 'X-Plex-Client-Identifier': 'f-client' },
      { clientId: null },
    );
    expect(viaForm.status).toBe(201);
  });
});

describe('content negotiation', () => {
  it('answers XML without Accept: application/json', async () => {
    const token = sim.issueToken('demo');
    const ok = await getUser(token, { json: false });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(ok.text).toMatch(/^<\?xml[^>]*>\s*<user /);
    expect(ok.text).toContain(`authToken="${token}"`);
    expect(ok.text).toContain('<subscription active="1"');

    const err = await getUser('bad', { json: false });
    expect(err.status).toBe(401);
    expect(err.text).toContain('<errors><error code="1001" message="User could not be authenticated" status="401"/></errors>');

    const missing = await getUser(token, { json: false, clientId: null });
    expect(missing.text).toContain('<error code="1000"');
  });
});

describe('token lifecycle', () => {
  it('sign-in, /user, sign-out, /user 401', async () => {
    const token = (await plainSignIn()).body.authToken;
    expect((await getUser(token)).status).toBe(200);
    const out = await call('/api/v2/users/signout', { method: 'DELETE', token });
    expect(out.status).toBe(204);
    expect(out.text).toBe('');
    const after = await getUser(token);
    expect(after.status).toBe(401);
    expect(after.body).toEqual(BAD_CREDENTIALS);
    expect((await call('/api/v2/users/signout', { method: 'DELETE', token })).status).toBe(401);
  });

  it('accepts the token as a query parameter', async () => {
    const token = sim.issueToken('demo');
    const res = await call(`/api/v2/user?X-Plex-Token=${token}`);
    expect(res.status).toBe(200);
    expect(res.body.username).toBe('demo');
  });

  it('issueToken and revokeToken', async () => {
    const token = sim.issueToken('2fa@example.com');
    expect((await getUser(token)).body.email).toBe('2fa@example.com');
    sim.revokeToken(token);
    expect((await getUser(token)).status).toBe(401);
    expect(() => sim.issueToken('nobody')).toThrow();
  });
});

describe('PIN login', () => {
  it('creates strong (25) and link (4) codes with the request details', async () => {
    const strong = await createPin('?strong=true', { clientId: 'pin-client', headers: { 'X-Plex-Product': 'Pin App' } });
    expect(strong.body.code).toMatch(/^[a-z0-9]{25}$/);
    expect(strong.body).toMatchObject({
      product: 'Pin App',
      clientIdentifier: 'pin-client',
      // The simulator hands out its own QR image, at plex.tv's path on its own address.
      qr: `${sim.url}/api/v2/pins/qr/${strong.body.code}`,
      authToken: null,
      newRegistration: null,
      trusted: false,
      expiresIn: 900,
    });
    expect(Date.parse(strong.body.expiresAt) - Date.parse(strong.body.createdAt)).toBe(900_000);
    const link = await createPin();
    expect(link.body.code).toMatch(/^[A-Z0-9]{4}$/);
    expect(link.body.id).toBeGreaterThan(strong.body.id);
  });

  it('polls pending, then authorized with a usable token', async () => {
    const { id } = (await createPin('?strong=true')).body;
    expect((await getPin(id)).body.authToken).toBeNull();
    expect(sim.approvePin(id)).toBe(true);
    const token = (await getPin(id)).body.authToken;
    const user = await getUser(token);
    expect(user.status).toBe(200);
    expect(user.body.username).toBe('demo');
    // The same token on every later poll.
    expect((await getPin(id)).body.authToken).toBe(token);
  });

  it('approves for another account', async () => {
    const { id } = (await createPin()).body;
    expect(sim.approvePin(String(id), 'demo2fa')).toBe(true);
    const token = (await getPin(id)).body.authToken;
    expect((await getUser(token)).body.username).toBe('demo2fa');
    expect(sim.approvePin(id, 'nobody')).toBe(false);
    expect(sim.approvePin(123)).toBe(false);
  });

  it('hides a PIN from other client identifiers', async () => {
    const { id } = (await createPin('', { clientId: 'owner' })).body;
    const other = await getPin(id, { clientId: 'someone-else' });
    expect(other.status).toBe(404);
    expect(other.body.errors[0].code).toBe(1020);
    expect((await getPin(id, { clientId: 'owner' })).status).toBe(200);
  });

  it('expires PINs (expirePin and time)', async () => {
    const { id } = (await createPin()).body;
    sim.expirePin(id);
    const res = await getPin(id);
    expect(res.status).toBe(404);
    expect(res.body.errors[0].code).toBe(1020);
    expect(sim.approvePin(id)).toBe(false);
    expect((await getPin('abc')).status).toBe(404);

    const quick = createPlexSimulator({ pinTtlSeconds: 0.05 });
    const base = await quick.listen();
    try {
      const pin = (await createPin('', { base })).body;
      expect((await getPin(pin.id, { base })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 80));
      expect((await getPin(pin.id, { base })).status).toBe(404);
    } finally {
      await quick.close();
    }
  });

  it('serves the approve page and approves from its form', async () => {
    const { id } = (await createPin('?strong=true')).body;
    const page = await fetch(`${sim.url}/simulator/approve?pin=${id}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<form method="post" action="approve">');
    expect(html).toContain(`name="pin" value="${id}"`);
    expect(html).toContain('value="demo@example.com"');
    expect(html).toMatch(/<button[^>]*>Approve<\/button>/);

    const done = await fetch(`${sim.url}/simulator/approve`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html,*/*' },
      body: `pin=${id}&login=demo@example.com`,
    });
    expect(done.status).toBe(200);
    const approvedPage = await done.text();
    expect(approvedPage).toContain('Approved');
    // No forwardUrl: the window closes itself.
    expect(approvedPage).toContain('window.close()');
    expect((await getPin(id)).body.authToken).toMatch(/^[A-Za-z0-9]{20}$/);

    expect((await fetch(`${sim.url}/simulator/approve?pin=1`)).status).toBe(404);
    expect((await fetch(`${sim.url}/simulator/approve?pin=<script>`)).status).toBe(404);
  });

  it('approves by id or by code with one form POST, answering JSON to clients that do not ask for HTML', async () => {
    const approve = (body: string) =>
      fetch(`${sim.url}/simulator/approve`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
    const first = (await createPin('?strong=true')).body;
    const byId = await approve(`pin=${first.id}`);
    expect(byId.status).toBe(200);
    expect(byId.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await byId.json()).toEqual({ approved: true, pin: first.id, login: DEMO_ACCOUNTS.plain.login });
    expect(sim.requests.at(-1)?.route).toBeNull();
    const token = (await getPin(first.id)).body.authToken;
    expect((await getUser(token)).body.username).toBe(DEMO_ACCOUNTS.plain.username);

    const second = (await createPin('?strong=true')).body;
    const byCode = await approve(`code=${second.code}&login=${encodeURIComponent(DEMO_ACCOUNTS.twoFactor.login)}`);
    expect(await byCode.json()).toEqual({ approved: true, pin: second.id, login: DEMO_ACCOUNTS.twoFactor.login });
    expect((await getUser((await getPin(second.id)).body.authToken)).body.username).toBe(DEMO_ACCOUNTS.twoFactor.username);

    const unknown = await approve('pin=1');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ approved: false });
    const third = (await createPin('?strong=true')).body;
    const nobody = await approve(`pin=${third.id}&login=nobody`);
    expect(nobody.status).toBe(400);
    expect((await nobody.json()).message).toContain(DEMO_ACCOUNTS.plain.login);
    expect((await getPin(third.id)).body.authToken).toBeNull();
  });

  it("serves the demo accounts' avatars and the PIN QR images it hands out, on its own address", async () => {
    const { body } = await plainSignIn();
    expect(body.thumb).toMatch(new RegExp(`^${sim.url}/users/[0-9a-f]+/avatar\\?c=\\d+$`));
    const avatar = await fetch(body.thumb);
    expect(avatar.status).toBe(200);
    expect(avatar.headers.get('content-type')).toBe('image/svg+xml');
    expect(await avatar.text()).toMatch(/^<svg [^>]*>[\s\S]*<\/svg>$/);
    expect((await getUser(body.authToken)).body.thumb).toBe(body.thumb);

    const pin = (await createPin('?strong=true')).body;
    const qr = await fetch(pin.qr);
    expect(qr.status).toBe(200);
    expect(qr.headers.get('content-type')).toBe('image/svg+xml');
    expect(await qr.text()).toContain(pin.code);
    expect((await fetch(`${sim.url}/users/0000/avatar`)).status).toBe(404);
  });

  it('builds the URLs it hands out from the Host the caller used', async () => {
    const port = new URL(sim.url).port;
    const viaName = await call('/api/v2/pins?strong=true', { method: 'POST', base: `http://localhost:${port}` });
    expect(viaName.body.qr).toBe(`http://localhost:${port}/api/v2/pins/qr/${viaName.body.code}`);
  });
});

describe('HTTP edges', () => {
  it('health, unknown routes, wrong methods, large bodies', async () => {
    expect((await fetch(`${sim.url}/simulator/health`)).status).toBe(200);
    const unknown = await call('/api/v2/nothing-here');
    expect(unknown.status).toBe(404);
    expect((await call('/elsewhere')).status).toBe(404);
    const wrongMethod = await call('/api/v2/users/signin');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect((await call('/api/v2/user', { method: 'POST' })).status).toBe(405);
    const big = await call('/api/v2/users/signin', { method: 'POST', body: 'x'.repeat(65 * 1024) });
    expect(big.status).toBe(413);
  });

  it('throws on url before listening', () => {
    expect(() => createPlexSimulator().url).toThrow();
  });
});

describe('faults', () => {
  it('delay answers normally after the delay: a call to another route sent after it answers first', async () => {
    sim.setFault('user', { kind: 'delay', ms: 500 });
    const answered: string[] = [];
    const delayed = getUser(sim.issueToken('demo')).then((res) => (answered.push('user'), res));
    await until(() => sim.count('user') === 1, 'the delayed call to arrive');
    await createPin().then(() => answered.push('pins'));
    const res = await delayed;
    expect(answered).toEqual(['pins', 'user']);
    expect(res.status).toBe(200);
    expect(res.body.username).toBe('demo');
  });

  it('status answers a plex-style error', async () => {
    sim.setFault('signin', { kind: 'status', status: 502 });
    const res = await plainSignIn();
    expect(res.status).toBe(502);
    expect(res.body).toEqual(plexError(0, 'Bad Gateway', 502));
  });

  it('invalid-json answers the success status with a broken JSON body', async () => {
    sim.setFault('signin', { kind: 'invalid-json' });
    const res = await plainSignIn();
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(() => JSON.parse(res.text)).toThrow();
  });

  it('xml answers XML although JSON was asked for', async () => {
    sim.setFault('pins', { kind: 'xml' });
    const res = await createPin();
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(res.text).toMatch(/<pin id="\d+" code="[A-Z0-9]{4}"/);
  });

  it('rate-limit answers 429 with Retry-After when given', async () => {
    sim.setFault('user', { kind: 'rate-limit', retryAfter: 7 });
    const res = await getUser('any');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.body).toEqual(plexError(1035, 'Too many requests', 429));
    sim.setFault('user', { kind: 'rate-limit' });
    expect((await getUser('any')).headers.get('retry-after')).toBeNull();
  });

  it('missing-fields drops required user fields', async () => {
    sim.setFault('signin', { kind: 'missing-fields' });
    const res = await plainSignIn();
    expect(res.status).toBe(201);
    expect(res.body).not.toHaveProperty('id');
    expect(res.body).not.toHaveProperty('uuid');
    expect(res.body.email).toBe('demo@example.com');
  });

  it('unknown-enums sends values outside the documented enums', async () => {
    sim.setFault('signin', { kind: 'unknown-enums' });
    const res = await plainSignIn();
    expect(res.status).toBe(201);
    expect(res.body.mailingListStatus).toBe('pending_review');
    expect(res.body.subscription.status).toBe('Paused');
    expect(res.body.services.every((s: { status: string }) => s.status === 'degraded')).toBe(true);
    expect(res.body.pastSubscriptions[0].state).toBe('suspended');
    expect(res.body.profile.autoSelectSubtitle).toBe(7);
    expect(res.body.authToken).toMatch(/^[A-Za-z0-9]{20}$/);
  });

  it('repeated-failures answers 401/1031 even with good credentials', async () => {
    sim.setFault('signin', { kind: 'repeated-failures' });
    expect((await plainSignIn()).body).toEqual(REPEATED_FAILURES);
  });

  it('times applies to the next N requests, then reverts', async () => {
    const token = sim.issueToken('demo');
    sim.setFault('user', { kind: 'status', status: 500 }, 2);
    expect((await getUser(token)).status).toBe(500);
    expect((await createPin()).status).toBe(201); // other routes are untouched
    expect((await getUser(token)).status).toBe(500);
    expect((await getUser(token)).status).toBe(200);
  });

  it("'*' applies to every route; a route fault wins; null and reset clear", async () => {
    const token = sim.issueToken('demo');
    sim.setFault('*', { kind: 'status', status: 503 });
    sim.setFault('pins', { kind: 'status', status: 500 });
    expect((await getUser(token)).status).toBe(503);
    expect((await plainSignIn()).status).toBe(503);
    expect((await createPin()).status).toBe(500);
    sim.setFault('*', null);
    expect((await getUser(token)).status).toBe(200);
    sim.reset();
    expect((await createPin()).status).toBe(201);
    // Tokens survive reset.
    expect((await getUser(token)).status).toBe(200);
  });

  it('close() finishes while a hung request is pending', async () => {
    const own = createPlexSimulator();
    const base = await own.listen();
    own.setFault('user', { kind: 'hang' });
    const outcome = getUser(own.issueToken('demo'), { base }).then(
      () => 'answered',
      () => 'failed',
    );
    await until(() => own.count('user') === 1, 'the hanging call to arrive');
    // Waiting for the hanging call would never end: the test's timeout.
    await own.close();
    expect(await outcome).toBe('failed');
    expect(() => own.url).toThrow();
  });
});

describe('recording', () => {
  it('records method, path, query, headers, raw form body and route', async () => {
    await call('/api/v2/users/signin?extra=1', { method: 'POST', form: { login: 'demo', password: 'demo-password' } });
    await getUser('t0ken');
    await call('/nowhere');
    expect(sim.requests).toHaveLength(3);
    const [signin, user, other] = sim.requests;
    expect(signin).toMatchObject({ method: 'POST', path: '/api/v2/users/signin', route: 'signin', body: 'login=demo&password=demo-password' });
    expect(signin!.query.get('extra')).toBe('1');
    expect(signin!.headers['x-plex-client-identifier']).toBe('test-client');
    expect(signin!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(signin!.at).toBeLessThanOrEqual(user!.at);
    expect(user).toMatchObject({ method: 'GET', route: 'user', body: '' });
    expect(user!.headers['x-plex-token']).toBe('t0ken');
    expect(other!.route).toBeNull();
    expect(sim.count()).toBe(3);
    expect(sim.count('signin')).toBe(1);
    expect(sim.count('user')).toBe(1);
    expect(sim.count('pins')).toBe(0);
    sim.reset();
    expect(sim.requests).toHaveLength(0);
    expect(sim.count()).toBe(0);
  });

  it('keeps only counters with record: false, and logs without secrets', async () => {
    const lines: string[] = [];
    const quiet = createPlexSimulator({ record: false, log: (msg) => lines.push(msg) });
    const base = await quiet.listen();
    try {
      await signIn({ login: 'demo', password: 'demo-password' }, { base });
      await signIn({ login: 'demo', password: 'wrong-secret' }, { base });
      const token = quiet.issueToken('demo');
      await call(`/api/v2/user?X-Plex-Token=${token}`, { base });
      expect(quiet.requests).toHaveLength(0);
      expect(quiet.count('signin')).toBe(2);
      expect(quiet.count()).toBe(3);
      expect(lines).toEqual([
        'simulator: POST /api/v2/users/signin -> 201',
        'simulator: POST /api/v2/users/signin -> 401 (1001)',
        'simulator: GET /api/v2/user -> 200',
      ]);
      expect(lines.join('\n')).not.toContain(token);
    } finally {
      await quiet.close();
    }
  });
});
