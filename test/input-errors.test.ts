import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server.js';
import { capturingLogger, startHarness, testConfig, type Harness } from './support/servers.js';
import { curl, readmeCommands } from './readme.js';

// A missing or mistyped field of SignInInput or CreateSignInPinInput is named by its path from the argument, in the
// same words inline and in a variable, and its value never comes back.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const SIGN_IN_VARIABLE = 'mutation ($input: SignInInput!) { signIn(input: $input) { __typename } }';
const PIN_VARIABLE = 'mutation ($input: CreateSignInPinInput) { createSignInPin(input: $input) { id } }';

interface Case {
  readonly name: string;
  /** The argument as a GraphQL literal. */
  readonly inline: string;
  /** The same argument as variable JSON. */
  readonly variable: unknown;
  readonly mutation: 'signIn' | 'createSignInPin';
  readonly messages: string[];
}

const CASES: Case[] = [
  { name: 'a missing field', mutation: 'signIn', inline: '{ login: "demo" }', variable: { login: 'demo' }, messages: ['input.password is required.'] },
  {
    name: 'a field of the wrong type',
    mutation: 'signIn',
    inline: '{ login: "demo", password: 31337 }',
    variable: { login: 'demo', password: 31337 },
    messages: ['input.password must be a string.'],
  },
  {
    name: 'a null required field',
    mutation: 'signIn',
    inline: '{ login: null, password: "x" }',
    variable: { login: null, password: 'x' },
    messages: ['input.login must not be null.'],
  },
  {
    name: 'a boolean of the wrong type',
    mutation: 'signIn',
    inline: '{ login: "demo", password: "x", rememberMe: "yes" }',
    variable: { login: 'demo', password: 'x', rememberMe: 'yes' },
    messages: ['input.rememberMe must be true or false.'],
  },
  {
    name: 'an unknown field',
    mutation: 'signIn',
    inline: '{ login: "demo", passwrd: "x" }',
    variable: { login: 'demo', passwrd: 'x' },
    messages: ['input.password is required.', 'input.passwrd is not a field of SignInInput. Did you mean "password"?'],
  },
  {
    name: 'not an object',
    mutation: 'signIn',
    inline: '"demo"',
    variable: 'demo',
    messages: ['input must be an object with the fields of SignInInput.'],
  },
  {
    name: 'a forwardUrl that is not a URL',
    mutation: 'createSignInPin',
    inline: '{ forwardUrl: "not a url" }',
    variable: { forwardUrl: 'not a url' },
    messages: ['input.forwardUrl must be an absolute URL, such as https://example.com/.'],
  },
  {
    name: 'a forwardUrl of the wrong type',
    mutation: 'createSignInPin',
    inline: '{ forwardUrl: 42 }',
    variable: { forwardUrl: 42 },
    messages: ['input.forwardUrl must be an absolute URL, such as https://example.com/.'],
  },
  {
    name: 'an unknown field of CreateSignInPinInput',
    mutation: 'createSignInPin',
    inline: '{ forwardURL: "https://app.example/" }',
    variable: { forwardURL: 'https://app.example/' },
    messages: ['input.forwardURL is not a field of CreateSignInPinInput. Did you mean "forwardUrl"?'],
  },
];

function issuesOf(body: { errors?: { message: string; extensions?: Record<string, unknown> }[] }) {
  return (body.errors ?? []).map((error) => ({ message: error.message, issues: error.extensions?.['issues'] }));
}

function expectedIssues(messages: string[]) {
  return messages.map((message) => ({ message, issues: [{ path: message.split(' ')[0]!.split('.'), message }] }));
}

