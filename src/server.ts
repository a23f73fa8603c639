import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useDisableIntrospection } from '@envelop/disable-introspection';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Config } from './config.js';
import { createContext, type Context } from './context.js';
import type { Logger } from './observability/logger.js';
import { createMetrics, operationNames, type Metrics } from './observability/metrics.js';
import { createPlexClient, logDiagnostic, type PlexClient, type PlexDiagnostic } from './plex/client.js';
import { createPinWatcher } from './plex/pin-watcher.js';
import { createPlexAuth } from './plex/token-auth.js';
import { createViewerCache } from './plex/viewer-cache.js';
import { corsPolicy } from './plugins/cors.js';
import { useCsrfProtection } from './plugins/csrf.js';
import { useDemoPage } from './plugins/demo-page.js';
import { useEntitiesLimits } from './plugins/entities-limits.js';
import { offlineGraphiQL } from './plugins/graphiql.js';
import { useHiddenSubgraphSdl } from './plugins/hidden-subgraph-sdl.js';
import { useNoBatching } from './plugins/no-batching.js';
import { useHeaderLimit } from './plugins/header-limit.js';
import { useNoStore } from './plugins/no-store.js';
import { useOperationLimits } from './plugins/operation-limits.js';
import { useOperationLog } from './plugins/operation-log.js';
import { usePlexCallBudget } from './plugins/plex-call-budget.js';
import { DEFAULT_MANIFEST, DOCUMENT_ID_PARAM, loadManifest, usePersistedDocuments } from './plugins/persisted-operations.js';
import { useRequestRateLimit } from './plugins/rate-limit.js';
import { useRedactedErrors } from './plugins/redacted-errors.js';
import { useRequestIdHeader } from './plugins/request-id.js';
import { useSignInPins } from './plugins/sign-in-pins.js';
import { useSignInThrottle } from './plugins/sign-in-throttle.js';
import { useUnexpectedErrorLog } from './plugins/unexpected-error-log.js';
import { subgraphSchema } from './schema/index.js';
import { clientAddressResolver, isTrustedProxy } from './security/client-address.js';
import { limitConnections } from './security/connection-limits.js';
import { createThrottles } from './security/throttle.js';

export interface ServerDeps {
  readonly config: Config;
  readonly logger: Logger;
  /** Injected in tests; built from config otherwise. */
  readonly plex?: PlexClient;
  /** This server's metrics; created when absent. An injected `plex` should feed them through its `onCall`. */
  readonly metrics?: Metrics;
  /** The clock of token checks and device JWTs; Date.now when absent. Injected in tests (with the simulator's). */
  readonly now?: () => number;
}

export type YogaServer = YogaServerInstance<Record<string, unknown>, Context>;

const GRAPHQL_ENDPOINT = '/graphql';

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

