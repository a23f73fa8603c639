import { readdirSync, readFileSync } from 'node:fs';
import { Kind, parse } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../src/simulator/index.js';
import { errorCode, JSON_HEADERS, SIGN_IN, startRealServer, type RealServer } from './support/servers.js';

const plain = DEMO_ACCOUNTS.plain;
const input = (password: string) => `{ login: "${plain.login}", password: "${password}" }`;

let s: RealServer;
beforeAll(async () => {
  s = await startRealServer();
});
afterAll(() => s.close());
afterEach(() => s.sim.reset());

describe('one signIn per operation', () => {
  it('lets a single signIn through (the control case)', async () => {
    const result = await s.gql(SIGN_IN, { input: { login: plain.login, password: plain.password } });
    expect(result.status).toBe(200);
    expect(result.body.data.signIn.__typename).toBe('SignInSuccess');
    expect(s.sim.count('signin')).toBe(1);
  });

  it.each([
    ['aliases', `mutation { a: signIn(input: ${input('guess-1')}) { __typename } b: signIn(input: ${input('guess-2')}) { __typename } }`],
    ['a repeat', `mutation { signIn(input: ${input('guess-1')}) { __typename } signIn(input: ${input('guess-1')}) { __typename } }`],
    [
      'a fragment spread next to a field',
      `mutation { signIn(input: ${input('guess-1')}) { __typename } ...Guess } fragment Guess on Mutation { other: signIn(input: ${input('guess-2')}) { __typename } }`,
    ],
    ['one fragment spread twice', `mutation { ...Guess ...Guess } fragment Guess on Mutation { signIn(input: ${input('guess-1')}) { __typename } }`],
    [
      'nested inline fragments',
      `mutation { ... { a: signIn(input: ${input('guess-1')}) { __typename } ... on Mutation { b: signIn(input: ${input('guess-2')}) { __typename } } } }`,
    ],
  ])('rejects two signIns through %s with 400 MULTIPLE_SIGN_IN and no call to plex.tv', async (_name, document) => {
    const result = await s.gql(document);
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('MULTIPLE_SIGN_IN');
    expect(result.body.data).toBeUndefined();
    expect(s.sim.count()).toBe(0);
  });

  it('answers 200 with the same code to clients that only accept application/json', async () => {
    const document = `mutation { a: signIn(input: ${input('x')}) { __typename } b: signIn(input: ${input('y')}) { __typename } }`;
    const result = await s.fetch({ method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ query: document }) });
    expect(result.status).toBe(200);
    expect(errorCode(result)).toBe('MULTIPLE_SIGN_IN');
    expect(s.sim.count()).toBe(0);
  });
});

describe('plex.tv call budget per operation', () => {
  const aliased = (count: number, field: string) => Array.from({ length: count }, (_, index) => `c${index}: ${field}`).join(' ');
  const pinReads = (count: number) =>
    `{ ${Array.from({ length: count }, (_, index) => `p${index}: signInPin(id: "${index + 1}", code: "abc") { __typename }`).join(' ')} }`;

  it.each([
    ['15 aliased createSignInPin', `mutation { ${aliased(15, 'createSignInPin { id }')} }`, 'createSignInPin', /at most once/],
    ['15 aliased signOut', `mutation { ${aliased(15, 'signOut { signedOut }')} }`, 'signOut', /at most once/],
    ['6 signInPin reads of different PINs', pinReads(6), 'signInPin', /at most 5 times/],
    ['createSignInPin repeated', 'mutation { createSignInPin { id } createSignInPin { id } }', 'createSignInPin', /at most once/],
    ['createSignInPin in a fragment spread next to a field', 'mutation { createSignInPin { id } ...Pin } fragment Pin on Mutation { again: createSignInPin { code } }', 'createSignInPin', /at most once/],
    ['signOut in one fragment spread twice', 'mutation { ...Out ...Out } fragment Out on Mutation { signOut { signedOut } }', 'signOut', /at most once/],
    ['signOut in nested inline fragments', 'mutation { ... { a: signOut { signedOut } ... on Mutation { b: signOut { signedOut } } } }', 'signOut', /at most once/],
    ['signInPin in fragments and inline fragments', `query { ...Reads ... { e: signInPin(id: "5", code: "a") { __typename } f: signInPin(id: "6", code: "a") { __typename } } } fragment Reads on Query { ${[1, 2, 3, 4].map((id) => `r${id}: signInPin(id: "${id}", code: "a") { __typename }`).join(' ')} }`, 'signInPin', /at most 5 times/],
  ])('refuses %s with 400 PLEX_CALL_BUDGET_EXCEEDED and no call to plex.tv', async (_name, document, field, limit) => {
    const token = s.sim.issueToken(plain.login);
    const result = await s.gql(document, {}, { authorization: `Bearer ${token}` });
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('PLEX_CALL_BUDGET_EXCEEDED');
    expect(result.body.errors[0].message).toContain(field);
    expect(result.body.errors[0].message).toMatch(limit);
    expect(result.body.data).toBeUndefined();
    expect(s.sim.count()).toBe(0);
  });

  it('lets one createSignInPin, one signOut and five signInPin reads through (the control cases)', async () => {
    const created = await s.gql('mutation { createSignInPin { id code } }');
    expect(created.body.errors).toBeUndefined();
    expect(s.sim.count('pins')).toBe(1);

    const reads = await s.gql(pinReads(5));
    expect(reads.status).toBe(200);
    expect(reads.body.errors).toBeUndefined();
    expect(s.sim.count('pin')).toBe(5);

    const token = s.sim.issueToken(plain.login);
    const signedOut = await s.gql('mutation { signOut { signedOut tokenWasValid } }', {}, { authorization: `Bearer ${token}` });
    expect(signedOut.body).toEqual({ data: { signOut: { signedOut: true, tokenWasValid: true } } });
    expect(s.sim.count('signout')).toBe(1);
  });

  it('counts a field once per spread without walking every path: 40 levels of doubled fragments are refused at once', async () => {
    // 2^40 signIns through fragments that each spread the next one twice: a walk that follows every path never ends.
    const levels = 40;
    const fragments = Array.from({ length: levels }, (_, index) => `fragment F${index} on Mutation { ...F${index + 1} ...F${index + 1} }`).join(' ');
    const document = `mutation { ...F0 } ${fragments} fragment F${levels} on Mutation { signIn(input: ${input('guess')}) { __typename } }`;
    // A walk that never ends fails by the test's timeout.
    const result = await s.gql(document);
    expect(result.status).toBe(400);
    expect(result.body.errors.map((error: { extensions: { code: string } }) => error.extensions.code)).toContain('MULTIPLE_SIGN_IN');
    expect(s.sim.count()).toBe(0);
  });
});

