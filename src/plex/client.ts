import { Agent, request, type Dispatcher } from 'undici';
import type { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  rateLimited,
  tokenExpired,
  unauthenticated,
  upstreamBadResponse,
  upstreamTimeout,
  upstreamUnavailable,
} from '../errors.js';
import {
  PlexErrorBodySchema,
  PlexSignInSchema,
  PlexUserSchema,
  type PlexErrorBody,
  type PlexUser,
} from './schemas.js';
import { parseTolerant, type FieldDriftEvent } from './drift.js';
import { createPinCalls, type PinCalls } from './pins.js';
import { createAccountCalls, type AccountCalls } from './account.js';
import { createDeviceAuthCalls, type DeviceAuthCalls } from './device-auth.js';
import { parseRetryAfter } from './retry-after.js';
import { createUpstreamGuard, DEFAULT_RESILIENCE, retryWithinDeadline, UpstreamRefused } from './resilience.js';
import type { PlexResilienceConfig } from '../config.js';

export interface PlexClientOptions {
  /** Base URL of plex.tv or a compatible server, without a trailing slash (e.g. https://plex.tv). */
  readonly baseUrl: string;
  readonly clientIdentifier: string;
  readonly product: string;
  readonly version: string;
  /** One deadline for the whole call: connecting, headers and body. */
  readonly timeoutMs: number;
  /** The connection pool; one keep-alive Agent is created when none is given. */
  readonly dispatcher?: Dispatcher;
  /** Called with short, secret-free diagnostics (never bodies, tokens or credentials). */
  readonly onDiagnostic?: (event: PlexDiagnostic) => void;
  /** Called for each field of a body that was missing or of an unexpected type and is served as null (drift.ts). */
  readonly onFieldDrift?: (event: FieldDriftEvent) => void;
  /** Concurrency cap, GET /user retries and circuit breaker; defaults when absent. */
  readonly resilience?: PlexResilienceConfig;
  /** The page users approve sign-in PINs on; defaults to https://app.plex.tv/auth. */
  readonly authUrl?: string;
  /** Called after every plex.tv call, whichever request or background poller made it (for metrics). */
  readonly onCall?: (call: UpstreamCall) => void;
  /** The clock of device JWTs (plex.tv checks their timestamps); Date.now when absent. Injected in tests. */
  readonly now?: () => number;
}

/** The account's resources, Plex Home (list, switch) and devices (list, revoke). */
export type AccountEndpoint = 'resources' | 'home' | 'switch' | 'devices' | 'revoke';

/** `nonce`, `token` and `keys` are the JWT device-authentication calls (docs/plex-auth.md). */
export type PlexEndpoint = 'signin' | 'user' | 'pins' | 'pin' | 'signout' | 'nonce' | 'token' | 'keys' | AccountEndpoint;

/** What one upstream call did; collected per GraphQL request for the operation log line. */
export interface UpstreamCall {
  readonly endpoint: PlexEndpoint;
  /** HTTP status, or what happened instead of one. */
  readonly status: number | 'timeout' | 'network-error';
  readonly durationMs: number;
}

export interface PlexDiagnostic {
  readonly endpoint: PlexEndpoint;
  readonly problem: string;
  readonly status?: number;
  readonly plexCode?: number;
  readonly contentType?: string;
  readonly issues?: string[];
}

export interface CallOptions {
  readonly onCall?: (call: UpstreamCall) => void;
  /** Receives this call's diagnostics instead of the client's `onDiagnostic` (to tag them with the request served). */
  readonly onDiagnostic?: (event: PlexDiagnostic) => void;
}

export interface SignInCredentials {
  readonly login: string;
  readonly password: string;
  readonly rememberMe: boolean;
  readonly verificationCode?: string | null;
}

export type SignInOutcome =
  | { readonly kind: 'success'; readonly authToken: string; readonly user: PlexUser }
  | { readonly kind: 'invalid-credentials' }
  | { readonly kind: 'two-factor-required' }
  | { readonly kind: 'invalid-verification-code' }
  | { readonly kind: 'throttled'; readonly retryAfterSeconds: number | null };

