import { z } from 'zod';
import { rateLimited } from '../errors.js';
import { pinStatus, type PinStatus } from '../auth/pin-sign-in.js';
import type { CreatedPin } from '../plex/client.js';
import { ErrorInterface, SignInSuccess, type SignInSuccessShape } from './sign-in.js';
import { builder } from './builder.js';
import { urlOrNull } from './scalars.js';

// A plain object, not an Error instance: graphql-js treats a returned Error as a thrown one.
interface ExpiredShape {
  readonly name: 'SignInPinExpiredError';
  readonly message: string;
  readonly id: string;
}

function expired(id: string): ExpiredShape {
  return { name: 'SignInPinExpiredError', message: 'This sign-in PIN has expired or is unknown. Create a new one with createSignInPin.', id };
}

interface PendingShape {
  readonly id: string;
  readonly code: string;
  readonly expiresAt: Date;
}

export const SignInPin = builder.objectRef<CreatedPin>('SignInPin').implement({
  description:
    'A sign-in PIN: send the user to `authUrl` to approve it at plex.tv, then follow `Subscription.signInPin` (or poll `Query.signInPin`) with `id` and `code` until it turns into a SignInSuccess. The user never gives this service a password.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The PIN id (digits). Pass it with `code` to `signInPin`.' }),
    code: t.exposeString('code', {
      description: 'The PIN code. Keep it with `id`: `signInPin` only answers for the matching code.',
    }),
    expiresAt: t.expose('expiresAt', {
      type: 'DateTime',
      description: 'When the PIN expires (plex.tv gives about 15 minutes). Create a new one after that.',
    }),
    authUrl: t.field({
      type: 'URL',
      description:
        'The page where the user approves the sign-in (app.plex.tv/auth, or the simulator in simulator mode). Open it in a new window or tab.',
      resolve: (pin, _args, ctx) => ctx.publicUrl(pin.authUrl),
    }),
    qr: t.field({
      type: 'URL',
      nullable: true,
      description: 'An image of a QR code for the PIN, as plex.tv offers it, for sign-in on another device. Null when absent.',
      resolve: (pin, _args, ctx) => urlOrNull(pin.qr && ctx.publicUrl(pin.qr)),
    }),
  }),
});

const SignInPinPending = builder.objectRef<PendingShape>('SignInPinPending').implement({
  description: 'The user has not approved the PIN yet. Keep following (or polling) until `expiresAt`.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The PIN id.' }),
    code: t.exposeString('code', { description: 'The PIN code.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'When the PIN expires.' }),
  }),
});

const SignInPinExpiredError = builder.objectRef<ExpiredShape>('SignInPinExpiredError').implement({
  description:
    'The PIN expired, is unknown, or its code does not match (plex.tv answered 404, code 1020, or `expiresAt` passed). Create a new PIN.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The PIN id that was asked for.' }),
  }),
});

type StatusMember = PendingShape | SignInSuccessShape | ExpiredShape;

export const SignInPinStatus = builder.unionType('SignInPinStatus', {
  description: 'Where a sign-in PIN stands: still pending, approved (with the token and account), or expired.',
  types: [SignInPinPending, SignInSuccess, SignInPinExpiredError],
  resolveType: (member) => {
    if ('name' in member && member.name === 'SignInPinExpiredError') return 'SignInPinExpiredError';
    return 'authToken' in member ? 'SignInSuccess' : 'SignInPinPending';
  },
});

function toMember(status: PinStatus): StatusMember {
  switch (status.kind) {
    case 'pending':
      return { id: status.id, code: status.code, expiresAt: status.expiresAt };
    case 'success':
      return { authToken: status.authToken, user: status.user, refreshToken: status.refreshToken };
    case 'expired':
      return expired(status.id);
  }
}

/** Over one of the per-address PIN limits: RATE_LIMITED with retryAfterSeconds, before any plex.tv call. */
async function withinLimit(wait: Promise<number | null>, what: string): Promise<void> {
  const seconds = await wait;
  if (seconds !== null) throw rateLimited(seconds, `${what} Retry in ${seconds} s.`);
}

// plex.tv PIN ids are integers; checking them here keeps anything else out of the upstream path.
const pinIdSchema = z.string().regex(/^\d{1,20}$/, 'A sign-in PIN id is 1 to 20 digits.');
const pinCodeSchema = z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'A sign-in PIN code is 1 to 64 letters and digits.');

const CreateSignInPinInput = builder.inputType('CreateSignInPinInput', {
  description: 'Options for a new sign-in PIN.',
  validate: z.object({
    forwardUrl: z
      .instanceof(URL)
      .refine((url) => url.protocol === 'http:' || url.protocol === 'https:', 'The forward URL must be an http(s) URL.')
      .refine((url) => url.href.length <= 2048, 'The forward URL is at most 2048 characters.')
      .nullish(),
  }),
  fields: (t) => ({
    forwardUrl: t.field({
      type: 'URL',
      required: false,
      description: 'Where plex.tv sends the browser after the user approves (http or https). Leave out to let the user close the page.',
    }),
  }),
});

builder.mutationField('createSignInPin', (t) =>
  t.field({
    type: SignInPin,
    description:
      'Starts a sign-in without a password (recommended for third-party frontends): creates a PIN at plex.tv for this service. Open `authUrl` for the user, then follow `Subscription.signInPin` (or poll `Query.signInPin`) with the PIN `id` and `code`.',
    args: { input: t.arg({ type: CreateSignInPinInput, required: false }) },
    resolve: async (_root, { input }, ctx) => {
      await withinLimit(ctx.pinThrottle.create(), 'Too many sign-in PINs created from this address.');
      return ctx.auth.pins.create(input?.forwardUrl?.href ?? null);
    },
  }),
);

builder.queryField('signInPin', (t) =>
  t.field({
    type: SignInPinStatus,
    description:
      'Checks a sign-in PIN once (one plex.tv call per distinct PIN per request). Poll it about every 1–2 s, or use `Subscription.signInPin`, until the result is not SignInPinPending.',
    args: {
      id: t.arg.id({ required: true, description: 'The PIN id from createSignInPin.', validate: pinIdSchema }),
      code: t.arg.string({ required: true, description: 'The PIN code from createSignInPin.', validate: pinCodeSchema }),
    },
    resolve: async (_root, { id, code }, ctx) => {
      const key = String(id);
      await withinLimit(ctx.pinThrottle.poll(key), 'This sign-in PIN was checked too often: poll about once a second, or follow Subscription.signInPin.');
      const pin = await ctx.loaders.pinById.load(key);
      return toMember(await pinStatus(key, code, pin, (token) => ctx.loaders.userByToken.load(token)));
    },
  }),
);

builder.subscriptionField('signInPin', (t) =>
  t.field({
    type: SignInPinStatus,
    description:
      'Follows a sign-in PIN: this service polls plex.tv (one poller per PIN, however many subscribers), sends the status now and on each change, and completes after SignInSuccess or SignInPinExpiredError. Served over Server-Sent Events.',
    args: {
      id: t.arg.id({ required: true, description: 'The PIN id from createSignInPin.', validate: pinIdSchema }),
      code: t.arg.string({ required: true, description: 'The PIN code from createSignInPin.', validate: pinCodeSchema }),
    },
    subscribe: async (_root, { id, code }, ctx) => {
      await withinLimit(ctx.pinThrottle.subscribe(), 'Too many sign-in PIN subscriptions from this address.');
      return ctx.pinWatcher.watch(String(id), code);
    },
    resolve: (status: PinStatus) => toMember(status),
  }),
);
