import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { createFieldDriftReporter } from '../src/plex/drift.js';
import { DEMO_ACCOUNTS } from '../src/simulator/index.js';
import { bearer, startHarness, type Harness } from './support/servers.js';

// plex.tv's account bodies come in more than one shape (docs/plex-api.md, "The shape drifts"): the demo accounts are
// served in the old shape (plain), the 2026 shape (current: comma-string language lists, GET /user without the
// sign-in-only fields) and as a managed Home user (no username, email or Plex Pass of its own).

const ACCOUNT_FIELDS = `
  id uuid username title email friendlyName restricted mailingListStatus rememberExpiresAt joinedAt
  subscription { active }
  profile { autoSelectAudio defaultAudioLanguages defaultSubtitleLanguages mediaReviewsLanguages watchedIndicator }
`;
const VIEWER = `query Account { viewer { ${ACCOUNT_FIELDS} } }`;
const SIGN_IN = `mutation SignIn($input: SignInInput!) {
  signIn(input: $input) { __typename ... on SignInSuccess { authToken user { ${ACCOUNT_FIELDS} } } }
}`;
const CREATE_PIN = 'mutation { createSignInPin { id code } }';
const SIGN_IN_PIN = `query Pin($id: ID!, $code: String!) {
  signInPin(id: $id, code: $code) { __typename ... on SignInSuccess { authToken user { ${ACCOUNT_FIELDS} } } }
}`;

type Account = Record<string, unknown> & { profile: Record<string, unknown> | null };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: '3000' });
});
afterAll(() => h.close());
afterEach(() => h.sim.reset());

const driftLines = () => h.logs.filter((line) => line.includes('served as null'));

