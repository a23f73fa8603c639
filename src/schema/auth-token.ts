import { unverifiedExpiry } from '../auth/verifier.js';
import { builder } from './builder.js';
import { AUTH_TOKEN_EXPIRES_AT_DESCRIPTION, ErrorInterface, SignInThrottledError } from './sign-in.js';

export class RefreshTokenInvalidError extends Error {
  constructor() {
    super('This refresh token is not valid here (expired, superseded, signed out, altered, or sealed under a key this service no longer has). Sign in again.');
  }
}

export class DeviceRevokedError extends Error {
  constructor() {
    super('plex.tv no longer accepts this sign-in: it was removed from the account (Authorized Devices). Sign in again.');
  }
}

builder.objectType(RefreshTokenInvalidError, {
  name: 'RefreshTokenInvalidError',
  description:
    'The refresh token expired (90 days unused, 365 days after the sign-in), was superseded by a newer one more than 30 s ago (which also revoked every token of the sign-in), was signed out, was not issued by this service, was altered, or was sealed under an AUTH_SEALING_KEY it no longer has. plex.tv was not called. Sign in again.',
  interfaces: [ErrorInterface],
});

builder.objectType(DeviceRevokedError, {
  name: 'DeviceRevokedError',
  description: "plex.tv refuses the sign-in's device: the user removed it from the account, or plex.tv forgot its key. Sign in again.",
  interfaces: [ErrorInterface],
});

interface RefreshedShape {
  readonly authToken: string;
  readonly authTokenExpiresAt: Date | null;
  readonly refreshToken: string;
}

const AuthTokenRefreshed = builder.objectRef<RefreshedShape>('AuthTokenRefreshed').implement({
  description: 'A new Plex JWT. Replace all three stored values: the previous token may stop working.',
  fields: (t) => ({
    authToken: t.exposeString('authToken', {
      description: 'The new Plex JWT. Send it as "Authorization: Bearer <token>" (or "X-Plex-Token"). Keep it secret.',
    }),
    authTokenExpiresAt: t.expose('authTokenExpiresAt', { type: 'DateTime', nullable: true, description: AUTH_TOKEN_EXPIRES_AT_DESCRIPTION }),
    refreshToken: t.exposeString('refreshToken', {
      description:
        'The refresh token to keep: always a new one. The one sent still works for 30 s (two tabs refreshing at once); used again after that, it revokes both. A long-lived secret.',
    }),
  }),
});

builder.mutationField('refreshAuthToken', (t) =>
  t.field({
    type: AuthTokenRefreshed,
    description:
      'Exchanges the `refreshToken` of a jwt-mode sign-in for a new Plex JWT (a nonce and a token exchange at plex.tv), also after the previous one expired. Call it when less than 24 hours are left, or when a request fails with `extensions.reason` TOKEN_EXPIRED. At most one per operation. Expected failures are members of the result union; plex.tv being unreachable is a GraphQL error.',
    args: {
      refreshToken: t.arg.string({ required: true, description: 'The `refreshToken` from SignInSuccess or a previous AuthTokenRefreshed.' }),
    },
    errors: {
      directResult: true,
      types: [RefreshTokenInvalidError, DeviceRevokedError, SignInThrottledError],
      union: { name: 'RefreshAuthTokenResult', description: 'The outcome of a token refresh.' },
    },
    resolve: async (_root, { refreshToken }, ctx) => {
      const outcome = await ctx.auth.refresh(refreshToken);
      switch (outcome.kind) {
        case 'refreshed':
          return { authToken: outcome.authToken, authTokenExpiresAt: unverifiedExpiry(outcome.authToken), refreshToken: outcome.refreshToken };
        case 'invalid':
          throw new RefreshTokenInvalidError();
        case 'device-revoked':
          throw new DeviceRevokedError();
        case 'throttled':
          throw new SignInThrottledError(outcome.retryAfterSeconds);
      }
    },
  }),
);
