import type { Logger } from '../observability/logger.js';
import type { Plex, PlexClient } from '../plex/client.js';
import type { RedisConnection } from '../redis.js';
import { sealDevice, unsealDevice, type SealingKeyring } from './device.js';
import { createPendingDevices } from './pending-devices.js';
import { jwtPinSignIn, legacyPinSignIn, type PinSignIn } from './pin-sign-in.js';
import { createRefreshChains } from './refresh-chains.js';
import { createTokenCheck, unverifiedAudience, type TokenCheck } from './verifier.js';

export type RefreshResult =
  /** `refreshToken`: the device sealed again as the next generation of its chain; the one sent is superseded. */
  | { readonly kind: 'refreshed'; readonly authToken: string; readonly refreshToken: string }
  /**
   * Not a sealed credential of this service (altered, foreign, sealed under a retired key, junk), or expired, superseded
   * or signed out: plex.tv was not called.
   */
  | { readonly kind: 'invalid' }
  /** plex.tv refuses the device (removed from the account, key unknown). */
  | { readonly kind: 'device-revoked' }
  | { readonly kind: 'throttled'; readonly retryAfterSeconds: number | null };

/** The authentication services of one request, on its bound Plex client. */
export interface RequestAuth {
  /** Refuses an expired or forged Plex JWT before plex.tv is called (UNAUTHENTICATED, reason TOKEN_EXPIRED / INVALID_TOKEN). */
  readonly checkToken: TokenCheck;
  /** A new Plex JWT for a sealed refresh credential: works after the previous one expired. */
  refresh(refreshToken: string): Promise<RefreshResult>;
  /** Sign-out of a Plex JWT: the refresh tokens of its device are refused from now on, on every instance. */
  revokeRefreshTokens(authToken: string): Promise<void>;
  /** PIN sign-ins as PLEX_AUTH_MODE makes them. */
  readonly pins: PinSignIn;
}

export interface Auth {
  forRequest(plex: Plex): RequestAuth;
}

export interface AuthOptions {
  readonly plex: PlexClient;
  /** PLEX_AUTH_MODE and the AUTH_SEALING_KEY keyring (null in legacy mode without a key: every credential is invalid). */
  readonly auth: { readonly mode: 'legacy' | 'jwt'; readonly sealingKeys: SealingKeyring | null };
  /**
   * REDIS_URL's connection, where jwt-mode devices wait for their PIN's approval and refresh chains are kept; absent:
   * this instance's memory.
   */
  readonly redis: RedisConnection | undefined;
  readonly logger: Logger;
  readonly now: () => number;
  /** Tests: the in-memory pending devices' bounds (src/auth/pending-devices.ts). */
  readonly pending?: { readonly perAddress?: number; readonly addresses?: number; readonly opened?: number };
}

/** The server's authentication as PLEX_AUTH_MODE sets it up. Local JWT checks and refresh work in both modes. */
export function createAuth(options: AuthOptions): Auth {
  const { logger, now } = options;
  const keyring = options.auth.sealingKeys;
  const checkToken = createTokenCheck({ plex: options.plex.forRequest({ log: logger }), logger, now });
  const pinSignIn =
    options.auth.mode === 'jwt' && keyring !== null
      ? jwtPinSignIn({ keyring, pending: createPendingDevices({ redis: options.redis, logger, now, ...options.pending }), logger, now, openedMax: options.pending?.opened })
      : legacyPinSignIn;

  const chains = createRefreshChains({ redis: options.redis, now });

  async function refresh(plex: Plex, refreshToken: string): Promise<RefreshResult> {
    if (keyring === null) return { kind: 'invalid' };
    const opened = await unsealDevice(refreshToken, keyring);
    if (!opened.ok) return { kind: 'invalid' };
    const { position } = opened;
    const check = await chains.check(position);
    if (!check.ok) {
      if (check.reason === 'reused') logger.warn({ refresh: { reason: check.reason } }, 'A superseded refresh token was used again: its chain is revoked');
      return { kind: 'invalid' };
    }
    const outcome = await plex.refreshToken(opened.device);
    if (outcome.kind !== 'token') return outcome;
    const resealed = await sealDevice(opened.device, keyring, now(), { generation: check.generation, signedInAt: position.signedInAt });
    await chains.commit(position.chain, check.generation);
    return { kind: 'refreshed', authToken: outcome.authToken, refreshToken: resealed };
  }

  async function revokeRefreshTokens(authToken: string): Promise<void> {
    const device = unverifiedAudience(authToken);
    if (device !== null) await chains.revoke(device);
  }

  return {
    forRequest: (plex) => ({ checkToken, refresh: (refreshToken) => refresh(plex, refreshToken), revokeRefreshTokens, pins: pinSignIn(plex) }),
  };
}
