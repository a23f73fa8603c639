import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useDisableIntrospection } from '@envelop/disable-introspection';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { DEFAULT_MANIFEST, withLimits, type Config, type LimitOverrides } from './config.js';
import { StartupError } from './errors.js';
import { createAuth } from './auth/mode.js';
import { createPinWatcher } from './auth/pin-sign-in.js';
import { createContext, type Context } from './context.js';
import type { Logger } from './observability/logger.js';
import { createMetrics, METRICS_PATH, metricsAccess, operationNames, type Metrics } from './observability/metrics.js';
import { createPlexClient, type PlexClient } from './plex/client.js';
import { createFieldDriftReporter } from './plex/drift.js';
import { createSignOuts } from './plex/sign-outs.js';
import { createViewerCache } from './plex/viewer-cache.js';
import { corsPolicy } from './plugins/cors.js';
import { useRequestBodyLimit } from './plugins/body-limit.js';
import { useCsrfProtection } from './plugins/csrf.js';
import { useDemoPage } from './plugins/demo-page.js';
import { useEntitiesLimits } from './plugins/entities-limits.js';
import { offlineGraphiQL } from './plugins/graphiql.js';
import { useDrainingHealth } from './plugins/health.js';
import { useHiddenSubgraphSdl } from './plugins/hidden-subgraph-sdl.js';
import { useNoBatching } from './plugins/no-batching.js';
import { useHeaderLimit } from './plugins/header-limit.js';
import { useNoStore } from './plugins/no-store.js';
import { useOperationLimits } from './plugins/operation-limits.js';
import { useOperationLog } from './plugins/operation-log.js';
import { usePlexCallBudget } from './plugins/plex-call-budget.js';
import { DOCUMENT_ID_PARAM, loadManifest, usePersistedDocuments, type Manifest } from './plugins/persisted-operations.js';
import { useRequestRateLimit } from './plugins/rate-limit.js';
import { useInputErrors } from './plugins/input-errors.js';
import { useRequestIdHeader } from './plugins/request-id.js';
import { SIMULATOR_PREFIX, useSimulator } from './plugins/simulator.js';
import { useShutdownNotice } from './plugins/shutdown-notice.js';
import { useUnexpectedErrorLog } from './plugins/unexpected-error-log.js';
import { subgraphSchema } from './schema/index.js';
import { clientAddressResolver, isTrustedProxy } from './security/client-address.js';
import { limitConnections } from './security/connection-limits.js';
import { publicUrlResolver } from './security/public-url.js';
import type { PlexSimulator } from './simulator/index.js';
import { connectRedis } from './redis.js';
import { createThrottles } from './security/throttle.js';

export interface ServerDeps {
  readonly config: Config;
  readonly logger: Logger;
  /** Overrides of the fixed limits (LIMITS), for tests. */
  readonly limits?: LimitOverrides;
  /** Injected in tests; built from config otherwise (and then closed with the server). */
  readonly plex?: PlexClient;
  /** The clock of token checks and device JWTs; Date.now when absent. Injected in tests (with the simulator's). */
  readonly now?: () => number;
  /**
   * Mock mode: the plex.tv simulator, served by this server under /simulator (startServer only). The plex client calls
   * it there over loopback HTTP on this server's own port, instead of PLEX_API_URL.
   */
  readonly simulator?: PlexSimulator;
  /** Where the server is in its shutdown; set by startServer. Absent: never draining, never closing. */
  readonly lifecycle?: ServerLifecycle;
  /** Set by startServer: the registry its METRICS_PORT listener serves too. Built from config when absent. */
  readonly metrics?: Metrics;
}

export interface ServerLifecycle {
  /** True from `drain()` on: /health answers 503 while everything else is still served. */
  isDraining(): boolean;
  /** Aborted when the server closes: open subscriptions end with a SHUTTING_DOWN event. */
  readonly closing: AbortSignal;
}

/** Where the started server reaches itself over loopback HTTP, e.g. http://127.0.0.1:4000 (for a mounted simulator). */
export interface Loopback {
  readonly url: string;
}

export type YogaServer = YogaServerInstance<Record<string, unknown>, Context>;

