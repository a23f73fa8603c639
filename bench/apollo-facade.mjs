// The alternative a user weighs against the product: a hand-written Apollo Server 5 facade over the same two plex.tv
// calls, with a RESTDataSource (@apollo/datasource-rest) per request, written as Apollo's getting-started and
// data-source pages show it: `startStandaloneServer`, a `context` function that builds the data source, every
// option left at its default. It answers the same documents with the same User fields as the bare Yoga floor (the SDL
// of bench/facade-schema.mjs). No limits, throttles, metrics or logs beyond Apollo's own defaults.
//   PORT, HOST, PLEX_API_URL, PLEX_CLIENT_IDENTIFIER; stops on SIGTERM (Apollo's own signal handling).
// Ready when `GET /graphql?query={__typename}` with `apollo-require-preflight` answers (Apollo's health check).
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { RESTDataSource } from '@apollo/datasource-rest';
import { fieldResolvers, typeDefs } from './facade-schema.mjs';

class PlexAPI extends RESTDataSource {
  baseURL = `${process.env.PLEX_API_URL}/api/v2/`;

  constructor(options) {
    super(options);
    this.token = options.token;
  }

  willSendRequest(_path, request) {
    request.headers['accept'] = 'application/json';
    request.headers['x-plex-client-identifier'] = process.env.PLEX_CLIENT_IDENTIFIER ?? 'apollo-facade';
    request.headers['x-plex-product'] = 'apollo-facade';
    request.headers['x-plex-version'] = '1';
    if (this.token) request.headers['x-plex-token'] = this.token;
  }

  currentUser() {
    return this.get('user');
  }

  signIn(login, password) {
    return this.post('users/signin', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login, password }).toString(),
    });
  }
}

const resolvers = {
  ...fieldResolvers,
  Query: {
    viewer: (_root, _args, { dataSources }) => dataSources.plex.currentUser(),
  },
  Mutation: {
    signIn: async (_root, { input }, { dataSources }) => {
      try {
        const user = await dataSources.plex.signIn(input.login, input.password);
        return { __typename: 'SignInSuccess', authToken: user.authToken, user };
      } catch (error) {
        if (error.extensions?.response?.status === 401) return { __typename: 'InvalidCredentialsError', message: 'The login or password is wrong.' };
        throw error;
      }
    },
  },
};

const server = new ApolloServer({ typeDefs, resolvers });

await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' },
  context: async ({ req }) => {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    return { dataSources: { plex: new PlexAPI({ cache: server.cache, token }) } };
  },
});