export interface PlexClient extends PinCalls, AccountCalls {
  /** POST /api/v2/users/signin. Expected refusals come back as outcomes; failures throw a GraphQLError. Never retried. */
  signIn(credentials: SignInCredentials, options?: CallOptions): Promise<SignInOutcome>;
  /** GET /api/v2/user with the token. Throws UNAUTHENTICATED when plex.tv rejects the token (reason TOKEN_EXPIRED on 498). */
  currentUser(token: string, options?: CallOptions): Promise<PlexUser>;
  /** plex.tv's JWT device-authentication calls, through this client's pool, deadline, circuit breaker and metrics. */
  readonly deviceAuth: DeviceAuthCalls<CallOptions>;
  close(): Promise<void>;
}

// A Plex user body is about 4 KB; anything far larger is not a body this service understands.
const MAX_BODY_BYTES = 1024 * 1024;

// Plex error codes (docs/plex-api.md, error codes).
const PLEX_INVALID_CREDENTIALS = 1001;
const PLEX_INVALID_VERIFICATION_CODE = 1028;
const PLEX_VERIFICATION_CODE_REQUIRED = 1029;
const PLEX_REPEATED_FAILURES = 1031;

export interface RawResponse {
  readonly status: number;
  readonly contentType: string;
  readonly retryAfter: string | undefined;
  readonly text: string;
}

/** Logs a plex.tv diagnostic: short and secret-free by construction (see PlexDiagnostic). */
export function logDiagnostic(logger: Logger, event: PlexDiagnostic): void {
  logger.warn({ upstream: event }, `plex.tv ${event.endpoint}: ${event.problem}`);
}

// undici's error when a body passes the dispatcher's maxResponseSize.
const BODY_TOO_LARGE = 'UND_ERR_RES_EXCEEDED_MAX_SIZE';
const isBodyTooLarge = (error: unknown) => (error as { code?: unknown } | null)?.code === BODY_TOO_LARGE;

