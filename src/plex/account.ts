import { decodeJwt } from 'jose';
import { z } from 'zod';
import { rateLimited, tokenExpired, unauthenticated, upstreamBadResponse } from '../errors.js';
import type { CallOptions, PlexEndpoint, RawResponse } from './client.js';
import { looksLikeJwt } from './device-auth.js';
import type { PlexTransport } from './pins.js';
import {
  parseDevicesXml,
  PlexHomeSchema,
  PlexResourcesSchema,
  type CurrentDevice,
  type PlexDevice,
  type PlexHome,
  type PlexResource,
} from './account-schemas.js';

export type SwitchHomeUserOutcome =
  /** plex.tv minted a token for the Home user (201). */
  | { readonly kind: 'switched'; readonly authToken: string }
  /** 403, code 1041: the PIN was missing or wrong (plex.tv does not say which). */
  | { readonly kind: 'pin-invalid' }
  | { readonly kind: 'throttled'; readonly retryAfterSeconds: number | null };

export type RevokeDeviceOutcome = { readonly kind: 'revoked' } | { readonly kind: 'not-found' };

/** plex.tv's calls about the signed-in account: its resources, its Plex Home and its devices. */
export interface AccountCalls {
  /** GET /api/v2/resources with https, relay and IPv6 connections. */
  resources(token: string, options?: CallOptions): Promise<PlexResource[]>;
  /** GET /api/v2/home/users; null when plex.tv says the account has no Home (404, inferred). */
  home(token: string, options?: CallOptions): Promise<PlexHome | null>;
  /** POST /api/v2/home/users/{uuid}/switch[?pin=]. The uuid must be one the Home lists. */
  switchHomeUser(token: string, uuid: string, pin: string | null, options?: CallOptions): Promise<SwitchHomeUserOutcome>;
  /** GET /devices.xml. Device tokens are dropped while parsing; `current` marks the device holding `token`. */
  devices(token: string, options?: CallOptions): Promise<PlexDevice[]>;
  /** DELETE /devices/{id}.xml. */
  revokeDevice(token: string, id: string, options?: CallOptions): Promise<RevokeDeviceOutcome>;
}

const PLEX_PIN_REQUIRED = 1041;
const DEVICE_ID = /^\d{1,20}$/;

// Only the token is read from the switch answer: the account body drifts, and the user is read with GET /user.
const SwitchBodySchema = z.object({ authToken: z.string().min(1) });

/** The device a Plex JWT was issued to (its audience besides plex.tv); null for a legacy token. */
export function jwtClientIdentifier(token: string): string | null {
  if (!looksLikeJwt(token)) return null;
  try {
    const { aud } = decodeJwt(token);
    const audiences = Array.isArray(aud) ? aud : aud === undefined ? [] : [aud];
    return audiences.find((audience) => audience !== 'plex.tv') ?? null;
  } catch {
    return null;
  }
}

export function createAccountCalls(transport: PlexTransport): AccountCalls {
  const { baseUrl } = transport;
  const withToken = (token: string, extra: Record<string, string> = {}) => ({ ...transport.headers, ...extra, 'x-plex-token': token });

  /** The answer of an authenticated call that is not one of its expected ones. */
  function refused(endpoint: PlexEndpoint, raw: RawResponse, callOptions: CallOptions | undefined): Error {
    // 422 "Invalid token" is what plex.tv's legacy endpoints answer for a revoked token.
    if (raw.status === 401 || raw.status === 422) return unauthenticated('plex.tv rejected the token.');
    if (raw.status === 498) return tokenExpired();
    if (raw.status === 429) return rateLimited(transport.retryAfterSeconds(raw));
    return transport.unexpected(endpoint, raw, callOptions);
  }

  function plexCode(raw: RawResponse): number | undefined {
    try {
      const body = JSON.parse(raw.text) as { errors?: { code?: unknown }[] };
      const code = body.errors?.[0]?.code;
      return typeof code === 'number' ? code : undefined;
    } catch {
      return undefined;
    }
  }

  return {
    async resources(token, callOptions) {
      const url = `${baseUrl}/api/v2/resources?includeHttps=1&includeRelay=1&includeIPv6=1`;
      const raw = await transport.call('resources', url, { method: 'GET', headers: withToken(token) }, callOptions);
      if (raw.status === 200) return transport.parseJson('resources', raw, PlexResourcesSchema, callOptions);
      throw refused('resources', raw, callOptions);
    },

    async home(token, callOptions) {
      const raw = await transport.call('home', `${baseUrl}/api/v2/home/users`, { method: 'GET', headers: withToken(token) }, callOptions);
      if (raw.status === 200) return transport.parseJson('home', raw, PlexHomeSchema, callOptions);
      if (raw.status === 404) return null;
      throw refused('home', raw, callOptions);
    },

    async switchHomeUser(token, uuid, pin, callOptions) {
      const query = pin === null ? '' : `?${new URLSearchParams({ pin })}`;
      const url = `${baseUrl}/api/v2/home/users/${encodeURIComponent(uuid)}/switch${query}`;
      const raw = await transport.call('switch', url, { method: 'POST', headers: withToken(token, { 'content-length': '0' }) }, callOptions);
      if (raw.status === 201 || raw.status === 200) return { kind: 'switched', authToken: transport.parseJson('switch', raw, SwitchBodySchema, callOptions).authToken };
      if (raw.status === 403 && plexCode(raw) === PLEX_PIN_REQUIRED) return { kind: 'pin-invalid' };
      if (raw.status === 429) return { kind: 'throttled', retryAfterSeconds: transport.retryAfterSeconds(raw) };
      throw refused('switch', raw, callOptions);
    },

    async devices(token, callOptions) {
      // XML whatever Accept says; asking for XML says what is expected.
      const raw = await transport.call('devices', `${baseUrl}/devices.xml`, { method: 'GET', headers: withToken(token, { accept: 'application/xml' }) }, callOptions);
      if (raw.status !== 200) throw refused('devices', raw, callOptions);
      const current: CurrentDevice = { token, clientIdentifier: jwtClientIdentifier(token) };
      const parsed = parseDevicesXml(raw.text, current);
      if (parsed.ok) return parsed.devices;
      callOptions?.onDiagnostic?.({ endpoint: 'devices', problem: 'body does not match its schema', status: raw.status, issues: parsed.issues });
      throw upstreamBadResponse();
    },

    async revokeDevice(token, id, callOptions) {
      // The GraphQL layer validates ids; this keeps a bad one from ever becoming part of a path.
      if (!DEVICE_ID.test(id)) return { kind: 'not-found' };
      const raw = await transport.call('revoke', `${baseUrl}/devices/${id}.xml`, { method: 'DELETE', headers: withToken(token, { accept: 'application/xml' }) }, callOptions);
      if (raw.status === 200 || raw.status === 204) return { kind: 'revoked' };
      if (raw.status === 404) return { kind: 'not-found' };
      throw refused('revoke', raw, callOptions);
    },
  };
}
