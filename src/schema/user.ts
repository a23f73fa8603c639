import type { PlexUser } from '../plex/schemas.js';
import { requireToken, type Context } from '../context.js';
import { builder } from './builder.js';
import { MailingListStatus } from './enums.js';
import { UserProfile } from './profile.js';
import { countryOrNull, emailOrNull, urlOrNull } from './scalars.js';
import { Service } from './service.js';
import { AccountSubscription, PastSubscription, PlexPassSubscription } from './subscription.js';

const ACCOUNT_TOKEN = Symbol('accountToken');

/** A User, with the token it was read with when that is not the request's own (a SignInSuccess's authToken). */
export type AccountUser = PlexUser & { readonly [ACCOUNT_TOKEN]?: string };

/** The user of a SignInSuccess: its nested fields (resources, plexHome, devices) use the result's token. */
export function withAccountToken(user: PlexUser, token: string): AccountUser {
  return { ...user, [ACCOUNT_TOKEN]: token };
}

/** The token a field of this User calls plex.tv with: the one it was read with, else the request's. */
export function accountToken(user: AccountUser, ctx: Context): string {
  return user[ACCOUNT_TOKEN] ?? requireToken(ctx);
}

export const User = builder.objectRef<AccountUser>('User').implement({
  description: 'A Plex account. The account token is not part of it: `signIn` returns it beside the user.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The Plex account ID.' }),
    uuid: t.exposeString('uuid', { description: 'The account UUID.' }),
    username: t.exposeString('username', { description: 'The account username.' }),
    title: t.exposeString('title', { description: 'The title of the account (username or friendly name).' }),
    email: t.field({
      type: 'EmailAddress',
      nullable: true,
      description: 'The account email address. Null when plex.tv sends a value that is not an email address.',
      resolve: (user) => emailOrNull(user.email),
    }),
    friendlyName: t.exposeString('friendlyName', { description: 'Your account full name. May be empty.' }),
    locale: t.exposeString('locale', { nullable: true, description: 'The account locale.' }),
    confirmed: t.exposeBoolean('confirmed', { description: 'If the account has been confirmed.' }),
    joinedAt: t.expose('joinedAt', { type: 'DateTime', description: 'When the account was created.' }),
    emailOnlyAuth: t.exposeBoolean('emailOnlyAuth', { description: 'If login with email only is enabled.' }),
    hasPassword: t.exposeBoolean('hasPassword', { description: 'If the account has a password.' }),
    protected: t.exposeBoolean('protected', { description: 'If the account has a Plex Home PIN enabled.' }),
    thumb: t.field({
      type: 'URL',
      nullable: true,
      description: 'URL of the account thumbnail. Null when plex.tv sends a value that is not a URL.',
      resolve: (user, _args, ctx) => urlOrNull(ctx.publicUrl(user.thumb)),
    }),
    mailingListStatus: t.field({
      type: MailingListStatus.ref,
      description: 'Your current mailing list status.',
      resolve: (user) => MailingListStatus.fromPlex(user.mailingListStatus),
    }),
    mailingListActive: t.exposeBoolean('mailingListActive', { description: 'If you are subscribed to the Plex newsletter.' }),
    scrobbleTypes: t.exposeString('scrobbleTypes', {
      description: 'Scrobble types, as plex.tv sends them: a comma-separated list of numbers, usually empty.',
    }),
    country: t.field({
      type: 'CountryCode',
      nullable: true,
      description: 'The account country (ISO 3166-1 alpha-2). Null when plex.tv sends a value that is not a country code.',
      resolve: (user) => countryOrNull(user.country),
    }),
    subscription: t.field({
      type: PlexPassSubscription,
      description: "The account's Plex Pass subscription.",
      resolve: (user) => user.subscription,
    }),
    subscriptionDescription: t.exposeString('subscriptionDescription', {
      nullable: true,
      description: 'Description of the Plex Pass subscription.',
    }),
    subscriptions: t.field({
      type: [AccountSubscription],
      nullable: true,
      description: "The account's subscriptions. Null when plex.tv leaves the list out (it sometimes does on GET /user).",
      resolve: (user) => user.subscriptions,
    }),
    pastSubscriptions: t.field({
      type: [PastSubscription],
      nullable: true,
      description:
        'Subscriptions the account held before. plex.tv sends them on sign-in; null when it leaves them out (GET /user may).',
      resolve: (user) => user.pastSubscriptions,
    }),
    trials: t.field({
      type: ['JSONObject'],
      nullable: true,
      description:
        'Trials the account took, as plex.tv sends them (their shape is not documented). plex.tv sends them on sign-in; null when it leaves them out.',
      resolve: (user) => user.trials,
    }),
    restricted: t.exposeBoolean('restricted', { description: 'If the account is a Plex Home managed user.' }),
    anonymous: t.exposeBoolean('anonymous', { nullable: true, description: 'If the account is anonymous.' }),
    home: t.exposeBoolean('home', { description: 'If the account is a Plex Home user.' }),
    guest: t.exposeBoolean('guest', { description: 'If the account is a Plex Home guest user.' }),
    homeSize: t.exposeInt('homeSize', { description: 'The number of accounts in the Plex Home.' }),
    homeAdmin: t.exposeBoolean('homeAdmin', { description: 'If the account is the Plex Home admin.' }),
    maxHomeSize: t.exposeInt('maxHomeSize', { description: 'The maximum number of accounts allowed in the Plex Home.' }),
    rememberExpiresAt: t.expose('rememberExpiresAt', {
      type: 'DateTime',
      description: 'When the remembered sign-in (and so its token) expires.',
    }),
    profile: t.field({ type: UserProfile, description: "The account's playback preferences.", resolve: (user) => user.profile }),
    entitlements: t.exposeStringList('entitlements', { description: 'List of devices your allowed to use with this account.' }),
    roles: t.exposeStringList('roles', {
      nullable: true,
      description: 'List of account roles. Plex Pass membership is listed here.',
      deprecationReason: 'plex.tv marks this field "might be removed"; use `subscription` instead.',
    }),
    pin: t.exposeString('pin', {
      nullable: true,
      description: 'The hashed Plex Home PIN.',
      deprecationReason: 'plex.tv marks this field deprecated and "might be removed"; use `protected` to know whether a PIN is set.',
    }),
    services: t.field({ type: [Service], description: 'The Plex online services the account can use.', resolve: (user) => user.services }),
    adsConsent: t.exposeBoolean('adsConsent', { nullable: true, description: 'If the account consented to personalised ads.' }),
    adsConsentSetAt: t.expose('adsConsentSetAt', { type: 'DateTime', nullable: true, description: 'When the ads consent was given.' }),
    adsConsentReminderAt: t.expose('adsConsentReminderAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the account will be reminded about ads consent.',
    }),
    experimentalFeatures: t.exposeBoolean('experimentalFeatures', { description: 'If experimental features are enabled.' }),
    twoFactorEnabled: t.exposeBoolean('twoFactorEnabled', { description: 'If two-factor authentication is enabled.' }),
    backupCodesCreated: t.exposeBoolean('backupCodesCreated', {
      description: 'If the two-factor authentication backup codes have been created.',
    }),
    attributionPartner: t.exposeString('attributionPartner', { nullable: true, description: 'The partner the account was attributed to, if any.' }),
  }),
});

// A federation entity that only ever resolves to the account of the request's own token: a representation with any
// other id is null, so a gateway can never read another account through this subgraph. All representations share the
// token's loader entry, so N of them cost at most one GET /user. A token plex.tv rejects is still UNAUTHENTICATED.
builder.asEntity(User, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: async (reference, ctx) => {
    if (ctx.token === null && ctx.tokenProblem === null) return null;
    const user = await ctx.loaders.userByToken.load(requireToken(ctx));
    return user.id === String(reference.id) ? user : null;
  },
});

builder.queryField('viewer', (t) =>
  t.field({
    type: User,
    nullable: true,
    description:
      'The account of the token this request carries (`Authorization: Bearer <token>` or `X-Plex-Token: <token>`). Without a token, or with one plex.tv rejects, an UNAUTHENTICATED error.',
    resolve: async (_root, _args, ctx) => ctx.loaders.userByToken.load(requireToken(ctx)),
  }),
);
