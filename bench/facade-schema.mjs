// What the two hand-written GraphQL references (bench/yoga-floor.mjs, bench/apollo-facade.mjs) share: a minimal SDL
// that answers the product's documents (operations/viewer.graphql, operations/sign-in.graphql with
// operations/user-fields.graphql) with the same User fields, and the resolvers that turn plex.tv's unix seconds into
// ISO date-times. Each server resolves `viewer` and `signIn` with its own plex.tv client.
import { GraphQLScalarType } from 'graphql';

export const typeDefs = /* GraphQL */ `
  scalar JSONObject

  type Query {
    viewer: User
  }

  type Mutation {
    signIn(input: SignInInput!): SignInResult!
  }

  input SignInInput {
    login: String!
    password: String!
    verificationCode: String
  }

  interface Error {
    message: String!
  }

  type InvalidCredentialsError implements Error {
    message: String!
  }

  type SignInThrottledError implements Error {
    message: String!
    retryAfterSeconds: Int
  }

  type ValidationIssue {
    path: [String!]!
    message: String!
  }

  type ValidationError implements Error {
    message: String!
    issues: [ValidationIssue!]!
  }

  type SignInSuccess {
    authToken: String!
    user: User!
  }

  union SignInResult = SignInSuccess | InvalidCredentialsError | SignInThrottledError | ValidationError

  type User {
    id: ID!
    uuid: String!
    username: String!
    title: String!
    email: String
    friendlyName: String!
    locale: String
    confirmed: Boolean!
    joinedAt: String!
    emailOnlyAuth: Boolean!
    hasPassword: Boolean!
    protected: Boolean!
    thumb: String
    mailingListStatus: String!
    mailingListActive: Boolean!
    scrobbleTypes: String!
    country: String
    subscription: PlexPassSubscription!
    subscriptionDescription: String
    subscriptions: [AccountSubscription!]
    pastSubscriptions: [PastSubscription!]
    trials: [JSONObject!]
    restricted: Boolean!
    anonymous: Boolean
    home: Boolean!
    guest: Boolean!
    homeSize: Int!
    homeAdmin: Boolean!
    maxHomeSize: Int!
    rememberExpiresAt: String!
    profile: UserProfile!
    entitlements: [String!]!
    roles: [String!]
    pin: String
    services: [Service!]!
    adsConsent: Boolean
    adsConsentSetAt: String
    adsConsentReminderAt: String
    experimentalFeatures: Boolean!
    twoFactorEnabled: Boolean!
    backupCodesCreated: Boolean!
    attributionPartner: String
  }

  type PlexPassSubscription {
    active: Boolean!
    subscribedAt: String
    status: String
    paymentService: String
    plan: String
    features: [String!]!
  }

  type AccountSubscription {
    id: ID
    active: Boolean
    subscribedAt: String
    status: String
    paymentService: String
    plan: String
    features: [String!]
    mode: String
    renewsAt: String
    endsAt: String
    type: String
    transfer: String
    state: String
  }

  type Billing {
    internalPaymentMethod: JSONObject!
    paymentMethodId: ID
  }

  type PastSubscription {
    id: ID
    mode: String
    renewsAt: String
    endsAt: String
    billing: Billing!
    canceled: Boolean!
    gracePeriod: Boolean!
    onHold: Boolean!
    canReactivate: Boolean!
    canUpgrade: Boolean!
    canDowngrade: Boolean!
    canConvert: Boolean!
    type: String!
    transfer: String
    state: String!
  }

  type UserProfile {
    autoSelectAudio: Boolean!
    defaultAudioLanguage: String
    defaultAudioLanguages: [String!]
    defaultAudioAccessibility: Int
    defaultSubtitleLanguage: String
    defaultSubtitleLanguages: [String!]
    autoSelectSubtitle: Int!
    defaultSubtitleAccessibility: Int!
    defaultSubtitleForced: Int!
    watchedIndicator: Int!
    mediaReviewsVisibility: Int!
    mediaReviewsLanguages: [String!]
  }

  type Service {
    identifier: String!
    endpoint: String!
    token: String
    secret: String
    status: String!
  }
`;

// plex.tv sends unix seconds; the schema shows ISO date-times, as the product does.
const isoFromSeconds = (field) => (parent) => {
  const value = parent[field];
  return typeof value === 'number' ? new Date(value * 1000).toISOString() : (value ?? null);
};
const dates = (...fields) => Object.fromEntries(fields.map((field) => [field, isoFromSeconds(field)]));

/** Resolvers for the fields that are not plain copies of plex.tv's JSON. */
export const fieldResolvers = {
  JSONObject: new GraphQLScalarType({ name: 'JSONObject', serialize: (value) => value }),
  User: dates('joinedAt', 'rememberExpiresAt', 'adsConsentSetAt', 'adsConsentReminderAt'),
  AccountSubscription: dates('renewsAt', 'endsAt'),
  PastSubscription: dates('renewsAt', 'endsAt'),
};
