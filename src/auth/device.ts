/**
 * Devices of plex.tv's JWT authentication (docs/plex-auth.md): a client identifier with an Ed25519 key, the device JWTs
 * signed with it, and the sealed refresh credential that carries it. Private keys never leave this module readable: a
 * `PlexDevice` holds only public data, its key sits in a module-private WeakMap, and only `sealDevice` carries it out.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  CompactEncrypt,
  SignJWT,
  calculateJwkThumbprint,
  compactDecrypt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
} from 'jose';
import { z } from 'zod';
import type { ChainPosition } from './refresh-chains.js';

/** One device as plex.tv sees it. JSON.stringify, util.inspect and toString show nothing secret. */
export interface PlexDevice {
  /** The X-Plex-Client-Identifier every call of this device sends; also the `iss` of its device JWTs. */
  readonly clientIdentifier: string;
  /** The RFC 7638 thumbprint of the public key; plex.tv treats it as opaque. */
  readonly kid: string;
  readonly publicJwk: { readonly kty: 'OKP'; readonly crv: 'Ed25519'; readonly x: string; readonly kid: string; readonly alg: 'EdDSA'; readonly use: 'sig' };
}

const signingKeys = new WeakMap<PlexDevice, CryptoKey>();

function signingKeyOf(device: PlexDevice): CryptoKey {
  const key = signingKeys.get(device);
  if (key === undefined) throw new TypeError('not a device created by createDevice or unsealDevice');
  return key;
}

async function deviceFrom(clientIdentifier: string, privateKey: CryptoKey, x: string): Promise<PlexDevice> {
  const kid = await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x });
  const publicJwk = Object.freeze({ kty: 'OKP', crv: 'Ed25519', x, kid, alg: 'EdDSA', use: 'sig' } as const);
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

/** Device JWTs live 5 minutes, as every known client signs them; a nonce dies after 5 minutes anyway. */
export const DEVICE_JWT_LIFETIME_SECONDS = 300;
/** The user fields plex.tv copies into the Plex JWT (not permissions). */
const SCOPE = 'username,email,friendly_name';

/** Header {alg:'EdDSA', typ:'JWT', kid}; claims {aud:'plex.tv', iss:<client id>, iat, exp: iat+300, scope, nonce?}. */
export async function signDeviceJwt(device: PlexDevice, now: number, nonce?: string): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT(nonce === undefined ? { scope: SCOPE } : { scope: SCOPE, nonce })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: device.kid })
    .setAudience('plex.tv')
    .setIssuer(device.clientIdentifier)
    .setIssuedAt(iat)
    .setExpirationTime(iat + DEVICE_JWT_LIFETIME_SECONDS)
    .sign(signingKeyOf(device));
}

// ---- sealing -------------------------------------------------------------------------------------------------------

const SEALING_KEY_BYTES = 32;
const SEALED_TYPE = 'plex-device+jwe';
// A sealed device is about 400 characters; anything far larger is not one, and is not worth decrypting.
const MAX_SEALED_LENGTH = 4096;
export const GENERATE_HINT = `generate one with: node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))"`;

/** The server keys that seal refresh credentials. The first seals; all of them unseal (rotation). Prints no key. */
export interface SealingKeyring {
  readonly size: number;
}

const keyringSecrets = new WeakMap<SealingKeyring, readonly Uint8Array[]>();

function keysOf(keyring: SealingKeyring): readonly Uint8Array[] {
  const keys = keyringSecrets.get(keyring);
  if (keys === undefined) throw new TypeError('not a keyring made by parseSealingKeys');
  return keys;
}

/**
 * Reads AUTH_SEALING_KEY: comma-separated keys, each 32 random bytes in base64url (padded or standard base64 is
 * accepted too). The first key seals; every key unseals, so a new key goes first and the old one stays after it until
 * the credentials it sealed have been refreshed. `problem` names the variable and what is wrong, never the value.
 */
