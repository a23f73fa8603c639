import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { getOperationAST, type ExecutionResult, type GraphQLError } from 'graphql';
import type { Config } from './config.js';
import { createContext, type Context } from './context.js';
import type { Logger } from './logger.js';
import { createPlexClient, type PlexClient, type PlexDiagnostic } from './plex/client.js';
import { subgraphSchema } from './schema/index.js';
import { offlineGraphiQL } from './graphiql.js';
import { createMetrics, type Metrics } from './metrics.js';
import { DEFAULT_MANIFEST, DOCUMENT_ID_PARAM, loadManifest, persistedDocument, persistedOperationId, usePersistedDocuments } from './persisted-operations.js';
import { createFastRoute, createKnownDocuments, type OperationOutcome } from './fast-route.js';
import { redactResult } from './security/sanitize.js';
import { useDemoPage } from './demo/page.js';
import { useSignInPins } from './sign-in-pins.js';
import { createSecurity } from './security/index.js';
import { createRequestLogging, requestIdOf, type RequestLogging } from './request-scope.js';
import { useCompiledExecution } from './compiled-execution.js';
import { useRequestBodyLimit } from './request-body-limit.js';
import { createViewerCache, useViewerCache } from './viewer-cache.js';

export interface ServerDeps {
  readonly config: Config;
  readonly logger: Logger;
  /** Injected in tests; built from config otherwise. */
  readonly plex?: PlexClient;
  /** This server's metrics; created when absent. An injected `plex` should feed them through its `onCall`. */
  readonly metrics?: Metrics;
}

export type YogaServer = YogaServerInstance<Record<string, unknown>, Context>;

const GRAPHIQL_DEFAULT_QUERY = `# Sign in (the simulator's demo account: demo@example.com / demo-password),
# then put the authToken in the Headers tab: {"Authorization": "Bearer <authToken>"}
mutation SignIn {
  signIn(input: { login: "demo@example.com", password: "demo-password" }) {
    __typename
    ... on SignInSuccess { authToken user { id username email joinedAt } }
    ... on Error { message }
  }
}

query Viewer {
  viewer { id username friendlyName email joinedAt subscription { active plan } }
}
`;

interface RequestState {
  readonly started: number;
  operationName?: string | null;
  context?: Context;
}

function firstErrorCode(result: ExecutionResult): string | undefined {
  const error = result.errors?.[0] as GraphQLError | undefined;
  if (!error) return undefined;
  const code = error.extensions?.['code'];
  return typeof code === 'string' ? code : 'ERROR';
}

function resultCode(result: ExecutionResult): string {
  const errorCode = firstErrorCode(result);
  if (errorCode) return errorCode;
  // For union results, the member is the outcome worth logging (e.g. InvalidCredentialsError).
  for (const value of Object.values(result.data ?? {})) {
    if (value && typeof value === 'object' && '__typename' in value) return String(value.__typename);
  }
  return 'OK';
}

/**
 * Logs an unexpected error (one Yoga masks as "Unexpected error.") with its request id, at any log level. Runs before
 * Yoga's masking, which would log the same error again without the id: those originals are remembered so that the
 * Yoga logging adapter skips them.
 */
function useUnexpectedErrorLog(requestLogging: RequestLogging, logged: WeakSet<object>): Plugin<Context> {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result }) {
          if (!('errors' in result) || !result.errors) return;
          for (const error of result.errors) {
            const original = error.originalError;
            if (!original || original.name === 'GraphQLError' || logged.has(original)) continue;
            logged.add(original);
            requestLogging.forRequest(args.contextValue.request).error({ err: original, path: error.path }, 'unexpected error');
          }
        },
      };
    },
  };
}

/** Echoes the request id as `x-request-id`, whether or not anything about the request is logged. */
function useRequestIdHeader(): Plugin<Context> {
  return {
    onResponse({ request, response, serverContext }) {
      const id = requestIdOf(request);
      // On Node's http server, set it on the ServerResponse: writeHead merges it, and the Response's headers stay
      // untouched, which keeps @whatwg-node/server on its single-writeHead fast path.
      const res = (serverContext as { res?: { setHeader?: unknown; headersSent?: boolean } } | undefined)?.res;
      if (res && typeof res.setHeader === 'function' && !res.headersSent) (res as ServerResponse).setHeader('x-request-id', id);
      else response.headers.set('x-request-id', id);
    },
  };
}

