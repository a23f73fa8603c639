import { createRemoteJWKSet, customFetch, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type CryptoKey } from 'jose';
import { invalidToken, tokenExpired } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { Plex } from '../plex/client.js';

/** Checks a request's token before plex.tv sees it; throws UNAUTHENTICATED with a reason when it can tell already. */
export type TokenCheck = (token: string) => Promise<void>;

export interface TokenCheckOptions {
  /** Fetches plex.tv's signing keys (GET /api/v2/auth/keys). */
  readonly plex: Plex;
  readonly logger: Logger;
  readonly now: () => number;
  /** The least time between two key fetches, failed ones included (default 60 s): an unknown kid costs at most one. */
  readonly cooldownMs?: number;
}

// Three dot-separated base64url segments: what a JWT looks like, and what a legacy token does not.
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;
const MAX_PLEX_JWT_LENGTH = 16_384;
const SKEW_SECONDS = 60;

/**
 * Local checks of Plex JWTs: one past its `exp` is TOKEN_EXPIRED and one plex.tv did not sign is INVALID_TOKEN, neither
 * costing a plex.tv call. plex.tv's keys come from jose's remote key set, fetched through the Plex client, kept an hour
 * and fetched again for a kid they lack. When they cannot be had, or a kid is unknown within the cool-down after a
 * fetch (plex.tv may have started signing with it since), the token goes to plex.tv: this check only ever refuses, it
 * never accepts a token on plex.tv's behalf. Legacy tokens pass through untouched.
 */
export function createTokenCheck(options: TokenCheckOptions): TokenCheck {
  const { plex, logger, now } = options;
  const cooldownMs = options.cooldownMs ?? 60_000;
  let lastFetchAt = Number.NEGATIVE_INFINITY;
  let fetched = 0;
  // jose's own cool-down is off: this one runs on the injected clock and spaces out failed fetches too.
  const keys = createRemoteJWKSet(new URL('https://plex.tv/api/v2/auth/keys'), {
    cooldownDuration: 0,
    cacheMaxAge: 3_600_000,
    [customFetch]: async () => {
      if (now() - lastFetchAt < cooldownMs) throw new Error('cooling down');
      lastFetchAt = now();
      try {
        const body = await plex.signingKeys();
        fetched += 1;
        return Response.json(body);
      } catch (error) {
        logger.warn('plex.tv signing keys could not be fetched: JWTs go to plex.tv unchecked until they can');
        throw error;
      }
    },
  });

  return async (token) => {
    if (!JWT_SHAPE.test(token)) return;
    if (token.length > MAX_PLEX_JWT_LENGTH) throw invalidToken();
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw invalidToken();
    }
    if (header.alg !== 'EdDSA' || typeof header.kid !== 'string' || header.kid === '') throw invalidToken();
    const before = fetched;
    let key: CryptoKey;
    try {
      key = await keys(header);
    } catch {
      // A kid missing from keys fetched for this very check is not plex.tv's; otherwise only plex.tv can tell.
      if (fetched > before) throw invalidToken();
      return;
    }
    let iat: number;
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['EdDSA'],
        issuer: 'plex.tv',
        audience: 'plex.tv',
        requiredClaims: ['iat', 'exp'],
        currentDate: new Date(now()),
        clockTolerance: SKEW_SECONDS,
      });
      iat = payload.iat!;
    } catch (error) {
      // jose checks the signature before the claims: only a genuine token can come back expired.
      throw error instanceof errors.JWTExpired ? tokenExpired() : invalidToken();
    }
    if (iat > now() / 1000 + SKEW_SECONDS) throw invalidToken();
  };
}

/**
 * The `exp` of a JWT-shaped token, read without checking its signature; null for a legacy token or anything unreadable.
 * Only for tokens plex.tv itself just handed this service (a PIN approval, a token exchange), to tell the client when to
 * refresh: never a basis for accepting a token.
 */
export function unverifiedExpiry(token: string): Date | null {
  if (!JWT_SHAPE.test(token)) return null;
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' && Number.isFinite(exp) ? new Date(exp * 1000) : null;
  } catch {
    return null;
  }
}

/**
 * The device a Plex JWT was issued to (its audience other than plex.tv), read without checking its signature; null for
 * a legacy token. Only to tell which device of the account's list is the caller's: never a basis for accepting a token.
 */
export function unverifiedAudience(token: string): string | null {
  if (!JWT_SHAPE.test(token)) return null;
  try {
    const { aud } = decodeJwt(token);
    return [aud ?? []].flat().find((audience) => audience !== 'plex.tv') ?? null;
  } catch {
    return null;
  }
}
