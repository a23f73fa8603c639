import { z } from 'zod';
import { requireToken } from '../context.js';
import type { PlexHome as PlexHomeBody, PlexHomeUser } from '../plex/account-schemas.js';
import { builder } from './builder.js';
import { openEnum } from './enums.js';
import { emailOrNull, urlOrNull } from './scalars.js';
import { ErrorInterface, SignInSuccess, SignInThrottledError } from './sign-in.js';
import { accountToken, User } from './user.js';

export const RestrictionProfile = openEnum('RestrictionProfile', 'The content restrictions of a managed Home user.', {
  LITTLE_KID: { plex: 'little_kid', description: 'Content for little kids.' },
  OLDER_KID: { plex: 'older_kid', description: 'Content for older kids.' },
  TEEN: { plex: 'teen', description: 'Content for teens.' },
});

const HomeUser = builder.objectRef<PlexHomeUser>('HomeUser').implement({
  description: 'A profile of a Plex Home: what a profile picker shows. Switch to it with `switchHomeUser`.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The Plex account ID of the user.' }),
    uuid: t.exposeID('uuid', { description: 'The user UUID: what `switchHomeUser` takes.' }),
    title: t.exposeString('title', { description: 'The name to show (managed users have no username).' }),
    username: t.exposeString('username', { nullable: true, description: 'The username; null for a managed user.' }),
    email: t.field({
      type: 'EmailAddress',
      nullable: true,
      description: 'The email address; null for a managed user, or when plex.tv sends a value that is not an email address.',
      resolve: (user) => emailOrNull(user.email),
    }),
    friendlyName: t.exposeString('friendlyName', { nullable: true, description: 'The full name, when set.' }),
    thumb: t.field({
      type: 'URL',
      nullable: true,
      description: 'The avatar URL. Null when plex.tv sends none or a value that is not a URL.',
      resolve: (user, _args, ctx) => (user.thumb === null ? null : urlOrNull(ctx.publicUrl(user.thumb))),
    }),
    admin: t.exposeBoolean('admin', { description: 'The Home admin (one per Home).' }),
    guest: t.exposeBoolean('guest', { description: 'The Home guest user.' }),
    restricted: t.exposeBoolean('restricted', { description: 'A managed user with content restrictions.' }),
    restrictionProfile: t.field({
      type: RestrictionProfile.ref,
      nullable: true,
      description: 'The restrictions of a managed user; null when none apply.',
      resolve: (user) => RestrictionProfile.fromPlex(user.restrictionProfile),
    }),
    protected: t.exposeBoolean('protected', {
      description:
        'The profile has a PIN, as plex.tv reports it. Not reliable: ask for a PIN when this is true, and also after a HomeUserPinInvalidError with pinSent false.',
    }),
    hasPassword: t.exposeBoolean('hasPassword', { description: 'A full plex.tv account with a password (false for a managed user). Not the PIN flag.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', nullable: true, description: 'When the user was last changed.' }),
  }),
});

const PlexHome = builder.objectRef<PlexHomeBody>('PlexHome').implement({
  description: 'A Plex Home: the accounts and managed users that share one admin.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The Home ID.' }),
    name: t.exposeString('name', { description: 'The Home name.' }),
    guestEnabled: t.exposeBoolean('guestEnabled', { description: 'The guest user is enabled.' }),
    plexPass: t.exposeBoolean('subscription', { nullable: true, description: 'The Home has Plex Pass; null when plex.tv does not say.' }),
    users: t.field({ type: [HomeUser], description: 'The Home users, admin included.', resolve: (home) => home.users }),
  }),
});

builder.objectField(User, 'plexHome', (t) =>
  t.field({
    type: PlexHome,
    nullable: true,
    description: "The account's Plex Home with its users; null, without a plex.tv call, when `home` is false.",
    resolve: (user, _args, ctx) => (user.home ? ctx.loaders.homeByToken.load(accountToken(user, ctx)) : null),
  }),
);

export class HomeUserPinInvalidError extends Error {
  readonly pinSent: boolean;
  constructor(pinSent: boolean) {
    super(pinSent ? 'The PIN is wrong.' : 'This profile needs its PIN.');
    this.pinSent = pinSent;
  }
}

export class HomeUserNotFoundError extends Error {
  constructor() {
    super('No user of this Plex Home has that uuid.');
  }
}

builder.objectType(HomeUserPinInvalidError, {
  name: 'HomeUserPinInvalidError',
  description:
    'plex.tv refused the switch: a PIN is needed or the one sent is wrong (plex.tv code 1041 for both). Ask for the PIN when `pinSent` is false, say it was wrong when true.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    pinSent: t.exposeBoolean('pinSent', { description: 'Whether the switch carried a PIN.' }),
  }),
});

builder.objectType(HomeUserNotFoundError, {
  name: 'HomeUserNotFoundError',
  description: "The uuid is not one of the Home's users; plex.tv was not asked to switch.",
  interfaces: [ErrorInterface],
});

const SwitchHomeUserInputSchema = z.object({
  uuid: z.string().trim().min(1, 'Enter the uuid of a Home user.').max(64, 'At most 64 characters.'),
  pin: z.string().regex(/^\d{4}$/, 'A Home PIN is exactly 4 digits.').nullish(),
});

const SwitchHomeUserInput = builder.inputType('SwitchHomeUserInput', {
  description: 'The Home user to switch to, and its PIN when it has one.',
  validate: SwitchHomeUserInputSchema,
  fields: (t) => ({
    uuid: t.id({ required: true, description: "The HomeUser's uuid." }),
    pin: t.string({ required: false, description: "The profile's 4-digit PIN. A secret, like a password." }),
  }),
});

builder.mutationField('switchHomeUser', (t) =>
  t.field({
    type: SignInSuccess,
    description: 'Switch to a Plex Home user (the profile picker): a token for that user.',
    args: { input: t.arg({ type: SwitchHomeUserInput, required: true }) },
    errors: {
      directResult: true,
      types: [HomeUserPinInvalidError, HomeUserNotFoundError, SignInThrottledError],
      union: { name: 'SwitchHomeUserResult', description: 'The outcome of a Home user switch.' },
    },
    resolve: async (_root, { input }, ctx) => {
      const token = requireToken(ctx);
      const home = await ctx.loaders.homeByToken.load(token);
      const target = home?.users.find((user) => user.uuid === String(input.uuid));
      if (target === undefined) throw new HomeUserNotFoundError();
      const pin = input.pin ?? null;
      // Only switches that send a PIN are guesses; refused ones never reach plex.tv.
      const permit = pin === null ? undefined : await ctx.homePinThrottle.begin(target.uuid);
      if (permit && !permit.allowed) throw new SignInThrottledError(permit.retryAfterSeconds);
      const outcome = await ctx.plex.switchHomeUser(token, target.uuid, pin).catch(async (error: unknown) => {
        await permit?.settle('neutral');
        throw error;
      });
      await permit?.settle(outcome.kind === 'pin-invalid' ? 'failure' : 'neutral');
      switch (outcome.kind) {
        case 'switched':
          return { authToken: outcome.authToken, user: await ctx.loaders.userByToken.load(outcome.authToken) };
        case 'pin-invalid':
          throw new HomeUserPinInvalidError(pin !== null);
        case 'throttled':
          throw new SignInThrottledError(outcome.retryAfterSeconds);
      }
    },
  }),
);