/** The Yoga server: every request, every plugin, in the order listed below. */
export function createYogaServer(deps: ServerDeps): YogaServer {
  const { config, logger } = deps;
  const { security } = config;
  const manifest = loadManifest(config.persistedOperations.manifestPath ?? DEFAULT_MANIFEST);
  const metrics = deps.metrics ?? createMetrics(operationNames(manifest.values()));
  const now = deps.now ?? Date.now;
  const onDiagnostic = (event: PlexDiagnostic) => logDiagnostic(logger, event);
  const plex = deps.plex ?? createPlexClient({ ...config.plex, onDiagnostic, onCall: metrics.observePlexCall, now });
  const throttles = createThrottles(security, logger);
  const clientAddress = clientAddressResolver(security.trustProxy);
  const viewerCache = createViewerCache(config.viewerCache, metrics.observeViewerCacheLookup);
  // PLEX_AUTH_MODE: how PINs sign in (a device per PIN in jwt mode), local JWT checks and refresh.
  const auth = createPlexAuth({ plex, auth: config.auth, redis: security.redis, logger, now, onDiagnostic });
  const pinWatcher = createPinWatcher({ plex, signIns: auth.pinSignIns, intervalMs: config.pins.pollIntervalMs, maxWatched: config.pins.maxWatched });
  // Errors the unexpected-error plugin logged with their request id; Yoga's own logging skips them.
  const loggedErrors = new WeakSet<object>();
  const alreadyLogged = (arg: unknown): boolean => {
    if (!(arg instanceof Error)) return false;
    const original: unknown = (arg as { originalError?: unknown }).originalError;
    return loggedErrors.has(arg) || (original instanceof Error && loggedErrors.has(original));
  };

  return createYoga<Record<string, unknown>, Context>({
    // Served as an Apollo Federation v2 subgraph: plain clients see the same API plus `_service` and `_entities`.
    schema: subgraphSchema,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    healthCheckEndpoint: '/health',
    landingPage: false,
    context: (initial) => createContext(initial, plex, logger, viewerCache, auth.services),
    cors: corsPolicy(security.corsOrigins),
    batching: false,
    maxRequestBodySize: security.maxRequestBodyBytes,
    // Never include stack traces or original errors, whatever NODE_ENV says.
    maskedErrors: { isDev: false },
    // Yoga's own step-by-step lines know no request: they are trace, below the lines of ours that carry a request id.
    logging: {
      debug: (...args) => logger.trace({ detail: args }),
      info: (...args) => logger.info({ detail: args }),
      warn: (...args) => logger.warn({ detail: args }),
      error: (...args) =>
        args.some(alreadyLogged) ? undefined : logger.error({ err: args.find((arg) => arg instanceof Error), detail: args.filter((arg) => !(arg instanceof Error)) }),
    },
    graphiql: security.graphiql && {
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
      useHeaderLimit(security.maxRequestHeaders),
      useRequestIdHeader(),
      useNoStore(GRAPHQL_ENDPOINT),
      ...(throttles.consumeRequest ? [useRequestRateLimit(throttles.consumeRequest, clientAddress, GRAPHQL_ENDPOINT)] : []),
      useCsrfProtection(),
      useNoBatching(),
      useOperationLimits(security.limits, security.hideSuggestions),
      usePlexCallBudget(),
      useEntitiesLimits(subgraphSchema, security.limits),
      ...(security.introspection ? [] : [useDisableIntrospection() as Plugin]),
      ...(security.subgraphSdl ? [] : [useHiddenSubgraphSdl()]),
      useSignInThrottle(throttles, clientAddress) as Plugin,
      useRedactedErrors({ hideSuggestions: security.hideSuggestions }),
      usePersistedDocuments(config.persistedOperations, manifest),
      ...metrics.plugins,
      useUnexpectedErrorLog(logger, loggedErrors),
      useOperationLog(logger),
      useDemoPage(),
      useSignInPins(pinWatcher, auth.pinSignIns),
      {
        // Yoga's dispose (and so every server shutdown) releases what the server holds.
        async onDispose() {
          pinWatcher.close();
          viewerCache?.dispose();
          await throttles.close();
          await auth.close();
          if (deps.plex === undefined) await plex.close();
        },
      },
    ],
  });
}

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  readonly yoga: YogaServer;
  close(): Promise<void>;
}

/** The Yoga server on node:http, with the connection timeouts set and a graceful close. */
export async function startServer(deps: ServerDeps): Promise<RunningServer> {
  const { config } = deps;
  const yoga = createYogaServer(deps);
  const { requestTimeoutMs, shutdownTimeoutMs, keepAliveTimeoutMs, connections, trustProxy } = config.security;
  // A client gets requestTimeoutMs to send its whole request, and at most 10 s for its headers (a connection that
  // sends nothing is cut then too); slow-loris connections are cut.
  const headersTimeout = Math.min(requestTimeoutMs, 10_000);
  const server = createServer(
    {
      requestTimeout: requestTimeoutMs,
      headersTimeout,
      keepAliveTimeout: keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(requestTimeoutMs / 4, 30_000)),
    },
    yoga,
  );
  limitConnections(server, {
    maxConnections: connections.max,
    maxPerAddress: connections.maxPerAddress,
    exempt: isTrustedProxy(trustProxy),
    firstRequestTimeoutMs: headersTimeout,
  });
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
    },
  };
}
