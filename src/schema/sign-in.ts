import { z } from 'zod';
import { InputValidationFailure, type InputIssue } from '../errors.js';
import { unverifiedExpiry } from '../auth/verifier.js';
import { settlementOf } from '../security/throttle.js';
import type { PlexUser } from '../plex/schemas.js';
import { builder } from './builder.js';
import { User, withAccountToken } from './user.js';

export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'Fields every expected failure shares. Query `... on Error { message }` to handle failures generically.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'A human-readable explanation, safe to show to the user.' }),
  }),
});

export class InvalidCredentialsError extends Error {
  constructor() {
    super('The login or the password is wrong.');
  }
}

export class TwoFactorRequiredError extends Error {
  constructor() {
    super('This account uses two-factor authentication: send the 6-digit code from the authenticator app as verificationCode.');
  }
}

export class InvalidVerificationCodeError extends Error {
  constructor() {
    super('The verification code is wrong or has expired.');
  }
}

export class SignInThrottledError extends Error {
  readonly retryAfterSeconds: number | null;
  constructor(retryAfterSeconds: number | null) {
    super('Too many sign-in attempts. Wait before trying again.');
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

builder.objectType(InvalidCredentialsError, {
  name: 'InvalidCredentialsError',
  description: 'The login or password is wrong (plex.tv code 1001).',
  interfaces: [ErrorInterface],
});

builder.objectType(TwoFactorRequiredError, {
  name: 'TwoFactorRequiredError',
  description:
    'The account has two-factor authentication on (plex.tv code 1029): ask the user for the 6-digit code and call signIn again with verificationCode.',
  interfaces: [ErrorInterface],
});

builder.objectType(InvalidVerificationCodeError, {
  name: 'InvalidVerificationCodeError',
  description: 'The verificationCode is wrong or expired (plex.tv code 1028).',
  interfaces: [ErrorInterface],
});

builder.objectType(SignInThrottledError, {
  name: 'SignInThrottledError',
  description: 'Too many attempts: plex.tv (code 1031 or HTTP 429) or this service refused to try now.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    retryAfterSeconds: t.exposeInt('retryAfterSeconds', {
      nullable: true,
      description: 'Seconds to wait before the next attempt, when known.',
    }),
  }),
});

const ValidationIssue = builder.objectRef<InputIssue>('ValidationIssue').implement({
  description: 'One problem with the input.',
  fields: (t) => ({
    path: t.exposeStringList('path', { description: 'Where the problem is, e.g. ["input", "login"].' }),
    message: t.exposeString('message', { description: 'What is wrong, safe to show to the user.' }),
  }),
});

builder.objectType(InputValidationFailure, {
  name: 'ValidationError',
  description: 'The input failed validation; nothing was sent to plex.tv.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    issues: t.field({ type: [ValidationIssue], description: 'Every problem found.', resolve: (error) => [...error.issues] }),
  }),
});

export interface SignInSuccessShape {
  readonly authToken: string;
  readonly user: PlexUser;
  /** The sealed device of a jwt-mode PIN sign-in; absent for legacy tokens. */
  readonly refreshToken?: string | null;
}

/** `authTokenExpiresAt`: the `exp` of a Plex JWT this service was just handed by plex.tv; null for a legacy token. */
export const AUTH_TOKEN_EXPIRES_AT_DESCRIPTION =
  'When `authToken` expires: the `exp` of a Plex JWT (7 days after it was issued). Null for a legacy token, which has no published expiry. Call `refreshAuthToken` when less than 24 hours are left, or when a request fails with `extensions.reason` TOKEN_EXPIRED.';

