import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { getOperationAST, type ExecutionResult, type GraphQLError } from 'graphql';
import type { Config } from './config.js';
import { createContext, type Context } from './context.js';
import type { Logger } from './logger.js';
import { createPlexClient, type PlexClient, type PlexDiagnostic } from './plex/client.js';
import { schema } from './schema/index.js';

export interface ServerDeps {
  readonly config: Config;
  readonly logger: Logger;
  /** Injected in tests; built from config otherwise. */
  readonly plex?: PlexClient;
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

const REQUEST_ID = /^[\w.:-]{1,64}$/;

interface RequestState {
  readonly id: string;
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

/** One structured log line per operation, with a request id that is also echoed as `x-request-id`. Never logs documents or variables. */
function useOperationLog(logger: Logger): Plugin<Context> {
  const requests = new WeakMap<Request, RequestState>();
  return {
    onRequest({ request }) {
      const incoming = request.headers.get('x-request-id');
      requests.set(request, { id: incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID(), started: performance.now() });
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
      if (!state || Array.isArray(result) || !('data' in result || 'errors' in result)) return;
      const single = result as ExecutionResult;
      logger.info(
        {
          requestId: state.id,
          operationName: state.operationName ?? null,
          durationMs: Math.round((performance.now() - state.started) * 100) / 100,
          upstream: state.context?.upstream.map((call) => ({
            endpoint: call.endpoint,
            status: call.status,
            durationMs: Math.round(call.durationMs * 100) / 100,
          })) ?? [],
          result: resultCode(single),
        },
        'operation',
      );
    },
    onResponse({ request, response }) {
      const state = requests.get(request);
      if (state) response.headers.set('x-request-id', state.id);
    },
  };
}

function logDiagnostic(logger: Logger) {
  return (event: PlexDiagnostic) => logger.warn({ upstream: event }, `plex.tv ${event.endpoint}: ${event.problem}`);
}

export function createYogaServer(deps: ServerDeps): YogaServer {
  const { config, logger } = deps;
  const plex =
    deps.plex ??
    createPlexClient({ ...config.plex, onDiagnostic: logDiagnostic(logger) });
  return createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    context: (initial) => createContext(initial, plex),
    // Never include stack traces or original errors, whatever NODE_ENV says.
    maskedErrors: { isDev: false },
    logging: {
      debug: (...args) => logger.debug({ detail: args }),
      info: (...args) => logger.info({ detail: args }),
      warn: (...args) => logger.warn({ detail: args }),
      error: (...args) => logger.error({ err: args.find((arg) => arg instanceof Error), detail: args.filter((arg) => !(arg instanceof Error)) }),
    },
    graphiql: {
      title: 'Plex account GraphQL',
      defaultQuery: GRAPHIQL_DEFAULT_QUERY,
      headers: JSON.stringify({ Authorization: 'Bearer <authToken from signIn>' }, null, 2),
    },
    plugins: [useOperationLog(logger)],
  });
}

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  readonly yoga: YogaServer;
  close(): Promise<void>;
}

export async function startServer(deps: ServerDeps): Promise<RunningServer> {
  const { config, logger } = deps;
  const plex = deps.plex ?? createPlexClient({ ...config.plex, onDiagnostic: logDiagnostic(logger) });
  const yoga = createYogaServer({ ...deps, plex });
  const server = createServer(yoga);
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
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await yoga.dispose();
      await plex.close();
    },
  };
}
