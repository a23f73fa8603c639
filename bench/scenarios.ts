// What each row sends for each scenario, and how a body is known to be right. The GraphQL rows all get the same
// documents (operations/*.graphql, as a client of the product sends them); the direct row is the plex.tv call those
// operations make. Each row's answer is fetched and checked once before any load; under load the load generator
// checks every body cheaply (expected substrings, no `"errors"`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, PLEX_CLIENT_IDENTIFIER, type Server, type ServerKind, type Simulator } from './processes.js';
import type { LoadRequest } from './types.js';

export type ScenarioName = 'viewer' | 'signIn';
export type RowKind = 'direct' | ServerKind;

export const SCENARIOS: readonly ScenarioName[] = ['viewer', 'signIn'];
/** The rows of a run, in the order of the report; `baseline` only with --baseline. */
export const ROWS: readonly RowKind[] = ['direct', 'floor', 'yoga', 'apollo', 'baseline', 'product'];

export const ROW_NAMES: Record<RowKind, string> = {
  direct: 'simulator direct (the limit)',
  floor: 'node:http + undici floor',
  yoga: 'bare graphql-yoga floor',
  apollo: 'Apollo Server 5 + datasource-rest',
  baseline: 'product at the baseline',
  product: 'product (default config)',
};

/** The simulator's demo account (src/simulator/accounts.ts). */
export const DEMO = { login: 'demo@example.com', password: 'demo-password' } as const;

const operation = (...files: string[]) => files.map((file) => readFileSync(join(ROOT, 'operations', file), 'utf8')).join('\n');

export const DOCUMENTS = {
  viewer: { query: operation('viewer.graphql', 'user-fields.graphql'), operationName: 'Viewer' },
  signIn: { query: operation('sign-in.graphql', 'user-fields.graphql'), operationName: 'SignIn' },
  createPin: { query: operation('sign-in-pin.graphql'), operationName: 'CreateSignInPin' },
  watchPin: { query: operation('sign-in-pin.graphql'), operationName: 'WatchSignInPin' },
} as const;

const GRAPHQL_HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
const PLEX_HEADERS = { accept: 'application/json', 'x-plex-client-identifier': PLEX_CLIENT_IDENTIFIER };
const SIGN_IN_FORM = new URLSearchParams({ login: DEMO.login, password: DEMO.password }).toString();

export interface Target {
  readonly origin: string;
  readonly request: LoadRequest;
  readonly expect: { readonly contains: readonly string[] };
  readonly serverPid: number;
}

interface RawUser {
  readonly uuid: string;
  readonly authToken?: string;
}

/** Signs in to the simulator as a plex.tv client would, for the token the viewer scenario uses. */
async function simulatorSignIn(simulator: Simulator): Promise<RawUser> {
  const response = await fetch(`${simulator.url}/api/v2/users/signin`, {
    method: 'POST',
    headers: { ...PLEX_HEADERS, 'content-type': 'application/x-www-form-urlencoded' },
    body: SIGN_IN_FORM,
  });
  const user = (await response.json()) as RawUser;
  if (response.status !== 201 || typeof user.authToken !== 'string') throw new Error(`simulator sign-in answered ${response.status}`);
  return user;
}

function fail(what: string, detail: string): never {
  throw new Error(`the reference answer of ${what} is wrong: ${detail.replace(/"(authToken|token|secret)":"[^"]*"/g, '"$1":"…"').slice(0, 600)}`);
}

function request(target: Pick<Target, 'origin' | 'request'>): Promise<{ status: number; text: string }> {
  const { method, path, headers, body } = target.request;
  return fetch(`${target.origin}${path}`, { method, headers, body }).then(async (response) => ({ status: response.status, text: await response.text() }));
}

type GraphQLAnswer = { data?: { viewer?: Record<string, unknown>; signIn?: { __typename?: string; authToken?: string; user?: Record<string, unknown> } }; errors?: unknown };