describe('_entities: representations count as aliases and must be entities', () => {
  const ENTITIES = 'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id username } } }';
  const users = (count: number, id = '1') => Array.from({ length: count }, () => ({ __typename: 'User', id }));
  const inline = (count: number) => `{ _entities(representations: [${Array.from({ length: count }, (_, index) => `{ __typename: "User", id: "${index}" }`).join(', ')}]) { __typename } }`;
  let bearer: Record<string, string>;
  beforeAll(() => {
    bearer = { authorization: `Bearer ${s.sim.issueToken(plain.login)}` };
  });

  it('refuses 2400 representations in one body with a short 400 OPERATION_LIMIT_EXCEEDED and no call to plex.tv', async () => {
    const result = await s.gql(ENTITIES, { representations: users(2400) }, bearer);
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('OPERATION_LIMIT_EXCEEDED');
    expect(result.body.errors[0].message).toMatch(/_entities representations limit of 15 exceeded, found 2400/);
    expect(result.body.data).toBeUndefined();
    expect(result.text.length).toBeLessThan(500);
    expect(s.sim.count()).toBe(0);
    // Answered in place of execution: the operation log still records it.
    expect(s.logs.some((line) => line.includes('"result":"OPERATION_LIMIT_EXCEEDED"'))).toBe(true);
  });

  it.each([
    ['16 inline', inline(16), undefined],
    ['8 and 8 under two aliases', 'query ($r: [_Any!]!) { a: _entities(representations: $r) { __typename } b: _entities(representations: $r) { __typename } }', { r: users(8) }],
    ['8 in a fragment spread twice', 'query ($r: [_Any!]!) { ...E ...E } fragment E on Query { _entities(representations: $r) { __typename } }', { r: users(8) }],
    ['16 from the default value of a variable', `query ($r: [_Any!]! = [${'{ __typename: "User", id: "1" } '.repeat(16)}]) { _entities(representations: $r) { __typename } }`, undefined],
  ])('refuses representations over the alias limit of 15: %s', async (_name, document, variables) => {
    const result = await s.gql(document, variables, bearer);
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('OPERATION_LIMIT_EXCEEDED');
    expect(s.sim.count()).toBe(0);
  });

  it('serves 15 representations, inline or as a variable, with one GET /user (the control cases)', async () => {
    const asVariable = await s.gql(ENTITIES, { representations: users(15) }, bearer);
    expect(asVariable.body.errors).toBeUndefined();
    expect(asVariable.body.data._entities).toHaveLength(15);
    const inlined = await s.gql(inline(15), {}, bearer);
    expect(inlined.body.errors).toBeUndefined();
    expect(inlined.body.data._entities).toHaveLength(15);
    expect(s.sim.count('user')).toBe(2);
  });

  it.each([
    ['without __typename', [{ id: '1' }], ['representations', '0', '__typename']],
    ['of an unknown type', [{ __typename: 'Nope', id: '1' }], ['representations', '0', '__typename']],
    ['of a type that is not an entity', [{ __typename: 'User', id: '1' }, { __typename: 'Query', id: '1' }], ['representations', '1', '__typename']],
    ['that is a string', ['User'], ['representations', '0']],
    ['that is a number', [42], ['representations', '0']],
    ['that is a list', [[{ __typename: 'User', id: '1' }]], ['representations', '0']],
    ['without its key field', [{ __typename: 'User' }], ['representations', '0', 'id']],
  ])('answers a representation %s with 400 BAD_USER_INPUT and calls nothing', async (_name, representations, path) => {
    const result = await s.gql(ENTITIES, { representations }, bearer);
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.body.errors[0].extensions.issues).toEqual([{ path, message: expect.any(String) }]);
    expect(result.text).not.toContain('INTERNAL_SERVER_ERROR');
    expect(s.sim.count()).toBe(0);
  });

  it('answers the same for inline representations', async () => {
    const result = await s.gql('{ _entities(representations: [{ id: "1" }, "User"]) { __typename } }', {}, bearer);
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.body.errors[0].extensions.issues).toHaveLength(2);
    expect(s.sim.count()).toBe(0);
  });
});

