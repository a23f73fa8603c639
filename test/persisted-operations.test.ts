import { Client, fetchExchange, gql, type OperationResult } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SignInDocument, ViewerNameDocument } from '../operations/generated/graphql.js';
import { loadConfig } from '../src/config.js';
import { loadManifest } from '../src/plugins/persisted-operations.js';
import { startServer } from '../src/server.js';
import { createPlexSimulator, DEMO_ACCOUNTS } from '../src/simulator/index.js';
import { bearer, capturingLogger, testConfig } from './support/servers.js';

const plain = DEMO_ACCOUNTS.plain;
const signInVariables = { input: { login: plain.login, password: plain.password } };
// Not in operations/, so not in the manifest.
const AdHocDocument = gql`
  query AdHoc {
    viewer {
      id
    }
  }
`;

interface Sent {
  readonly method: string;
  readonly url: URL;
  readonly body: Record<string, unknown> | null;
  status?: number;
}

/** Runs a real server (HTTP on loopback) over a simulator, and records what its clients send, without changing it. */
async function start(mode: 'off' | 'only') {
  const sim = createPlexSimulator();
  await sim.listen(0, '127.0.0.1');
  const server = await startServer({
    config: testConfig(sim.url, { HOST: '127.0.0.1', PORT: '0', PERSISTED_OPERATIONS: mode }),
    logger: capturingLogger().logger,
  });
  const sent: Sent[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const entry: Sent = {
      method: init?.method ?? 'GET',
      url: new URL(String(input)),
      body: typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : null,
    };
    sent.push(entry);
    const response = await fetch(input, init);
    entry.status = response.status;
    return response;
  };
  /** urql with the persisted exchange, hashing with codegen's ids (`__meta__.hash`) or, for other documents, its own sha256. */
  const persisted = new Client({
    url: `${server.url}/graphql`,
    fetch: recordingFetch,
    requestPolicy: 'network-only',
    exchanges: [
      persistedExchange({
        enableForMutation: true,
        generateHash: async (query, document) =>
          (document as { __meta__?: { hash?: string } }).__meta__?.hash ??
          Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(query))).toString('hex'),
      }),
      fetchExchange,
    ],
  });
  /** urql sending document text, as every client does without a persisted exchange. */
  const text = new Client({ url: `${server.url}/graphql`, fetch: recordingFetch, requestPolicy: 'network-only', exchanges: [fetchExchange] });
  return {
    sim,
    server,
    sent,
    persisted,
    text,
    async close() {
      await server.close();
      await sim.close();
    },
  };
}

type Running = Awaited<ReturnType<typeof start>>;

function errorCode(result: OperationResult): unknown {
  return result.error?.graphQLErrors[0]?.extensions['code'];
}

const signInHash = (SignInDocument as unknown as { __meta__: { hash: string } }).__meta__.hash;

describe('PERSISTED_OPERATIONS=only', () => {
  let s: Running;
  beforeAll(async () => {
    s = await start('only');
  });
  afterAll(() => s.close());
  afterEach(() => {
    s.sent.length = 0;
    s.sim.reset();
  });

  it('runs a manifest mutation sent by id only (urql persistedExchange)', async () => {
    const result = await s.persisted.mutation(SignInDocument, signInVariables).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data?.signIn.__typename).toBe('SignInSuccess');
    expect(s.sent).toHaveLength(1);
    expect(s.sent[0]!.body).not.toHaveProperty('query');
    expect(s.sent[0]!.body?.['extensions']).toEqual({ persistedQuery: { version: 1, sha256Hash: signInHash } });
  });

  it('runs a manifest query by id over GET, with the token', async () => {
    const token = s.sim.issueToken(plain.login);
    const result = await s.persisted.query(ViewerNameDocument, {}, { fetchOptions: { headers: bearer(token) } }).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data?.viewer?.username).toBe(plain.username);
    expect(s.sent).toHaveLength(1);
    expect(s.sent[0]!.method).toBe('GET');
    expect(s.sent[0]!.url.searchParams.has('query')).toBe(false);
  });

  it('rejects document text with PERSISTED_QUERY_ONLY, before any plex.tv call', async () => {
    const result = await s.text.mutation(SignInDocument, signInVariables).toPromise();
    expect(result.data).toBeUndefined();
    expect(errorCode(result)).toBe('PERSISTED_QUERY_ONLY');
    expect(result.error?.graphQLErrors[0]?.message).toMatch(/persisted operations only/);
    expect(s.sent[0]!.status).toBe(400);
    expect(s.sim.count()).toBe(0);
  });

  it('rejects an id that is not in the manifest; the APQ retry with the text is rejected too', async () => {
    const token = s.sim.issueToken(plain.login);
    const result = await s.persisted.query(AdHocDocument, {}, { fetchOptions: { headers: bearer(token) } }).toPromise();
    expect(errorCode(result)).toBe('PERSISTED_QUERY_ONLY');
    // First the id alone (PersistedQueryNotFound), then urql's retry with the document.
    expect(s.sent).toHaveLength(2);
    expect(s.sent[1]!.body?.['query'] ?? s.sent[1]!.url.searchParams.get('query')).toMatch(/AdHoc/);
    expect(s.sim.count()).toBe(0);
  });

  it('accepts a top-level documentId (GraphQL-over-HTTP trusted documents), with or without the sha256: prefix', async () => {
    for (const documentId of [signInHash, signInHash.replace(/^sha256:/, '')]) {
      const response = await fetch(`${s.server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ documentId, variables: signInVariables }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { data: { signIn: { __typename: string } } };
      expect(body.data.signIn.__typename).toBe('SignInSuccess');
    }
  });

  it('answers 400 PERSISTED_QUERY_NOT_FOUND for an unknown id, and 400 BAD_REQUEST for a request with neither id nor text', async () => {
    const post = (body: unknown) =>
      fetch(`${s.server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify(body),
      });
    const unknown = await post({ documentId: `sha256:${'0'.repeat(64)}` });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { errors: unknown[] }).errors).toEqual([
      {
        message:
          'No persisted operation has this id: send an id from the manifest the server was deployed with (npm run codegen writes operations/generated/persisted-documents.json).',
        extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
      },
    ]);
    // Sent the APQ way, the same miss answers the message APQ clients recognise.
    const apq = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } });
    expect(apq.status).toBe(400);
    expect(((await apq.json()) as { errors: unknown[] }).errors).toEqual([{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }]);
    const empty = await post({ variables: {} });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });
});

