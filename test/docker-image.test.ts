import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * What the README's Docker lines promise, without Docker: the compiled server (`node dist/main.js --mock`, the image's
 * entry point) with the environment the Dockerfile's runtime stage sets, plus the `-e` variables the README names.
 */

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The ENV of the Dockerfile's last stage (`ENV A=1 \ B=2`), as the image's processes see it. */
function imageEnvironment(): Record<string, string> {
  const dockerfile = readFileSync(new URL('Dockerfile', `file://${ROOT}`), 'utf8').replace(/\\\n/g, ' ');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const env: Record<string, string> = {};
  for (const line of runtime.split('\n').filter((text) => text.startsWith('ENV '))) {
    for (const [, name, value] of line.slice(4).matchAll(/(\w+)=(\S+)/g)) env[name!] = value!;
  }
  return env;
}

/** The `-e NAME=value` options of the README's `docker run … --mock` line. */
function readmeDockerOptions(): Record<string, string> {
  const readme = readFileSync(new URL('README.md', `file://${ROOT}`), 'utf8');
  const line = readme.split('\n').find((text) => text.startsWith('docker run') && text.includes('--mock'));
  if (line === undefined) throw new Error('README.md has no `docker run … --mock` line');
  return Object.fromEntries([...line.matchAll(/-e (\w+)=(\S+)/g)].map(([, name, value]) => [name!, value!]));
}

async function startImage(extra: Record<string, string>) {
  // The image listens on PORT 4000; here any free port, so that runs never collide.
  const env = { PATH: process.env['PATH'] ?? '', ...imageEnvironment(), ...extra, PORT: '0' };
  const child = spawn(process.execPath, ['dist/main.js', '--mock'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stdout += chunk));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${stdout}`)), 30_000);
    const check = () => {
      const match = /"demoPage":"(http:[^"]+)\/"/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', () => reject(new Error(`exited: ${stdout}`)));
  });
  return {
    base,
    async stop() {
      child.kill('SIGINT');
      await once(child, 'exit');
    },
  };
}

const introspect = (base: string) =>
  fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify({ query: getIntrospectionQuery({ inputValueDeprecation: true }), operationName: 'IntrospectionQuery' }),
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as { data?: IntrospectionQuery; errors?: unknown[] } }));

const graphiql = (base: string) => fetch(`${base}/graphql`, { headers: { accept: 'text/html' } });

beforeAll(() => {
  // `npm run build`, as the image's build stage does.
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}${result.stderr}`);
}, 180_000);

describe('the Docker image, run as the README says (node dist/main.js --mock with the image environment)', () => {
  it('the README turns on GraphiQL and introspection for trying it out', () => {
    expect(imageEnvironment()).toMatchObject({ NODE_ENV: 'production' });
    expect(readmeDockerOptions()).toEqual({ GRAPHQL_INTROSPECTION: 'true' });
  });

  it('serves the demo page, and GraphiQL that loads the schema', async () => {
    const image = await startImage(readmeDockerOptions());
    try {
      const demo = await fetch(`${image.base}/`, { headers: { accept: 'text/html' } });
      expect(demo.status).toBe(200);
      expect(demo.headers.get('content-type')).toMatch(/^text\/html/);
      const page = await graphiql(image.base);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Plex account GraphQL');
      // GraphiQL's first request: the introspection query its documentation explorer and editor are built from.
      const { status, body } = await introspect(image.base);
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      const schema = buildClientSchema(body.data!);
      expect(Object.keys(schema.getQueryType()!.getFields())).toContain('viewer');
      expect(Object.keys(schema.getMutationType()!.getFields())).toContain('signIn');
    } finally {
      await image.stop();
    }
  }, 60_000);

  it('without that variable, the image serves neither GraphiQL nor the schema (production)', async () => {
    const image = await startImage({});
    try {
      const page = await graphiql(image.base);
      expect(page.status).not.toBe(200);
      expect(await page.text()).not.toContain('Plex account GraphQL');
      const { body } = await introspect(image.base);
      expect(body.data).toBeUndefined();
      expect(body.errors).toBeDefined();
    } finally {
      await image.stop();
    }
  }, 60_000);
});
