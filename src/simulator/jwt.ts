/**
 * The plex.tv simulator's JWT device authentication (docs/plex-auth.md): device keys registered through PINs, device
 * JWTs checked strictly, nonces, the token exchange, rotating signing keys, and the Plex JWTs it issues.
 *
 * Where plex.tv's behaviour is only inferred, this side is strict (a client that passes here sends what every source
 * agrees on); the client side (src/auth/, src/plex/client.ts) is lenient. HTTP stays in server.ts: every method here
 * answers with a value or a `{ error }` that server.ts writes out.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, decodeProtectedHeader, jwtVerify } from 'jose';
import type { PlexUserBody } from './accounts.js';

export interface SimulatedError {
  readonly code: number;
  readonly message: string;
  readonly status: number;
}

// Statuses are DOCUMENTED (400, 422, 429, 498); bodies and codes are not, so code 0 marks "no known plex.tv code".
// 1097 for an `iss` that is not the client identifier is INFERRED from a client's comment.
export const JWT_ERRORS = {
  badRequest: { code: 0, message: 'Bad Request: malformed request or missing fields', status: 400 },
  invalidJwk: { code: 0, message: 'Bad Request: the jwk is not an Ed25519 public key with a kid', status: 400 },
  missingDeviceJwt: { code: 0, message: 'Bad Request: deviceJWT is missing', status: 400 },
  missingNonce: { code: 0, message: 'Bad Request: the JWT carries no nonce', status: 400 },
  thumbprintTaken: { code: 0, message: 'Thumbprint Already Taken', status: 422 },
  signature: { code: 0, message: 'Signature verification failed', status: 422 },
  issuer: { code: 1097, message: 'JWT issuer does not match X-Plex-Client-Identifier', status: 422 },
  nonce: { code: 0, message: 'Invalid, expired or already used nonce', status: 422 },
  unknownDevice: { code: 0, message: 'Device is not registered', status: 401 },
  unauthenticated: { code: 1001, message: 'User could not be authenticated', status: 401 },
  tokenExpired: { code: 0, message: 'Token expired', status: 498 },
  rateLimited: { code: 1035, message: 'Too many requests', status: 429 },
} as const satisfies Record<string, SimulatedError>;

export interface JwtSimulatorOptions {
  /** Leeway for iat/exp of device JWTs, in seconds (default 60). */
  readonly clockSkewSeconds?: number;
  /** How long a nonce may be used (DOCUMENTED: 5 minutes). */
  readonly nonceTtlSeconds?: number;
  /** Nonces one client identifier may ask for per minute before 429 (rate limit DOCUMENTED, size INFERRED; default 30). */
  readonly noncesPerMinute?: number;
  /** Lifetime of the Plex JWTs it issues (DOCUMENTED: 7 days). */
  readonly plexJwtTtlSeconds?: number;
  /**
   * How long a rotated-out signing key stays published (and its tokens accepted); default 8 days, longer than any
   * token it signed lives. 0 drops it at once. `rotateSigningKey({ keepPrevious })` overrides it per rotation.
   */
  readonly retiredKeyLifetimeSeconds?: number;
}

interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: Readonly<Record<string, string>>;
  /** When it stops being published; Infinity while current or kept. */
  dropAt: number;
}

/** A device key as a PIN carries it. */
export interface DeviceKey {
  readonly clientIdentifier: string;
  readonly kid: string;
  readonly thumbprint: string;
  readonly key: KeyObject;
}

interface Registered<A> extends DeviceKey {
  account: A;
}

interface JwtPin<A> {
  readonly device: DeviceKey;
  readonly expiresAt: number;
  approvedBy: A | undefined;
  authToken: string | null;
}

interface IssuedToken<A> {
  readonly account: A;
  readonly clientIdentifier: string;
  readonly kid: string;
  /** Unix seconds. */
  readonly exp: number;
}

