import { Agent, request } from 'undici';
import { z } from 'zod';
import { rateLimited, tokenExpired, unauthenticated, upstreamBadResponse, upstreamTimeout, upstreamUnavailable } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { signDeviceJwt, type PlexDevice } from '../auth/device.js';
import { unverifiedAudience } from '../auth/verifier.js';
import {
  parseDevicesXml,
  PlexHomeSchema,
  PlexResourcesSchema,
  type AccountDevice,
  type PlexHome,
  type PlexResource,
} from './account-schemas.js';
import {
  PlexErrorBodySchema,
  PlexKeysSchema,
  PlexNonceSchema,
  PlexPinSchema,
  PlexSignInSchema,
  PlexTokenSchema,
  PlexUserSchema,
  type PlexKeys,
  type PlexPin,
  type PlexUser,
} from './schemas.js';
import { parseTolerant, type FieldDriftEvent } from './drift.js';
import { createUpstreamGuard, DEFAULT_RESILIENCE, retryWithinDeadline, UpstreamRefused, type Resilience } from './resilience.js';

/**
 * Every plex.tv endpoint this service calls (docs/plex-api.md, docs/plex-auth.md). The keys name them in metrics and
 * logs; `{id}` is filled from the call.
 */
const ENDPOINTS = {
  signin: 'POST /api/v2/users/signin',
  user: 'GET /api/v2/user',
  signout: 'DELETE /api/v2/users/signout',
  pins: 'POST /api/v2/pins',
  pin: 'GET /api/v2/pins/{id}',
  nonce: 'GET /api/v2/auth/nonce',
  token: 'POST /api/v2/auth/token',
  keys: 'GET /api/v2/auth/keys',
  // The account after sign-in (docs/plex-api.md §9); `{id}` is a Home user's uuid for `switch`, a device id for `revoke`.
  resources: 'GET /api/v2/resources',
  home: 'GET /api/v2/home/users',
  switch: 'POST /api/v2/home/users/{id}/switch',
  devices: 'GET /devices.xml',
  revoke: 'DELETE /devices/{id}.xml',
} as const;

export type PlexEndpoint = keyof typeof ENDPOINTS;

export interface PlexClientOptions {
  /** Base URL of plex.tv or a compatible server, without a trailing slash (e.g. https://plex.tv). */
  readonly baseUrl: string;
  readonly clientIdentifier: string;
  readonly product: string;
  readonly version: string;
  /** One deadline for the whole call: connecting, headers and body. */
  readonly timeoutMs: number;
  /** The page users approve sign-in PINs on; https://app.plex.tv/auth when absent. */
  readonly authUrl?: string;
  /** Concurrency cap, GET /user retries and circuit breaker; defaults when absent. */
  readonly resilience?: Resilience;
  /** Where diagnostics of calls made outside a request go (PIN watcher, circuit breaker); nowhere when absent. */
  readonly logger?: Logger;
  /** Told of each field of a body that was missing or of an unexpected type and is served as null (drift.ts). */
  readonly onFieldDrift?: (event: FieldDriftEvent) => void;
  /** Told of every plex.tv call, whichever request or background poller made it (for metrics). */
  readonly onCall?: (call: UpstreamCall) => void;
  /** The clock of device JWTs (plex.tv checks their timestamps) and Retry-After dates; Date.now when absent. */
  readonly now?: () => number;
}

/** What one upstream call did; collected per GraphQL request for the operation log line. */
export interface UpstreamCall {
  readonly endpoint: PlexEndpoint;
  /** HTTP status, or what happened instead of one. */
  readonly status: number | 'timeout' | 'network-error';
  readonly durationMs: number;
}

