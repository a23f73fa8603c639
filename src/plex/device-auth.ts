/**
 * plex.tv JWT device authentication (docs/plex-auth.md): a device key per sign-in, device JWTs signed with it, a sealed
 * refresh credential that carries the key, local verification of the Plex JWTs plex.tv issues, and the HTTP calls of
 * the flow (PIN with a JWK, polling with a device JWT, nonce, token exchange, signing keys).
 *
 * Nothing here imports the GraphQL schema or Pothos. Outcomes plex.tv answered with come back as typed values; failing
 * to get an answer at all (timeout, network) is thrown by the transport, so the plex client's own transport keeps its
 * error classification when these calls are plugged into it.
 *
 * Private keys never leave this module in readable form: a `PlexDevice` is a frozen object holding only public data,
 * its signing key sits in a module-private WeakMap, and the only way to carry it elsewhere is `sealDevice`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  CompactEncrypt,
  SignJWT,
  calculateJwkThumbprint,
  compactDecrypt,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  errors as joseErrors,
  type CryptoKey,
  type JWK,
} from 'jose';
import { request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { buildAuthUrl } from './pins.js';
import { parseRetryAfter } from './retry-after.js';
import { PlexPinSchema, type PlexPin } from './schemas.js';

type Clock = () => number;

// ---- device --------------------------------------------------------------------------------------------------------

/** The public half of a device key as plex.tv takes it (DOCUMENTED: kty, crv, x, kid, alg; `use` appears in one example). */
export interface DevicePublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  /** The raw 32-byte public key, base64url without padding. */
  readonly x: string;
  /** The RFC 7638 thumbprint of {crv, kty, x}. plex.tv treats it as opaque. */
  readonly kid: string;
  readonly alg: 'EdDSA';
  readonly use: 'sig';
}

/**
 * One device as plex.tv sees it: a client identifier and an Ed25519 key registered under it. Only public data is
 * reachable from this object (JSON.stringify, util.inspect and toString show nothing secret).
 */
export interface PlexDevice {
  /** The X-Plex-Client-Identifier every call of this device sends; also the `iss` of its device JWTs. */
  readonly clientIdentifier: string;
  readonly kid: string;
  readonly publicJwk: DevicePublicJwk;
}

// The signing keys, reachable only from this module. CryptoKeys print as {} in JSON and without key material in inspect.
const signingKeys = new WeakMap<PlexDevice, CryptoKey>();

function signingKeyOf(device: PlexDevice): CryptoKey {
  const key = signingKeys.get(device);
  if (key === undefined) throw new TypeError('not a device created by createDevice or unsealDevice');
  return key;
}

async function deviceFrom(clientIdentifier: string, privateKey: CryptoKey, x: string): Promise<PlexDevice> {
  const kid = await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x });
  const publicJwk: DevicePublicJwk = Object.freeze({ kty: 'OKP', crv: 'Ed25519', x, kid, alg: 'EdDSA', use: 'sig' });
  const device: PlexDevice = Object.freeze({ clientIdentifier, kid, publicJwk });
  signingKeys.set(device, privateKey);
  return device;
}

/** A fresh device: a new client identifier (UUID) and a new Ed25519 key pair; one key per client identifier. */
export async function createDevice(): Promise<PlexDevice> {
  // Extractable so that sealDevice can carry it; the key object itself never leaves this module.
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const { x } = await exportJWK(publicKey);
  if (typeof x !== 'string') throw new Error('Ed25519 public key export has no x');
  return deviceFrom(randomUUID(), privateKey, x);
}

// ---- device JWT ----------------------------------------------------------------------------------------------------

/** The user fields a Plex JWT may carry (DOCUMENTED). They choose what plex.tv copies into the token, not permissions. */
export const PLEX_JWT_SCOPES = ['username', 'email', 'friendly_name', 'restricted', 'anonymous', 'joinedAt'] as const;
export type PlexJwtScope = (typeof PLEX_JWT_SCOPES)[number];
export const DEFAULT_SCOPE: readonly PlexJwtScope[] = ['username', 'email', 'friendly_name'];

