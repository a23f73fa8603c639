import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { Kind, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../src/simulator/index.js';
import { JSON_HEADERS, startRealServer, type RealServer } from './support/servers.js';
import { subscribeSse, type SseEvent } from './support/sse.js';

/**
 * Every GraphQL example in the README and docs/ runs here against a real server and the simulator: ```graphql blocks,
 * GraphQL documents in the backtick strings of code blocks, and the JSON bodies of curl commands. An example fails when
 * it answers with an error, so the docs cannot drift from the schema.
 */

interface Example {
  readonly file: string;
  readonly source: string;
  readonly document: DocumentNode;
  readonly variables?: Record<string, unknown>;
  /** The docs show this example answering with errors (its documented output, `# {"errors":…}`). */
  readonly failing?: boolean;
}

const root = new URL('../', import.meta.url);
const files = ['README.md', ...readdirSync(new URL('docs/', root)).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

function executable(source: string): DocumentNode | null {
  try {
    const document = parse(source);
    return document.definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION) ? document : null;
  } catch {
    return null;
  }
}

function examplesOf(file: string): Example[] {
  const text = readFileSync(new URL(file, root), 'utf8');
  const found: Example[] = [];
  for (const block of text.matchAll(/```(\w*)\n([\s\S]*?)```/g)) {
    const [, language, body] = block as unknown as [string, string, string];
    if (language === 'graphql') {
      const document = executable(body);
      if (document) found.push({ file, source: body, document });
      continue;
    }
    // curl: the JSON body after -d.
    for (const data of body.matchAll(/-d '(\{[\s\S]*?\})'(.*\n(?:# (.*))?)?/g)) {
      const payload = JSON.parse(data[1]!) as { query: string; variables?: Record<string, unknown> };
      const document = executable(payload.query);
      const failing = data[3]?.startsWith('{"errors"') ?? false;
      if (document) found.push({ file, source: payload.query, document, failing, ...(payload.variables && { variables: payload.variables }) });
    }
    // GraphQL documents in the backtick strings of code samples; a string with ${…} is a template, not an example.
    for (const literal of body.matchAll(/`([^`]*)`/g)) {
      if (literal[1]!.includes('${')) continue;
      const document = executable(literal[1]!);
      if (document) found.push({ file, source: literal[1]!, document });
    }
  }
  // Inline code in the prose that names its operation type, e.g. "Run `query Viewer { viewer { username } }`".
  for (const inline of text.replace(/```[\s\S]*?```/g, '').matchAll(/`((?:query|mutation|subscription)\b[^`\n]+)`/g)) {
    const document = executable(inline[1]!);
    if (document) found.push({ file, source: inline[1]!, document });
  }
  return found;
}

const examples = files.flatMap(examplesOf);

let s: RealServer;
beforeAll(async () => {
  s = await startRealServer({ SIGN_IN_LOGIN_FAILURES_PER_MINUTE: '0', SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: '0' }, { limits: { pins: { pollIntervalMs: 50 } } });
});
afterAll(() => s.close());

async function createPin(): Promise<{ id: string; code: string }> {
  const result = await s.gql('mutation { createSignInPin { id code } }');
  return result.body.data.createSignInPin;
}

/** Values for the variables the examples declare, by type. */
async function variablesFor(operation: OperationDefinitionNode): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  let pin: { id: string; code: string } | undefined;
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    let type = definition.type;
    while (type.kind !== Kind.NAMED_TYPE) type = type.type;
    switch (type.name.value) {
      case 'SignInInput':
        values[name] = { login: DEMO_ACCOUNTS.plain.login, password: DEMO_ACCOUNTS.plain.password };
        break;
      case 'CreateSignInPinInput':
        values[name] = { forwardUrl: 'https://app.example/signed-in' };
        break;
      case 'ID':
      case 'String':
        pin ??= await createPin();
        values[name] = name === 'code' ? pin.code : pin.id;
        break;
      default:
        throw new Error(`no value for $${name} of type ${type.name.value}: add one to test/docs-examples.test.ts`);
    }
  }
  return values;
}

function sse(query: string, variables: Record<string, unknown>, token: string): AsyncGenerator<SseEvent> {
  return subscribeSse(s.url, query, variables, { authorization: `Bearer ${token}` });
}

/** The ```sh block of `file` that holds `marker`. */
function shellBlock(file: string, marker: string): string {
  const text = readFileSync(new URL(file, root), 'utf8');
  const block = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!).find((body) => body.includes(marker));
  if (block === undefined) throw new Error(`${file} has no sh block with ${marker}`);
  return block;
}

/**
 * Runs a shell snippet the way a reader's interactive shell does (no -e, no pipefail), against `url` instead of
 * localhost:4000, then one more command: the shell must still be there to run it, and it prints the snippet's status.
 */
async function runSnippet(script: string, url: string, edit: (script: string) => string = (same) => same) {
  const child = execFile('bash', ['-c', `${edit(script.replaceAll('http://localhost:4000', url))}\necho "status $?"`]);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number];
  expect(code).toBe(0);
  const [, output, status] = /^([\s\S]*)status (\d+)\n$/.exec(stdout) ?? expect.unreachable(`the shell did not get to the end: ${stdout}`);
  return { output: output!, status: Number(status), stderr };
}

const WRONG_PASSWORD = (script: string) => script.replace('demo-password', 'not-the-password');

describe('the token snippets', () => {
  const snippets = [
    { file: 'README.md', marker: '# try it', viewer: (body: string) => body },
    // Its block ends with `curl -s …/health` and the answer it documents.
    { file: 'docs/examples.md', marker: 'TOKEN=$(', viewer: (body: string) => body.replace(/\{"status":"ok"\}$/, '') },
  ];

  it('the README\'s and docs/examples.md\'s snippets are the ones that extract a token', () => {
    const extracting = files.flatMap((file) =>
      [...readFileSync(new URL(file, root), 'utf8').matchAll(/```sh\n([\s\S]*?)```/g)].filter((match) => /\w+=\$\(/.test(match[1]!)).map(() => file),
    );
    expect(extracting.sort()).toEqual(snippets.map((snippet) => snippet.file).sort());
  });

  for (const snippet of snippets) {
    it(`${snippet.file}: signs in, keeps the token and reads the account`, async () => {
      const { output, status, stderr } = await runSnippet(shellBlock(snippet.file, snippet.marker), s.url);
      expect(stderr).toBe('');
      expect(status).toBe(0);
      if (snippet.file === 'docs/examples.md') expect(output).toMatch(/\}\{"status":"ok"\}$/);
      expect(JSON.parse(snippet.viewer(output))).toEqual({
        data: { viewer: expect.objectContaining({ username: DEMO_ACCOUNTS.plain.username, email: DEMO_ACCOUNTS.plain.login, joinedAt: expect.any(String) }) },
      });
    });

    it(`${snippet.file}: a wrong password prints plex.tv's refusal, fails, and the account is never asked for`, async () => {
      const refusal = await s.gql('mutation { signIn(input: { login: "demo@example.com", password: "not-the-password" }) { ... on Error { message } } }');
      const message: string = refusal.body.data.signIn.message;
      const before = s.sim.count();
      const { output, status, stderr } = await runSnippet(shellBlock(snippet.file, snippet.marker), s.url, WRONG_PASSWORD);
      expect(stderr).toBe(`${message}\n`);
      expect(status).toBe(snippet.file === 'README.md' ? 1 : 0);
      expect(output).not.toContain('viewer');
      // The sign-in reached plex.tv; nothing after it did.
      expect(s.sim.count()).toBe(before + 1);
    });
  }

  it('README.md: plex.tv unreachable prints the server\'s message and fails', async () => {
    const closed = createNetServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await startRealServer({ PLEX_API_URL: `http://127.0.0.1:${port}` });
    try {
      const { output, status, stderr } = await runSnippet(shellBlock('README.md', '# try it'), unreachable.url);
      expect(status).toBe(1);
      expect(output).toBe('');
      expect(stderr).toMatch(/^[^\n]*plex\.tv[^\n]*\n$/);
      expect(stderr).not.toMatch(/TypeError|SyntaxError|undefined|at /);
      const answer = await unreachable.gql('mutation { signIn(input: { login: "demo@example.com", password: "demo-password" }) { __typename } }');
      expect(answer.body.errors[0].extensions.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(stderr).toBe(`${answer.body.errors[0].message as string}\n`);
    } finally {
      await unreachable.close();
    }
  });

  it('README.md: no server prints "no answer from the server" and fails', async () => {
    const closed = createNetServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { output, status, stderr } = await runSnippet(shellBlock('README.md', '# try it'), `http://127.0.0.1:${port}`);
    expect({ output, status, stderr }).toEqual({ output: '', status: 1, stderr: 'no answer from the server\n' });
  });
});

describe('GraphQL examples in the docs', () => {
  it('finds the examples (README and docs/)', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
  });

  for (const example of examples) {
    const operations = example.document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
    for (const operation of operations) {
      const label = `${example.file}: ${operation.operation} ${operation.name?.value ?? example.source.replace(/\s+/g, ' ').slice(0, 60)}`;
      it(`runs ${label}`, async () => {
        const token = s.sim.issueToken(DEMO_ACCOUNTS.plain.login);
        const variables = example.variables ?? (await variablesFor(operation));
        const operationName = operation.name?.value;
        if (operation.operation === 'subscription') {
          const events: { event: string; data: string }[] = [];
          for await (const event of sse(example.source, variables, token)) {
            events.push(event);
            const pinId = (variables['id'] as string | undefined) ?? /signInPin\(id: "(\d+)"/.exec(example.source)?.[1];
            if (events.length === 1 && pinId) s.sim.approvePin(pinId, DEMO_ACCOUNTS.plain.login);
            if (events.length > 5) break;
          }
          const first = JSON.parse(events[0]!.data) as { errors?: unknown };
          expect(first.errors).toBeUndefined();
          return;
        }
        const response = await fetch(`${s.url}/graphql`, {
          method: 'POST',
          headers: { ...JSON_HEADERS, authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: example.source, variables, ...(operationName && { operationName }) }),
        });
        const body = (await response.json()) as { data?: unknown; errors?: unknown };
        if (example.failing) {
          expect(body.errors).toBeDefined();
          return;
        }
        expect(body.errors).toBeUndefined();
        expect(body.data).toBeTruthy();
      });
    }
  }
});