export const SignInSuccess = builder.objectRef<SignInSuccessShape>('SignInSuccess').implement({
  description: 'The sign-in worked.',
  fields: (t) => ({
    authToken: t.exposeString('authToken', {
      description:
        'The Plex account token. Send it as "Authorization: Bearer <token>" (or "X-Plex-Token") on later requests. Keep it secret.',
    }),
    authTokenExpiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: AUTH_TOKEN_EXPIRES_AT_DESCRIPTION,
      resolve: (success) => unverifiedExpiry(success.authToken),
    }),
    refreshToken: t.string({
      nullable: true,
      description:
        'With PLEX_AUTH_MODE=jwt (a PIN sign-in): the credential that `refreshAuthToken` exchanges for a new `authToken`, also after `authToken` expired. A long-lived secret: store it as you would a password, never log it. Null for legacy tokens.',
      resolve: (success) => success.refreshToken ?? null,
    }),
    user: t.field({
      type: User,
      description: "The signed-in account. Its `resources`, `plexHome` and `devices` are read with this result's `authToken`.",
      resolve: (success) => withAccountToken(success.user, success.authToken),
    }),
  }),
});

// One schema for the whole input, so that every invalid field is reported at once.
const SignInInputSchema = z.object({
  login: z.string().trim().min(1, 'Enter the email address or username.').max(255, 'At most 255 characters.'),
  password: z.string().min(1, 'Enter the password.').max(1024, 'At most 1024 characters.'),
  rememberMe: z.boolean().nullish(),
  verificationCode: z.string().regex(/^\d{6}$/, 'The verification code is exactly 6 digits.').nullish(),
});

const SignInInput = builder.inputType('SignInInput', {
  description: 'Credentials for a password sign-in.',
  validate: SignInInputSchema,
  fields: (t) => ({
    login: t.string({
      required: true,
      description: 'The account email address or username.',
    }),
    password: t.string({
      required: true,
      description: 'The account password.',
    }),
    rememberMe: t.boolean({
      required: false,
      defaultValue: false,
      description: 'Ask plex.tv for a long-lived token (remembered for about 14 days).',
    }),
    verificationCode: t.string({
      required: false,
      description: 'The 6-digit two-factor code, when the account has two-factor authentication on.',
    }),
  }),
});

builder.mutationField('signIn', (t) =>
  t.field({
    type: SignInSuccess,
    description:
      'Signs in with a Plex login and password. Expected failures (wrong password, 2FA needed, throttled, invalid input) are members of the result union; plex.tv being unreachable is a GraphQL error.',
    args: { input: t.arg({ type: SignInInput, required: true }) },
    errors: {
      directResult: true,
      types: [
        InvalidCredentialsError,
        TwoFactorRequiredError,
        InvalidVerificationCodeError,
        SignInThrottledError,
        InputValidationFailure,
      ],
      union: { name: 'SignInResult', description: 'The outcome of a sign-in.' },
    },
    resolve: async (_root, { input }, ctx) => {
      // Throttled attempts never reach plex.tv.
      const permit = await ctx.signInThrottle.begin(input.login);
      if (!permit.allowed) throw new SignInThrottledError(permit.retryAfterSeconds);
      const outcome = await ctx.plex
        .signIn({
          login: input.login,
          password: input.password,
          rememberMe: input.rememberMe ?? false,
          verificationCode: input.verificationCode ?? null,
        })
        .catch(async (error: unknown) => {
          await permit.settle('neutral');
          throw error;
        });
      await permit.settle(settlementOf(outcome), outcome.kind === 'success' ? outcome.user : undefined);
      switch (outcome.kind) {
        case 'success':
          ctx.loaders.userByToken.prime(outcome.authToken, outcome.user);
          ctx.viewerCache?.remember(outcome.authToken, outcome.user);
          return { authToken: outcome.authToken, user: outcome.user };
        case 'invalid-credentials':
          throw new InvalidCredentialsError();
        case 'two-factor-required':
          throw new TwoFactorRequiredError();
        case 'invalid-verification-code':
          throw new InvalidVerificationCodeError();
        case 'throttled':
          throw new SignInThrottledError(outcome.retryAfterSeconds);
      }
    },
  }),
);
