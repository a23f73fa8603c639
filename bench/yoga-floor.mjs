// The framework floor: a bare graphql-yoga server (no plugins, no validation library, no metrics, no logging) with a
// minimal hand-written schema that answers the same documents as the product (operations/viewer.graphql,
// operations/sign-in.graphql with operations/user-fields.graphql) with the same User fields, each resolved from one
// plex.tv call made with undici. What the product costs above this is what it adds to Yoga: Pothos, validation,
// error mapping, limits, throttles, metrics, logs, resilience.
//   PORT, HOST, PLEX_API_URL, PLEX_CLIENT_IDENTIFIER
import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';
import { Agent, request } from 'undici';
import { fieldResolvers, typeDefs } from './facade-schema.mjs';

const upstream = process.env.PLEX_API_URL;
const dispatcher = new Agent({ keepAliveTimeout: 30_000 });
const headers = {
  accept: 'application/json',
  'x-plex-client-identifier': process.env.PLEX_CLIENT_IDENTIFIER ?? 'yoga-floor',
  'x-plex-product': 'yoga-floor',
  'x-plex-version': '1',
};
const formHeaders = { ...headers, 'content-type': 'application/x-www-form-urlencoded' };

const resolvers = {
  ...fieldResolvers,
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
