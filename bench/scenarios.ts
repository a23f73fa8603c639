// What the benchmark sends, and how it knows each answer is right. A reference answer is fetched and checked once;
// under load every body is compared with it (a wrong or error body is a failure, not a request).
import { print } from 'graphql';
import { SignInDocument, ViewerDocument, ViewerNameDocument } from '../operations/generated/graphql.js';
import { DEMO_ACCOUNTS } from '../src/simulator/index.js';

export type ScenarioId = 'a' | 'b' | 'c' | 'd';

export interface Scenario {
  readonly id: ScenarioId;
  readonly name: string;
  /** 'simulator' targets are the raw upstream; 'facade' targets go through GraphQL. */
  readonly target: 'simulator' | 'facade';
  readonly path: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** True when the body is a correct answer. Must be cheap: it runs in the load generator for every response. */
  readonly verify: (body: string) => boolean;
}

export const SCENARIO_NAMES: Record<ScenarioId, string> = {
  a: '(a) raw simulator GET /api/v2/user',
  b: '(b) viewer, full User selection',
  c: '(c) viewer { id username }',
  d: '(d) signIn, full User selection',
};

export const CLIENT_IDENTIFIER = 'plex-account-graphql-bench-client';

const GRAPHQL_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/graphql-response+json, application/json',
};

interface UserJson {
  id: string;
  uuid: string;
  username: string;
  email: string | null;
  joinedAt: string;
  [key: string]: unknown;
}

interface RawUser {
  id: number | string;
  uuid: string;
  username: string;
  email: string;
  joinedAt: number;
  authToken?: string;
}

/** Signs in to the simulator directly, as a client of plex.tv would, to get a token for the read scenarios. */
export async function signInToSimulator(simulatorUrl: string): Promise<string> {
  const response = await fetch(`${simulatorUrl}/api/v2/users/signin`, {
    method: 'POST',
    headers: {
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded',
      'x-plex-client-identifier': CLIENT_IDENTIFIER,
    },
    body: new URLSearchParams({ login: DEMO_ACCOUNTS.plain.login, password: DEMO_ACCOUNTS.plain.password }).toString(),
  });
  const body = (await response.json()) as RawUser;
  if (response.status !== 201 || typeof body.authToken !== 'string') throw new Error(`simulator sign-in answered ${response.status}`);
  return body.authToken;
}

async function fetchText(url: string, init: RequestInit): Promise<{ status: number; text: string }> {
  const response = await fetch(url, init);
  return { status: response.status, text: await response.text() };
}

function fail(what: string, detail: string): never {
  throw new Error(`reference answer for ${what} is wrong: ${detail.slice(0, 500)}`);
}

/** The facade's User must say what plex.tv said (ids as strings, unix seconds as ISO date-times). */
function checkUser(what: string, user: UserJson | null | undefined, raw: RawUser, full: boolean): void {
  if (!user) fail(what, 'no user');
  if (user.id !== String(raw.id) || user.username !== raw.username) fail(what, JSON.stringify({ id: user.id, username: user.username }));
  if (!full) return;
  if (user.uuid !== raw.uuid || user.email !== raw.email) fail(what, 'uuid or email differ from plex.tv');
  if (Date.parse(user.joinedAt) !== raw.joinedAt * 1000) fail(what, `joinedAt ${user.joinedAt}`);
  for (const key of ['subscription', 'profile', 'services', 'entitlements']) {
    if (user[key] === null || user[key] === undefined) fail(what, `${key} is missing`);
  }
}

export interface BuiltScenarios {
  readonly scenarios: Record<ScenarioId, Scenario>;
  /** Field count of the full selection, for the report. */
  readonly fullSelectionFields: number;
  readonly rawBodyBytes: number;
}