/** Device JWTs live 5 minutes, as every known client signs them; a nonce dies after 5 minutes anyway. */
export const DEVICE_JWT_LIFETIME_SECONDS = 300;

export interface DeviceJwtOptions {
  /** From GET /api/v2/auth/nonce; required by the token exchange, not needed while polling a PIN. */
  readonly nonce?: string;
  readonly scope: readonly PlexJwtScope[];
  /** Milliseconds since the epoch; defaults to Date.now(). plex.tv checks the timestamps, so the clock must be right. */
  readonly now?: number;
}

/** Header {alg:'EdDSA', typ:'JWT', kid}; claims {aud:'plex.tv', iss:<client id>, iat, exp: iat+300, scope, nonce?}. */
export async function signDeviceJwt(device: PlexDevice, options: DeviceJwtOptions): Promise<string> {
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const claims: Record<string, string> = { scope: options.scope.join(',') };
  if (options.nonce !== undefined) claims['nonce'] = options.nonce;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: device.kid })
    .setAudience('plex.tv')
    .setIssuer(device.clientIdentifier)
    .setIssuedAt(iat)
    .setExpirationTime(iat + DEVICE_JWT_LIFETIME_SECONDS)
    .sign(signingKeyOf(device));
}

// ---- sealed refresh credential -------------------------------------------------------------------------------------

export const SEALING_KEY_ENV = 'AUTH_SEALING_KEY';
const SEALING_KEY_BYTES = 32;
const SEALED_TYPE = 'plex-device+jwe';
const SEALED_VERSION = 1;
// A sealed device is about 400 characters; anything far larger is not one, and is not worth decrypting.
const MAX_SEALED_LENGTH = 4096;
export const GENERATE_HINT = `generate one with: node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))"`;

/** The server keys that seal refresh credentials. The first seals; all of them unseal (rotation). Prints no key. */
export interface SealingKeyring {
  readonly size: number;
}

const keyringSecrets = new WeakMap<SealingKeyring, readonly Uint8Array[]>();

export type SealingKeysResult =
  | { readonly ok: true; readonly keyring: SealingKeyring }
  /** `problem` names the variable and what is wrong, never the value: fit for a start-up error. */
  | { readonly ok: false; readonly problem: string };

/**
 * Reads AUTH_SEALING_KEY: a comma-separated list of keys, each 32 random bytes in base64url (43 characters; padded
 * or standard base64 is accepted too). The first key seals; every key unseals, so a new key goes first and the old
 * one stays after it until the credentials it sealed have been refreshed.
 */
export function parseSealingKeys(value: string | undefined): SealingKeysResult {
  if (value === undefined || value.trim() === '') {
    return { ok: false, problem: `${SEALING_KEY_ENV} is not set; ${GENERATE_HINT}` };
  }
  const entries = value.split(',').map((entry) => entry.trim());
  const keys: Uint8Array[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    const which = entries.length === 1 ? 'the key' : `key ${index + 1} of ${entries.length}`;
    if (entry === '') return { ok: false, problem: `${SEALING_KEY_ENV}: ${which} is empty (stray comma?)` };
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(entry)) {
      return { ok: false, problem: `${SEALING_KEY_ENV}: ${which} is not base64url; ${GENERATE_HINT}` };
    }
    const bytes = Buffer.from(entry, 'base64');
    if (bytes.length !== SEALING_KEY_BYTES) {
      return {
        ok: false,
        problem: `${SEALING_KEY_ENV}: ${which} decodes to ${bytes.length} bytes, not ${SEALING_KEY_BYTES}; ${GENERATE_HINT}`,
      };
    }
    const canonical = bytes.toString('base64url');
    if (seen.has(canonical)) return { ok: false, problem: `${SEALING_KEY_ENV}: ${which} repeats an earlier key` };
    seen.add(canonical);
    keys.push(new Uint8Array(bytes));
  }
  const keyring: SealingKeyring = Object.freeze({ size: keys.length });
  keyringSecrets.set(keyring, Object.freeze(keys));
  return { ok: true, keyring };
}

/** A new AUTH_SEALING_KEY value: 32 random bytes, base64url. */
export function generateSealingKey(): string {
  return randomBytes(SEALING_KEY_BYTES).toString('base64url');
}

