import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../src/simulator/index.js';
import { SIGN_IN, startRealServer, type RealServer } from './support/servers.js';

let s: RealServer;
beforeAll(async () => {
  s = await startRealServer();
});
afterAll(() => s.close());

// Secrets look like nothing else in a response: a fixed marker plus random letters.
const secret = fc.stringMatching(/^[A-Za-z0-9]{10,24}$/).map((tail) => `Zq9Secret${tail}`);

const garbage = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify({ query: value })),
  fc.constantFrom('', 'null', '[]', '{}', '"x"', '{"query":null}', '{"query":{}}', '{"query":"{","variables":[]}'),
);

/** A signIn request that must never reach plex.tv: every input here fails parsing, validation or the zod schema. */
const invalidSignIn = (password: string) =>
  fc.oneof(
    // Variables of the wrong shape or type.
    fc.constantFrom<unknown>(
      { input: { login: 42, password } },
      { input: { login: 'x@example.com', password: { value: password } } },
      { input: { login: 'x@example.com', password: [password] } },
      { input: { login: 'x@example.com', password, verificationCode: true } },
      { input: { login: 'x@example.com', password, extra: password } },
      { input: { password } },
      { input: password },
      password,
    ).map((variables) => JSON.stringify({ query: SIGN_IN, variables })),
    // Values the schema refuses (empty, too long, a malformed 2FA code): plex.tv is never asked.
    fc
      .constantFrom(
        { login: '', password },
        { login: '   ', password },
        { login: 'a'.repeat(256), password },
        { login: 'x@example.com', password: `${password}${'p'.repeat(1024)}` },
        { login: 'x@example.com', password, verificationCode: `${password}` },
        { login: 'x@example.com', password, verificationCode: '12345' },
      )
      .map((input) => JSON.stringify({ query: SIGN_IN, variables: { input } })),
    // Documents that do not parse or do not validate, with the password inline.
    fc
      .constantFrom(
        `mutation { signIn(input: { login: "a", password: "${password}" } `,
        `mutation { signIn(input: { login: "a", password: "${password} }) { __typename } }`,
        `mutation { signIn(input: { login: "a", password: ${password} }) { __typename } }`,
        `mutation { signIn(input: { login: "a", pasword: "${password}" }) { __typename } }`,
        `mutation { a: signIn(input: { login: "a", password: "${password}" }) { __typename } b: signIn(input: { login: "b", password: "${password}" }) { __typename } }`,
        `query { signIn(input: { login: "a", password: "${password}" }) { __typename } }`,
        `mutation { signIn(input: { login: "a", password: "${password}" }) { __typename ...on Nope { x } } }`,
      )
      .map((query) => JSON.stringify({ query })),
    // A batch of attempts.
    fc.constant(JSON.stringify([{ query: SIGN_IN, variables: { input: { login: DEMO_ACCOUNTS.plain.login, password } } }])),
  );

const request = fc.oneof(
  fc.record({ password: secret, body: garbage }),
  secret.chain((password) => invalidSignIn(password).map((body) => ({ password, body }))),
);

const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/graphql+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '');

describe('/graphql under random and malformed requests', () => {
  it('never answers 5xx, never calls plex.tv for invalid input, never returns the secret', async () => {
    await fc.assert(
      fc.asyncProperty(request, contentType, fc.boolean(), async ({ password, body }, type, withCsrfHeader) => {
        const headers: Record<string, string> = { accept: 'application/graphql-response+json, application/json' };
        if (type) headers['content-type'] = type;
        if (withCsrfHeader) headers['x-graphql-csrf'] = '1';
        const result = await s.fetch({ method: 'POST', headers, body });
        expect(result.status).toBeLessThan(500);
        expect(result.text).not.toContain(password);
        expect(result.text).not.toMatch(/\bat \S+\.(ts|js):\d+/);
        expect(s.sim.count('signin'), body).toBe(0);
      }),
      { numRuns: 250, seed: Number(process.env['FC_SEED'] ?? Date.now() % 100_000) },
    );
    // The process is still serving.
    expect((await s.fetch({ path: '/health' })).status).toBe(200);
    expect((await s.gql('{ __typename }')).body).toEqual({ data: { __typename: 'Query' } });
  }, 30_000);
});