/** What a request binds the client to: its logger (with its request id) and its list of upstream calls. */
export interface RequestHooks {
  readonly log?: Logger;
  readonly onCall?: (call: UpstreamCall) => void;
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

export type SignOutOutcome =
  /** plex.tv revoked the token now. */
  | { readonly kind: 'signed-out' }
  /** plex.tv did not accept the token: it was already signed out, revoked or expired. */
  | { readonly kind: 'token-not-valid' };

export type RefreshOutcome =
  | { readonly kind: 'token'; readonly authToken: string }
  /** Any refusal of the nonce or the exchange: the device was removed from the account, or its key is unknown. */
  | { readonly kind: 'device-revoked' }
  | { readonly kind: 'throttled'; readonly retryAfterSeconds: number | null };

export type SwitchHomeUserOutcome =
  /** plex.tv minted a token for the Home user (201). */
  | { readonly kind: 'switched'; readonly authToken: string }
  /** 403, code 1041: the PIN was missing or wrong (plex.tv does not say which). */
  | { readonly kind: 'pin-invalid' }
  | { readonly kind: 'throttled'; readonly retryAfterSeconds: number | null };

export type RevokeDeviceOutcome = { readonly kind: 'revoked' } | { readonly kind: 'not-found' };

/** A PIN plex.tv just created, with the page the user approves it on. */
export interface CreatedPin extends PlexPin {
  readonly authUrl: string;
}

/**
 * plex.tv as one request sees it. Expected refusals come back as outcomes; failures throw the project's GraphQL errors
 * (src/errors.ts): UPSTREAM_TIMEOUT, UPSTREAM_UNAVAILABLE (5xx, network, open circuit), UPSTREAM_BAD_RESPONSE (a status
 * or body this code does not understand), RATE_LIMITED (429).
 */
export interface Plex {
  /** POST /users/signin. Never retried. */
  signIn(credentials: SignInCredentials): Promise<SignInOutcome>;
  /** GET /user. UNAUTHENTICATED when plex.tv rejects the token (reason TOKEN_EXPIRED on 498). */
  currentUser(token: string): Promise<PlexUser>;
  /** DELETE /users/signout. TOKEN_EXPIRED on 498. */
  signOut(token: string): Promise<SignOutOutcome>;
  /** POST /pins: a strong PIN of this service's client identifier, or of `device` (with its public key, jwt mode). */
  createPin(input: { readonly forwardUrl?: string | null; readonly device?: PlexDevice }): Promise<CreatedPin>;
  /** GET /pins/{id} (with a device JWT for a device's PIN). Null when plex.tv no longer knows it (404). */
  getPin(id: string, device?: PlexDevice): Promise<PlexPin | null>;
  /** A nonce, a device JWT carrying it, the token exchange: a new Plex JWT for the device, also after the last expired. */
  refreshToken(device: PlexDevice): Promise<RefreshOutcome>;
  /** GET /auth/keys: plex.tv's public Ed25519 signing keys (at least one, or UPSTREAM_BAD_RESPONSE). */
  signingKeys(): Promise<PlexKeys>;
  /** GET /api/v2/resources with https, relay and IPv6 connections. UNAUTHENTICATED when plex.tv rejects the token. */
  resources(token: string): Promise<PlexResource[]>;
  /** GET /api/v2/home/users; null when plex.tv says the account is in no Home (404, inferred). */
  home(token: string): Promise<PlexHome | null>;
  /** POST /api/v2/home/users/{uuid}/switch[?pin=]: only `authToken` is read from the answer. */
  switchHomeUser(token: string, uuid: string, pin: string | null): Promise<SwitchHomeUserOutcome>;
  /** GET /devices.xml. Device tokens are dropped while parsing; `current` marks the device holding `token`. */
  devices(token: string): Promise<AccountDevice[]>;
  /** DELETE /devices/{id}.xml. */
  revokeDevice(token: string, id: string): Promise<RevokeDeviceOutcome>;
}

export interface PlexClient {
  /** The calls bound to one request (or, without hooks, to none: background pollers). */
  forRequest(hooks?: RequestHooks): Plex;
  close(): Promise<void>;
}

/** A short, secret-free diagnostic (never bodies, tokens or credentials). */
interface Diagnostic {
  readonly endpoint: PlexEndpoint;
  readonly problem: string;
  readonly status?: number;
  readonly plexCode?: number;
  readonly contentType?: string;
  readonly issues?: string[];
}

interface Call {
  readonly endpoint: PlexEndpoint;
  readonly id?: string;
  readonly query?: Record<string, string>;
  readonly token?: string;
  /** A device's call: its client identifier replaces this service's. */
  readonly device?: PlexDevice;
  readonly form?: Record<string, string>;
  readonly json?: unknown;
  /** Extra attempts (idempotent reads only). */
  readonly retries?: number;
}

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly retryAfter: string | undefined;
  readonly text: string;
}