/** The operation's log line: name, duration, upstream calls and result. Never documents or variables. */
function logOperation(logger: Logger, outcome: OperationOutcome): void {
  logger.info(
    {
      requestId: requestIdOf(outcome.request),
      operationName: outcome.operationName,
      durationMs: Math.round((performance.now() - outcome.started) * 100) / 100,
      upstream: outcome.context?.upstream.map((call) => ({
        endpoint: call.endpoint,
        status: call.status,
        durationMs: Math.round(call.durationMs * 100) / 100,
      })) ?? [],
      result: resultCode(outcome.result),
    },
    'operation',
  );
}

/**
 * One structured log line per operation, with the request id. Never logs documents or variables. Its hooks run only
 * when the logger is at info or below when the server is created (production runs at warn, where they would cost a
 * few per cent of every request for lines that are dropped); the level is not changed at run time.
 */
function useOperationLog(logger: Logger): Plugin<Context> {
  if (!logger.isLevelEnabled('info')) return {};
  const requests = new WeakMap<Request, RequestState>();
  return {
    onRequest({ request }) {
      requests.set(request, { started: performance.now() });
    },
    onParams({ params, request }) {
      const state = requests.get(request);
      if (state) state.operationName = typeof params.operationName === 'string' ? params.operationName.slice(0, 100) : null;
    },
    onExecute({ args }) {
      const state = requests.get(args.contextValue.request);
      if (!state) return;
      state.context = args.contextValue;
      state.operationName ??= getOperationAST(args.document, args.operationName)?.name?.value ?? null;
    },
    onResultProcess({ request, result }) {
      const state = requests.get(request);
      // Nothing to build when the line would be dropped (production runs at warn).
      if (!state || !logger.isLevelEnabled('info') || Array.isArray(result) || !('data' in result || 'errors' in result)) return;
      logOperation(logger, { request, operationName: state.operationName ?? null, started: state.started, context: state.context, result: result as ExecutionResult });
    },
  };
}

function logDiagnostic(logger: Logger, event: PlexDiagnostic): void {
  logger.warn({ upstream: event }, `plex.tv ${event.endpoint}: ${event.problem}`);
}

/** The injected plex client, or one built from config that logs its diagnostics and feeds the server's metrics. */
function plexClientFor(deps: ServerDeps, metrics: Metrics): PlexClient {
  return (
    deps.plex ??
    createPlexClient({
      ...deps.config.plex,
      onDiagnostic: (event) => logDiagnostic(deps.logger, event),
      onCall: metrics.observePlexCall,
    })
  );
}

export function createYogaServer(deps: ServerDeps): YogaServer {
  return buildServer(deps).yoga;
}

interface BuiltServer {
  readonly yoga: YogaServer;
  /** The node:http request handler: the fast route in front of Yoga, or Yoga alone (FAST_ROUTE=off). */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Requests the fast route answered (0 when it is off). */
  readonly fastRouteServed: () => number;
}