const SealedPayloadSchema = z.object({
  v: z.literal(SEALED_VERSION),
  cid: z.string().min(1).max(255),
  kid: z.string().min(1),
  jwk: z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string().min(1), d: z.string().min(1) }),
  iat: z.number().int(),
});

/**
 * The device (client identifier and private key) as one opaque string, encrypted and authenticated under the first
 * sealing key (JWE, dir + A256GCM). This is the long-lived credential: whoever holds it and the key can get Plex
 * JWTs for the account until the device is revoked.
 */
export async function sealDevice(device: PlexDevice, keyring: SealingKeyring, now = Date.now()): Promise<string> {
  const keys = keyringSecrets.get(keyring);
  if (keys === undefined || keys[0] === undefined) throw new TypeError('not a keyring made by parseSealingKeys');
  const { kty, crv, x, d } = await exportJWK(signingKeyOf(device));
  const payload = { v: SEALED_VERSION, cid: device.clientIdentifier, kid: device.kid, jwk: { kty, crv, x, d }, iat: Math.floor(now / 1000) };
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ: SEALED_TYPE })
    .encrypt(keys[0]);
}

export type UnsealResult =
  /** `needsReseal`: an older key opened it; seal it again (and hand it out) so that key can be retired. */
  | { readonly ok: true; readonly device: PlexDevice; readonly needsReseal: boolean }
  /**
   * `malformed`: not a sealed credential at all. `rejected`: it has the shape of one but no key opens it intact
   * (tampered with, or sealed under a key this server no longer has). Either way: sign in again.
   */
  | { readonly ok: false; readonly reason: 'malformed' | 'rejected' };

/** Opens a sealed credential with any key of the ring. Never throws: every failure is one of the typed outcomes. */
export async function unsealDevice(token: string, keyring: SealingKeyring): Promise<UnsealResult> {
  const keys = keyringSecrets.get(keyring);
  if (keys === undefined) throw new TypeError('not a keyring made by parseSealingKeys');
  if (typeof token !== 'string' || token.length > MAX_SEALED_LENGTH || !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){4}$/.test(token)) {
    return { ok: false, reason: 'malformed' };
  }
  try {
    const header = decodeProtectedHeader(token);
    if (header.alg !== 'dir' || header.enc !== 'A256GCM' || header.typ !== SEALED_TYPE) return { ok: false, reason: 'malformed' };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  for (const [index, key] of keys.entries()) {
    let plaintext: Uint8Array;
    try {
      ({ plaintext } = await compactDecrypt(token, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] }));
    } catch {
      continue;
    }
    try {
      const parsed = SealedPayloadSchema.safeParse(JSON.parse(new TextDecoder().decode(plaintext)));
      if (!parsed.success) return { ok: false, reason: 'rejected' };
      const { cid, kid, jwk } = parsed.data;
      const privateKey = await importJWK({ ...jwk }, 'EdDSA', { extractable: true });
      if (privateKey instanceof Uint8Array) return { ok: false, reason: 'rejected' };
      const device = await deviceFrom(cid, privateKey, jwk.x);
      if (device.kid !== kid) return { ok: false, reason: 'rejected' };
      return { ok: true, device, needsReseal: index > 0 };
    } catch {
      return { ok: false, reason: 'rejected' };
    }
  }
  return { ok: false, reason: 'rejected' };
}

// ---- transport -----------------------------------------------------------------------------------------------------

/** The plex.tv endpoints of the JWT flow, as the plex client's metrics and diagnostics name them. */
export type DeviceAuthEndpoint = 'pins' | 'pin' | 'nonce' | 'token' | 'keys';

export interface DeviceAuthResponse {
  readonly status: number;
  readonly contentType: string;
  readonly retryAfter: string | undefined;
  readonly text: string;
}

/**
 * The HTTP machinery the calls below need: the same shape as the plex client's PlexTransport (src/plex/pins.ts), so
 * the client can hand its own (timeouts, pool, circuit breaker, metrics) once its endpoint names include these.
 * `call` resolves with whatever plex.tv answered and throws only when there is no answer.
 */