// A Plex user body is about 4 KB; anything far larger is not a body this service understands.
const MAX_BODY_BYTES = 1024 * 1024;
// Plex error codes (docs/plex-api.md, error codes).
const PLEX_INVALID_CREDENTIALS = 1001;
const PLEX_INVALID_VERIFICATION_CODE = 1028;
const PLEX_VERIFICATION_CODE_REQUIRED = 1029;
const PLEX_REPEATED_FAILURES = 1031;
const PIN_ID = /^\d{1,20}$/;
const DEVICE_ID = /^\d{1,20}$/;
const PLEX_PIN_REQUIRED = 1041;
// Only the token is read from a Home switch: the account body drifts, and the user is read with GET /user.
const SwitchBodySchema = z.object({ authToken: z.string().min(1) });
// undici's error when a body passes the dispatcher's maxResponseSize.
const isBodyTooLarge = (error: unknown) => (error as { code?: unknown } | null)?.code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE';
const is2xx = (status: number) => status >= 200 && status < 300;
// How plex.tv refuses a device JWT or key (400 malformed, 401/403, 422 signature or thumbprint).
const isRefusal = (status: number) => status === 400 || status === 401 || status === 403 || status === 422;

export function createPlexClient(options: PlexClientOptions): PlexClient {
  const resilience = options.resilience ?? DEFAULT_RESILIENCE;
  const authUrl = options.authUrl ?? 'https://app.plex.tv/auth';
  const now = options.now ?? Date.now;
  const dispatcher = new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
    // The pool's size is the cap on calls in flight; more wait for a connection (see resilience.ts).
    connections: resilience.maxConcurrency,
    connect: { timeout: options.timeoutMs },
    maxResponseSize: MAX_BODY_BYTES,
  });
  const headers = {
    accept: 'application/json',
    'x-plex-client-identifier': options.clientIdentifier,
    'x-plex-product': options.product,
    'x-plex-version': options.version,
  } as const;
  let lastEndpoint: PlexEndpoint = 'user';
  const guard = createUpstreamGuard(resilience, (state) =>
    logDiagnostic(options.logger, {
      endpoint: lastEndpoint,
      problem:
        state === 'open'
          ? `circuit open after ${resilience.breakerFailures} failures in a row: failing fast for ${resilience.breakerCooldownMs} ms`
          : state === 'half-open'
            ? 'circuit half-open: letting one probe through'
            : 'circuit closed: plex.tv answers again',
    }),
  );

  /** One upstream call under one deadline, through the pool, the circuit breaker and (for reads) the retries. */
  async function send(call: Call, hooks: RequestHooks): Promise<Answer> {
    const { endpoint } = call;
    const [method, path] = ENDPOINTS[endpoint].split(' ') as ['GET' | 'POST' | 'DELETE', string];
    const query = call.query === undefined ? '' : `?${new URLSearchParams(call.query)}`;
    const url = `${options.baseUrl}${path.replace('{id}', call.id ?? '')}${query}`;
    const init = {
      method,
      headers: {
        ...headers,
        ...(call.device && { 'x-plex-client-identifier': call.device.clientIdentifier }),
        ...(call.token !== undefined && { 'x-plex-token': call.token }),
        ...(call.form && { 'content-type': 'application/x-www-form-urlencoded' }),
        ...(call.json !== undefined && { 'content-type': 'application/json' }),
      },
      body: call.form ? new URLSearchParams(call.form).toString() : call.json === undefined ? undefined : JSON.stringify(call.json),
    };
    // The deadline: one timer, cleared as soon as the call settles (AbortSignal.timeout's would fire for every call).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
    const signal = deadline.signal;
    lastEndpoint = endpoint;
    const attempt = async (): Promise<Answer> => {
      const started = performance.now();
      const report = (status: UpstreamCall['status']) => {
        const done: UpstreamCall = { endpoint, status, durationMs: performance.now() - started };
        hooks.onCall?.(done);
        options.onCall?.(done);
      };
      try {
        const answer = await guard.slot(async () => {
          const response = await request(url, { ...init, dispatcher, signal });
          const text = await response.body.text();
          const header = (name: string) => [response.headers[name]].flat()[0];
          return { status: response.statusCode, contentType: header('content-type') ?? '', retryAfter: header('retry-after'), text };
        });
        report(answer.status);
        return answer;
      } catch (error) {
        if (!(error instanceof UpstreamRefused)) report(signal.aborted ? 'timeout' : 'network-error');
        throw error;
      }
    };
    const policy = retryWithinDeadline<Answer>({
      retries: call.retries ?? 0,
      deadline: Date.now() + options.timeoutMs,
      retryAfterMs: (answer) => (answer.status === 429 || answer.status >= 500 ? retryAfterMs(answer.retryAfter) : undefined),
      retryOnError: (error) => !signal.aborted && !(error instanceof UpstreamRefused) && !isBodyTooLarge(error),
    });
    try {
      return await guard.call(() => policy.execute(attempt, signal), signal, (answer) => answer.status >= 500);
    } catch (error) {
      if (error instanceof UpstreamRefused) throw upstreamUnavailable();
      const log = hooks.log ?? options.logger;
      if (signal.aborted) {
        logDiagnostic(log, { endpoint, problem: 'timeout' });
        throw upstreamTimeout(options.timeoutMs);
      }
      if (isBodyTooLarge(error)) {
        logDiagnostic(log, { endpoint, problem: 'body too large' });
        throw upstreamBadResponse();
      }
      logDiagnostic(log, { endpoint, problem: `network error: ${errorCode(error)}` });
      throw upstreamUnavailable();
    } finally {
      clearTimeout(timer);
    }
  }

  function retryAfterMs(value: string | undefined): number | null {
    const seconds = parseRetryAfter(value, now());
    return seconds === null ? null : seconds * 1000;
  }

  function bind(hooks: RequestHooks): Plex {
    const log = hooks.log ?? options.logger;
    const call = (spec: Call) => send(spec, hooks);

    function parse<T extends z.ZodType>(endpoint: PlexEndpoint, answer: Answer, schema: T): z.infer<T> {
      let json: unknown;
      try {
        json = JSON.parse(answer.text);
      } catch {
        const problem = answer.text === '' ? 'empty body' : 'body is not JSON';
        logDiagnostic(log, { endpoint, problem, status: answer.status, contentType: answer.contentType });
        throw upstreamBadResponse();
      }
      const parsed = parseTolerant(schema, json);
      if (parsed.success) {
        for (const drift of parsed.drift) options.onFieldDrift?.({ endpoint, ...drift });
        return parsed.data;
      }
      // Paths and codes only: values may be secrets.
      const issues = parsed.error.issues.slice(0, 10).map((issue) => `${issue.path.join('.')}: ${issue.code}`);
      logDiagnostic(log, { endpoint, problem: 'body does not match its schema', status: answer.status, issues });
      throw upstreamBadResponse();
    }

    /** A refusal of the token on an account call: UNAUTHENTICATED (TOKEN_EXPIRED on 498); otherwise `fail`. */
    function refused(endpoint: PlexEndpoint, answer: Answer): never {
      // 422 "Invalid token" is what plex.tv's legacy endpoints answer for a revoked token.
      if (answer.status === 401 || answer.status === 422) throw unauthenticated('plex.tv rejected the token.');
      if (answer.status === 498) throw tokenExpired();
      return fail(endpoint, answer);
    }

    /** The error for an answer the call has no outcome for: 429 RATE_LIMITED, 5xx UNAVAILABLE, else BAD_RESPONSE. */
    function fail(endpoint: PlexEndpoint, answer: Answer, problem = 'unexpected status'): never {
      if (answer.status === 429) throw rateLimited(parseRetryAfter(answer.retryAfter, now()));
      if (answer.status >= 500) {
        logDiagnostic(log, { endpoint, problem: 'server error', status: answer.status });
        throw upstreamUnavailable();
      }
      logDiagnostic(log, { endpoint, problem, status: answer.status, plexCode: plexError(answer)?.code });
      throw upstreamBadResponse();
    }

    const plex: Plex = {
      async signIn(credentials) {
        const form: Record<string, string> = { login: credentials.login, password: credentials.password, rememberMe: String(credentials.rememberMe) };
        if (credentials.verificationCode) form['verificationCode'] = credentials.verificationCode;
        const answer = await call({ endpoint: 'signin', form });
        if (answer.status === 200 || answer.status === 201) {
          const { authToken, ...user } = parse('signin', answer, PlexSignInSchema);
          return { kind: 'success', authToken, user };
        }
        const throttled = { kind: 'throttled', retryAfterSeconds: parseRetryAfter(answer.retryAfter, now()) } as const;
        if (answer.status === 429) return throttled;
        if (answer.status !== 401 && answer.status !== 403) fail('signin', answer);
        const error = plexError(answer);
        switch (error?.code) {
          case PLEX_VERIFICATION_CODE_REQUIRED:
            return { kind: 'two-factor-required' };
          case PLEX_INVALID_VERIFICATION_CODE:
            return { kind: 'invalid-verification-code' };
          case PLEX_REPEATED_FAILURES:
            return throttled;
          case PLEX_INVALID_CREDENTIALS:
            return { kind: 'invalid-credentials' };
        }
        // Without a known code, fall back to the text, as python-plexapi does; any other 401 is a refusal.
        if (/verification code/i.test(error?.message ?? '')) {
          return credentials.verificationCode ? { kind: 'invalid-verification-code' } : { kind: 'two-factor-required' };
        }
        logDiagnostic(log, { endpoint: 'signin', problem: 'unknown refusal code', status: answer.status, plexCode: error?.code });
        return { kind: 'invalid-credentials' };
      },

      async currentUser(token) {
        const answer = await call({ endpoint: 'user', token, retries: resilience.userRetries });
        if (answer.status === 200) return parse('user', answer, PlexUserSchema);
        // 422 "Invalid token" is what plex.tv's legacy endpoints answer for a revoked token.
        if (answer.status === 401 || answer.status === 403 || answer.status === 422) throw unauthenticated('plex.tv rejected the token.');
        // 498: plex.tv's answer for an expired Plex JWT.
        if (answer.status === 498) throw tokenExpired();
        return fail('user', answer);
      },

      async signOut(token) {
        const answer = await call({ endpoint: 'signout', token });
        if (answer.status === 204 || answer.status === 200) return { kind: 'signed-out' };
        if (answer.status === 401 || answer.status === 403 || answer.status === 422) return { kind: 'token-not-valid' };
        // 498: an expired Plex JWT. Nothing to revoke with it; the client refreshes or forgets it.
        if (answer.status === 498) throw tokenExpired();
        return fail('signout', answer);
      },

      async createPin({ forwardUrl, device }) {
        const answer = await call(
          device === undefined
            ? { endpoint: 'pins', query: { strong: 'true' } }
            : { endpoint: 'pins', device, json: { jwk: device.publicJwk, strong: true } },
        );
        if (!is2xx(answer.status)) fail('pins', answer, device && isRefusal(answer.status) ? 'request refused (key not accepted)' : undefined);
        const pin = parse('pins', answer, PlexPinSchema);
        const clientIdentifier = device?.clientIdentifier ?? options.clientIdentifier;
        return { ...pin, authUrl: approvalUrl(authUrl, { clientIdentifier, code: pin.code, product: options.product, forwardUrl }) };
      },

      async getPin(id, device) {
        // The GraphQL layer validates ids; this keeps a bad one from ever becoming part of a path.
        if (!PIN_ID.test(id)) return null;
        const answer = await call(
          device === undefined ? { endpoint: 'pin', id } : { endpoint: 'pin', id, device, query: { deviceJWT: await signDeviceJwt(device, now()) } },
        );
        if (answer.status === 200) return parse('pin', answer, PlexPinSchema);
        if (answer.status === 404) return null;
        return fail('pin', answer, device && isRefusal(answer.status) ? 'request refused (device JWT not accepted)' : undefined);
      },

      async refreshToken(device) {
        const throttled = (answer: Answer) => ({ kind: 'throttled', retryAfterSeconds: parseRetryAfter(answer.retryAfter, now()) }) as const;
        // 498 on the exchange: plex.tv judged the device JWT expired (signed a moment ago: a clock hiccup); sign again once.
        for (let attempt = 1; ; attempt++) {
          const nonceAnswer = await call({ endpoint: 'nonce', device });
          if (nonceAnswer.status === 429) return throttled(nonceAnswer);
          if (isRefusal(nonceAnswer.status)) return { kind: 'device-revoked' };
          if (!is2xx(nonceAnswer.status)) fail('nonce', nonceAnswer);
          const { nonce } = parse('nonce', nonceAnswer, PlexNonceSchema);
          const answer = await call({ endpoint: 'token', device, json: { jwt: await signDeviceJwt(device, now(), nonce) } });
          if (is2xx(answer.status)) return { kind: 'token', authToken: parse('token', answer, PlexTokenSchema).auth_token };
          if (answer.status === 429) return throttled(answer);
          if (isRefusal(answer.status)) return { kind: 'device-revoked' };
          if (answer.status !== 498 || attempt === 2) {
            fail('token', answer, answer.status === 498 ? 'device JWT refused as expired twice: is the server clock right?' : undefined);
          }
        }
      },

      async signingKeys() {
        const answer = await call({ endpoint: 'keys' });
        if (answer.status !== 200) fail('keys', answer);
        return parse('keys', answer, PlexKeysSchema);
      },

      async resources(token) {
        const answer = await call({ endpoint: 'resources', token, query: { includeHttps: '1', includeRelay: '1', includeIPv6: '1' }, retries: resilience.userRetries });
        if (answer.status === 200) return parse('resources', answer, PlexResourcesSchema);
        return refused('resources', answer);
      },

      async home(token) {
        const answer = await call({ endpoint: 'home', token, retries: resilience.userRetries });
        if (answer.status === 200) return parse('home', answer, PlexHomeSchema);
        if (answer.status === 404) return null;
        return refused('home', answer);
      },

      async switchHomeUser(token, uuid, pin) {
        const answer = await call({ endpoint: 'switch', token, id: encodeURIComponent(uuid), ...(pin !== null && { query: { pin } }) });
        if (answer.status === 201 || answer.status === 200) return { kind: 'switched', authToken: parse('switch', answer, SwitchBodySchema).authToken };
        if (answer.status === 403 && plexError(answer)?.code === PLEX_PIN_REQUIRED) return { kind: 'pin-invalid' };
        if (answer.status === 429) return { kind: 'throttled', retryAfterSeconds: parseRetryAfter(answer.retryAfter, now()) };
        return refused('switch', answer);
      },

      async devices(token) {
        // XML whatever Accept says.
        const answer = await call({ endpoint: 'devices', token, retries: resilience.userRetries });
        if (answer.status !== 200) return refused('devices', answer);
        const parsed = parseDevicesXml(answer.text, { token, clientIdentifier: unverifiedAudience(token) });
        if (parsed.ok) return parsed.devices;
        logDiagnostic(log, { endpoint: 'devices', problem: 'body does not match its schema', status: answer.status, issues: parsed.issues });
        throw upstreamBadResponse();
      },

      async revokeDevice(token, id) {
        // The GraphQL layer validates ids; this keeps a bad one from ever becoming part of a path.
        if (!DEVICE_ID.test(id)) return { kind: 'not-found' };
        const answer = await call({ endpoint: 'revoke', token, id });
        if (answer.status === 200 || answer.status === 204) return { kind: 'revoked' };
        if (answer.status === 404) return { kind: 'not-found' };
        return refused('revoke', answer);
      },
    };
    return plex;
  }

  return { forRequest: (hooks = {}) => bind(hooks), close: () => dispatcher.close() };
}

