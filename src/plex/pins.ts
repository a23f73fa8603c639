import type { GraphQLError } from 'graphql';
import type { z } from 'zod';
import { rateLimited, tokenExpired } from '../errors.js';
import type { CallOptions, PlexEndpoint, RawResponse } from './client.js';
import { PlexPinSchema, type PlexPin } from './schemas.js';

/** The HTTP machinery of the plex client that the PIN and sign-out calls share (timeouts, pool, diagnostics). */
export interface PlexTransport {
  readonly baseUrl: string;
  readonly headers: Readonly<Record<string, string>>;
  call(
    endpoint: PlexEndpoint,
    url: string,
    init: { method: 'GET' | 'POST' | 'DELETE'; headers: Record<string, string>; body?: string },
    callOptions: CallOptions | undefined,
  ): Promise<RawResponse>;
  parseJson<T extends z.ZodType>(endpoint: PlexEndpoint, raw: RawResponse, schema: T, callOptions?: CallOptions): z.infer<T>;
  /** The error for a status the call does not expect (5xx → UPSTREAM_UNAVAILABLE, else UPSTREAM_BAD_RESPONSE). */
  unexpected(endpoint: PlexEndpoint, raw: RawResponse, callOptions?: CallOptions): GraphQLError;
  retryAfterSeconds(raw: RawResponse): number | null;
}

export interface PinCallsOptions {
  readonly clientIdentifier: string;
  readonly product: string;
  /** The page the user approves a PIN on, e.g. https://app.plex.tv/auth. */
  readonly authUrl: string;
}

/** A PIN plex.tv just created, with the page the user approves it on. */
export interface CreatedPin extends PlexPin {
  readonly authUrl: string;
}

export type SignOutOutcome =
  /** plex.tv revoked the token now. */
  | { readonly kind: 'signed-out' }
  /** plex.tv did not accept the token: it was already signed out, revoked or expired. */
  | { readonly kind: 'token-not-valid' };

export interface PinCalls {
  /** POST /api/v2/pins?strong=true. The PIN is bound to this client identifier: only it can poll the PIN. */
  createPin(input: { readonly forwardUrl?: string | null }, options?: CallOptions): Promise<CreatedPin>;
  /** GET /api/v2/pins/{id}. Null when plex.tv no longer knows the PIN (404, code 1020: unknown or expired). */
  getPin(id: string, options?: CallOptions): Promise<PlexPin | null>;
  /** DELETE /api/v2/users/signout with the token. Throws UNAUTHENTICATED (reason TOKEN_EXPIRED) on 498. */
  signOut(token: string, options?: CallOptions): Promise<SignOutOutcome>;
}

const PIN_ID = /^\d{1,20}$/;

/**
 * The approval page address: `<authUrl>#?clientID=…&code=…&context[device][product]=…[&forwardUrl=…]` (docs/plex-api.md §6).
 * Every key and value is percent-encoded; app.plex.tv reads them from the fragment.
 */
export function buildAuthUrl(
  authUrl: string,
  parts: { clientIdentifier: string; code: string; product: string; forwardUrl?: string | null },
): string {
  const params: [string, string][] = [
    ['clientID', parts.clientIdentifier],
    ['code', parts.code],
    ['context[device][product]', parts.product],
  ];
  if (parts.forwardUrl) params.push(['forwardUrl', parts.forwardUrl]);
  const base = authUrl.replace(/#.*$/, '');
  return `${base}#?${params.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&')}`;
}

export function createPinCalls(transport: PlexTransport, options: PinCallsOptions): PinCalls {
  const pinsUrl = `${transport.baseUrl}/api/v2/pins`;
  const signOutUrl = `${transport.baseUrl}/api/v2/users/signout`;

  return {
    async createPin(input, callOptions) {
      const raw = await transport.call(
        'pins',
        `${pinsUrl}?strong=true`,
        { method: 'POST', headers: { ...transport.headers } },
        callOptions,
      );
      if (raw.status === 201 || raw.status === 200) {
        const pin = transport.parseJson('pins', raw, PlexPinSchema, callOptions);
        return {
          ...pin,
          authUrl: buildAuthUrl(options.authUrl, {
            clientIdentifier: options.clientIdentifier,
            code: pin.code,
            product: options.product,
            forwardUrl: input.forwardUrl,
          }),
        };
      }
      if (raw.status === 429) throw rateLimited(transport.retryAfterSeconds(raw));
      throw transport.unexpected('pins', raw, callOptions);
    },

    async getPin(id, callOptions) {
      // The GraphQL layer validates ids; this keeps a bad one from ever becoming part of a path.
      if (!PIN_ID.test(id)) return null;
      const raw = await transport.call('pin', `${pinsUrl}/${id}`, { method: 'GET', headers: { ...transport.headers } }, callOptions);
      if (raw.status === 200) return transport.parseJson('pin', raw, PlexPinSchema, callOptions);
      if (raw.status === 404) return null;
      if (raw.status === 429) throw rateLimited(transport.retryAfterSeconds(raw));
      throw transport.unexpected('pin', raw, callOptions);
    },

    async signOut(token, callOptions) {
      const raw = await transport.call(
        'signout',
        signOutUrl,
        { method: 'DELETE', headers: { ...transport.headers, 'x-plex-token': token } },
        callOptions,
      );
      if (raw.status === 204 || raw.status === 200) return { kind: 'signed-out' };
      // 422 "Invalid token" is what plex.tv's legacy endpoints answer for a revoked token.
      if (raw.status === 401 || raw.status === 403 || raw.status === 422) return { kind: 'token-not-valid' };
      // 498: an expired Plex JWT. Nothing to revoke with it; the client refreshes or forgets it.
      if (raw.status === 498) throw tokenExpired();
      if (raw.status === 429) throw rateLimited(transport.retryAfterSeconds(raw));
      throw transport.unexpected('signout', raw, callOptions);
    },
  };
}
