import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { createGraphQLError, type GraphQLParams, type Plugin } from 'graphql-yoga';
import { z } from 'zod';
import type { Config } from '../config.js';
import { BAD_REQUEST_HTTP, ErrorCode, StartupError } from '../errors.js';

/** The top-level request parameter, besides the APQ-style extension, that carries a document id. */
export const DOCUMENT_ID_PARAM = 'documentId';

// Codegen writes keys as `sha256:<hex>`; ids are looked up by the hex digest, with or without that prefix.
const SHA256_ID = /^(?:sha256:)?([0-9a-f]{64})$/;
const ManifestSchema = z.record(z.string(), z.string().min(1, 'must be a GraphQL document'));
/** Document text by sha256 hex digest. */
export type Manifest = ReadonlyMap<string, string>;

const REGENERATE = 'Run npm run codegen to write it, or set PERSISTED_OPERATIONS_MANIFEST to the path of a valid manifest';

/** Why a manifest file could not be read, in words. */
function unreadable(error: NodeJS.ErrnoException): { problem: string; fix: string } {
  switch (error.code) {
    case 'ENOENT':
      return { problem: 'does not exist', fix: REGENERATE };
    case 'EACCES':
    case 'EPERM':
      return { problem: 'is not readable by this user', fix: 'Make it readable, or set PERSISTED_OPERATIONS_MANIFEST to a readable copy' };
    case 'EISDIR':
      return { problem: 'is a directory', fix: 'Set PERSISTED_OPERATIONS_MANIFEST to the manifest file itself' };
    default:
      return { problem: `cannot be read (${error.code ?? error.message})`, fix: REGENERATE };
  }
}

/**
 * Reads and checks a `{ "<sha256>": "<document>" }` manifest. Throws a StartupError naming the problem and the fix: a bad
 * manifest must stop startup.
 */
export function loadManifest(path: string): Manifest {
  const shown = path.startsWith(`${process.cwd()}/`) ? relative(process.cwd(), path) : path;
  function fail(problem: string, fix: string, cause?: unknown): never {
    throw new StartupError(`the persisted-operations manifest ${shown} ${problem}`, fix, { cause });
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const { problem, fix } = unreadable(error as NodeJS.ErrnoException);
    fail(problem, fix, error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    fail('is not valid JSON', REGENERATE, error);
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || 'top level'}: ${issue.message}`);
    fail(`is not a { "sha256:<hex>": "<document>" } map (${issues.join('; ')})`, REGENERATE);
  }
  const badKeys = Object.keys(parsed.data).filter((id) => !SHA256_ID.test(id));
  if (badKeys.length > 0) {
    fail(`has keys that are not sha256 digests ("sha256:<64 hex>"): ${badKeys.slice(0, 5).join(', ')}`, REGENERATE);
  }
  return new Map(Object.entries(parsed.data).map(([id, document]) => [SHA256_ID.exec(id)![1]!, document]));
}

/**
 * The document id of a request: `extensions.persistedQuery.sha256Hash` (what Apollo Client's persisted-queries link
 * and urql's persistedExchange send) or a top-level `documentId` (GraphQL-over-HTTP trusted documents). Either may
 * be the bare hex digest or `sha256:<hex>`, as codegen writes it in each typed document's `__meta__.hash`.
 */
export function persistedOperationId(params: GraphQLParams): string | null {
  const persistedQuery = (params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | undefined)?.persistedQuery;
  if (persistedQuery?.version === 1 && typeof persistedQuery.sha256Hash === 'string') return persistedQuery.sha256Hash;
  const documentId = (params as GraphQLParams & { [DOCUMENT_ID_PARAM]?: unknown })[DOCUMENT_ID_PARAM];
  return typeof documentId === 'string' ? documentId : null;
}

/** The document of a persisted-operation id (`<hex>` or `sha256:<hex>`), or null when the manifest has none. */
export function persistedDocument(manifest: Manifest, id: string): string | null {
  const digest = SHA256_ID.exec(id)?.[1];
  return digest === undefined ? null : (manifest.get(digest) ?? null);
}

const badRequest = { http: BAD_REQUEST_HTTP };

/**
 * Trusted documents. `off`: any document runs, and ids from the manifest are accepted too. `only`: only documents
 * in the manifest run; any document text is refused with PERSISTED_QUERY_ONLY.
 */
export function usePersistedDocuments(options: Config['persistedOperations'], manifest = loadManifest(options.manifestPath)): Plugin {
  const only = options.mode === 'only';
  return usePersistedOperations({
    allowArbitraryOperations: !only,
    extractPersistedOperationId: persistedOperationId,
    getPersistedOperation: (id) => persistedDocument(manifest, id),
    customErrors: {
      persistedQueryOnly: {
        message: 'This server runs persisted operations only: send the document id (extensions.persistedQuery.sha256Hash or documentId) instead of the document.',
        extensions: { code: ErrorCode.PERSISTED_QUERY_ONLY, ...badRequest },
      },
      // An id sent the APQ way (extensions.persistedQuery) gets the message APQ clients recognise (urql matches the
      // message alone) and then retry with the document text; a documentId gets a sentence. Both carry the same code.
      notFound: ({ params }) =>
        createGraphQLError(
          (params.extensions as { persistedQuery?: unknown } | undefined)?.persistedQuery === undefined
            ? `No persisted operation has this id: send an id from the manifest the server was deployed with (npm run codegen writes operations/generated/persisted-documents.json)${only ? '' : ', or the document text as query'}.`
            : 'PersistedQueryNotFound',
          { extensions: { code: ErrorCode.PERSISTED_QUERY_NOT_FOUND, ...badRequest } },
        ),
      // Neither a document nor an id: the same answer as without this plugin.
      keyNotFound: {
        message: only ? 'Must provide a persisted document id (extensions.persistedQuery.sha256Hash or documentId).' : 'Must provide query string.',
        extensions: { code: ErrorCode.BAD_REQUEST, http: { ...badRequest.http, headers: { Allow: 'GET, POST' } } },
      },
    },
  });
}