async function scrapeDrift(field: string, endpoint = 'user'): Promise<number> {
  const text = await (await h.yoga.fetch('http://facade.test/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`plex_body_field_drift_total{endpoint="${endpoint}",field="${field}"}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

async function viewer(token: string): Promise<Account> {
  const response = await h.gql<{ viewer: Account }>(VIEWER, {}, bearer(token));
  expect(response.body.errors).toBeUndefined();
  return response.body.data!.viewer;
}

async function signIn(login: string, password: string): Promise<Account> {
  const response = await h.gql<{ signIn: { __typename: string; user: Account } }>(SIGN_IN, { input: { login, password } });
  expect(response.body.errors).toBeUndefined();
  expect(response.body.data!.signIn.__typename).toBe('SignInSuccess');
  return response.body.data!.signIn.user;
}

async function signInPin(login: string): Promise<Account> {
  const created = await h.gql<{ createSignInPin: { id: string; code: string } }>(CREATE_PIN);
  const pin = created.body.data!.createSignInPin;
  expect(h.sim.approvePin(pin.id, login)).toBe(true);
  const response = await h.gql<{ signInPin: { __typename: string; user: Account } }>(SIGN_IN_PIN, pin);
  expect(response.body.errors).toBeUndefined();
  expect(response.body.data!.signInPin.__typename).toBe('SignInSuccess');
  return response.body.data!.signInPin.user;
}

const OLD_SHAPE = {
  username: DEMO_ACCOUNTS.plain.username,
  email: DEMO_ACCOUNTS.plain.login,
  mailingListStatus: 'ACTIVE',
  rememberExpiresAt: expect.any(String),
  subscription: { active: true },
  profile: {
    autoSelectAudio: true,
    defaultAudioLanguages: ['en', 'ja'],
    defaultSubtitleLanguages: ['en'],
    mediaReviewsLanguages: ['en'],
    watchedIndicator: 'MOVIES_AND_TV_SHOWS',
  },
};
const NEW_SHAPE_PROFILE = {
  autoSelectAudio: true,
  defaultAudioLanguages: ['en', 'sv'],
  defaultSubtitleLanguages: ['en', 'sv'],
  mediaReviewsLanguages: null,
  watchedIndicator: 'MOVIES_AND_TV_SHOWS',
};
const MANAGED = {
  username: null,
  email: null,
  friendlyName: null,
  title: DEMO_ACCOUNTS.managed.title,
  restricted: true,
  mailingListStatus: null,
  rememberExpiresAt: null,
  subscription: null,
  joinedAt: expect.any(String),
  profile: { ...NEW_SHAPE_PROFILE, defaultAudioLanguages: ['en'], defaultSubtitleLanguages: ['en'] },
};

describe('both shapes of the account body and a managed user', () => {
  it('viewer serves the old shape, the 2026 shape and a managed user, without a drift diagnostic', async () => {
    expect(await viewer(h.sim.issueToken(DEMO_ACCOUNTS.plain.login))).toMatchObject(OLD_SHAPE);
    // GET /user in the 2026 shape leaves out mailingListStatus and rememberExpiresAt: null, as documented.
    expect(await viewer(h.sim.issueToken(DEMO_ACCOUNTS.current.login))).toMatchObject({
      username: DEMO_ACCOUNTS.current.username,
      mailingListStatus: null,
      rememberExpiresAt: null,
      subscription: { active: true },
      profile: NEW_SHAPE_PROFILE,
    });
    expect(await viewer(h.sim.issueToken(DEMO_ACCOUNTS.managed.login))).toMatchObject(MANAGED);
    expect(driftLines()).toEqual([]);
  });

  it('signIn succeeds for both shapes; the sign-in body carries the fields GET /user leaves out', async () => {
    expect(await signIn(DEMO_ACCOUNTS.plain.login, DEMO_ACCOUNTS.plain.password)).toMatchObject(OLD_SHAPE);
    expect(await signIn(DEMO_ACCOUNTS.current.login, DEMO_ACCOUNTS.current.password)).toMatchObject({
      username: DEMO_ACCOUNTS.current.username,
      mailingListStatus: 'ACTIVE',
      rememberExpiresAt: expect.any(String),
      profile: NEW_SHAPE_PROFILE,
    });
    expect(driftLines()).toEqual([]);
  });

  it('signInPin succeeds for both shapes and for a managed user', async () => {
    expect(await signInPin(DEMO_ACCOUNTS.plain.login)).toMatchObject(OLD_SHAPE);
    expect(await signInPin(DEMO_ACCOUNTS.current.login)).toMatchObject({ username: DEMO_ACCOUNTS.current.username, profile: NEW_SHAPE_PROFILE });
    expect(await signInPin(DEMO_ACCOUNTS.managed.login)).toMatchObject(MANAGED);
    expect(driftLines()).toEqual([]);
  });
});

describe('a field of an unexpected type', () => {
  it('is null in the account, with one log line that names it without its value, and one metric increment per body', async () => {
    const field = 'profile.watchedIndicator';
    const before = await scrapeDrift(field);
    h.sim.setFault('user', { kind: 'set-field', path: field, value: 'movies-and-tv-SECRETISH' });

    const account = await viewer(h.sim.issueToken(DEMO_ACCOUNTS.plain.login));
    expect(account).toMatchObject({ ...OLD_SHAPE, profile: { ...OLD_SHAPE.profile, watchedIndicator: null } });
    expect(await scrapeDrift(field)).toBe(before + 1);
    expect(driftLines()).toHaveLength(1);
    expect(JSON.parse(driftLines()[0]!)).toMatchObject({ level: 'warn', upstream: { endpoint: 'user', field, problem: 'unexpected type' } });
    expect(h.logs.join('')).not.toContain('SECRETISH');

    // The same drift again: counted again, but the log line is not repeated within its interval.
    await viewer(h.sim.issueToken(DEMO_ACCOUNTS.plain.login));
    expect(await scrapeDrift(field)).toBe(before + 2);
    expect(driftLines()).toHaveLength(1);
  });

  it('on sign-in too, labelled with the signin endpoint', async () => {
    const field = 'homeSize';
    const before = await scrapeDrift(field, 'signin');
    h.sim.setFault('signin', { kind: 'set-field', path: field, value: 'three' });
    const user = await h.gql<{ signIn: { user: Record<string, unknown> } }>(
      `mutation { signIn(input: { login: "${DEMO_ACCOUNTS.plain.login}", password: "${DEMO_ACCOUNTS.plain.password}" }) { ... on SignInSuccess { user { homeSize username } } } }`,
    );
    expect(user.body.data?.signIn.user).toEqual({ homeSize: null, username: DEMO_ACCOUNTS.plain.username });
    expect(await scrapeDrift(field, 'signin')).toBe(before + 1);
  });
});

describe('what identifies the account stays strict', () => {
  for (const path of ['id', 'uuid']) {
    it(`a GET /user body without ${path} is UPSTREAM_BAD_RESPONSE`, async () => {
      h.sim.setFault('user', { kind: 'set-field', path, value: undefined });
      const response = await h.gql(VIEWER, {}, bearer(h.sim.issueToken(DEMO_ACCOUNTS.current.login)));
      expect(response.body.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_BAD_RESPONSE');
      expect(response.body.data).toEqual({ viewer: null });
    });
  }

  it('a sign-in body without authToken is UPSTREAM_BAD_RESPONSE', async () => {
    h.sim.setFault('signin', { kind: 'set-field', path: 'authToken', value: undefined });
    const response = await h.gql(SIGN_IN, { input: { login: DEMO_ACCOUNTS.current.login, password: DEMO_ACCOUNTS.current.password } });
    expect(response.body.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_BAD_RESPONSE');
  });
});

describe('the drift log', () => {
  it('logs a field once per endpoint per interval, with the occurrences it skipped', () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'warn' },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
          done();
        },
      }),
    );
    const counted: string[] = [];
    let now = 0;
    const report = createFieldDriftReporter({ logger, count: (endpoint, field) => counted.push(`${endpoint} ${field}`), intervalMs: 1000, now: () => now });
    report({ endpoint: 'user', field: 'country', problem: 'unexpected type' });
    report({ endpoint: 'user', field: 'country', problem: 'unexpected type' });
    report({ endpoint: 'signin', field: 'country', problem: 'unexpected type' });
    now = 999;
    report({ endpoint: 'user', field: 'country', problem: 'unexpected type' });
    now = 1000;
    report({ endpoint: 'user', field: 'country', problem: 'missing' });
    expect(counted).toHaveLength(5);
    expect(lines.map((line) => line['upstream'])).toEqual([
      { endpoint: 'user', field: 'country', problem: 'unexpected type', skippedSinceLastLine: 0 },
      { endpoint: 'signin', field: 'country', problem: 'unexpected type', skippedSinceLastLine: 0 },
      { endpoint: 'user', field: 'country', problem: 'missing', skippedSinceLastLine: 2 },
    ]);
  });
});