interface DeviceJwtClaims {
  readonly scope: readonly string[];
  readonly nonce: string | undefined;
}

export type JwtResult<T> = T | { readonly error: SimulatedError; readonly retryAfter?: number };
type Result<T> = JwtResult<T>;

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_JWT_LENGTH = 8192;
const SCOPE_FIELDS: Record<string, (body: PlexUserBody) => unknown> = {
  username: (body) => body.username,
  email: (body) => body.email,
  friendly_name: (body) => body.friendlyName,
  restricted: (body) => body.restricted,
  anonymous: (body) => body.anonymous,
  joinedAt: (body) => body.joinedAt,
};

export function isError<T>(result: Result<T>): result is { readonly error: SimulatedError; readonly retryAfter?: number } {
  return typeof result === 'object' && result !== null && 'error' in result;
}

export function looksLikeJwt(token: string): boolean {
  return JWT_SHAPE.test(token);
}

/** plex.tv's side of the JWT flow for accounts of type A (the simulator's account entries). */
export class JwtAuthority<A> {
  private readonly now: () => number;
  private readonly skew: number;
  private readonly nonceTtlMs: number;
  private readonly noncesPerMinute: number;
  private readonly tokenTtl: number;
  private readonly retiredKeyMs: number;
  private readonly signing: SigningKey[] = [];
  private readonly pins = new Map<number, JwtPin<A>>();
  private readonly devices = new Map<string, Registered<A>>();
  private readonly thumbprintOwners = new Map<string, string>();
  private readonly nonces = new Map<string, { clientIdentifier: string; issuedAt: number; used: boolean }>();
  private readonly nonceWindows = new Map<string, { start: number; count: number }>();
  private readonly tokens = new Map<string, IssuedToken<A>>();
  private readonly current = new Map<A, Map<string, string>>();

  constructor(
    private readonly identity: (account: A) => PlexUserBody,
    now: () => number,
    options: JwtSimulatorOptions = {},
  ) {
    this.now = now;
    this.skew = options.clockSkewSeconds ?? 60;
    this.nonceTtlMs = (options.nonceTtlSeconds ?? 300) * 1000;
    this.noncesPerMinute = options.noncesPerMinute ?? 30;
    this.tokenTtl = options.plexJwtTtlSeconds ?? 7 * 86_400;
    this.retiredKeyMs = (options.retiredKeyLifetimeSeconds ?? 8 * 86_400) * 1000;
    this.signing.push(newSigningKey());
  }

  // ---- signing keys (GET /api/v2/auth/keys) -------------------------------------------------------------------------

  /** The published keys, newest first. */
  keys(): { keys: Record<string, string>[] } {
    return { keys: this.published().map((key) => ({ ...key.publicJwk })) };
  }

  /** A new signing key signs from now on; the previous one stays published per `keepPrevious` or the option. */
  rotateSigningKey(options: { keepPrevious?: boolean } = {}): string {
    const keep = options.keepPrevious ?? this.retiredKeyMs > 0;
    const now = this.now();
    for (const key of this.signing) if (key.dropAt === Number.POSITIVE_INFINITY) key.dropAt = keep ? now + this.retiredKeyMs : now;
    const key = newSigningKey();
    this.signing.unshift(key);
    return key.kid;
  }

  private published(): SigningKey[] {
    const now = this.now();
    return this.signing.filter((key) => key.dropAt > now);
  }

  // ---- PINs with a JWK ----------------------------------------------------------------------------------------------

  /** Checks the JWK of POST /api/v2/pins: an Ed25519 public key with a kid, not registered by another device. */
  async checkPinKey(clientIdentifier: string, jwk: unknown): Promise<Result<{ device: DeviceKey }>> {
    const device = await deviceKey(clientIdentifier, jwk);
    if (device === undefined) return { error: JWT_ERRORS.invalidJwk };
    if (this.takenByOther(device.thumbprint, clientIdentifier)) return { error: JWT_ERRORS.thumbprintTaken };
    return { device };
  }

