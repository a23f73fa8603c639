// The framework floor: a bare graphql-yoga server (no plugins, no validation library, no metrics, no logging) with a
// minimal hand-written schema that answers the same documents as the product (operations/viewer.graphql,
// operations/sign-in.graphql with operations/user-fields.graphql) with the same User fields, each resolved from one
// plex.tv call made with undici. What the product costs above this is what it adds to Yoga: Pothos, validation,
// error mapping, limits, throttles, metrics, logs, resilience.
//   PORT, HOST, PLEX_API_URL, PLEX_CLIENT_IDENTIFIER
import { createServer } from 'node:http';
import { GraphQLScalarType } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { Agent, request } from 'undici';

const upstream = process.env.PLEX_API_URL;
const dispatcher = new Agent({ keepAliveTimeout: 30_000 });
const headers = {
  accept: 'application/json',
  'x-plex-client-identifier': process.env.PLEX_CLIENT_IDENTIFIER ?? 'yoga-floor',
  'x-plex-product': 'yoga-floor',
  'x-plex-version': '1',
};
const formHeaders = { ...headers, 'content-type': 'application/x-www-form-urlencoded' };

const typeDefs = /* GraphQL */ `
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

const resolvers = {
  JSONObject: new GraphQLScalarType({ name: 'JSONObject', serialize: (value) => value }),
  Query: {
    viewer: async (_root, _args, { request: incoming }) => {
      const token = /^Bearer (\S+)$/.exec(incoming.headers.get('authorization') ?? '')?.[1] ?? '';
      const response = await request(`${upstream}/api/v2/user`, { dispatcher, headers: { ...headers, 'x-plex-token': token } });
      const user = JSON.parse(await response.body.text());
      if (response.statusCode !== 200) throw new Error(`plex.tv answered ${response.statusCode}`);
      return user;
    },
  },
  Mutation: {
    signIn: async (_root, { input }) => {
      const body = new URLSearchParams({ login: input.login, password: input.password }).toString();
      const response = await request(`${upstream}/api/v2/users/signin`, { dispatcher, method: 'POST', headers: formHeaders, body });
      const user = JSON.parse(await response.body.text());
      if (response.statusCode !== 201) return { __typename: 'InvalidCredentialsError', message: 'The login or password is wrong.' };
      return { __typename: 'SignInSuccess', authToken: user.authToken, user };
    },
  },
  User: dates('joinedAt', 'rememberExpiresAt', 'adsConsentSetAt', 'adsConsentReminderAt'),
  AccountSubscription: dates('renewsAt', 'endsAt'),
  PastSubscription: dates('renewsAt', 'endsAt'),
};

const yoga = createYoga({
  schema: createSchema({ typeDefs, resolvers }),
  logging: false,
  graphiql: false,
  landingPage: false,
});

const server = createServer(yoga);
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