describe.each(CASES)('$name', ({ inline, variable, mutation, messages }) => {
  const selection = mutation === 'signIn' ? '{ __typename }' : '{ id }';

  it('inline: named by its path, GRAPHQL_VALIDATION_FAILED', async () => {
    const { body } = await h.gql(`mutation { ${mutation}(input: ${inline}) ${selection} }`);
    expect(issuesOf(body)).toEqual(expectedIssues(messages));
    expect(body.errors!.every((error) => error.extensions?.['code'] === 'GRAPHQL_VALIDATION_FAILED')).toBe(true);
  });

  it('in a variable: the same words, BAD_USER_INPUT', async () => {
    const { body } = await h.gql(mutation === 'signIn' ? SIGN_IN_VARIABLE : PIN_VARIABLE, { input: variable });
    expect(issuesOf(body)).toEqual(expectedIssues(messages));
    expect(body.errors!.every((error) => error.extensions?.['code'] === 'BAD_USER_INPUT')).toBe(true);
    expect(body.data).toBeUndefined();
  });
});

describe('input errors', () => {
  it('name the argument, not the variable, when the variable is passed straight to it', async () => {
    const { body } = await h.gql('mutation ($creds: SignInInput!) { signIn(input: $creds) { __typename } }', { creds: { login: 'demo' } });
    expect(issuesOf(body)).toEqual(expectedIssues(['input.password is required.']));
  });

  it('name the variable when it is used in more than one place', async () => {
    const { body } = await h.gql('query ($c: String!) { a: signInPin(id: "1", code: $c) { __typename } b: signInPin(id: "2", code: $c) { __typename } }', {
      c: 7,
    });
    expect(issuesOf(body)).toEqual([{ message: '$c must be a string.', issues: [{ path: ['$c'], message: '$c must be a string.' }] }]);
  });

  it('say when the argument or its variable is missing', async () => {
    expect(issuesOf((await h.gql('mutation { signIn { __typename } }')).body)).toEqual(expectedIssues(['input is required.']));
    expect(issuesOf((await h.gql(SIGN_IN_VARIABLE, {})).body)).toEqual(expectedIssues(['input is required.']));
  });

  it('list every problem at once', async () => {
    const { body } = await h.gql(SIGN_IN_VARIABLE, { input: { login: 5, rememberMe: 'no', colour: 'red' } });
    expect(body.errors!.map((error) => error.message)).toEqual([
      'input.login must be a string.',
      'input.password is required.',
      'input.rememberMe must be true or false.',
      'input.colour is not a field of SignInInput.',
    ]);
  });

  it('never repeat a value back, nor a field name that is not a GraphQL name, and never call plex.tv', async () => {
    const secret = 'hunter2-s3cret';
    const inline = await h.gql(`mutation { signIn(input: { login: "${secret}", password: 987654321 }) { __typename } }`);
    const variable = await h.gql(SIGN_IN_VARIABLE, { input: { login: secret, password: 987654321, [`${secret} key`]: secret } });
    for (const { text } of [inline, variable]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain('987654321');
    }
    expect(issuesOf(variable.body)).toEqual([
      expectedIssues(['input.password must be a string.'])[0],
      { message: 'input has a field that SignInInput does not define.', issues: [{ path: ['input'], message: 'input has a field that SignInInput does not define.' }] },
    ]);
    expect(h.sim.count()).toBe(0);
  });

  it('keep leaving other variable and validation errors as they were', async () => {
    const unused = await h.gql('mutation ($id: ID!, $code: String!) { signInPin(id: $id, code: $code) { __typename } }', { id: '1', code: 'x' });
    expect(unused.body.errors?.[0]?.message).toMatch(/^Cannot query field "signInPin" on type "Mutation"/);
    const wrongPosition = await h.gql('mutation ($s: String!) { signIn(input: $s) { __typename } }', { s: 'x' });
    expect(wrongPosition.body.errors?.[0]?.message).toBe('Variable "$s" of type "String!" used in position expecting type "SignInInput!".');
  });
});