export function parseSealingKeys(value: string | undefined): { ok: true; keyring: SealingKeyring } | { ok: false; problem: string } {
  const name = 'AUTH_SEALING_KEY';
  if (value === undefined || value.trim() === '') return { ok: false, problem: `${name} is not set; ${GENERATE_HINT}` };
  const entries = value.split(',').map((entry) => entry.trim());
  const keys: Uint8Array[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    const which = entries.length === 1 ? 'the key' : `key ${index + 1} of ${entries.length}`;
    if (entry === '') return { ok: false, problem: `${name}: ${which} is empty (stray comma?)` };
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(entry)) return { ok: false, problem: `${name}: ${which} is not base64url; ${GENERATE_HINT}` };
    const bytes = Buffer.from(entry, 'base64');
    if (bytes.length !== SEALING_KEY_BYTES) {
      return { ok: false, problem: `${name}: ${which} decodes to ${bytes.length} bytes, not ${SEALING_KEY_BYTES}; ${GENERATE_HINT}` };
    }
    const canonical = bytes.toString('base64url');
    if (seen.has(canonical)) return { ok: false, problem: `${name}: ${which} repeats an earlier key` };
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
  v: z.literal(1),
  cid: z.string().min(1).max(255),
  kid: z.string().min(1),
  jwk: z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string().min(1), d: z.string().min(1) }),
  iat: z.number().int(),
  /** The refresh token's generation in its chain (src/auth/refresh-chains.ts); absent: the sign-in's own token, 0. */
  gen: z.number().int().min(0).optional(),
  /** When the chain's sign-in happened (s); absent: `iat`. */
  sia: z.number().int().optional(),
});

/**
 * The device (client identifier and private key) as one opaque string, encrypted and authenticated under the first
 * sealing key (JWE, dir + A256GCM). The long-lived credential: whoever holds it and the key can get Plex JWTs for the
 * account until the device is revoked.
 */
export async function sealDevice(
  device: PlexDevice,
  keyring: SealingKeyring,
  now = Date.now(),
  chain: { readonly generation: number; readonly signedInAt: number } = { generation: 0, signedInAt: now },
): Promise<string> {
  const [key] = keysOf(keyring);
  if (key === undefined) throw new TypeError('empty keyring');
  const { kty, crv, x, d } = await exportJWK(signingKeyOf(device));
  const iat = Math.floor(now / 1000);
  const payload = { v: 1, cid: device.clientIdentifier, kid: device.kid, jwk: { kty, crv, x, d }, iat, gen: chain.generation, sia: Math.floor(chain.signedInAt / 1000) };
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ: SEALED_TYPE })
    .encrypt(key);
}

export type UnsealResult =
  /**
   * `needsReseal`: an older key opened it; seal it again (and hand it out) so that key can be retired. `position`: the
   * token's place in its refresh chain, keyed by the device's client identifier.
   */
  | { readonly ok: true; readonly device: PlexDevice; readonly needsReseal: boolean; readonly position: ChainPosition }
  /** `malformed`: not a sealed credential at all. `rejected`: no key opens it intact. Either way: sign in again. */
  | { readonly ok: false; readonly reason: 'malformed' | 'rejected' };

/** Opens a sealed credential with any key of the ring. Never throws: every failure is one of the typed outcomes. */
export async function unsealDevice(token: string, keyring: SealingKeyring): Promise<UnsealResult> {
  const keys = keysOf(keyring);
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
      const { cid, kid, jwk, iat, gen, sia } = parsed.data;
      const privateKey = await importJWK({ ...jwk }, 'EdDSA', { extractable: true });
      if (privateKey instanceof Uint8Array) return { ok: false, reason: 'rejected' };
      const device = await deviceFrom(cid, privateKey, jwk.x);
      if (device.kid !== kid) return { ok: false, reason: 'rejected' };
      const position: ChainPosition = { chain: cid, generation: gen ?? 0, issuedAt: iat * 1000, signedInAt: (sia ?? iat) * 1000 };
      return { ok: true, device, needsReseal: index > 0, position };
    } catch {
      return { ok: false, reason: 'rejected' };
    }
  }
  return { ok: false, reason: 'rejected' };
}
