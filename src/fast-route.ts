import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError, Kind, type DocumentNode, type ExecutionResult, type OperationTypeNode } from 'graphql';
import { getCORSHeadersByRequestAndOptions } from '@whatwg-node/server';
import { createGraphQLError, maskError, type CORSOptions, type Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import type { Context } from './context.js';
import type { HttpLabels } from './metrics.js';
import { requestIdOf } from './request-scope.js';

/**
 * The fast route: a POST of a document this server has already run is served straight from Node's request, without
 * Yoga's HTTP layer (a WHATWG Request and Response per request, URL parsing, the request parser and the per-request
 * hook chains). The GraphQL part is Yoga's own: the same envelop instance parses (from its cache), builds the context
 * and executes, with every envelop plugin (masking, compiled execution, metrics, the unexpected-error log, the sign-in
 * throttle, the viewer cache). What Yoga's HTTP layer does for such a request is done here, to the same effect: body
 * limit, per-address rate limit, persisted-operation rules, CORS headers, the request id header, error redaction,
 * status code and media type, the HTTP duration metric and the operation log line.
 *
 * Anything else goes to Yoga untouched, or with its already-read body, before anything has run: a document seen for
 * the first time, GET and preflight requests, other content types, chunked bodies, other Accept values, batches,
 * unknown parameters, unknown operation names, subscriptions, documents that never passed validation. Only documents
 * that Yoga itself parsed, validated and executed become known, so every document answered here has passed the same
 * limits (depth, aliases, cost, tokens, one signIn, introspection) under the same configuration; it is not validated
 * again.
 */

export interface KnownDocuments {
  /** Records each document Yoga executes. Add it to Yoga's plugins. */
  readonly plugin: Plugin;
  /** The operation type of `operationName` in a known document text; undefined when unknown. */
  operationType(text: string, operationName: string | null | undefined): OperationTypeNode | undefined;
}

/** Documents longer than this are served by Yoga every time; keeps the memory of known documents bounded. */
const MAX_KNOWN_LENGTH = 16_384;

function operationTypes(document: DocumentNode): Map<string, OperationTypeNode> {
  const types = new Map<string, OperationTypeNode>();
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  for (const operation of operations) if (operation.name) types.set(operation.name.value, operation.operation);
  // Without an operation name, a document runs its only operation (graphql-js getOperationAST).
  if (operations.length === 1) types.set('', operations[0]!.operation);
  return types;
}

export function createKnownDocuments(max = 1_000): KnownDocuments {
  const known = new LRUCache<string, Map<string, OperationTypeNode>>({ max });
  return {
    plugin: {
      onExecute({ args }) {
        // The text Yoga parsed: after the persisted-operations plugin has put a document id's text in its place.
        const query = (args.contextValue as { params?: { query?: unknown } }).params?.query;
        if (typeof query === 'string' && query.length <= MAX_KNOWN_LENGTH && !known.has(query)) known.set(query, operationTypes(args.document));
      },
    },
    operationType: (text, operationName) => known.get(text)?.get(operationName ?? ''),
  };
}

const PROCESSOR_MEDIA_TYPES = [['text/event-stream'], ['multipart/mixed'], ['application/graphql-response+json', 'application/json']];

const mediaTypes = new LRUCache<string, 'application/json' | 'application/graphql-response+json' | 'none'>({ max: 256 });

/** regularMediaType, remembered per Accept header (clients send the same few values again and again). */
function cachedMediaType(accept: string | undefined): 'application/json' | 'application/graphql-response+json' | null {
  if (accept === undefined || accept.length > 256) return regularMediaType(accept);
  let chosen = mediaTypes.get(accept);
  if (chosen === undefined) {
    chosen = regularMediaType(accept) ?? 'none';
    mediaTypes.set(accept, chosen);
  }
  return chosen === 'none' ? null : chosen;
}

/** Which result processor Yoga would choose for this Accept header (its own algorithm): a media type, or null. */
export function regularMediaType(accept: string | undefined): 'application/json' | 'application/graphql-response+json' | null {
  const requested: string[] = [];
  for (const entry of (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',')) {
    const [mediaType, ...parameters] = entry.split(';');
    const charset = parameters.find((parameter) => parameter.includes('charset=')) ?? 'charset=utf-8';
    if (mediaType === undefined || charset !== 'charset=utf-8') continue;
    requested.push(mediaType);
  }
  requested.reverse();
  const matches = (asked: string, offered: string) => {
    const [askedType, askedSubtype] = asked.split('/');
    const [type, subtype] = offered.split('/');
    return (type === '*' || type === askedType) && (subtype === '*' || subtype === askedSubtype);
  };
  // Yoga's processors, in its order, each with its media types; the last match wins.
  let chosen: string | null = null;
  for (const offers of PROCESSOR_MEDIA_TYPES) {
    for (const asked of requested) for (const offered of offers) if (matches(offered, asked)) chosen = offered;
  }
  return chosen === 'application/json' || chosen === 'application/graphql-response+json' ? chosen : null;
}

/** The subset of a WHATWG Request that this server's context, plugins and loggers read. */
class NodeRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: { get(name: string): string | null; has(name: string): boolean };
  constructor(req: IncomingMessage, url: string) {
    this.method = req.method ?? 'POST';
    this.url = url;
    const raw: IncomingHttpHeaders = req.headers;
    this.headers = {
      get(name) {
        const value = raw[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
      has: (name) => raw[name.toLowerCase()] !== undefined,
    };
  }
}

interface Params {
  query: string;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | null | undefined;
  extensions: Record<string, unknown> | null | undefined;
}

const PARAM_NAMES = new Set(['query', 'operationName', 'variables', 'extensions', 'documentId']);
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** What the fast route can serve, with the persisted-operation rules applied; null sends the request to Yoga. */
function fastParams(body: Buffer, persisted: FastRouteOptions['persisted']): Params | null {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (!isPlainObject(raw)) return null;
  for (const key in raw) if (!PARAM_NAMES.has(key)) return null;
  const { query, operationName, variables, extensions } = raw;
  if (operationName != null && typeof operationName !== 'string') return null;
  if (variables != null && !isPlainObject(variables)) return null;
  if (extensions != null && !isPlainObject(extensions)) return null;
  for (const key in extensions ?? {}) if (key !== 'persistedQuery') return null;
  const id = persisted.idOf(raw);
  let text: string | null;
  if (id !== null) {
    // A document id with its text is an APQ registration; an unknown id gets Yoga's PersistedQueryNotFound.
    text = query === undefined ? persisted.lookup(id) : null;
  } else {
    if (extensions?.['persistedQuery'] !== undefined || raw['documentId'] !== undefined) return null;
    // PERSISTED_OPERATIONS=only: Yoga refuses document text.
    text = typeof query === 'string' && !persisted.only ? query : null;
  }
  return text === null ? null : { query: text, operationName, variables, extensions };
}

// Yoga's result processing for one result, as in graphql-yoga's processRegularResult and getResponseInitByRespectingErrors.
function isOriginalGraphQLError(error: unknown): boolean {
  if (error instanceof GraphQLError) return error.originalError == null ? true : isOriginalGraphQLError(error.originalError);
  return false;
}

interface HttpExtensions {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly spec?: boolean;
}

function responseInit(result: ExecutionResult, headers: Record<string, string>, isApplicationJson: boolean): number {
  let status: number | undefined;
  let unexpected = false;
  const resultHttp = result.extensions?.['http'] as HttpExtensions | undefined;
  if (resultHttp) {
    if (resultHttp.headers) Object.assign(headers, resultHttp.headers);
    if (resultHttp.status) status = resultHttp.status;
  }
  if (result.errors?.length) {
    for (const error of result.errors) {
      const http = error.extensions?.['http'] as HttpExtensions | undefined;
      if (http) {
        if (http.headers) Object.assign(headers, http.headers);
        if (isApplicationJson && http.spec) continue;
        if (http.status && (!status || http.status > status)) status = http.status;
      } else if (!isOriginalGraphQLError(error) || error.extensions?.['unexpected']) {
        unexpected = true;
      }
    }
  } else {
    status ||= 200;
  }
  return status || (unexpected && !('data' in result) ? 500 : 200);
}

function withoutInternals(error: GraphQLError): GraphQLError {
  const serialized = error.toJSON();
  const { http: _http, unexpected: _unexpected, ...extensions } = serialized.extensions ?? {};
  return createGraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError instanceof GraphQLError ? withoutInternals(error.originalError) : (error.originalError ?? undefined),
    extensions: Object.keys(extensions).length ? extensions : undefined,
  });
}