function buildServer(deps: ServerDeps): BuiltServer {
  const { config, logger } = deps;
  const metrics = deps.metrics ?? createMetrics();
  const plex = plexClientFor(deps, metrics);
  const security = createSecurity(config.security, logger);
  const requestLogging = createRequestLogging(logger);
  const loggedErrors = new WeakSet<object>();
  const alreadyLogged = (arg: unknown): boolean => {
    if (!(arg instanceof Error)) return false;
    const original: unknown = (arg as { originalError?: unknown }).originalError;
    return loggedErrors.has(arg) || (original instanceof Error && loggedErrors.has(original));
  };
  const onDiagnostic = (request: Request, event: PlexDiagnostic) => logDiagnostic(requestLogging.forRequest(request), event);
  const viewerCache = createViewerCache(config.viewerCache, metrics.observeViewerCacheLookup);
  const manifest = loadManifest(config.persistedOperations.manifestPath ?? DEFAULT_MANIFEST);
  const known = createKnownDocuments();
  const yoga = createYoga<Record<string, unknown>, Context>({
    ...security.yogaOptions,
    // Enforced by useRequestBodyLimit below without piping every body through a stream.
    maxRequestBodySize: false,
    // Served as an Apollo Federation v2 subgraph: plain clients see the same API plus `_service` and `_entities`.
    schema: subgraphSchema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    context: (initial) => createContext(initial, plex, onDiagnostic, viewerCache),
    // Never include stack traces or original errors, whatever NODE_ENV says.
    maskedErrors: { isDev: false },
    logging: {
      debug: (...args) => logger.debug({ detail: args }),
      info: (...args) => logger.info({ detail: args }),
      warn: (...args) => logger.warn({ detail: args }),
      error: (...args) => args.some(alreadyLogged) ? undefined : logger.error({ err: args.find((arg) => arg instanceof Error), detail: args.filter((arg) => !(arg instanceof Error)) }),
    },
    graphiql: config.security.graphiql && {
      title: 'Plex account GraphQL',
      defaultQuery: GRAPHIQL_DEFAULT_QUERY,
      headers: JSON.stringify({ Authorization: 'Bearer <authToken from signIn>' }, null, 2),
      // Plex tokens are long-lived account credentials: keep them out of the browser's localStorage unless the user opts in.
      shouldPersistHeaders: false,
    },
    // GraphiQL's assets are served inline from node_modules: the page works without reaching a CDN.
    renderGraphiQL: offlineGraphiQL(),
    extraParamNames: [DOCUMENT_ID_PARAM],
    plugins: [
      ...requestLogging.plugins,
      useRequestBodyLimit(security.yogaOptions.maxRequestBodySize),
      useCompiledExecution(),
      ...security.plugins,
      usePersistedDocuments(config.persistedOperations, manifest),
      ...metrics.plugins,
      useRequestIdHeader(),
      useUnexpectedErrorLog(requestLogging, loggedErrors),
      useOperationLog(logger),
      useDemoPage(),
      useSignInPins({ plex, intervalMs: config.pins.pollIntervalMs, maxWatched: config.pins.maxWatched }),
      useViewerCache(viewerCache),
      known.plugin,
    ],
  });
  if (!config.fastRoute) return { yoga, handler: yoga, fastRouteServed: () => 0 };
  const handler = createFastRoute(yoga, {
    endpoint: '/graphql',
    maxBodyBytes: security.yogaOptions.maxRequestBodySize,
    known,
    persisted: {
      only: config.persistedOperations.mode === 'only',
      idOf: (params) => persistedOperationId(params),
      lookup: (id) => persistedDocument(manifest, id),
    },
    getEnveloped: yoga.getEnveloped as unknown as Parameters<typeof createFastRoute>[1]['getEnveloped'],
    redact: (result) => redactResult(result, config.security.hideSuggestions),
    cors: security.yogaOptions.cors,
    metrics,
    run: requestLogging.run,
    ...(security.requestLimit && { requestLimit: security.requestLimit }),
    ...(logger.isLevelEnabled('info') && { logOperation: (outcome: OperationOutcome) => logOperation(logger, outcome) }),
    onError: (request, error) => requestLogging.forRequest(request).error({ err: error }, 'unexpected error'),
  });
  return { yoga, handler, fastRouteServed: handler.served };
}

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  readonly yoga: YogaServer;
  /** Requests the fast route answered so far (0 when FAST_ROUTE=off). */
  fastRouteServed(): number;
  close(): Promise<void>;
}

export async function startServer(deps: ServerDeps): Promise<RunningServer> {
  const { config } = deps;
  const metrics = deps.metrics ?? createMetrics();
  const plex = plexClientFor(deps, metrics);
  const { yoga, handler, fastRouteServed } = buildServer({ ...deps, plex, metrics });
  const { requestTimeoutMs, shutdownTimeoutMs } = config.security;
  // A client gets requestTimeoutMs to send its whole request; slow-loris connections are cut.
  const server = createServer(
    {
      requestTimeout: requestTimeoutMs,
      headersTimeout: Math.min(requestTimeoutMs, 20_000),
      connectionsCheckingInterval: Math.max(100, Math.min(requestTimeoutMs / 4, 30_000)),
    },
    handler,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${address.port}`;
  return {
    url,
    server,
    yoga,
    fastRouteServed,
    async close() {
      // Stop accepting; requests in flight get SHUTDOWN_TIMEOUT_MS to finish, then what is left is cut.
      const force = setTimeout(() => server.closeAllConnections(), shutdownTimeoutMs);
      force.unref();
      const closed = new Promise<void>((resolve) => {
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      // Disposing ends open subscriptions (SSE streams), which would otherwise hold server.close() open forever.
      await yoga.dispose();
      // Streams that just ended leave keep-alive connections behind; close each as soon as it is idle.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      await closed;
      clearInterval(sweep);
      await plex.close();
    },
  };
}
