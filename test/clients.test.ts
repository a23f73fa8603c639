import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { Client, cacheExchange, fetchExchange } from '@urql/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignInDocument, ViewerDocument, type SignInMutation } from '../operations/generated/graphql.js';
import possibleTypes from '../operations/generated/possible-types.js';
import { startServer, type RunningServer } from '../src/server.js';
import { createPlexSimulator, DEMO_ACCOUNTS, type PlexSimulator } from '../src/simulator/index.js';
import { capturingLogger, testConfig } from './support/servers.js';

let sim: PlexSimulator;
let running: RunningServer;
let endpoint: string;

beforeAll(async () => {
  sim = createPlexSimulator();
  await sim.listen(0, '127.0.0.1');
  running = await startServer({ config: { ...testConfig(sim.url), port: 0, host: '127.0.0.1' }, logger: capturingLogger().logger });
  endpoint = `${running.url}/graphql`;
});

afterAll(async () => {
  await running.close();
  await sim.close();
});

type SignInOutcome = { kind: 'signed-in'; token: string; userId: string } | { kind: 'needs-code' } | { kind: 'failed'; typename: string };

/** What a sign-in form does with each member of SignInResult. */
function outcomeOf(result: SignInMutation['signIn']): SignInOutcome {
  switch (result.__typename) {
    case 'SignInSuccess':
      return { kind: 'signed-in', token: result.authToken, userId: result.user.id };
    case 'TwoFactorRequiredError':
      return { kind: 'needs-code' };
    default:
      return { kind: 'failed', typename: result.__typename };
  }
}