function serialize(result: ExecutionResult & { stringify?: (value: unknown) => string }): string {
  let sanitized: ExecutionResult = result;
  if (result.errors?.length || result.extensions?.['http']) {
    sanitized = { ...result };
    if (sanitized.errors) sanitized.errors = sanitized.errors.map((error) => (error instanceof GraphQLError ? withoutInternals(error) : error));
    if (result.extensions) {
      const { http: _http, ...extensions } = result.extensions;
      sanitized.extensions = Object.keys(extensions).length ? extensions : undefined;
    }
  }
  return (result.stringify ?? JSON.stringify)(sanitized);
}

export interface OperationOutcome {
  readonly request: Request;
  readonly operationName: string | null;
  readonly started: number;
  readonly context: Context | undefined;
  readonly result: ExecutionResult;
}

export interface FastRouteOptions {
  readonly endpoint: string;
  readonly maxBodyBytes: number;
  readonly known: KnownDocuments;
  readonly persisted: {
    readonly only: boolean;
    idOf(params: Record<string, unknown>): string | null;
    lookup(id: string): string | null;
  };
  readonly getEnveloped: (context: Record<string, unknown>) => {
    parse(source: string): DocumentNode;
    contextFactory(): Context | Promise<Context>;
    execute(args: Record<string, unknown>): unknown;
    schema: unknown;
  };
  readonly redact: (result: ExecutionResult) => ExecutionResult;
  /** Yoga's `cors` option: the CORS headers of a cross-origin request are computed as Yoga's server adapter does. */
  readonly cors: (request: Request) => CORSOptions;
  readonly metrics: {
    requestStarted(request: Request): void;
    observeHttp(labels: HttpLabels, seconds: number): void;
  };
  readonly run: <T>(request: Request, serve: () => T) => T;
  /**
   * The per-address request limit (RATE_LIMIT_PER_MINUTE), when on: counts the request (Yoga's plugin then skips it)
   * and resolves to the seconds to wait when it is over, or null.
   */
  readonly requestLimit?: {
    consume(request: Request, req: IncomingMessage): Promise<number | null>;
    refusal(retryAfterSeconds: number, accept: string): { body: string; headers: Record<string, string> };
  };
  /** Called with each answered operation, as Yoga's operation log plugin would be; omit when nothing is logged. */
  readonly logOperation?: (outcome: OperationOutcome) => void;
  /** Logs an error of the fast route itself (never expected); the client gets a masked "Unexpected error.". */
  readonly onError: (request: Request, error: unknown) => void;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface FastRouteHandler extends Handler {
  /** Requests answered by the fast route so far (the rest went to Yoga). */
  readonly served: () => number;
}

const DIGITS = /^\d+$/;
const JSON_CONTENT_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** Wraps Yoga's node handler: serves what it can (see above) and hands everything else to `yoga`. */
export function createFastRoute(yoga: Handler, options: FastRouteOptions): FastRouteHandler {
  const { endpoint, maxBodyBytes, known, persisted } = options;
  let served = 0;

  async function serve(
    req: IncomingMessage,
    res: ServerResponse,
    request: Request,
    params: Params,
    operationType: OperationTypeNode,
    mediaType: string,
  ): Promise<void> {
    const started = performance.now();
    served += 1;
    options.metrics.requestStarted(request);
    // The context object Yoga gives envelop: its server context plus the request and the parameters.
    const initial: Record<string, unknown> = { req, res, request, params };
    let contextValue: Context | undefined;
    let operationName: string | undefined;
    let result: ExecutionResult;
    try {
      result = await options.run(request, async () => {
        const enveloped = options.getEnveloped(initial);
        // Parsed through envelop (from Yoga's cache) so that the plugins' parse hooks run as for any request. Not
        // validated again: a known document passed validation when Yoga ran it, and validation depends only on the
        // document and the schema.
        const document = enveloped.parse(params.query);
        for (const definition of document.definitions) {
          if (definition.kind === Kind.OPERATION_DEFINITION && (params.operationName == null || definition.name?.value === params.operationName)) {
            operationName = definition.name?.value;
            break;
          }
        }
        contextValue = await enveloped.contextFactory();
        return (await enveloped.execute({
          schema: enveloped.schema,
          document,
          contextValue,
          variableValues: params.variables,
          operationName: params.operationName,
        })) as ExecutionResult;
      });
    } catch (error) {
      options.onError(request, error);
      result = { errors: [maskError(error, 'Unexpected error.', false) as GraphQLError] };
    }
    result = options.redact(result);
    const headers: Record<string, string> = { 'Content-Type': `${mediaType}; charset=utf-8` };
    const isApplicationJson =
      mediaType === 'application/json' &&
      !!result.errors?.some((error) => error instanceof GraphQLError) &&
      result.errors.some((error) => !error.extensions?.['originalError'] || error.extensions['originalError'] instanceof GraphQLError);
    const status = responseInit(result, headers, isApplicationJson);
    if (req.headers.origin !== undefined) {
      const cors = getCORSHeadersByRequestAndOptions(request, options.cors(request));
      if (cors !== null) Object.assign(headers, cors);
    }
    const body = serialize(result);
    if (!res.headersSent) {
      headers['Content-Length'] = String(Buffer.byteLength(body));
      res.setHeader('x-request-id', requestIdOf(request));
      res.writeHead(status, headers);
    }
    res.end(body);
    options.metrics.observeHttp(
      { method: 'POST', statusCode: status, operationName: operationName ?? 'Anonymous', operationType },
      (performance.now() - started) / 1000,
    );
    options.logOperation?.({ request, operationName: params.operationName?.slice(0, 100) ?? operationName ?? null, started, context: contextValue, result });
  }

  function toYoga(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    // @whatwg-node/server reads a body already taken from the stream from `req.body`.
    (req as IncomingMessage & { body?: Buffer }).body = body;
    yoga(req, res);
  }

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const headers = req.headers;
    const length = headers['content-length'];
    if (
      req.method !== 'POST' ||
      req.url !== endpoint ||
      length === undefined ||
      headers['transfer-encoding'] !== undefined ||
      !JSON_CONTENT_TYPE.test(headers['content-type'] ?? '') ||
      !DIGITS.test(length)
    ) {
      yoga(req, res);
      return;
    }
    const size = Number(length);
    const mediaType = cachedMediaType(headers.accept);
    if (size === 0 || size > maxBodyBytes || mediaType === null) {
      yoga(req, res);
      return;
    }
    const request = new NodeRequest(req, `http://${headers.host ?? 'localhost'}${endpoint}`) as unknown as Request;
    const { requestLimit } = options;
    if (requestLimit === undefined) {
      readAndServe(req, res, request, mediaType);
      return;
    }
    requestLimit.consume(request, req).then(
      (wait) => {
        if (wait === null) {
          readAndServe(req, res, request, mediaType);
          return;
        }
        const refusal = requestLimit.refusal(wait, headers.accept ?? '');
        res.setHeader('x-request-id', requestIdOf(request));
        res.writeHead(429, refusal.headers);
        res.end(refusal.body);
        // The body is not read: drop the connection's remaining bytes rather than parse them.
        req.resume();
      },
      (error: unknown) => {
        options.onError(request, error);
        yoga(req, res);
      },
    );
  };
  return Object.assign(handle, { served: () => served });

  function readAndServe(req: IncomingMessage, res: ServerResponse, request: Request, mediaType: 'application/json' | 'application/graphql-response+json'): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const params = fastParams(body, persisted);
      const operationType = params ? known.operationType(params.query, params.operationName) : undefined;
      if (!params || operationType === undefined || operationType === 'subscription') {
        toYoga(req, res, body);
        return;
      }
      serve(req, res, request, params, operationType, mediaType).catch((error: unknown) => {
        options.onError(request, error);
        if (res.headersSent) {
          res.destroy();
          return;
        }
        res.writeHead(500, { 'Content-Type': `${mediaType}; charset=utf-8` });
        res.end(JSON.stringify({ errors: [{ message: 'Unexpected error.' }] }));
      });
    });
  }
}