  attachPin(pinId: number, device: DeviceKey, expiresAt: number): void {
    this.pins.set(pinId, { device, expiresAt, approvedBy: undefined, authToken: null });
  }

  hasPin(pinId: number): boolean {
    return this.pins.has(pinId);
  }

  forgetPin(pinId: number): void {
    this.pins.delete(pinId);
  }

  /** Approving registers the PIN's key for its client identifier (replacing that device's previous key). */
  approvePin(pinId: number, account: A): boolean {
    const pin = this.pins.get(pinId);
    if (pin === undefined || pin.approvedBy !== undefined) return pin?.approvedBy === account;
    const { device } = pin;
    if (this.takenByOther(device.thumbprint, device.clientIdentifier)) return false;
    const previous = this.devices.get(device.clientIdentifier);
    if (previous !== undefined) this.thumbprintOwners.delete(previous.thumbprint);
    this.devices.set(device.clientIdentifier, { ...device, account });
    this.thumbprintOwners.set(device.thumbprint, device.clientIdentifier);
    pin.approvedBy = account;
    return true;
  }

  /** GET /api/v2/pins/{id}?deviceJWT=…: the Plex JWT once approved (issued on the first poll after approval). */
  async pollPin(pinId: number, clientIdentifier: string, deviceJwt: string | null): Promise<Result<{ authToken: string | null }>> {
    const pin = this.pins.get(pinId);
    if (pin === undefined) return { error: JWT_ERRORS.badRequest };
    if (deviceJwt === null || deviceJwt === '') return { error: JWT_ERRORS.missingDeviceJwt };
    const claims = await this.verifyDeviceJwt(clientIdentifier, deviceJwt, pin.device, 'optional');
    if (isError(claims)) return claims;
    if (pin.approvedBy !== undefined && pin.authToken === null) {
      const registered = this.devices.get(clientIdentifier);
      if (registered?.thumbprint === pin.device.thumbprint) {
        pin.authToken = await this.issue(pin.approvedBy, clientIdentifier, claims.scope, { thumbprint: pin.device.kid, nonce: claims.nonce });
      }
    }
    return { authToken: pin.authToken };
  }

  private takenByOther(thumbprint: string, clientIdentifier: string): boolean {
    const owner = this.thumbprintOwners.get(thumbprint);
    if (owner !== undefined && owner !== clientIdentifier) return true;
    const now = this.now();
    for (const pin of this.pins.values()) {
      if (pin.device.thumbprint === thumbprint && pin.device.clientIdentifier !== clientIdentifier && pin.expiresAt > now) return true;
    }
    return false;
  }

  // ---- nonce and token exchange -------------------------------------------------------------------------------------

  issueNonce(clientIdentifier: string): Result<{ nonce: string }> {
    const now = this.now();
    let window = this.nonceWindows.get(clientIdentifier);
    if (window === undefined || now - window.start >= 60_000) {
      window = { start: now, count: 0 };
      this.nonceWindows.set(clientIdentifier, window);
    }
    if (window.count >= this.noncesPerMinute) {
      return { error: JWT_ERRORS.rateLimited, retryAfter: Math.max(1, Math.ceil((window.start + 60_000 - now) / 1000)) };
    }
    window.count++;
    if (this.nonces.size >= 10_000) this.pruneNonces();
    const nonce = randomUUID();
    this.nonces.set(nonce, { clientIdentifier, issuedAt: now, used: false });
    return { nonce };
  }