describe('Apollo Client 4', () => {
  function createApolloClient(getToken: () => string | null) {
    return new ApolloClient({
      link: new SetContextLink(({ headers }) => {
        const token = getToken();
        return { headers: token ? { ...headers, authorization: `Bearer ${token}` } : headers };
      }).concat(new HttpLink({ uri: endpoint, fetch })),
      // User is normalised by its `id` (Apollo's default key: `User:<id>`); possibleTypes lets fragments on
      // SignInResult and Error match.
      cache: new InMemoryCache({ possibleTypes: possibleTypes.possibleTypes }),
    });
  }

  it('signs in to a plain account and reads the viewer, with User normalised by id', async () => {
    let token: string | null = null;
    const client = createApolloClient(() => token);
    const { data } = await client.mutate({
      mutation: SignInDocument,
      variables: { input: { login: DEMO_ACCOUNTS.plain.login, password: DEMO_ACCOUNTS.plain.password } },
    });
    const outcome = outcomeOf(data!.signIn);
    if (outcome.kind !== 'signed-in') throw new Error(`expected SignInSuccess, got ${JSON.stringify(outcome)}`);
    token = outcome.token;

    const viewer = await client.query({ query: ViewerDocument, fetchPolicy: 'network-only' });
    expect(viewer.data?.viewer).toMatchObject({ __typename: 'User', id: outcome.userId, username: DEMO_ACCOUNTS.plain.username });
    const cached = client.cache.extract() as Record<string, Record<string, unknown>>;
    expect(cached[`User:${outcome.userId}`]).toMatchObject({ __typename: 'User', id: outcome.userId, email: DEMO_ACCOUNTS.plain.login });
    expect(cached['ROOT_QUERY']?.['viewer']).toEqual({ __ref: `User:${outcome.userId}` });
    // Served from the normalised cache: no second request.
    const before = sim.count('user');
    const again = await client.query({ query: ViewerDocument });
    expect(again.data?.viewer?.username).toBe(DEMO_ACCOUNTS.plain.username);
    expect(sim.count('user')).toBe(before);
  });

  it('signs in to a 2FA account: TwoFactorRequiredError first, then SignInSuccess with the code', async () => {
    const client = createApolloClient(() => null);
    const credentials = { login: DEMO_ACCOUNTS.twoFactor.login, password: DEMO_ACCOUNTS.twoFactor.password };
    const first = await client.mutate({ mutation: SignInDocument, variables: { input: credentials } });
    expect(first.data?.signIn).toMatchObject({ __typename: 'TwoFactorRequiredError', message: expect.any(String) });
    expect(outcomeOf(first.data!.signIn)).toEqual({ kind: 'needs-code' });

    const wrong = await client.mutate({ mutation: SignInDocument, variables: { input: { ...credentials, verificationCode: '000000' } } });
    expect(outcomeOf(wrong.data!.signIn)).toEqual({ kind: 'failed', typename: 'InvalidVerificationCodeError' });

    const second = await client.mutate({
      mutation: SignInDocument,
      variables: { input: { ...credentials, verificationCode: DEMO_ACCOUNTS.twoFactor.verificationCode } },
    });
    const outcome = outcomeOf(second.data!.signIn);
    expect(outcome).toMatchObject({ kind: 'signed-in', token: expect.any(String) });
    if (second.data?.signIn.__typename !== 'SignInSuccess') throw new Error('unreachable');
    expect(second.data.signIn.user).toMatchObject({ username: DEMO_ACCOUNTS.twoFactor.username, twoFactorEnabled: true });
    expect((client.cache.extract() as Record<string, unknown>)[`User:${second.data.signIn.user.id}`]).toBeDefined();
  });

  it('surfaces UNAUTHENTICATED for viewer without a token', async () => {
    const client = createApolloClient(() => null);
    const result = await client.query({ query: ViewerDocument, errorPolicy: 'all' });
    expect(result.data?.viewer ?? null).toBeNull();
    expect(result.error?.message).toBeTruthy();
    const errors = (result.error as { errors?: readonly { extensions?: Record<string, unknown> }[] } | undefined)?.errors;
    expect(errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });
});

describe('@urql/core', () => {
  function createUrqlClient(getToken: () => string | null) {
    return new Client({
      url: endpoint,
      exchanges: [cacheExchange, fetchExchange],
      fetchOptions: () => {
        const token = getToken();
        return token ? { headers: { authorization: `Bearer ${token}` } } : {};
      },
    });
  }

  it('signs in to a plain account and reads the viewer', async () => {
    let token: string | null = null;
    const client = createUrqlClient(() => token);
    const signIn = await client
      .mutation(SignInDocument, { input: { login: DEMO_ACCOUNTS.plain.login, password: DEMO_ACCOUNTS.plain.password } })
      .toPromise();
    expect(signIn.error).toBeUndefined();
    const outcome = outcomeOf(signIn.data!.signIn);
    if (outcome.kind !== 'signed-in') throw new Error(`expected SignInSuccess, got ${JSON.stringify(outcome)}`);
    token = outcome.token;

    const viewer = await client.query(ViewerDocument, {}).toPromise();
    expect(viewer.error).toBeUndefined();
    expect(viewer.data?.viewer).toMatchObject({ __typename: 'User', id: outcome.userId, username: DEMO_ACCOUNTS.plain.username });
  });

  it('signs in to a 2FA account: TwoFactorRequiredError first, then SignInSuccess with the code', async () => {
    const client = createUrqlClient(() => null);
    const credentials = { login: DEMO_ACCOUNTS.twoFactor.login, password: DEMO_ACCOUNTS.twoFactor.password };
    const first = await client.mutation(SignInDocument, { input: credentials }).toPromise();
    expect(first.data?.signIn.__typename).toBe('TwoFactorRequiredError');

    const second = await client
      .mutation(SignInDocument, { input: { ...credentials, verificationCode: DEMO_ACCOUNTS.twoFactor.verificationCode } })
      .toPromise();
    const outcome = outcomeOf(second.data!.signIn);
    expect(outcome).toMatchObject({ kind: 'signed-in', token: expect.any(String) });
    if (outcome.kind !== 'signed-in') throw new Error('unreachable');

    const viewer = await client
      .query(ViewerDocument, {}, { fetchOptions: { headers: { 'x-plex-token': outcome.token } }, requestPolicy: 'network-only' })
      .toPromise();
    expect(viewer.data?.viewer).toMatchObject({ username: DEMO_ACCOUNTS.twoFactor.username, twoFactorEnabled: true });
  });

  it('surfaces UNAUTHENTICATED for viewer without a token', async () => {
    const client = createUrqlClient(() => null);
    const viewer = await client.query(ViewerDocument, {}).toPromise();
    expect(viewer.data?.viewer ?? null).toBeNull();
    expect(viewer.error?.graphQLErrors[0]?.extensions['code']).toBe('UNAUTHENTICATED');
  });
});