export function createPlexClient(options: PlexClientOptions): PlexClient {
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher =
    options.dispatcher ??
    new Agent({
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
      // The pool's size is the cap on calls in flight; more wait for a connection (see resilience.ts).
      connections: (options.resilience ?? DEFAULT_RESILIENCE).maxConcurrency,
      connect: { timeout: options.timeoutMs },
      maxResponseSize: MAX_BODY_BYTES,
    });
  const diagnose = options.onDiagnostic ?? (() => {});
  /** Where a call's diagnostics go: the call's own reporter (tagged with its request) or the client's. */
  const reporterFor = (callOptions: CallOptions | undefined) => callOptions?.onDiagnostic ?? diagnose;
  const resilience = options.resilience ?? DEFAULT_RESILIENCE;
  let lastEndpoint: PlexEndpoint = 'user';
  const guard = createUpstreamGuard(resilience, (state) =>
    diagnose({
      endpoint: lastEndpoint,
      problem:
        state === 'open'
          ? `circuit open after ${resilience.breakerFailures} failures in a row: failing fast for ${resilience.breakerCooldownMs} ms`
          : state === 'half-open'
            ? 'circuit half-open: letting one probe through'
            : 'circuit closed: plex.tv answers again',
    }),
  );

  const baseHeaders = {
    accept: 'application/json',
    'x-plex-client-identifier': options.clientIdentifier,
    'x-plex-product': options.product,
    'x-plex-version': options.version,
  } as const;
  const signInUrl = `${options.baseUrl}/api/v2/users/signin`;
  const userUrl = `${options.baseUrl}/api/v2/user`;

  /** One upstream call under one deadline; `retries` > 0 only for idempotent reads (GET /user), never for sign-in. */
  async function call(
    endpoint: PlexEndpoint,
    url: string,
    init: { method: 'GET' | 'POST' | 'DELETE'; headers: Record<string, string>; body?: string },
    callOptions: CallOptions | undefined,
    retries = 0,
  ): Promise<RawResponse> {
    const signal = AbortSignal.timeout(options.timeoutMs);
    lastEndpoint = endpoint;
    const attempt = async (): Promise<RawResponse> => {
      const started = performance.now();
      const report = (status: UpstreamCall['status']) => {
        const done: UpstreamCall = { endpoint, status, durationMs: performance.now() - started };
        callOptions?.onCall?.(done);
        options.onCall?.(done);
      };
      try {
        const raw = await guard.slot(() => exchange(url, init, signal));
        report(raw.status);
        return raw;
      } catch (error) {
        if (!(error instanceof UpstreamRefused)) report(signal.aborted ? 'timeout' : 'network-error');
        throw error;
      }
    };
    const policy = retryWithinDeadline<RawResponse>({
      retries,
      deadline: Date.now() + options.timeoutMs,
      retryAfterMs: (raw) => (raw.status === 429 || raw.status >= 500 ? retryAfterMs(raw.retryAfter) : undefined),
      retryOnError: (error) => !signal.aborted && !(error instanceof UpstreamRefused) && !isBodyTooLarge(error),
    });
    const report = reporterFor(callOptions);
    try {
      return await guard.call(() => policy.execute(attempt, signal), signal, (raw) => raw.status >= 500);
    } catch (error) {
      if (error instanceof UpstreamRefused) throw upstreamUnavailable();
      if (signal.aborted) {
        report({ endpoint, problem: 'timeout' });
        throw upstreamTimeout(options.timeoutMs);
      }
      if (isBodyTooLarge(error)) {
        report({ endpoint, problem: 'body too large' });
        throw upstreamBadResponse();
      }
      report({ endpoint, problem: `network error: ${errorCode(error)}` });
      throw upstreamUnavailable();
    }
  }

  async function exchange(
    url: string,
    init: { method: 'GET' | 'POST' | 'DELETE'; headers: Record<string, string>; body?: string },
    signal: AbortSignal,
  ): Promise<RawResponse> {
    const response = await request(url, { method: init.method, headers: init.headers, body: init.body, dispatcher, signal });
    const text = await response.body.text();
    return {
      status: response.statusCode,
      contentType: headerValue(response.headers['content-type']) ?? '',
      retryAfter: headerValue(response.headers['retry-after']),
      text,
    };
  }

  function parseJson<T extends z.ZodType>(endpoint: PlexEndpoint, raw: RawResponse, schema: T, callOptions?: CallOptions): z.infer<T> {
    const report = reporterFor(callOptions);
    let json: unknown;
    try {
      json = JSON.parse(raw.text);
    } catch {
      report({ endpoint, problem: 'body is not JSON', status: raw.status, contentType: raw.contentType });
      throw upstreamBadResponse();
    }
    const parsed = parseTolerant(schema, json);
    if (!parsed.success) {
      report({
        endpoint,
        problem: 'body does not match its schema',
        status: raw.status,
        // Paths and messages only: values may be secrets.
        issues: parsed.error.issues.slice(0, 10).map((issue) => `${issue.path.join('.')}: ${issue.code}`),
      });
      throw upstreamBadResponse();
    }
    for (const drift of parsed.drift) options.onFieldDrift?.({ endpoint, ...drift });
    return parsed.data;
  }

  function plexError(raw: RawResponse): PlexErrorBody['errors'][number] | undefined {
    try {
      const parsed = PlexErrorBodySchema.safeParse(JSON.parse(raw.text));
      return parsed.success ? parsed.data.errors[0] : undefined;
    } catch {
      return undefined;
    }
  }

  function unexpected(endpoint: PlexEndpoint, raw: RawResponse, callOptions?: CallOptions): GraphQLError {
    const report = reporterFor(callOptions);
    if (raw.status >= 500) {
      report({ endpoint, problem: 'server error', status: raw.status });
      return upstreamUnavailable();
    }
    report({ endpoint, problem: 'unexpected status', status: raw.status, plexCode: plexError(raw)?.code });
    return upstreamBadResponse();
  }

  const transport = { baseUrl: options.baseUrl, headers: baseHeaders, call, parseJson, unexpected, retryAfterSeconds: (raw: RawResponse) => parseRetryAfter(raw.retryAfter) };
  return {
    deviceAuth: createDeviceAuthCalls<CallOptions>(transport, {
      product: options.product,
      authUrl: options.authUrl ?? 'https://app.plex.tv/auth',
      ...(options.now === undefined ? {} : { now: options.now }),
    }),
    ...createAccountCalls(transport),
    ...createPinCalls(
      transport,
      { clientIdentifier: options.clientIdentifier, product: options.product, authUrl: options.authUrl ?? 'https://app.plex.tv/auth' },
    ),

    async signIn(credentials, callOptions) {
      const form = new URLSearchParams({
        login: credentials.login,
        password: credentials.password,
        rememberMe: credentials.rememberMe ? 'true' : 'false',
      });
      if (credentials.verificationCode) form.set('verificationCode', credentials.verificationCode);
      const raw = await call(
        'signin',
        signInUrl,
        {
          method: 'POST',
          headers: { ...baseHeaders, 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
        },
        callOptions,
      );
      if (raw.status === 200 || raw.status === 201) {
        const { authToken, ...user } = parseJson('signin', raw, PlexSignInSchema, callOptions);
        return { kind: 'success', authToken, user };
      }
      if (raw.status === 429) return { kind: 'throttled', retryAfterSeconds: parseRetryAfter(raw.retryAfter) };
      if (raw.status === 401 || raw.status === 403) {
        const error = plexError(raw);
        switch (error?.code) {
          case PLEX_VERIFICATION_CODE_REQUIRED:
            return { kind: 'two-factor-required' };
          case PLEX_INVALID_VERIFICATION_CODE:
            return { kind: 'invalid-verification-code' };
          case PLEX_REPEATED_FAILURES:
            return { kind: 'throttled', retryAfterSeconds: parseRetryAfter(raw.retryAfter) };
          case PLEX_INVALID_CREDENTIALS:
            return { kind: 'invalid-credentials' };
          default:
            // Without a known code, fall back to the text, as python-plexapi does; any other 401 is a refusal.
            if (/verification code/i.test(error?.message ?? '')) {
              return credentials.verificationCode ? { kind: 'invalid-verification-code' } : { kind: 'two-factor-required' };
            }
            reporterFor(callOptions)({ endpoint: 'signin', problem: 'unknown refusal code', status: raw.status, plexCode: error?.code });
            return { kind: 'invalid-credentials' };
        }
      }
      throw unexpected('signin', raw, callOptions);
    },

    async currentUser(token, callOptions) {
      const raw = await call('user', userUrl, { method: 'GET', headers: { ...baseHeaders, 'x-plex-token': token } }, callOptions, resilience.userRetries);
      if (raw.status === 200) return parseJson('user', raw, PlexUserSchema, callOptions);
      // 422 "Invalid token" is what plex.tv's legacy endpoints answer for a revoked token.
      if (raw.status === 401 || raw.status === 403 || raw.status === 422) throw unauthenticated('plex.tv rejected the token.');
      // 498: plex.tv's answer for an expired Plex JWT.
      if (raw.status === 498) throw tokenExpired();
      if (raw.status === 429) throw rateLimited(parseRetryAfter(raw.retryAfter));
      throw unexpected('user', raw, callOptions);
    },

    async close() {
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}

/** Retry-After in milliseconds, or null (use the backoff) when absent or unreadable. */
function retryAfterMs(value: string | undefined): number | null {
  const seconds = parseRetryAfter(value);
  return seconds === null ? null : seconds * 1000;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}


function errorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    const code = (error as { code?: unknown }).code ?? cause?.code;
    if (typeof code === 'string') return code;
    if (error instanceof Error) return error.name;
  }
  return 'unknown';
}

export { parseRetryAfter };
