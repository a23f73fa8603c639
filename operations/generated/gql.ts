/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation SignIn($input: SignInInput!) {\n  signIn(input: $input) {\n    __typename\n    ... on SignInSuccess {\n      authToken\n      user {\n        ...FullUser\n      }\n    }\n    ... on SignInThrottledError {\n      retryAfterSeconds\n    }\n    ... on ValidationError {\n      issues {\n        path\n        message\n      }\n    }\n    ... on Error {\n      message\n    }\n  }\n}": typeof types.SignInDocument,
    "fragment FullUser on User {\n  id\n  uuid\n  username\n  title\n  email\n  friendlyName\n  locale\n  confirmed\n  joinedAt\n  emailOnlyAuth\n  hasPassword\n  protected\n  thumb\n  mailingListStatus\n  mailingListActive\n  scrobbleTypes\n  country\n  subscription {\n    active\n    subscribedAt\n    status\n    paymentService\n    plan\n    features\n  }\n  subscriptionDescription\n  subscriptions {\n    id\n    active\n    subscribedAt\n    status\n    paymentService\n    plan\n    features\n    mode\n    renewsAt\n    endsAt\n    type\n    transfer\n    state\n  }\n  pastSubscriptions {\n    id\n    mode\n    renewsAt\n    endsAt\n    billing {\n      internalPaymentMethod\n      paymentMethodId\n    }\n    canceled\n    gracePeriod\n    onHold\n    canReactivate\n    canUpgrade\n    canDowngrade\n    canConvert\n    type\n    transfer\n    state\n  }\n  trials\n  restricted\n  anonymous\n  home\n  guest\n  homeSize\n  homeAdmin\n  maxHomeSize\n  rememberExpiresAt\n  profile {\n    autoSelectAudio\n    defaultAudioLanguage\n    defaultAudioLanguages\n    defaultAudioAccessibility\n    defaultSubtitleLanguage\n    defaultSubtitleLanguages\n    autoSelectSubtitle\n    defaultSubtitleAccessibility\n    defaultSubtitleForced\n    watchedIndicator\n    mediaReviewsVisibility\n    mediaReviewsLanguages\n  }\n  entitlements\n  roles\n  pin\n  services {\n    identifier\n    endpoint\n    token\n    secret\n    status\n  }\n  adsConsent\n  adsConsentSetAt\n  adsConsentReminderAt\n  experimentalFeatures\n  twoFactorEnabled\n  backupCodesCreated\n  attributionPartner\n}": typeof types.FullUserFragmentDoc,
    "query Viewer {\n  viewer {\n    ...FullUser\n  }\n}\n\nquery ViewerName {\n  viewer {\n    id\n    username\n  }\n}": typeof types.ViewerDocument,
};
const documents: Documents = {
    "mutation SignIn($input: SignInInput!) {\n  signIn(input: $input) {\n    __typename\n    ... on SignInSuccess {\n      authToken\n      user {\n        ...FullUser\n      }\n    }\n    ... on SignInThrottledError {\n      retryAfterSeconds\n    }\n    ... on ValidationError {\n      issues {\n        path\n        message\n      }\n    }\n    ... on Error {\n      message\n    }\n  }\n}": types.SignInDocument,
    "fragment FullUser on User {\n  id\n  uuid\n  username\n  title\n  email\n  friendlyName\n  locale\n  confirmed\n  joinedAt\n  emailOnlyAuth\n  hasPassword\n  protected\n  thumb\n  mailingListStatus\n  mailingListActive\n  scrobbleTypes\n  country\n  subscription {\n    active\n    subscribedAt\n    status\n    paymentService\n    plan\n    features\n  }\n  subscriptionDescription\n  subscriptions {\n    id\n    active\n    subscribedAt\n    status\n    paymentService\n    plan\n    features\n    mode\n    renewsAt\n    endsAt\n    type\n    transfer\n    state\n  }\n  pastSubscriptions {\n    id\n    mode\n    renewsAt\n    endsAt\n    billing {\n      internalPaymentMethod\n      paymentMethodId\n    }\n    canceled\n    gracePeriod\n    onHold\n    canReactivate\n    canUpgrade\n    canDowngrade\n    canConvert\n    type\n    transfer\n    state\n  }\n  trials\n  restricted\n  anonymous\n  home\n  guest\n  homeSize\n  homeAdmin\n  maxHomeSize\n  rememberExpiresAt\n  profile {\n    autoSelectAudio\n    defaultAudioLanguage\n    defaultAudioLanguages\n    defaultAudioAccessibility\n    defaultSubtitleLanguage\n    defaultSubtitleLanguages\n    autoSelectSubtitle\n    defaultSubtitleAccessibility\n    defaultSubtitleForced\n    watchedIndicator\n    mediaReviewsVisibility\n    mediaReviewsLanguages\n  }\n  entitlements\n  roles\n  pin\n  services {\n    identifier\n    endpoint\n    token\n    secret\n    status\n  }\n  adsConsent\n  adsConsentSetAt\n  adsConsentReminderAt\n  experimentalFeatures\n  twoFactorEnabled\n  backupCodesCreated\n  attributionPartner\n}": types.FullUserFragmentDoc,
    "query Viewer {\n  viewer {\n    ...FullUser\n  }\n}\n\nquery ViewerName {\n  viewer {\n    id\n    username\n  }\n}": types.ViewerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SignIn($input: SignInInput!) {\n  signIn(input: $input) {\n    __typename\n    ... on SignInSuccess {\n      authToken\n      user {\n        ...FullUser\n      }\n    }\n    ... on SignInThrottledError {\n      retryAfterSeconds\n    }\n    ... on ValidationError {\n      issues {\n        path\n        message\n      }\n    }\n    ... on Error {\n      message\n    }\n  }\n}"): (typeof documents)["mutation SignIn($input: SignInInput!) {\n  signIn(input: $input) {\n    __typename\n    ... on SignInSuccess {\n      authToken\n      user {\n        ...FullUser\n      }\n    }\n    ... on SignInThrottledError {\n      retryAfterSeconds\n    }\n    ... on ValidationError {\n      issues {\n        path\n        message\n      }\n    }\n    ... on Error {\n      message\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment FullUser on User {\n  id\n  uuid\n  username\n  title\n  email\n  friendlyName\n  locale\n  confirmed\n  joinedAt\n  emailOnlyAuth\n  hasPassword\n  protected\n  thumb\n  mailingListStatus\n  mailingListActive\n  scrobbleTypes\n  country\n  subscription {\n    active\n    subscribedAt\n    status\n    paymentService\n    plan\n    features\n  }\n  subscriptionDescription\n  subscriptions {\n    id\n    active\n    subscribedAt\n    status\n    paymentService\n    plan\n    features\n    mode\n    renewsAt\n    endsAt\n    type\n    transfer\n    state\n  }\n  pastSubscriptions {\n    id\n    mode\n    renewsAt\n    endsAt\n    billing {\n      internalPaymentMethod\n      paymentMethodId\n    }\n    canceled\n    gracePeriod\n    onHold\n    canReactivate\n    canUpgrade\n    canDowngrade\n    canConvert\n    type\n    transfer\n    state\n  }\n  trials\n  restricted\n  anonymous\n  home\n  guest\n  homeSize\n  homeAdmin\n  maxHomeSize\n  rememberExpiresAt\n  profile {\n    autoSelectAudio\n    defaultAudioLanguage\n    defaultAudioLanguages\n    defaultAudioAccessibility\n    defaultSubtitleLanguage\n    defaultSubtitleLanguages\n    autoSelectSubtitle\n    defaultSubtitleAccessibility\n    defaultSubtitleForced\n    watchedIndicator\n    mediaReviewsVisibility\n    mediaReviewsLanguages\n  }\n  entitlements\n  roles\n  pin\n  services {\n    identifier\n    endpoint\n    token\n    secret\n    status\n  }\n  adsConsent\n  adsConsentSetAt\n  adsConsentReminderAt\n  experimentalFeatures\n  twoFactorEnabled\n  backupCodesCreated\n  attributionPartner\n}"): (typeof documents)["fragment FullUser on User {\n  id\n  uuid\n  username\n  title\n  email\n  friendlyName\n  locale\n  confirmed\n  joinedAt\n  emailOnlyAuth\n  hasPassword\n  protected\n  thumb\n  mailingListStatus\n  mailingListActive\n  scrobbleTypes\n  country\n  subscription {\n    active\n    subscribedAt\n    status\n    paymentService\n    plan\n    features\n  }\n  subscriptionDescription\n  subscriptions {\n    id\n    active\n    subscribedAt\n    status\n    paymentService\n    plan\n    features\n    mode\n    renewsAt\n    endsAt\n    type\n    transfer\n    state\n  }\n  pastSubscriptions {\n    id\n    mode\n    renewsAt\n    endsAt\n    billing {\n      internalPaymentMethod\n      paymentMethodId\n    }\n    canceled\n    gracePeriod\n    onHold\n    canReactivate\n    canUpgrade\n    canDowngrade\n    canConvert\n    type\n    transfer\n    state\n  }\n  trials\n  restricted\n  anonymous\n  home\n  guest\n  homeSize\n  homeAdmin\n  maxHomeSize\n  rememberExpiresAt\n  profile {\n    autoSelectAudio\n    defaultAudioLanguage\n    defaultAudioLanguages\n    defaultAudioAccessibility\n    defaultSubtitleLanguage\n    defaultSubtitleLanguages\n    autoSelectSubtitle\n    defaultSubtitleAccessibility\n    defaultSubtitleForced\n    watchedIndicator\n    mediaReviewsVisibility\n    mediaReviewsLanguages\n  }\n  entitlements\n  roles\n  pin\n  services {\n    identifier\n    endpoint\n    token\n    secret\n    status\n  }\n  adsConsent\n  adsConsentSetAt\n  adsConsentReminderAt\n  experimentalFeatures\n  twoFactorEnabled\n  backupCodesCreated\n  attributionPartner\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Viewer {\n  viewer {\n    ...FullUser\n  }\n}\n\nquery ViewerName {\n  viewer {\n    id\n    username\n  }\n}"): (typeof documents)["query Viewer {\n  viewer {\n    ...FullUser\n  }\n}\n\nquery ViewerName {\n  viewer {\n    id\n    username\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;