export interface DeviceAuthTransport<CallOptions = unknown> {
  readonly baseUrl: string;
  /**
   * Accept, X-Plex-Client-Identifier (this service's own), X-Plex-Product, X-Plex-Version...; each call made for a
   * device replaces the client identifier with the device's.
   */
  readonly headers: Readonly<Record<string, string>>;
  call(
    endpoint: DeviceAuthEndpoint,
    url: string,
    init: { method: 'GET' | 'POST' | 'DELETE'; headers: Record<string, string>; body?: string },
    callOptions: CallOptions | undefined,
  ): Promise<DeviceAuthResponse>;
}

/** No answer from plex.tv. The message is safe to log: no URL query, token or body. */
export class DeviceAuthUnreachable extends Error {
  override readonly name = 'DeviceAuthUnreachable';
  constructor(
    readonly endpoint: DeviceAuthEndpoint,
    readonly reason: 'timeout' | 'network' | 'body-too-large',
  ) {
    super(`plex.tv ${endpoint}: ${reason}`);
  }
}

// ---- the calls of the flow -----------------------------------------------------------------------------------------

/** An answer the call did not want. 4xx outcomes a call understands have their own kinds. */
export type DeviceAuthFailure =
  | { readonly kind: 'throttled'; readonly retryAfterSeconds: number | null }
  /** 5xx: worth retrying later. */
  | { readonly kind: 'unavailable'; readonly status: number }
  /** A status or a body this code does not understand. `problem` names what, never values. */
  | { readonly kind: 'bad-response'; readonly status: number; readonly problem: string };

export interface CreatedJwtPin extends PlexPin {
  /** The page the user approves the PIN on. */
  readonly authUrl: string;
}

export type CreateJwtPinOutcome =
  | { readonly kind: 'created'; readonly pin: CreatedJwtPin }
  /** 422 "Thumbprint Already Taken": another device registered this key. Make a new device. */
  | { readonly kind: 'thumbprint-taken' }
  /** 400, 401, 403 or any other 422: plex.tv refused the request as made. */
  | { readonly kind: 'refused'; readonly status: number }
  | DeviceAuthFailure;

export type JwtPinOutcome =
  | { readonly kind: 'pending'; readonly pin: PlexPin }
  /** `authToken` is the Plex JWT: verify it (createPlexJwtVerifier) before trusting what it says. */
  | { readonly kind: 'approved'; readonly pin: PlexPin; readonly authToken: string }
  /** 404: unknown or expired PIN. */
  | { readonly kind: 'not-found' }
  /** 400, 401, 403 or 422: plex.tv did not accept the device JWT. */
  | { readonly kind: 'refused'; readonly status: number }
  | DeviceAuthFailure;

export type NonceOutcome = { readonly kind: 'nonce'; readonly nonce: string } | { readonly kind: 'refused'; readonly status: number } | DeviceAuthFailure;

export type TokenOutcome =
  | { readonly kind: 'token'; readonly authToken: string }
  /** 498: plex.tv says a JWT expired (here: the device JWT, e.g. a slow clock); sign again and retry. */
  | { readonly kind: 'token-expired' }
  /** 400, 401, 403 or 422 on a refresh: the device is gone (revoked, or its key unknown). Sign in again. */
  | { readonly kind: 'device-revoked'; readonly status: number }
  | DeviceAuthFailure;

export type KeysOutcome = { readonly kind: 'keys'; readonly keys: readonly JWK[] } | DeviceAuthFailure;

export interface DeviceAuthCallsOptions {
  readonly product: string;
  /** The page users approve PINs on, e.g. https://app.plex.tv/auth. */
  readonly authUrl: string;
  /** Which user fields plex.tv puts in the Plex JWT; DEFAULT_SCOPE when absent. */
  readonly scope?: readonly PlexJwtScope[];
  readonly now?: Clock;
}

