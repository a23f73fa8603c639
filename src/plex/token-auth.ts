import type { Config } from '../config.js';
import { invalidToken, tokenExpired, upstreamBadResponse } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { RedisConnection } from '../security/redis.js';
import type { CallOptions, PlexClient, PlexDiagnostic } from './client.js';
import { createPlexJwtVerifier, sealDevice, unsealDevice, unverifiedExpiry, type SealingKeyring } from './device-auth.js';
import { createPendingDevices } from './pending-devices.js';
import { createJwtPinSignIns, deviceAuthError, legacyPinSignIns, type PinSignIns } from './pin-sign-ins.js';

/** Checks a request's token before plex.tv sees it; throws UNAUTHENTICATED with a reason when it can tell already. */
export type TokenCheck = (token: string) => Promise<void>;

export interface TokenCheckOptions {
  readonly plex: PlexClient;
  readonly now?: () => number;
  /** Told about each fetch of plex.tv's signing keys (for the log). */
  readonly onKeysFetch?: (result: { readonly ok: boolean; readonly keys: number }) => void;
}

/**
 * Local checks of Plex JWTs, in both modes: a JWT past its `exp` is TOKEN_EXPIRED and one plex.tv did not sign is
 * INVALID_TOKEN, neither costing a plex.tv call. plex.tv's signing keys (GET /api/v2/auth/keys, through the plex client)
 * are cached and fetched again for a kid they lack. When they cannot be had, the token goes to plex.tv as before: this
 * check only ever refuses, it never accepts a token on plex.tv's behalf. Legacy tokens pass through untouched.
 */
export function createTokenCheck(options: TokenCheckOptions): TokenCheck {
  const { plex } = options;
  const verifier = createPlexJwtVerifier({
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.onKeysFetch === undefined ? {} : { onKeysFetch: options.onKeysFetch }),
    loadKeys: async () => {
      const outcome = await plex.deviceAuth.fetchKeys();
      if (outcome.kind !== 'keys') throw new Error(`plex.tv keys: ${outcome.kind}`);
      return outcome;
    },
  });
  return async (token) => {
    const verdict = await verifier.verify(token);
    if (verdict.kind === 'expired') throw tokenExpired();
    if (verdict.kind === 'invalid') throw invalidToken();
  };
}

export type RefreshOutcome =
  | {
      readonly kind: 'refreshed';
      readonly authToken: string;
      readonly authTokenExpiresAt: Date | null;
      /** The same credential, or the device sealed again when an older sealing key opened it. */
      readonly refreshToken: string;
    }
  /** Not a sealed credential of this service (altered, foreign, sealed under a retired key, junk): plex.tv was not called. */
  | { readonly kind: 'invalid' }
  /** plex.tv refuses the device (removed from the account, key unknown). */
  | { readonly kind: 'revoked' }
  | { readonly kind: 'throttled'; readonly retryAfterSeconds: number | null };

export type TokenRefresher = (refreshToken: string, options?: CallOptions) => Promise<RefreshOutcome>;

export interface TokenRefresherOptions {
  readonly plex: PlexClient;
  /** AUTH_SEALING_KEY; null (legacy mode without a key): every credential is invalid. */
  readonly keyring: SealingKeyring | null;
  readonly now?: () => number;
  readonly onDiagnostic?: (event: PlexDiagnostic) => void;
}

/**
 * A new Plex JWT for the device sealed in `refreshToken`: nonce, a device JWT carrying it, token exchange. Works after
 * the previous Plex JWT expired. plex.tv being unreachable or answering nonsense is thrown as a GraphQL error.
 */
export function createTokenRefresher(options: TokenRefresherOptions): TokenRefresher {
  const { plex, keyring } = options;
  const now = options.now ?? Date.now;
  const fallback = options.onDiagnostic ?? (() => {});
  return async (refreshToken, callOptions) => {
    if (keyring === null) return { kind: 'invalid' };
    const opened = await unsealDevice(refreshToken, keyring);
    if (!opened.ok) return { kind: 'invalid' };
    const report = callOptions?.onDiagnostic ?? fallback;
    let outcome = await plex.deviceAuth.refreshToken(opened.device, callOptions);
    // 498 on the exchange: plex.tv judged the device JWT expired (signed a moment ago, so a clock hiccup): sign again once.
    if (outcome.kind === 'token-expired') outcome = await plex.deviceAuth.refreshToken(opened.device, callOptions);
    switch (outcome.kind) {
      case 'token':
        return {
          kind: 'refreshed',
          authToken: outcome.authToken,
          authTokenExpiresAt: unverifiedExpiry(outcome.authToken),
          refreshToken: opened.needsReseal ? await sealDevice(opened.device, keyring, now()) : refreshToken,
        };
      case 'device-revoked':
        return { kind: 'revoked' };
      case 'throttled':
        return { kind: 'throttled', retryAfterSeconds: outcome.retryAfterSeconds };
      case 'token-expired':
        report({ endpoint: 'token', problem: 'device JWT refused as expired twice: is the server clock right?', status: 498 });
        throw upstreamBadResponse();
      default:
        throw deviceAuthError('token', outcome, report);
    }
  };
}

/** What a request uses of the server's token services. */
export interface AuthServices {
  /** Refuses an expired or forged Plex JWT before plex.tv is called (UNAUTHENTICATED, reason TOKEN_EXPIRED / INVALID_TOKEN). */
  readonly checkToken: TokenCheck;
  /** A new Plex JWT for a sealed refresh credential. */
  readonly refreshAuthToken: TokenRefresher;
}

export interface PlexAuth {
  /** How PIN sign-ins create and poll PINs: legacy, or a device per PIN in jwt mode. */
  readonly pinSignIns: PinSignIns;
  readonly services: AuthServices;
}

export interface PlexAuthOptions {
  readonly plex: PlexClient;
  /** PLEX_AUTH_MODE and the AUTH_SEALING_KEY keyring. */
  readonly auth: Config['auth'];
  /** REDIS_URL's connection, where jwt-mode devices wait for their PIN's approval; absent: this instance's memory. */
  readonly redis: RedisConnection | undefined;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly onDiagnostic?: (event: PlexDiagnostic) => void;
}

/** The server's authentication as PLEX_AUTH_MODE sets it up. Local JWT checks and refresh work in both modes. */
export function createPlexAuth(options: PlexAuthOptions): PlexAuth {
  const { plex, auth, logger } = options;
  const now = options.now ?? Date.now;
  const pending = auth.mode === 'jwt' && auth.sealingKeys !== null ? createPendingDevices({ redis: options.redis, logger, now }) : undefined;
  const pinSignIns =
    pending !== undefined && auth.sealingKeys !== null
      ? createJwtPinSignIns({ plex, keyring: auth.sealingKeys, pending, now, ...(options.onDiagnostic && { onDiagnostic: options.onDiagnostic }) })
      : legacyPinSignIns(plex);
  return {
    pinSignIns,
    services: {
      checkToken: createTokenCheck({
        plex,
        now,
        onKeysFetch: ({ ok }) => {
          if (!ok) logger.warn('plex.tv signing keys could not be fetched: JWTs go to plex.tv unchecked until they can');
        },
      }),
      refreshAuthToken: createTokenRefresher({ plex, keyring: auth.sealingKeys, now, ...(options.onDiagnostic && { onDiagnostic: options.onDiagnostic }) }),
    },
  };
}
