import type { PlexUser } from '../plex/schemas.js';
import { requireToken, type Context } from '../context.js';
import { builder } from './builder.js';
import { MailingListStatus } from './enums.js';
import { UserProfile } from './profile.js';
import { countryOrNull, emailOrNull, nullWhen, urlOrNull } from './scalars.js';
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

const SIGN_IN_ONLY = 'when plex.tv leaves it out (GET /user may, since 2026)';

export const User = builder.objectRef<AccountUser>('User').implement({
  description: 'A Plex account. The account token is not part of it: `signIn` returns it beside the user.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The Plex account ID.' }),
    uuid: t.exposeString('uuid', { description: 'The account UUID.' }),
    username: t.exposeString('username', {
      nullable: true,
      description: nullWhen('The account username.', 'for managed Home users, who have no plex.tv login of their own'),
    }),
    title: t.exposeString('title', { nullable: true, description: nullWhen('The title of the account (username or friendly name).', 'when plex.tv leaves it out') }),
    email: t.field({
      type: 'EmailAddress',
      nullable: true,
      description: 'The account email address. Null for managed Home users, who have no email address, and when plex.tv sends a value that is not an email address.',
      resolve: (user) => emailOrNull(user.email),
    }),
    friendlyName: t.exposeString('friendlyName', {
      nullable: true,
      description: nullWhen('Your account full name. May be empty.', 'for managed Home users without one'),
    }),
    locale: t.exposeString('locale', { nullable: true, description: nullWhen('The account locale.', 'when the account has none set') }),
    confirmed: t.exposeBoolean('confirmed', { nullable: true, description: nullWhen('If the account has been confirmed.') }),
    joinedAt: t.expose('joinedAt', { type: 'DateTime', nullable: true, description: nullWhen('When the account was created.', 'when plex.tv leaves it out') }),
    emailOnlyAuth: t.exposeBoolean('emailOnlyAuth', { nullable: true, description: nullWhen('If login with email only is enabled.') }),
    hasPassword: t.exposeBoolean('hasPassword', { nullable: true, description: nullWhen('If the account has a password.') }),
    protected: t.exposeBoolean('protected', { nullable: true, description: nullWhen('If the account has a Plex Home PIN enabled.') }),
    thumb: t.field({
      type: 'URL',
      nullable: true,
      description: 'URL of the account thumbnail. Null when plex.tv leaves it out or sends a value that is not a URL.',
      resolve: (user, _args, ctx) => (user.thumb === null ? null : urlOrNull(ctx.publicUrl(user.thumb))),
    }),
    mailingListStatus: t.field({
      type: MailingListStatus.ref,
      nullable: true,
      description: nullWhen('Your current mailing list status.', `${SIGN_IN_ONLY} and for managed Home users`),
      resolve: (user) => MailingListStatus.fromPlex(user.mailingListStatus),
    }),
    mailingListActive: t.exposeBoolean('mailingListActive', { nullable: true, description: nullWhen('If you are subscribed to the Plex newsletter.') }),
    scrobbleTypes: t.exposeString('scrobbleTypes', {
      nullable: true,
      description: nullWhen('Scrobble types, as plex.tv sends them: a comma-separated list of numbers, usually empty.'),
    }),
    country: t.field({
      type: 'CountryCode',
      nullable: true,
      description: 'The account country (ISO 3166-1 alpha-2). Null when plex.tv leaves it out or sends a value that is not a country code.',
      resolve: (user) => countryOrNull(user.country),
    }),
    subscription: t.field({
      type: PlexPassSubscription,
      nullable: true,
      description: nullWhen("The account's Plex Pass subscription.", 'when plex.tv leaves it out (managed Home users\' bodies do)'),
      resolve: (user) => user.subscription,
    }),
    subscriptionDescription: t.exposeString('subscriptionDescription', {
      nullable: true,
      description: nullWhen('Description of the Plex Pass subscription.', 'when the account has none'),
    }),
    subscriptions: t.field({
      type: [AccountSubscription],
      nullable: true,
      description: nullWhen("The account's subscriptions.", 'when plex.tv leaves the list out (it sometimes does on GET /user)'),
      resolve: (user) => user.subscriptions,
    }),
    pastSubscriptions: t.field({
      type: [PastSubscription],
      nullable: true,
      description: nullWhen('Subscriptions the account held before. plex.tv sends them on sign-in.', 'when it leaves them out (GET /user may)'),
      resolve: (user) => user.pastSubscriptions,
    }),
    trials: t.field({
      type: ['JSONObject'],
      nullable: true,
      description: nullWhen(
        'Trials the account took, as plex.tv sends them (their shape is not documented). plex.tv sends them on sign-in.',
        'when it leaves them out',
      ),
      resolve: (user) => user.trials,
    }),
    restricted: t.exposeBoolean('restricted', { nullable: true, description: nullWhen('If the account is a Plex Home managed user.') }),
    anonymous: t.exposeBoolean('anonymous', { nullable: true, description: nullWhen('If the account is anonymous.', 'when plex.tv does not say') }),
    home: t.exposeBoolean('home', { nullable: true, description: nullWhen('If the account is a Plex Home user.') }),
    guest: t.exposeBoolean('guest', { nullable: true, description: nullWhen('If the account is a Plex Home guest user.') }),
    homeSize: t.exposeInt('homeSize', { nullable: true, description: nullWhen('The number of accounts in the Plex Home.', 'when plex.tv leaves it out') }),
    homeAdmin: t.exposeBoolean('homeAdmin', { nullable: true, description: nullWhen('If the account is the Plex Home admin.') }),
    maxHomeSize: t.exposeInt('maxHomeSize', {
      nullable: true,
      description: nullWhen('The maximum number of accounts allowed in the Plex Home.', 'when plex.tv leaves it out'),
    }),
    rememberExpiresAt: t.expose('rememberExpiresAt', {
      type: 'DateTime',
      nullable: true,
      description: nullWhen('When the remembered sign-in (and so its token) expires.', `${SIGN_IN_ONLY} and for managed Home users`),
    }),
    profile: t.field({
      type: UserProfile,
      nullable: true,
      description: nullWhen("The account's playback preferences.", 'when plex.tv leaves them out'),
      resolve: (user) => user.profile,
    }),
    entitlements: t.exposeStringList('entitlements', { nullable: true, description: nullWhen('List of devices your allowed to use with this account.') }),
    roles: t.exposeStringList('roles', {
      nullable: true,
      description: nullWhen('List of account roles. Plex Pass membership is listed here.', 'when plex.tv leaves it out'),
      deprecationReason: 'plex.tv marks this field "might be removed"; use `subscription` instead.',
    }),
    pin: t.exposeString('pin', {
      nullable: true,
      description: nullWhen('The hashed Plex Home PIN.', 'when plex.tv leaves it out'),
      deprecationReason: 'plex.tv marks this field deprecated and "might be removed"; use `protected` to know whether a PIN is set.',
    }),
    services: t.field({
      type: [Service],
      nullable: true,
      description: nullWhen('The Plex online services the account can use.'),
      resolve: (user) => user.services,
    }),
    adsConsent: t.exposeBoolean('adsConsent', { nullable: true, description: nullWhen('If the account consented to personalised ads.', 'when the account was never asked') }),
    adsConsentSetAt: t.expose('adsConsentSetAt', {
      type: 'DateTime',
      nullable: true,
      description: nullWhen('When the ads consent was given.', 'when it was never given'),
    }),
    adsConsentReminderAt: t.expose('adsConsentReminderAt', {
      type: 'DateTime',
      nullable: true,
      description: nullWhen('When the account will be reminded about ads consent.', 'when no reminder is planned'),
    }),
    experimentalFeatures: t.exposeBoolean('experimentalFeatures', { nullable: true, description: nullWhen('If experimental features are enabled.') }),
    twoFactorEnabled: t.exposeBoolean('twoFactorEnabled', { nullable: true, description: nullWhen('If two-factor authentication is enabled.') }),
    backupCodesCreated: t.exposeBoolean('backupCodesCreated', {
      nullable: true,
      description: nullWhen('If the two-factor authentication backup codes have been created.'),
    }),
    attributionPartner: t.exposeString('attributionPartner', {
      nullable: true,
      description: nullWhen('The partner the account was attributed to, if any.', 'when there is none'),
    }),
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