describe('batched requests', () => {
  it('rejects a JSON array of sign-ins with 400 BATCHING_NOT_ALLOWED and no call to plex.tv', async () => {
    const batch = ['guess-1', 'guess-2', 'guess-3'].map((password) => ({ query: SIGN_IN, variables: { input: { login: plain.login, password } } }));
    const result = await s.fetch({ method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(batch) });
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('BATCHING_NOT_ALLOWED');
    expect(s.sim.count()).toBe(0);
  });

  it('rejects even a batch of harmless queries', async () => {
    const result = await s.fetch({ method: 'POST', headers: JSON_HEADERS, body: JSON.stringify([{ query: '{ __typename }' }]) });
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('BATCHING_NOT_ALLOWED');
  });
});

describe('operation limits (graphql-armor)', () => {
  const viewers = (count: number) => `{ ${Array.from({ length: count }, (_, index) => `v${index}: viewer { id }`).join(' ')} }`;

  it('allows 15 aliases (the default limit) and rejects 16, before plex.tv is called', async () => {
    const token = s.sim.issueToken(plain.login);
    const within = await s.gql(viewers(15), {}, { authorization: `Bearer ${token}` });
    expect(within.status).toBe(200);
    expect(within.body.errors).toBeUndefined();
    s.sim.reset();
    const over = await s.gql(viewers(16), {}, { authorization: `Bearer ${token}` });
    expect(over.status).toBe(400);
    expect(errorCode(over)).toBe('OPERATION_LIMIT_EXCEEDED');
    expect(s.sim.count()).toBe(0);
  });

  it('rejects more than 1000 tokens while parsing', async () => {
    const result = await s.gql(`{ viewer { ${'id '.repeat(1000)} } }`);
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('OPERATION_LIMIT_EXCEEDED');
    expect(result.body.errors[0].message).toMatch(/token/i);
    expect(s.sim.count()).toBe(0);
  });

  it('rejects more than 20 directives', async () => {
    const result = await s.gql(`{ viewer { id ${'@include(if: true) '.repeat(21)} } }`);
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('OPERATION_LIMIT_EXCEEDED');
    expect(s.sim.count()).toBe(0);
  });

  it('passes every operation this project ships', async () => {
    const dir = new URL('../operations/', import.meta.url);
    const files = readdirSync(dir).filter((name) => name.endsWith('.graphql'));
    const fragments = files.map((name) => readFileSync(new URL(name, dir), 'utf8')).join('\n');
    const documents = parse(fragments).definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
    expect(documents.length).toBeGreaterThan(1);
    for (const operation of documents) {
      // Each operation with every fragment, as clients send them; the server validates before it needs variables.
      const result = await s.fetch({
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ query: fragments, operationName: operation.name!.value }),
      });
      const codes = (result.body?.errors ?? []).map((error: { extensions?: { code?: string } }) => error.extensions?.code);
      expect(codes, operation.name!.value).not.toContain('OPERATION_LIMIT_EXCEEDED');
      expect(codes, operation.name!.value).not.toContain('MULTIPLE_SIGN_IN');
      expect(codes, operation.name!.value).not.toContain('PLEX_CALL_BUDGET_EXCEEDED');
    }
  });
});

describe('operation limits from the environment', () => {
  let tight: RealServer;
  beforeAll(async () => {
    tight = await startRealServer({}, { limits: { operations: { maxDepth: 2, maxCost: 15, maxAliases: 1 } } });
  });
  afterAll(() => tight.close());

  it('rejects an operation deeper than maxDepth', async () => {
    const result = await tight.gql('{ viewer { subscription { plan } } }');
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('OPERATION_LIMIT_EXCEEDED');
    expect(result.body.errors[0].message).toMatch(/depth/i);
    expect(tight.sim.count()).toBe(0);
  });

  it('rejects an operation costlier than maxCost', async () => {
    const result = await tight.gql('{ viewer { id uuid username title email friendlyName locale confirmed country thumb joinedAt homeSize } }');
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('OPERATION_LIMIT_EXCEEDED');
    expect(result.body.errors[0].message).toMatch(/cost/i);
    expect(tight.sim.count()).toBe(0);
  });

  it('rejects more aliases than maxAliases', async () => {
    const result = await tight.gql('{ a: viewer { id } b: viewer { id } }');
    expect(errorCode(result)).toBe('OPERATION_LIMIT_EXCEEDED');
    expect(tight.sim.count()).toBe(0);
  });
});