const GRAPHQL_ENDPOINT = '/graphql';
const HEALTH_ENDPOINT = '/health';

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

/**
 * The Yoga server: every request, every plugin, in the order listed below. A mounted simulator (`deps.simulator`) needs
 * `loopback`, the started server's own address.
 */
export function createYogaServer(deps: ServerDeps, loopback?: Loopback): YogaServer {
  const { config, logger, simulator } = deps;
  const limits = withLimits(deps.limits);
  if (simulator !== undefined && loopback === undefined) throw new Error('a mounted simulator is called over HTTP: start the server with startServer');
  const manifest = loadManifest(config.persistedOperations.manifestPath);
  const metrics = deps.metrics ?? serverMetrics(config, manifest);
  const access = metricsAccess(config.metrics, config.production);
  if (access.kind === 'off' && config.metrics.port === undefined) {
    logger.warn(`${METRICS_PATH} is off: in production it is served only with METRICS_TOKEN (scraped as a bearer token) or on METRICS_PORT (loopback)`);
  }
  const now = deps.now ?? Date.now;
  const publicUrlOf = publicUrlResolver({ publicUrl: config.publicUrl, trustProxy: config.trustProxy });
  // Mock mode: plex.tv is the simulator on this very server; its approval page replaces app.plex.tv/auth.
  const simulatorUrl = simulator !== undefined && loopback !== undefined ? `${loopback.url}${SIMULATOR_PREFIX}` : undefined;
  const plexSettings = simulatorUrl === undefined ? config.plex : { ...config.plex, baseUrl: simulatorUrl, authUrl: `${simulatorUrl}/approve` };
  const onFieldDrift = createFieldDriftReporter({ logger, count: metrics.observeFieldDrift, now });
  const plex =
    deps.plex ??
    createPlexClient({ ...plexSettings, timeoutMs: limits.plex.timeoutMs, resilience: limits.plex, logger, onFieldDrift, onCall: metrics.observePlexCall, now });
  // The simulator's loopback addresses in what it hands out become the address each client reached this server at.
  const publicUrlFor =
    simulatorUrl === undefined
      ? () => (url: string) => url
      : (request: Request, serverContext: unknown) => {
          const prefix = `${simulatorUrl}/`;
          return (url: string) => (url.startsWith(prefix) ? `${publicUrlOf(request, serverContext)}${SIMULATOR_PREFIX}/${url.slice(prefix.length)}` : url);
        };
  const lifecycle = deps.lifecycle ?? { isDraining: () => false, closing: new AbortController().signal };
  // REDIS_URL: one connection shared by the throttle counters, the sign-out broadcast and jwt-mode pending sign-ins.
  const redis = config.redis.url ? connectRedis(config.redis.url, config.redis.keyPrefix, logger, metrics.observeThrottleStore) : undefined;
  const throttles = createThrottles(config.throttles, logger, { redis, limits: limits.abuse, signInWaitMs: limits.plex.timeoutMs });
  const clientAddress = clientAddressResolver(config.trustProxy);
  const viewerCache = createViewerCache({ ttlMs: config.viewerCache.ttlMs, maxEntries: limits.viewerCacheMaxEntries }, metrics.observeViewerCacheLookup);
  // Every instance publishes its sign-outs; those with a viewer cache also listen, and drop the token at once.
  const signOuts = createSignOuts({ redis, logger, viewerCache });
  // PLEX_AUTH_MODE: how PINs sign in (a device per PIN in jwt mode), local JWT checks and refresh.
  const auth = createAuth({
    plex,
    auth: config.auth,
    redis,
    logger,
    now,
    pending: { perAddress: limits.abuse.pendingSignInsPerAddress, addresses: limits.abuse.pendingSignInAddresses, opened: limits.abuse.openedDevices },
  });
  // The watcher polls outside any request.
  const background = plex.forRequest();
  const { pins } = auth.forRequest(background);
  const pinWatcher = createPinWatcher({
    poll: (id) => pins.poll(id),
    loadUser: (token) => background.currentUser(token),
    intervalMs: limits.pins.pollIntervalMs,
    maxPerAddress: limits.abuse.watchedPinsPerAddress,
    pollsPerSecond: limits.abuse.pinPollsPerSecond,
    backoffAfterMs: limits.abuse.pinPollBackoffAfterMs,
    maxIntervals: limits.abuse.pinPollMaxIntervals,
    now,
  });
  const services = { plex, logger, auth, viewerCache, pinWatcher, throttles, clientAddress, signOuts, publicUrl: publicUrlFor };
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
    healthCheckEndpoint: HEALTH_ENDPOINT,
    landingPage: false,
    context: (initial) => createContext(initial, services),
    cors: corsPolicy(config.corsOrigins),
    batching: false,
    // MAX_REQUEST_BODY_BYTES is the useRequestBodyLimit plugin below.
    maxRequestBodySize: false,
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
    graphiql: config.graphql.graphiql && {
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
      useDrainingHealth(HEALTH_ENDPOINT, lifecycle.isDraining),
      useHeaderLimit(limits.http.maxRequestHeaders),
      useRequestIdHeader(),
      useNoStore(GRAPHQL_ENDPOINT),
      ...(simulator === undefined ? [] : [useSimulator(simulator, publicUrlOf)]),
      ...(throttles.consumeRequest ? [useRequestRateLimit(throttles.consumeRequest, clientAddress, GRAPHQL_ENDPOINT)] : []),
      useCsrfProtection(),
      useRequestBodyLimit(config.maxRequestBodyBytes),
      useNoBatching(),
      useOperationLimits(limits.operations, config.graphql.hideSuggestions),
      usePlexCallBudget(),
      useEntitiesLimits(subgraphSchema, limits.operations.maxAliases),
      ...(config.graphql.introspection ? [] : [useDisableIntrospection() as Plugin]),
      ...(config.graphql.subgraphSdl ? [] : [useHiddenSubgraphSdl()]),
      useInputErrors({ hideSuggestions: config.graphql.hideSuggestions }),
      usePersistedDocuments(config.persistedOperations, manifest),
      ...metrics.plugins,
      useUnexpectedErrorLog(logger, loggedErrors),
      useOperationLog(logger),
      useDemoPage(),
      useShutdownNotice(lifecycle.closing),
      {
        // Yoga's dispose (and so every server shutdown) releases what the server holds.
        async onDispose() {
          pinWatcher.close();
          viewerCache?.clear();
          await signOuts.close();
          await redis?.close();
          if (deps.plex === undefined) await plex.close();
        },
      },
    ],
  });
}