  /** POST /api/v2/auth/token {jwt}: a device JWT with a fresh, unused nonce, signed by the registered key. */
  async exchange(clientIdentifier: string, body: string): Promise<Result<{ auth_token: string }>> {
    let jwt: unknown;
    try {
      jwt = (JSON.parse(body) as { jwt?: unknown } | null)?.jwt;
    } catch {
      return { error: JWT_ERRORS.badRequest };
    }
    if (typeof jwt !== 'string' || jwt === '') return { error: JWT_ERRORS.badRequest };
    const device = this.devices.get(clientIdentifier);
    if (device === undefined) return { error: JWT_ERRORS.unknownDevice };
    const claims = await this.verifyDeviceJwt(clientIdentifier, jwt, device, 'consume');
    if (isError(claims)) return claims;
    return { auth_token: await this.issue(device.account, clientIdentifier, claims.scope, { thumbprint: device.kid, nonce: claims.nonce }) };
  }

  private async verifyDeviceJwt(
    clientIdentifier: string,
    jwt: string,
    device: DeviceKey,
    nonceMode: 'optional' | 'consume',
  ): Promise<Result<DeviceJwtClaims>> {
    if (jwt.length > MAX_JWT_LENGTH || !JWT_SHAPE.test(jwt)) return { error: JWT_ERRORS.signature };
    try {
      const header = decodeProtectedHeader(jwt);
      // A missing kid is a DOCUMENTED cause of failure; it must name the registered key.
      if (header.alg !== 'EdDSA' || typeof header.kid !== 'string' || header.kid !== device.kid) return { error: JWT_ERRORS.signature };
    } catch {
      return { error: JWT_ERRORS.signature };
    }
    const now = this.now();
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(jwt, device.key, {
        algorithms: ['EdDSA'],
        audience: 'plex.tv',
        requiredClaims: ['iss', 'aud', 'iat', 'exp'],
        currentDate: new Date(now),
        clockTolerance: this.skew,
      }));
    } catch {
      return { error: JWT_ERRORS.signature };
    }
    if (payload['iss'] !== clientIdentifier) return { error: JWT_ERRORS.issuer };
    if (typeof payload['iat'] !== 'number' || payload['iat'] > now / 1000 + this.skew) return { error: JWT_ERRORS.signature };
    const scope = payload['scope'];
    if (scope !== undefined && typeof scope !== 'string') return { error: JWT_ERRORS.badRequest };
    const nonce = payload['nonce'];
    if (nonce !== undefined && typeof nonce !== 'string') return { error: JWT_ERRORS.badRequest };
    if (nonce === undefined) {
      if (nonceMode === 'consume') return { error: JWT_ERRORS.missingNonce };
    } else {
      const issued = this.nonces.get(nonce);
      if (issued === undefined || issued.clientIdentifier !== clientIdentifier || issued.used || now - issued.issuedAt > this.nonceTtlMs) {
        return { error: JWT_ERRORS.nonce };
      }
      if (nonceMode === 'consume') issued.used = true;
    }
    return {
      scope: (scope ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s in SCOPE_FIELDS),
      nonce,
    };
  }

  private pruneNonces(): void {
    const now = this.now();
    for (const [nonce, issued] of this.nonces) if (issued.used || now - issued.issuedAt > this.nonceTtlMs) this.nonces.delete(nonce);
    for (const [client, window] of this.nonceWindows) if (now - window.start >= 60_000) this.nonceWindows.delete(client);
  }

  // ---- Plex JWTs ----------------------------------------------------------------------------------------------------

  /**
   * Signs a Plex JWT for the account on this client identifier; the token that pair held before stops working
   * (one token per account and client identifier, INFERRED).
   */
  async issue(
    account: A,
    clientIdentifier: string,
    scope: readonly string[],
    extra: { thumbprint?: string; nonce?: string | undefined } = {},
  ): Promise<string> {
    const key = this.published()[0];
    if (key === undefined) throw new Error('no signing key');
    const body = this.identity(account);
    const user: Record<string, unknown> = { id: body.id, uuid: body.uuid };
    for (const field of scope) {
      const read = SCOPE_FIELDS[field];
      if (read !== undefined) user[field] = read(body);
    }
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + this.tokenTtl;
    const claims: Record<string, unknown> = { nonce: extra.nonce ?? randomUUID() };
    if (extra.thumbprint !== undefined) claims['thumbprint'] = extra.thumbprint;
    claims['user'] = user;
    const token = await new SignJWT(claims)
      .setProtectedHeader({ kid: key.kid, typ: 'JWT', alg: 'EdDSA' })
      .setIssuer('plex.tv')
      .setAudience(['plex.tv', clientIdentifier])
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(key.privateKey);
    let perClient = this.current.get(account);
    if (perClient === undefined) {
      perClient = new Map();
      this.current.set(account, perClient);
    }
    const previous = perClient.get(clientIdentifier);
    if (previous !== undefined && previous !== token) this.tokens.delete(previous);
    perClient.set(clientIdentifier, token);
    this.tokens.set(token, { account, clientIdentifier, kid: key.kid, exp });
    return token;
  }

  /** The account behind a Plex JWT, as GET /user and sign-out see it: unknown or retired 401, expired 498. */
  checkToken(token: string): Result<{ account: A }> {
    const issued = this.tokens.get(token);
    if (issued === undefined || !this.published().some((key) => key.kid === issued.kid)) return { error: JWT_ERRORS.unauthenticated };
    if (this.now() >= issued.exp * 1000) return { error: JWT_ERRORS.tokenExpired };
    return { account: issued.account };
  }

  /** The account's current Plex JWTs, by the client identifier each was issued to. */
  tokensOf(account: A): Iterable<[clientIdentifier: string, token: string]> {
    return this.current.get(account)?.entries() ?? [];
  }

  /** Sign-out and revocation: the token stops working. */
  retireToken(token: string): boolean {
    const issued = this.tokens.get(token);
    if (issued === undefined) return false;
    this.tokens.delete(token);
    const perClient = this.current.get(issued.account);
    if (perClient?.get(issued.clientIdentifier) === token) perClient.delete(issued.clientIdentifier);
    return true;
  }

  /** Removes a device from its account (as the account's device list does): its key and its tokens stop working. */
  revokeDevice(clientIdentifier: string): boolean {
    const device = this.devices.get(clientIdentifier);
    if (device === undefined) return false;
    this.devices.delete(clientIdentifier);
    this.thumbprintOwners.delete(device.thumbprint);
    for (const [token, issued] of this.tokens) if (issued.clientIdentifier === clientIdentifier) this.retireToken(token);
    return true;
  }
}

function newSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const { kty, crv, x } = publicKey.export({ format: 'jwk' });
  // plex.tv's kid is 43 characters and not the key's thumbprint (INFERRED): a random one keeps clients from assuming.
  const kid = randomBytes(32).toString('base64url');
  return { kid, privateKey, publicJwk: { kty: kty!, crv: crv!, x: x!, use: 'sig', alg: 'EdDSA', kid }, dropAt: Number.POSITIVE_INFINITY };
}

/** An Ed25519 public JWK with a kid, strictly: no private part, nothing but EdDSA signing. */
async function deviceKey(clientIdentifier: string, jwk: unknown): Promise<DeviceKey | undefined> {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return undefined;
  const { kty, crv, x, kid, alg, use } = jwk as Record<string, unknown>;
  if ('d' in jwk) return undefined;
  if (kty !== 'OKP' || crv !== 'Ed25519' || typeof x !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(x)) return undefined;
  if (typeof kid !== 'string' || kid === '' || kid.length > 256) return undefined;
  if ((alg !== undefined && alg !== 'EdDSA') || (use !== undefined && use !== 'sig')) return undefined;
  try {
    const key = createPublicKey({ key: { kty, crv, x }, format: 'jwk' });
    const thumbprint = await calculateJwkThumbprint({ kty, crv, x });
    return { clientIdentifier, kid, thumbprint, key };
  } catch {
    return undefined;
  }
}
