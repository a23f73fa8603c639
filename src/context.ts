import DataLoader from 'dataloader';
import type { YogaInitialContext } from 'graphql-yoga';
import type { Auth, RequestAuth } from './auth/mode.js';
import type { PinWatcher, PolledPin } from './auth/pin-sign-in.js';
import { unauthenticated } from './errors.js';
import type { Logger } from './observability/logger.js';
import { requestLogger } from './observability/request-logger.js';
import type { Plex, PlexClient, UpstreamCall } from './plex/client.js';
import type { AccountDevice, PlexHome, PlexResource } from './plex/account-schemas.js';
import type { PlexUser } from './plex/schemas.js';
import type { SignOuts } from './plex/sign-outs.js';
import type { ViewerCache } from './plex/viewer-cache.js';
import type { ClientAddressOf } from './security/client-address.js';
import { requestThrottles, type HomePinThrottle, type PinThrottle, type SignInThrottle, type Throttles } from './security/throttle.js';

export type Context = Readonly<{
  request: Request;
  /** The logger for lines about this request: each carries its request id. */
  log: Logger;
  /** The request's token; null when it sent none, or one that cannot be used (see `tokenProblem`). */
  token: string | null;
  /** Why the request's credentials cannot be used (two at once, a malformed header); null when fine or absent. */
  tokenProblem: string | null;
  /** plex.tv, bound to this request: its calls land in `upstream`, their diagnostics in `log`. */
  plex: Plex;
  /** Local token checks, refresh and PIN sign-ins. Every use of the request's token (viewer, _entities, signOut) checks it first. */
  auth: RequestAuth;
  loaders: {
    /** The account of a token: one GET /user per distinct token per request, however often `viewer` is selected. */
    readonly userByToken: DataLoader<string, PlexUser>;
    /** One poll per distinct PIN per request, however many aliases ask for it. */
    readonly pinById: DataLoader<string, PolledPin | null>;
    /** One GET /api/v2/resources per token per request, whatever the aliases and `provides` filters. */
    readonly resourcesByToken: DataLoader<string, PlexResource[]>;
    /** One GET /api/v2/home/users per token per request; null when the account has no Home. */
    readonly homeByToken: DataLoader<string, PlexHome | null>;
    /** One GET /devices.xml per token per request. */
    readonly devicesByToken: DataLoader<string, AccountDevice[]>;
  };
  /** Upstream calls made while serving this request, for the operation log line. */
  upstream: UpstreamCall[];
  /**
   * The address this client should be given for a URL plex.tv handed out. The identity, except in mock mode: the
   * simulator's addresses on this server's loopback interface become the ones the client reaches this server at.
   */
  publicUrl: (url: string) => string;
  /** The server's short-lived account cache (VIEWER_CACHE_TTL_MS), or null when it is off. */
  viewerCache: ViewerCache | null;
  /** The shared poller behind Subscription.signInPin. */
  pinWatcher: PinWatcher;
  /** Per-login and per-address sign-in throttling for this request's client. */
  signInThrottle: SignInThrottle;
  /** Wrong Home PINs per Home user and per client address. */
  homePinThrottle: HomePinThrottle;
  /** Per-address limits on creating, polling and following sign-in PINs. */
  pinThrottle: PinThrottle;
  /** Drops what this server keeps for a signed-out token, here and on the other instances. */
  signOuts: SignOuts;
}>;

/** What the server holds for every request; createContext binds it to one. */
export interface Services {
  readonly plex: PlexClient;
  readonly logger: Logger;
  readonly auth: Auth;
  readonly viewerCache: ViewerCache | null;
  readonly pinWatcher: PinWatcher;
  readonly throttles: Throttles;
  readonly clientAddress: ClientAddressOf;
  readonly signOuts: SignOuts;
  /** The identity except in mock mode (see Context.publicUrl). */
  readonly publicUrl: (request: Request, serverContext: unknown) => (url: string) => string;
}

// Plex tokens are short opaque ASCII strings (20 chars for classic tokens, a few hundred for JWTs).
const TOKEN_PATTERN = /^[\x21-\x7e]{1,2048}$/;

/** The request's token, or why it has none that can be used (shown to the client by requireToken). */
export type RequestToken = { readonly token: string; readonly problem?: undefined } | { readonly token: null; readonly problem: string | null };

/**
 * Reads the token from `Authorization: Bearer` or `X-Plex-Token`, never from the query string. Never throws. Two
 * credentials at once are refused rather than one silently winning, and a malformed header is named, never skipped
 * in favour of the other.
 */
export function tokenFromHeaders(headers: Headers): RequestToken {
  const authorization = headers.get('authorization');
  const plexToken = headers.get('x-plex-token');
  if (authorization !== null && plexToken !== null) {
    return { token: null, problem: 'Send the token in one header: "Authorization: Bearer <token>" or "X-Plex-Token", not both.' };
  }
  if (authorization !== null) {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (match && TOKEN_PATTERN.test(match[1]!)) return { token: match[1]! };
    return { token: null, problem: 'The Authorization header is malformed: send "Authorization: Bearer <token>".' };
  }
  if (plexToken !== null) {
    const trimmed = plexToken.trim();
    if (TOKEN_PATTERN.test(trimmed)) return { token: trimmed };
    return { token: null, problem: 'The X-Plex-Token header is malformed: send the token alone, printable ASCII without spaces.' };
  }
  return { token: null, problem: null };
}

/** The context of one request: the server's services, bound to it once. */
export function createContext(initial: YogaInitialContext, services: Services): Context {
  const { request } = initial;
  const upstream: UpstreamCall[] = [];
  const log = requestLogger(services.logger, request);
  const credentials = tokenFromHeaders(request.headers);
  const plex = services.plex.forRequest({ log, onCall: (call) => upstream.push(call) });
  const auth = services.auth.forRequest(plex);
  const { viewerCache } = services;
  const loadUser = async (token: string) => {
    await auth.checkToken(token);
    return viewerCache ? viewerCache.load(token, () => plex.currentUser(token)) : plex.currentUser(token);
  };
  // Tokens and PINs are never retained beyond the request; errors are per key.
  const batch = <T>(load: (key: string) => Promise<T>) =>
    new DataLoader<string, T>((keys) => Promise.all(keys.map((key) => load(key).catch((error: Error) => error))), { maxBatchSize: 16 });
  const throttles = requestThrottles(services.throttles, () => services.clientAddress(request, initial));
  return {
    request,
    log,
    token: credentials.token,
    tokenProblem: credentials.problem ?? null,
    plex,
    auth,
    loaders: {
      userByToken: batch(loadUser),
      pinById: batch((id) => auth.pins.poll(id)),
      // Each token is checked locally (a Plex JWT's signature and expiry) before plex.tv sees it, as for `viewer`.
      resourcesByToken: batch(async (token) => (await auth.checkToken(token), plex.resources(token))),
      homeByToken: batch(async (token) => (await auth.checkToken(token), plex.home(token))),
      devicesByToken: batch(async (token) => (await auth.checkToken(token), plex.devices(token))),
    },
    upstream,
    publicUrl: services.publicUrl(request, initial),
    viewerCache,
    pinWatcher: services.pinWatcher,
    signInThrottle: throttles.signIn,
    homePinThrottle: throttles.homePin,
    pinThrottle: throttles.pins,
    signOuts: services.signOuts,
  };
}

export function requireToken(ctx: Context): string {
  if (ctx.token === null) throw ctx.tokenProblem === null ? unauthenticated() : unauthenticated(ctx.tokenProblem);
  return ctx.token;
}
