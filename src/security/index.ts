import { useDisableIntrospection } from '@envelop/disable-introspection';
import type { CORSOptions, Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.js';
import { clientAddressResolver, type ClientAddressOf } from './client-address.js';
import type { SecurityConfig } from './config.js';
import { CSRF_HEADERS, useCsrfProtection } from './csrf.js';
import { SecurityErrorCode } from './errors.js';
import { useNoBatching, useOperationLimits, useSingleSignIn } from './limits.js';
import { useRedactedErrors } from './sanitize.js';
import { createThrottles, type SignInThrottle, type Throttles } from './throttle.js';

export { CSRF_HEADERS } from './csrf.js';
export { SecurityErrorCode } from './errors.js';
export type { SignInThrottle } from './throttle.js';

export interface Security {
  /** Yoga plugins, in the order they must run; built once per server. */
  readonly plugins: Plugin[];
  /** Options for createYoga. */
  readonly yogaOptions: {
    readonly cors: (request: Request) => CORSOptions;
    readonly batching: false;
    readonly maxRequestBodySize: number;
  };
  readonly throttles: Throttles;
  readonly clientAddress: ClientAddressOf;
  /**
   * The per-address request limit (RATE_LIMIT_PER_MINUTE) for requests served outside Yoga's HTTP pipeline; undefined
   * when it is off. A request counted here is not counted again if it is then handed to Yoga.
   */
  readonly requestLimit?: {
    consume(request: Request, req: object): Promise<number | null>;
    refusal(retryAfterSeconds: number, accept: string): { body: string; headers: Record<string, string> };
  };
  close(): Promise<void>;
}

/** CORS: any origin without credentials by default; with CORS_ORIGINS, only those origins, with credentials. */
function corsPolicy(origins: readonly string[]): (request: Request) => CORSOptions {
  const common = {
    methods: ['GET', 'POST'],
    allowedHeaders: ['content-type', 'accept', 'authorization', 'x-plex-token', 'x-request-id', ...CSRF_HEADERS],
    exposedHeaders: ['retry-after', 'x-request-id'],
    maxAge: 600,
  };
  if (origins.length === 0) {
    const open: CORSOptions = { ...common, origin: '*', credentials: false };
    return () => open;
  }
  const allowed = new Set(origins);
  return (request) => {
    const origin = request.headers.get('origin');
    // No CORS headers at all for other origins: the browser refuses to hand them the response.
    return origin !== null && allowed.has(origin) ? { ...common, origin: [origin], credentials: true } : (false as unknown as CORSOptions);
  };
}

/** The 429 answer to a client over RATE_LIMIT_PER_MINUTE: its body and headers, in the media type it asked for. */
function rateLimitRefusal(retryAfterSeconds: number, accept: string): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({
    errors: [
      {
        message: `Too many requests from this address: retry in ${retryAfterSeconds} s.`,
        extensions: { code: SecurityErrorCode.RATE_LIMITED, retryAfterSeconds },
      },
    ],
  });
  return {
    body,
    headers: {
      'content-type': accept.includes('application/graphql-response+json') ? 'application/graphql-response+json; charset=utf-8' : 'application/json; charset=utf-8',
      'retry-after': String(retryAfterSeconds),
    },
  };
}

function rateLimitedResponse(request: Request, retryAfterSeconds: number): Response {
  const { body, headers } = rateLimitRefusal(retryAfterSeconds, request.headers.get('accept') ?? '');
  return new Response(body, { status: 429, headers });
}

/** The per-address request limit (RATE_LIMIT_PER_MINUTE): answered with 429 before the request is parsed. */
function useRequestRateLimit(
  consume: (address: string) => Promise<number | null>,
  addressOf: ClientAddressOf,
  endpoint: string,
  counted: WeakSet<object>,
): Plugin {
  return {
    onRequest({ request, url, serverContext, endResponse }) {
      if (request.method === 'OPTIONS' || url.pathname !== endpoint) return;
      const req = (serverContext as { req?: object } | undefined)?.req;
      if (req !== undefined && counted.has(req)) return;
      return consume(addressOf(request, serverContext)).then((wait) => {
        if (wait !== null) endResponse(rateLimitedResponse(request, wait));
      });
    },
  };
}

/** Gives each request's context the sign-in throttle, bound to the client's address (resolved only when used). */
function useSignInThrottle(throttles: Throttles, addressOf: ClientAddressOf): Plugin<{ signInThrottle?: SignInThrottle }> {
  return {
    onContextBuilding({ context, extendContext }) {
      const signInThrottle: SignInThrottle = {
        begin: (login) => throttles.beginSignIn(login, addressOf(context.request, context)),
      };
      extendContext({ signInThrottle });
    },
    // Yoga's dispose (and so every server shutdown) closes the Redis connection.
    onDispose: () => throttles.close(),
  };
}

export function createSecurity(config: SecurityConfig, logger: Logger, endpoint = '/graphql'): Security {
  const clientAddress = clientAddressResolver(config.trustProxy);
  const throttles = createThrottles(config, logger);
  const counted = new WeakSet<object>();
  const consumeRequest = throttles.consumeRequest;
  const plugins: Plugin[] = [
    ...(consumeRequest ? [useRequestRateLimit(consumeRequest, clientAddress, endpoint, counted)] : []),
    useCsrfProtection(),
    useNoBatching(),
    useOperationLimits(config.limits, config.hideSuggestions),
    useSingleSignIn(),
    ...(config.introspection ? [] : [useDisableIntrospection() as Plugin]),
    useSignInThrottle(throttles, clientAddress) as Plugin,
    useRedactedErrors({ hideSuggestions: config.hideSuggestions }),
  ];
  return {
    plugins,
    yogaOptions: { cors: corsPolicy(config.corsOrigins), batching: false, maxRequestBodySize: config.maxRequestBodyBytes },
    throttles,
    clientAddress,
    ...(consumeRequest && {
      requestLimit: {
        consume: (request: Request, req: object) =>
          consumeRequest(clientAddress(request, { req })).then((wait) => {
            counted.add(req);
            return wait;
          }),
        refusal: rateLimitRefusal,
      },
    }),
    close: () => throttles.close(),
  };
}