export interface DeviceAuthCalls<CallOptions = unknown> {
  /** POST /api/v2/pins with JSON {jwk, strong: true}. */
  createJwtPin(device: PlexDevice, input?: { readonly forwardUrl?: string | null }, options?: CallOptions): Promise<CreateJwtPinOutcome>;
  /** GET /api/v2/pins/{id}?deviceJWT=<a device JWT signed now, without a nonce>. */
  getJwtPin(device: PlexDevice, id: string, options?: CallOptions): Promise<JwtPinOutcome>;
  /** GET /api/v2/auth/nonce. */
  getNonce(device: PlexDevice, options?: CallOptions): Promise<NonceOutcome>;
  /** POST /api/v2/auth/token with JSON {jwt}; no X-Plex-Token. */
  exchangeToken(device: PlexDevice, signedJwt: string, options?: CallOptions): Promise<TokenOutcome>;
  /** Nonce, a device JWT carrying it, exchange: a new Plex JWT, also after the old one expired. */
  refreshToken(device: PlexDevice, options?: CallOptions): Promise<TokenOutcome>;
  /** GET /api/v2/auth/keys: plex.tv's public signing keys. */
  fetchKeys(options?: CallOptions): Promise<KeysOutcome>;
}

const PIN_ID = /^\d{1,20}$/;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const NonceBodySchema = z.object({ nonce: z.string().min(1).max(512) });
const TokenBodySchema = z.object({ auth_token: z.string().regex(JWT_SHAPE).max(16_384) });
const KeysBodySchema = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });

export function createDeviceAuthCalls<CallOptions = unknown>(
  transport: DeviceAuthTransport<CallOptions>,
  options: DeviceAuthCallsOptions,
): DeviceAuthCalls<CallOptions> {
  const api = `${transport.baseUrl}/api/v2`;
  const scope = options.scope ?? DEFAULT_SCOPE;
  const now = options.now ?? Date.now;
  const headersFor = (device: PlexDevice | null, json = false): Record<string, string> => ({
    ...transport.headers,
    ...(device === null ? {} : { 'x-plex-client-identifier': device.clientIdentifier }),
    ...(json ? { 'content-type': 'application/json' } : {}),
  });

  /** The generic reading of a status no call has its own meaning for. */
  function failure(raw: DeviceAuthResponse): DeviceAuthFailure {
    if (raw.status === 429) return { kind: 'throttled', retryAfterSeconds: parseRetryAfter(raw.retryAfter, now()) };
    if (raw.status >= 500) return { kind: 'unavailable', status: raw.status };
    return { kind: 'bad-response', status: raw.status, problem: 'unexpected status' };
  }

  type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: DeviceAuthFailure };
  function json<T extends z.ZodType>(raw: DeviceAuthResponse, schema: T): Parsed<z.infer<T>> {
    let body: unknown;
    try {
      body = JSON.parse(raw.text);
    } catch {
      const problem = raw.text === '' ? 'empty body' : 'body is not JSON';
      return { ok: false, failure: { kind: 'bad-response', status: raw.status, problem } };
    }
    const parsed = schema.safeParse(body);
    if (parsed.success) return { ok: true, value: parsed.data };
    // Paths only: values may be secrets.
    const problem = `body does not match its schema at ${parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ')}`;
    return { ok: false, failure: { kind: 'bad-response', status: raw.status, problem } };
  }
  const is2xx = (status: number) => status >= 200 && status < 300;
  const refusal = (status: number) => status === 400 || status === 401 || status === 403 || status === 422;

  const calls: DeviceAuthCalls<CallOptions> = {
    async createJwtPin(device, input = {}, callOptions) {
      const raw = await transport.call(
        'pins',
        `${api}/pins`,
        { method: 'POST', headers: headersFor(device, true), body: JSON.stringify({ jwk: device.publicJwk, strong: true }) },
        callOptions,
      );
      if (is2xx(raw.status)) {
        const pin = json(raw, PlexPinSchema);
        if (!pin.ok) return pin.failure;
        const authUrl = buildAuthUrl(options.authUrl, {
          clientIdentifier: device.clientIdentifier,
          code: pin.value.code,
          product: options.product,
          forwardUrl: input.forwardUrl,
        });
        return { kind: 'created', pin: { ...pin.value, authUrl } };
      }
      if (raw.status === 422 && /thumbprint/i.test(raw.text)) return { kind: 'thumbprint-taken' };
      if (refusal(raw.status)) return { kind: 'refused', status: raw.status };
      return failure(raw);
    },

    async getJwtPin(device, id, callOptions) {
      if (!PIN_ID.test(id)) return { kind: 'not-found' };
      const deviceJwt = await signDeviceJwt(device, { scope, now: now() });
      const raw = await transport.call(
        'pin',
        `${api}/pins/${id}?${new URLSearchParams({ deviceJWT: deviceJwt })}`,
        { method: 'GET', headers: headersFor(device) },
        callOptions,
      );
      if (is2xx(raw.status)) {
        const pin = json(raw, PlexPinSchema);
        if (!pin.ok) return pin.failure;
        const { authToken } = pin.value;
        return authToken ? { kind: 'approved', pin: pin.value, authToken } : { kind: 'pending', pin: pin.value };
      }
      if (raw.status === 404) return { kind: 'not-found' };
      if (refusal(raw.status)) return { kind: 'refused', status: raw.status };
      return failure(raw);
    },

    async getNonce(device, callOptions) {
      const raw = await transport.call('nonce', `${api}/auth/nonce`, { method: 'GET', headers: headersFor(device) }, callOptions);
      if (is2xx(raw.status)) {
        const body = json(raw, NonceBodySchema);
        return body.ok ? { kind: 'nonce', nonce: body.value.nonce } : body.failure;
      }
      if (refusal(raw.status)) return { kind: 'refused', status: raw.status };
      return failure(raw);
    },

    async exchangeToken(device, signedJwt, callOptions) {
      const raw = await transport.call(
        'token',
        `${api}/auth/token`,
        { method: 'POST', headers: headersFor(device, true), body: JSON.stringify({ jwt: signedJwt }) },
        callOptions,
      );
      if (is2xx(raw.status)) {
        const body = json(raw, TokenBodySchema);
        return body.ok ? { kind: 'token', authToken: body.value.auth_token } : body.failure;
      }
      if (raw.status === 498) return { kind: 'token-expired' };
      if (refusal(raw.status)) return { kind: 'device-revoked', status: raw.status };
      return failure(raw);
    },

    async refreshToken(device, callOptions) {
      const nonce = await calls.getNonce(device, callOptions);
      // Any 4xx on a refresh means the device is no longer welcome (what known clients do too).
      if (nonce.kind === 'refused') return { kind: 'device-revoked', status: nonce.status };
      if (nonce.kind !== 'nonce') return nonce;
      const signed = await signDeviceJwt(device, { nonce: nonce.nonce, scope, now: now() });
      return calls.exchangeToken(device, signed, callOptions);
    },

    async fetchKeys(callOptions) {
      const raw = await transport.call('keys', `${api}/auth/keys`, { method: 'GET', headers: headersFor(null) }, callOptions);
      if (is2xx(raw.status)) {
        const body = json(raw, KeysBodySchema);
        return body.ok ? { kind: 'keys', keys: body.value.keys as JWK[] } : body.failure;
      }
      return failure(raw);
    },
  };
  return calls;
}

// ---- local verification of Plex JWTs -------------------------------------------------------------------------------

export type PlexJwtVerdict =
  | {
      readonly kind: 'valid';
      readonly expiresAt: Date;
      readonly issuedAt: Date;
      /** From the `user` claim; null when plex.tv left it out. */
      readonly user: { readonly id: string; readonly uuid: string } | null;
      readonly audience: readonly string[];
    }
  /** Signed by plex.tv, but past `exp`: refresh it. */
  | { readonly kind: 'expired' }
  /** Not signed by plex.tv, or not for plex.tv, or malformed: reject it. */
  | { readonly kind: 'invalid' }
  /**
   * plex.tv's keys could not be fetched, or the kid is not among them and the cool-down forbids fetching them again
   * yet: ask plex.tv instead (never accept it on this basis).
   */
  | { readonly kind: 'unverifiable' }
  /** Not a JWT: a legacy token, which only plex.tv can judge. */
  | { readonly kind: 'not-jwt' };

export interface PlexJwtExpectations {
  /** The device holder's own client identifier, which plex.tv puts in `aud` next to 'plex.tv'. */
  readonly clientIdentifier?: string;
  /** The device key's kid, which plex.tv copies into the `thumbprint` claim. */
  readonly thumbprint?: string;
}