describe('a value never comes back, whichever step refuses it', () => {
  const secret = 'Zq9SecretValue';
  it.each([
    ['a parse error at a string', `mutation { signIn(input: { "${secret}" }) { __typename } }`, undefined, 'Syntax Error: Expected Name, found String "…".', 'GRAPHQL_PARSE_FAILED'],
    ['a parse error at a name', `mutation { signIn(input: { login: "a" password ${secret} }) { __typename } }`, undefined, 'Syntax Error: Expected ":", found Name "…".', 'GRAPHQL_PARSE_FAILED'],
    ['an unterminated string', `mutation { signIn(input: { login: "a", password: "${secret} }) { __typename } }`, undefined, 'Syntax Error: Unterminated string.', 'GRAPHQL_PARSE_FAILED'],
    ['a literal of the wrong type', `mutation { signIn(input: { login: "a", password: ${secret} }) { __typename } }`, undefined, 'input.password must be a string.', 'GRAPHQL_VALIDATION_FAILED'],
    ['a string where a boolean goes', `mutation { signIn(input: { login: "a", password: "x", rememberMe: "${secret}" }) { __typename } }`, undefined, 'input.rememberMe must be true or false.', 'GRAPHQL_VALIDATION_FAILED'],
    ['a default value of the wrong type', `mutation ($p: Boolean = "${secret}") { signIn(input: { login: "a", password: "x", rememberMe: $p }) { __typename } }`, undefined, '$p must be true or false.', 'GRAPHQL_VALIDATION_FAILED'],
    ['a variable of the wrong type', SIGN_IN_VARIABLE, { input: { login: 'a', password: [secret] } }, 'input.password must be a string.', 'BAD_USER_INPUT'],
    ['a variable that is not an object', SIGN_IN_VARIABLE, { input: secret }, 'input must be an object with the fields of SignInInput.', 'BAD_USER_INPUT'],
    ['a variable that is a list', SIGN_IN_VARIABLE, { input: [secret] }, 'input must be an object with the fields of SignInInput.', 'BAD_USER_INPUT'],
    ['a variable of the wrong scalar', SIGN_IN_VARIABLE, { input: { login: 'a', password: 'x', rememberMe: secret } }, 'input.rememberMe must be true or false.', 'BAD_USER_INPUT'],
    ['a subscription variable', 'subscription ($code: String!) { signInPin(id: "1", code: $code) { __typename } }', { code: [secret] }, 'code must be a string.', 'BAD_USER_INPUT'],
  ])('%s: named without the value, and plex.tv is not called', async (_name, document, variables, message, code) => {
    const { status, text, body } = await h.gql(document, variables as Record<string, unknown> | undefined);
    expect(status).toBe(400);
    expect(text).not.toContain(secret);
    expect(body.errors!.map((error) => [error.message, error.extensions?.['code']])).toEqual([[message, code]]);
    expect(h.sim.count()).toBe(0);
  });

  it('a null variable inside a literal: graphql-js refuses the literal without printing it', async () => {
    const document = `mutation ($login: String = "x") { signIn(input: { login: $login, password: "${secret}" }) { __typename } }`;
    const { text, body } = await h.gql(document, { login: null });
    expect(text).not.toContain(secret);
    expect(body.errors!.map((error) => error.message)).toEqual(['Argument "input" has invalid value ….']);
    expect(h.sim.count()).toBe(0);
  });
});

describe('input errors in production', () => {
  it('suggest no field names', async () => {
    const production = await startHarness({ NODE_ENV: 'production' });
    try {
      const inline = await production.gql('mutation { signIn(input: { login: "demo", password: "x", passwrd: "x" }) { __typename } }');
      const variable = await production.gql(SIGN_IN_VARIABLE, { input: { login: 'demo', password: 'x', passwrd: 'x' } });
      for (const { body } of [inline, variable]) expect(issuesOf(body)).toEqual(expectedIssues(['input.passwrd is not a field of SignInInput.']));
    } finally {
      await production.close();
    }
  });
});

describe('README: an input error', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ config: testConfig(h.sim.url, { HOST: '127.0.0.1', PORT: '0' }), logger: capturingLogger().logger });
  });
  afterAll(() => server.close());

  it('answers the documented curl command as documented', async () => {
    const [example] = readmeCommands('and the value is never repeated back');
    expect(await curl(example!.command.replace('http://localhost:4000', server.url))).toBe(example!.output);
  });
});