/** Logs a plex.tv diagnostic: short and secret-free by construction (see Diagnostic). */
function logDiagnostic(logger: Logger | undefined, event: Diagnostic): void {
  logger?.warn({ upstream: event }, `plex.tv ${event.endpoint}: ${event.problem}`);
}

function plexError(answer: Answer) {
  try {
    const parsed = PlexErrorBodySchema.safeParse(JSON.parse(answer.text));
    return parsed.success ? parsed.data.errors[0] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The approval page address: `<authUrl>#?clientID=…&code=…&context[device][product]=…[&forwardUrl=…]` (docs/plex-api.md §6).
 * Every key and value is percent-encoded; app.plex.tv reads them from the fragment.
 */
export function approvalUrl(
  authUrl: string,
  parts: { clientIdentifier: string; code: string; product: string; forwardUrl?: string | null | undefined },
): string {
  const params: [string, string][] = [
    ['clientID', parts.clientIdentifier],
    ['code', parts.code],
    ['context[device][product]', parts.product],
  ];
  if (parts.forwardUrl) params.push(['forwardUrl', parts.forwardUrl]);
  return `${authUrl.replace(/#.*$/, '')}#?${params.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&')}`;
}

/** Retry-After in seconds, capped at a day: either delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed), 86_400);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.min(Math.ceil((date - now) / 1000), 86_400));
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