export interface PlexJwtVerifier {
  verify(token: string, expect?: PlexJwtExpectations): Promise<PlexJwtVerdict>;
}

interface VerifierTiming {
  readonly now?: Clock;
  /** Leeway for exp and iat, in seconds (default 60). */
  readonly skewSeconds?: number;
  /** Keys older than this are fetched again before use (default 1 hour); they stay usable if that fetch fails. */
  readonly cacheMaxAgeMs?: number;
  /** The least time between two fetches, whatever asks for them (default 60 s): an unknown kid costs at most one. */
  readonly refetchCooldownMs?: number;
  /** Called after each key fetch, for metrics and logs. */
  readonly onKeysFetch?: (result: { readonly ok: boolean; readonly keys: number }) => void;
}

export type PlexJwtVerifierOptions = VerifierTiming &
  (
    | {
        /** GET /api/v2/auth/keys on the configured plex.tv base URL. */
        readonly keysUrl: string;
        /** Sent with the fetch: plex.tv wants Accept and X-Plex-Client-Identifier on every call. */
        readonly headers?: Readonly<Record<string, string>>;
        readonly dispatcher?: Dispatcher;
        readonly timeoutMs?: number;
      }
    /** Or any loader, e.g. `() => calls.fetchKeys()` through the plex client's transport; throw or reject on failure. */
    | { readonly loadKeys: () => Promise<{ readonly keys: readonly unknown[] }> }
  );

const MAX_PLEX_JWT_LENGTH = 16_384;
const PlexJwtClaimsSchema = z.object({
  iat: z.number(),
  exp: z.number(),
  aud: z.union([z.string(), z.array(z.string())]),
  thumbprint: z.string().optional(),
  user: z.object({ id: z.union([z.number().int(), z.string().min(1)]), uuid: z.string().min(1) }).optional(),
});

/** Three dot-separated base64url segments: what a JWT looks like, and what a legacy token does not. */
export function looksLikeJwt(token: string): boolean {
  return JWT_SHAPE.test(token);
}

/**
 * The `exp` of a JWT-shaped token, read without checking its signature; null for a legacy token or anything unreadable.
 * Only for tokens this service was just handed by plex.tv itself (a PIN approval, a token exchange), to tell the
 * client when to refresh: never a basis for accepting a token.
 */
export function unverifiedExpiry(token: string): Date | null {
  if (!looksLikeJwt(token)) return null;
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' && Number.isFinite(exp) ? new Date(exp * 1000) : null;
  } catch {
    return null;
  }
}

