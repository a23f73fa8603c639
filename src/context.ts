import DataLoader from 'dataloader';
import type { YogaInitialContext } from 'graphql-yoga';
import { unauthenticated } from './errors.js';
import type { Logger } from './observability/logger.js';
import { requestLogger } from './observability/request-logger.js';
import { logDiagnostic, type CallOptions, type PlexClient, type UpstreamCall } from './plex/client.js';
import type { PlexDevice, PlexHome, PlexResource } from './plex/account-schemas.js';
import type { PlexUser } from './plex/schemas.js';
import type { AuthServices } from './plex/token-auth.js';
import type { ViewerCache } from './plex/viewer-cache.js';
import type { SignInPinServices } from './plugins/sign-in-pins.js';
import type { HomePinThrottle, PinThrottle, SignInThrottle } from './security/throttle.js';

export interface Loaders {
  /** The account of a token: one GET /user per distinct token per request, however often `viewer` is selected. */
  readonly userByToken: DataLoader<string, PlexUser>;
  /** One GET /api/v2/resources per token per request, whatever the aliases and `provides` filters. */
  readonly resourcesByToken: DataLoader<string, PlexResource[]>;
  /** One GET /api/v2/home/users per token per request; null when the account has no Home. */
  readonly homeByToken: DataLoader<string, PlexHome | null>;
  /** One GET /devices.xml per token per request. */
  readonly devicesByToken: DataLoader<string, PlexDevice[]>;
}

const NO_AUTH_SERVICES: AuthServices = {
  checkToken: async () => {},
  refreshAuthToken: async () => ({ kind: 'invalid' }),
};

export type Context = Readonly<{
  request: Request;
  /** The logger for lines about this request: each carries its request id. */
  log: Logger;
  /** The request's token; null when it sent none, or one that cannot be used (see `tokenProblem`). */
  token: string | null;
  /** Why the request's credentials cannot be used (two at once, a malformed header); null when fine or absent. */
  tokenProblem: string | null;
  plex: PlexClient;
  loaders: Loaders;
  /** Upstream calls made while serving this request, for the operation log line. */
  upstream: UpstreamCall[];
  /** Pass to every plex client call so it lands in `upstream`. */
  callOptions: CallOptions;
  /**
   * The address this client should be given for a URL plex.tv handed out. The identity, except in mock mode: the
   * simulator's addresses on this server's loopback interface become the ones the client reaches this server at.
   */
  publicUrl: (url: string) => string;
  /** The server's short-lived account cache (VIEWER_CACHE_TTL_MS), or null when it is off. */
  viewerCache: ViewerCache | null;
  /** Local token checks and refresh. Every use of the request's token (viewer, _entities, signOut) checks it first. */
  auth: AuthServices;
  /** Added by the useSignInPins plugin: the shared PIN watcher and this request's PIN loader. */
  signInPins?: SignInPinServices;
  /** Added by the security plugins: per-login and per-address sign-in throttling for this request's client. */
  signInThrottle?: SignInThrottle;
  /** Added by the security plugins: wrong Home PINs per Home user and per address. */
  homePinThrottle?: HomePinThrottle;
  /** Added by the security plugins: per-address limits on creating, polling and following sign-in PINs. */
  pinThrottle?: PinThrottle;
}>;

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

/** The context of one request; the diagnostics of its plex.tv calls are logged with its request id. */
export function createContext(
  initial: YogaInitialContext,
  plex: PlexClient,
  logger: Logger,
  viewerCache: ViewerCache | null = null,
  publicUrl: (url: string) => string = (url) => url,
  auth: AuthServices = NO_AUTH_SERVICES,
): Context {
  const upstream: UpstreamCall[] = [];
  const log = requestLogger(logger, initial.request);
  const credentials = tokenFromHeaders(initial.request.headers);
  const callOptions: CallOptions = { onCall: (call) => upstream.push(call), onDiagnostic: (event) => logDiagnostic(log, event) };
  const currentUser = viewerCache
    ? (token: string) => viewerCache.load(token, () => plex.currentUser(token, callOptions))
    : (token: string) => plex.currentUser(token, callOptions);
  const checkedUser = async (token: string) => {
    await auth.checkToken(token);
    return currentUser(token);
  };
  const userByToken = new DataLoader<string, PlexUser>(
    (tokens) => Promise.all(tokens.map((token) => checkedUser(token).catch((error: Error) => error))),
    // Tokens are never retained beyond the request; the key is the token itself.
    { maxBatchSize: 16 },
  );
  // Each token is checked locally (a Plex JWT's signature and expiry) before plex.tv sees it, as for `viewer`.
  const perToken = <T>(load: (token: string) => Promise<T>) =>
    new DataLoader<string, T>((tokens) => Promise.all(tokens.map((token) => auth.checkToken(token).then(() => load(token)).catch((error: Error) => error))), {
      maxBatchSize: 16,
    });
  const loaders: Loaders = {
    userByToken,
    resourcesByToken: perToken((token) => plex.resources(token, callOptions)),
    homeByToken: perToken((token) => plex.home(token, callOptions)),
    devicesByToken: perToken((token) => plex.devices(token, callOptions)),
  };
  return {
    request: initial.request,
    log,
    token: credentials.token,
    tokenProblem: credentials.problem ?? null,
    plex,
    loaders,
    upstream,
    callOptions,
    publicUrl,
    viewerCache,
    auth,
  };
}

export function requireToken(ctx: Context): string {
  if (ctx.token === null) throw ctx.tokenProblem === null ? unauthenticated() : unauthenticated(ctx.tokenProblem);
  return ctx.token;
}