describe('PERSISTED_OPERATIONS=off (default)', () => {
  let s: Running;
  beforeAll(async () => {
    s = await start('off');
  });
  afterAll(() => s.close());
  afterEach(() => {
    s.sent.length = 0;
    s.sim.reset();
  });

  it('runs document text', async () => {
    const result = await s.text.mutation(SignInDocument, signInVariables).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data?.signIn.__typename).toBe('SignInSuccess');
    expect(s.sent[0]!.body?.['query']).toMatch(/mutation SignIn/);
  });

  it('also runs manifest ids', async () => {
    const result = await s.persisted.mutation(SignInDocument, signInVariables).toPromise();
    expect(result.data?.signIn.__typename).toBe('SignInSuccess');
    expect(s.sent).toHaveLength(1);
    expect(s.sent[0]!.body).not.toHaveProperty('query');
  });

  it('runs a document outside the manifest after the APQ miss', async () => {
    const token = s.sim.issueToken(plain.login);
    const result = await s.persisted.query(AdHocDocument, {}, { fetchOptions: { headers: bearer(token) } }).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data).toEqual({ viewer: { id: expect.any(String) } });
    expect(s.sent).toHaveLength(2);
  });
});

describe('the manifest', () => {
  it('holds every typed document codegen emits, under its id', () => {
    const manifest = loadManifest(testConfig('http://plex.invalid').persistedOperations.manifestPath);
    expect(manifest.get(signInHash.replace(/^sha256:/, ''))).toMatch(/\bmutation SignIn\(\$input: SignInInput!\)/);
    const viewerHash = (ViewerNameDocument as unknown as { __meta__: { hash: string } }).__meta__.hash;
    expect(manifest.get(viewerHash.replace(/^sha256:/, ''))).toMatch(/\bquery ViewerName\b/);
  });

  it('stops startup when it is missing or malformed', async () => {
    expect(() => loadManifest('/nonexistent/persisted-documents.json')).toThrow(
      'the persisted-operations manifest /nonexistent/persisted-documents.json does not exist. Run npm run codegen to write it, or set PERSISTED_OPERATIONS_MANIFEST to the path of a valid manifest.',
    );
    const badKeys = join(mkdtempSync(join(tmpdir(), 'manifest-')), 'persisted-documents.json');
    writeFileSync(badKeys, JSON.stringify({ ViewerName: 'query ViewerName { viewer { id } }' }));
    const sim = createPlexSimulator();
    await sim.listen(0, '127.0.0.1');
    try {
      await expect(
        startServer({
          config: testConfig(sim.url, { HOST: '127.0.0.1', PORT: '0', PERSISTED_OPERATIONS_MANIFEST: badKeys }),
          logger: capturingLogger().logger,
        }),
      ).rejects.toThrow(/has keys that are not sha256 digests \("sha256:<64 hex>"\): ViewerName\. Run npm run codegen/);
    } finally {
      await sim.close();
    }
  });

  it('PERSISTED_OPERATIONS accepts only off and only', () => {
    const loaded = loadConfig({ PERSISTED_OPERATIONS: 'sometimes' });
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.problems.join('\n')).toMatch(/^PERSISTED_OPERATIONS: /m);
  });
});