export function createPlexJwtVerifier(options: PlexJwtVerifierOptions): PlexJwtVerifier {
  const now = options.now ?? Date.now;
  const skew = options.skewSeconds ?? 60;
  const maxAge = options.cacheMaxAgeMs ?? 3_600_000;
  const cooldown = options.refetchCooldownMs ?? 60_000;
  const load = 'loadKeys' in options ? options.loadKeys : httpKeyLoader(options);

  let cache: { keys: Map<string, CryptoKey>; fetchedAt: number } | undefined;
  let lastAttemptAt = Number.NEGATIVE_INFINITY;
  let lastAttemptOk = false;
  let inflight: Promise<void> | undefined;

  async function fetchKeys(): Promise<void> {
    lastAttemptAt = now();
    let keys = new Map<string, CryptoKey>();
    try {
      const body = await load();
      keys = await importSigningKeys(body.keys);
    } catch {
      keys = new Map();
    }
    // An empty set is treated as a failed fetch: rejecting every token on plex.tv's hiccup is worse than asking it.
    lastAttemptOk = keys.size > 0;
    if (lastAttemptOk) cache = { keys, fetchedAt: lastAttemptAt };
    options.onKeysFetch?.({ ok: lastAttemptOk, keys: keys.size });
  }

  function refresh(): Promise<void> {
    inflight ??= fetchKeys().finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  async function keyFor(kid: string): Promise<CryptoKey | 'unknown' | 'unverifiable'> {
    const fresh = cache !== undefined && now() - cache.fetchedAt < maxAge;
    let fetched = false;
    if (!(fresh && cache!.keys.has(kid))) {
      if (inflight !== undefined) {
        await inflight;
        fetched = true;
      } else if (now() - lastAttemptAt >= cooldown) {
        await refresh();
        fetched = true;
      }
    }
    const key = cache?.keys.get(kid);
    if (key !== undefined) return key;
    // A kid missing from keys fetched successfully for this very lookup is not plex.tv's. During the cool-down a kid
    // may be one plex.tv started signing with since the last fetch: only plex.tv can tell then, never a rejection here.
    return fetched && cache !== undefined && lastAttemptOk ? 'unknown' : 'unverifiable';
  }

  return {
    async verify(token, expect = {}) {
      if (typeof token !== 'string' || !looksLikeJwt(token)) return { kind: 'not-jwt' };
      if (token.length > MAX_PLEX_JWT_LENGTH) return { kind: 'invalid' };
      let kid: unknown;
      try {
        const header = decodeProtectedHeader(token);
        if (header.alg !== 'EdDSA') return { kind: 'invalid' };
        kid = header.kid;
      } catch {
        return { kind: 'invalid' };
      }
      if (typeof kid !== 'string' || kid === '') return { kind: 'invalid' };
      const key = await keyFor(kid);
      if (key === 'unknown') return { kind: 'invalid' };
      if (key === 'unverifiable') return { kind: 'unverifiable' };
      const at = now();
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, key, {
          algorithms: ['EdDSA'],
          issuer: 'plex.tv',
          audience: 'plex.tv',
          requiredClaims: ['iat', 'exp'],
          currentDate: new Date(at),
          clockTolerance: skew,
        }));
      } catch (error) {
        // jose checks the signature before the claims: only a genuine token can come back expired.
        return error instanceof joseErrors.JWTExpired ? { kind: 'expired' } : { kind: 'invalid' };
      }
      const claims = PlexJwtClaimsSchema.safeParse(payload);
      if (!claims.success) return { kind: 'invalid' };
      const { iat, exp, thumbprint, user } = claims.data;
      const audience = typeof claims.data.aud === 'string' ? [claims.data.aud] : claims.data.aud;
      if (iat > at / 1000 + skew) return { kind: 'invalid' };
      if (expect.clientIdentifier !== undefined && !audience.includes(expect.clientIdentifier)) return { kind: 'invalid' };
      if (expect.thumbprint !== undefined && thumbprint !== expect.thumbprint) return { kind: 'invalid' };
      return {
        kind: 'valid',
        expiresAt: new Date(exp * 1000),
        issuedAt: new Date(iat * 1000),
        user: user === undefined ? null : { id: String(user.id), uuid: user.uuid },
        audience,
      };
    },
  };
}

function httpKeyLoader(options: { keysUrl: string; headers?: Readonly<Record<string, string>>; dispatcher?: Dispatcher; timeoutMs?: number }) {
  return async (): Promise<{ keys: readonly unknown[] }> => {
    const response = await request(options.keysUrl, {
      method: 'GET',
      headers: { accept: 'application/json', ...options.headers },
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`keys: status ${response.statusCode}`);
    return KeysBodySchema.parse(JSON.parse(text));
  };
}

/** The Ed25519 signing keys of a JWKS by kid; anything else in it (other types, encryption keys, junk) is skipped. */
async function importSigningKeys(keys: readonly unknown[]): Promise<Map<string, CryptoKey>> {
  const out = new Map<string, CryptoKey>();
  for (const candidate of keys) {
    if (typeof candidate !== 'object' || candidate === null) continue;
    const jwk = candidate as JWK;
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string' || typeof jwk.kid !== 'string' || jwk.kid === '') continue;
    if (jwk.alg !== undefined && jwk.alg !== 'EdDSA') continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    if (jwk.d !== undefined) continue;
    try {
      const key = await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, 'EdDSA');
      if (!(key instanceof Uint8Array)) out.set(jwk.kid, key);
    } catch {
      // Not a usable key: ignore it, as a JWKS consumer must.
    }
  }
  return out;
}