/**
 * This server's metrics. Operation names are labels only when the operator ships them: the configured manifest's and
 * the project's own operations/ documents (the default manifest), whatever names clients send.
 */
function serverMetrics(config: Config, manifest: Manifest): Metrics {
  const own = config.persistedOperations.manifestPath === DEFAULT_MANIFEST ? [] : [...loadManifest(DEFAULT_MANIFEST).values()];
  return createMetrics(operationNames([...manifest.values(), ...own]), metricsAccess(config.metrics, config.production));
}

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  readonly yoga: YogaServer;
  /**
   * Starts draining: /health answers 503 and every response closes its connection, while everything (new connections
   * included) is still served. Load balancers and orchestrators stop sending; `close()` follows after SHUTDOWN_DRAIN_MS.
   */
  drain(): void;
  /**
   * Stops accepting, ends open subscriptions with a SHUTTING_DOWN event, lets requests in flight finish (within
   * LIMITS.http.shutdownTimeoutMs), then releases the plex.tv pool and Redis.
   */
  close(): Promise<void>;
}

/** Why listening failed, said as what to change. */
function listenError(error: NodeJS.ErrnoException, port: number, host: string): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new StartupError(`port ${port} is already in use (HOST ${host})`, `Stop the process that listens on it, or set PORT to a free port (e.g. PORT=${port === 65535 ? port - 1 : port + 1})`, { cause: error });
    case 'EACCES':
      return new StartupError(`this user may not listen on port ${port} (HOST ${host})`, 'Set PORT to a port above 1023 (e.g. PORT=4000)', { cause: error });
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`HOST ${host} is not an address of this machine`, 'Set HOST to one of its addresses, or to 0.0.0.0 for all of them', { cause: error });
    default:
      return error;
  }
}