export async function buildScenarios(simulatorUrl: string, facadeUrl: string, token: string): Promise<BuiltScenarios> {
  // (a) the raw upstream, with the headers the facade sends.
  const rawHeaders = { accept: 'application/json', 'x-plex-client-identifier': CLIENT_IDENTIFIER, 'x-plex-token': token };
  const raw = await fetchText(`${simulatorUrl}/api/v2/user`, { headers: rawHeaders });
  if (raw.status !== 200) fail('(a)', `status ${raw.status}`);
  const rawUser = JSON.parse(raw.text) as RawUser;
  const rawBody = raw.text;

  const graphql = (document: string, variables?: unknown) =>
    JSON.stringify(variables === undefined ? { query: document } : { query: document, variables });
  const authorised = { ...GRAPHQL_HEADERS, authorization: `Bearer ${token}` };

  const viewerBody = graphql(print(ViewerDocument));
  const viewer = await fetchText(`${facadeUrl}/graphql`, { method: 'POST', headers: authorised, body: viewerBody });
  const viewerJson = JSON.parse(viewer.text) as { data?: { viewer?: UserJson }; errors?: unknown };
  if (viewer.status !== 200 || viewerJson.errors) fail('(b)', viewer.text);
  checkUser('(b)', viewerJson.data?.viewer, rawUser, true);
  const viewerExpected = viewer.text;

  const nameBody = graphql(print(ViewerNameDocument));
  const name = await fetchText(`${facadeUrl}/graphql`, { method: 'POST', headers: authorised, body: nameBody });
  const nameJson = JSON.parse(name.text) as { data?: { viewer?: UserJson }; errors?: unknown };
  if (name.status !== 200 || nameJson.errors) fail('(c)', name.text);
  checkUser('(c)', nameJson.data?.viewer, rawUser, false);
  if (Object.keys(nameJson.data!.viewer!).length !== 2) fail('(c)', 'more than the two selected fields');
  const nameExpected = name.text;

  const signInBody = graphql(print(SignInDocument), {
    input: { login: DEMO_ACCOUNTS.plain.login, password: DEMO_ACCOUNTS.plain.password },
  });
  const signIn = await fetchText(`${facadeUrl}/graphql`, { method: 'POST', headers: GRAPHQL_HEADERS, body: signInBody });
  type SignInJson = { data?: { signIn?: { __typename: string; authToken?: string; user?: UserJson } }; errors?: unknown };
  const signInJson = JSON.parse(signIn.text) as SignInJson;
  const success = signInJson.data?.signIn;
  if (signIn.status !== 200 || signInJson.errors || success?.__typename !== 'SignInSuccess') fail('(d)', signIn.text.replace(/"authToken":"[^"]*"/g, '"authToken":"…"'));
  checkUser('(d)', success.user, rawUser, true);
  const signInUserExpected = JSON.stringify(success.user);
  const TOKEN = /^[A-Za-z0-9]{20}$/;

  const scenarios: Record<ScenarioId, Scenario> = {
    a: {
      id: 'a',
      name: SCENARIO_NAMES.a,
      target: 'simulator',
      path: '/api/v2/user',
      method: 'GET',
      headers: rawHeaders,
      verify: (body) => body === rawBody,
    },
    b: {
      id: 'b',
      name: SCENARIO_NAMES.b,
      target: 'facade',
      path: '/graphql',
      method: 'POST',
      headers: authorised,
      body: viewerBody,
      verify: (body) => body === viewerExpected,
    },
    c: {
      id: 'c',
      name: SCENARIO_NAMES.c,
      target: 'facade',
      path: '/graphql',
      method: 'POST',
      headers: authorised,
      body: nameBody,
      verify: (body) => body === nameExpected,
    },
    d: {
      id: 'd',
      name: SCENARIO_NAMES.d,
      target: 'facade',
      path: '/graphql',
      method: 'POST',
      headers: GRAPHQL_HEADERS,
      body: signInBody,
      // Each sign-in mints a new token; everything else must be exactly the reference answer.
      verify: (body) => {
        try {
          const json = JSON.parse(body) as SignInJson;
          const result = json.data?.signIn;
          return (
            json.errors === undefined &&
            result?.__typename === 'SignInSuccess' &&
            typeof result.authToken === 'string' &&
            TOKEN.test(result.authToken) &&
            JSON.stringify(result.user) === signInUserExpected
          );
        } catch {
          return false;
        }
      },
    },
  };
  return {
    scenarios,
    fullSelectionFields: countLeaves(viewerJson.data!.viewer!),
    rawBodyBytes: Buffer.byteLength(rawBody),
  };
}

function countLeaves(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + countLeaves(item), 0);
  if (value !== null && typeof value === 'object') {
    return Object.values(value).reduce((sum: number, item) => sum + countLeaves(item), 0);
  }
  return 1;
}