/**
 * Builds every (row, scenario) target and checks one answer of each: right account, no errors, the same User fields
 * from the Yoga floor, the Apollo facade and the product, and the same answer from the Apollo facade as from the Yoga
 * floor.
 */
export async function prepareTargets(simulator: Simulator, servers: Partial<Record<ServerKind, Server>>): Promise<(row: RowKind, scenario: ScenarioName) => Target> {
  const reference = await simulatorSignIn(simulator);
  const token = reference.authToken!;
  const uuid = `"uuid":"${reference.uuid}"`;
  const targets = new Map<string, Target>();

  targets.set('direct:viewer', {
    origin: simulator.url,
    request: { method: 'GET', path: '/api/v2/user', headers: { ...PLEX_HEADERS, 'x-plex-token': token } },
    expect: { contains: [uuid] },
    serverPid: simulator.proc.pid,
  });
  targets.set('direct:signIn', {
    origin: simulator.url,
    request: { method: 'POST', path: '/api/v2/users/signin', headers: { ...PLEX_HEADERS, 'content-type': 'application/x-www-form-urlencoded' }, body: SIGN_IN_FORM },
    expect: { contains: [uuid, '"authToken":"'] },
    serverPid: simulator.proc.pid,
  });
  for (const [kind, server] of Object.entries(servers) as [ServerKind, Server][]) {
    targets.set(`${kind}:viewer`, {
      origin: server.url,
      request: { method: 'POST', path: '/graphql', headers: { ...GRAPHQL_HEADERS, authorization: `Bearer ${token}` }, body: JSON.stringify(DOCUMENTS.viewer) },
      expect: { contains: [uuid] },
      serverPid: server.proc.pid,
    });
    targets.set(`${kind}:signIn`, {
      origin: server.url,
      request: {
        method: 'POST',
        path: '/graphql',
        headers: GRAPHQL_HEADERS,
        body: JSON.stringify({ ...DOCUMENTS.signIn, variables: { input: { login: DEMO.login, password: DEMO.password } } }),
      },
      expect: { contains: [uuid, '"__typename":"SignInSuccess"', '"authToken":"'] },
      serverPid: server.proc.pid,
    });
  }

  const userKeys: Partial<Record<ServerKind, string>> = {};
  const viewers: Partial<Record<ServerKind, string>> = {};
  for (const [key, target] of targets) {
    const answer = await request(target);
    const [row, scenario] = key.split(':') as [RowKind, ScenarioName];
    const wanted = row === 'direct' ? (scenario === 'viewer' ? 200 : 201) : 200;
    if (answer.status !== wanted) fail(key, `status ${answer.status}: ${answer.text}`);
    if (answer.text.includes('"errors"') || !target.expect.contains.every((part) => answer.text.includes(part))) fail(key, answer.text);
    if (row === 'direct') continue;
    const json = JSON.parse(answer.text) as GraphQLAnswer;
    const user = scenario === 'viewer' ? json.data?.viewer : json.data?.signIn?.user;
    if (user === undefined || user === null) fail(key, answer.text);
    if (scenario === 'viewer') {
      userKeys[row] = Object.keys(user).sort().join(',');
      viewers[row] = JSON.stringify(json.data);
    }
  }
  for (const row of ['apollo', 'product'] as const) {
    if (userKeys.yoga !== undefined && userKeys[row] !== undefined && userKeys.yoga !== userKeys[row]) {
      throw new Error(`the Yoga floor and the ${row} row select different User fields:\n${userKeys.yoga}\n${userKeys[row]}`);
    }
  }
  if (viewers.yoga !== undefined && viewers.apollo !== undefined && viewers.yoga !== viewers.apollo) {
    fail('apollo:viewer', `differs from the Yoga floor's:\n${viewers.apollo}\n${viewers.yoga}`);
  }
  return (row, scenario) => {
    const target = targets.get(`${row}:${scenario}`);
    if (target === undefined) throw new Error(`no ${row} server running`);
    return target;
  };
}