/** METRICS_PORT listens here only: the scraper runs on the same host (or reaches it through a sidecar). */
const METRICS_HOST = '127.0.0.1';

/** GET /metrics on its own port, on loopback; nothing else is served there. */
async function listenForMetrics(metrics: Metrics, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== METRICS_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, METRICS_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** The server's own address over loopback: where it calls itself (a wildcard address is reached on loopback). */
function loopbackOf(address: AddressInfo): Loopback {
  const ip = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  return { url: `http://${ip.includes(':') ? `[${ip}]` : ip}:${address.port}` };
}

/** The Yoga server on node:http, with the connection timeouts set and a graceful close. */
export async function startServer(deps: ServerDeps): Promise<RunningServer> {
  const { config } = deps;
  // Built here, so that METRICS_PORT serves the same registry the service records into.
  const metrics = deps.metrics ?? serverMetrics(config, loadManifest(config.persistedOperations.manifestPath));
  let draining = false;
  const closing = new AbortController();
  const { requestTimeoutMs, shutdownTimeoutMs, keepAliveTimeoutMs, maxConnections } = withLimits(deps.limits).http;
  const { trustProxy } = config;
  // A client gets requestTimeoutMs to send its whole request, and at most 10 s for its headers (a connection that
  // sends nothing is cut then too); slow-loris connections are cut.
  const headersTimeout = Math.min(requestTimeoutMs, 10_000);
  // Yoga is built once the port is known (a mounted simulator is called on it); no request is read before that.
  let yoga: YogaServer | undefined;
  const server = createServer(
    {
      requestTimeout: requestTimeoutMs,
      headersTimeout,
      keepAliveTimeout: keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(requestTimeoutMs / 4, 30_000)),
    },
    (req, res) => {
      // Draining: the connection ends after this response, so a keep-alive client (a proxy's pool included) opens its
      // next connection where a load balancer sends it, not here.
      if (draining) res.setHeader('connection', 'close');
      if (yoga !== undefined) void yoga(req, res);
      else res.writeHead(503, { 'retry-after': '1' }).end();
    },
  );
  limitConnections(server, {
    maxConnections,
    maxPerAddress: config.maxConnectionsPerAddress,
    exempt: isTrustedProxy(trustProxy),
    firstRequestTimeoutMs: headersTimeout,
    bodyTimeoutMs: withLimits(deps.limits).abuse.bodyTimeoutMs,
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(listenError(error, config.port, config.host));
    server.once('error', onError);
    server.listen(config.port, config.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  let built: YogaServer;
  try {
    built = createYogaServer({ ...deps, metrics, lifecycle: { isDraining: () => draining, closing: closing.signal } }, loopbackOf(address));
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
  let metricsServer: Server | undefined;
  if (config.metrics.port !== undefined) {
    try {
      metricsServer = await listenForMetrics(metrics, config.metrics.port);
    } catch (error) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await built.dispose();
      throw listenError(error as NodeJS.ErrnoException, config.metrics.port, METRICS_HOST);
    }
  }
  yoga = built;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${address.port}`;
  let closed: Promise<void> | undefined;
  return {
    url,
    server,
    yoga: built,
    drain() {
      draining = true;
    },
    close() {
      closed ??= (async () => {
        draining = true;
        // Stop accepting; requests in flight get shutdownTimeoutMs to finish, then what is left is cut.
        const force = setTimeout(() => server.closeAllConnections(), shutdownTimeoutMs);
        force.unref();
        const stopped = new Promise<void>((resolve) => {
          server.close(() => {
            clearTimeout(force);
            resolve();
          });
          server.closeIdleConnections();
        });
        // Open subscriptions (SSE streams) get their last event and end; they would otherwise hold server.close() open.
        closing.abort();
        // Streams that just ended leave keep-alive connections behind; close each as soon as it is idle.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        await stopped;
        clearInterval(sweep);
        if (metricsServer !== undefined) await new Promise<void>((resolve) => metricsServer!.close(() => resolve()));
        // Only now, with no request left in flight, are the plex.tv pool and Redis released.
        await built.dispose();
      })();
      return closed;
    },
  };
}
