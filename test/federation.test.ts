import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createGatewayRuntime, type GatewayRuntime } from '@graphql-hive/gateway';
import { composeServices } from '@theguild/federation-composition';
import { buildClientSchema, buildSchema, findBreakingChanges, getIntrospectionQuery, parse, type IntrospectionQuery } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server.js';
import { createPlexSimulator, DEMO_ACCOUNTS, type PlexSimulator } from '../src/simulator/index.js';
import { bearer, capturingLogger, testConfig } from './support/servers.js';

// A second subgraph, as another team would write it: watch lists keyed by the Plex account id.
const WATCHLIST_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])

  type User @key(fields: "id") {
    id: ID!
    "What the account wants to watch."
    watchlist: [WatchlistItem!]!
  }

  type WatchlistItem {
    title: String!
  }

  type Watchlist {
    name: String!
    owner: User
  }

  type Query {
    publicWatchlists: [Watchlist!]!
  }
`;

// A media-server subgraph: the libraries of a Plex Media Server, keyed by the resource's clientIdentifier.
const MEDIA_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])

  type Resource @key(fields: "clientIdentifier") {
    clientIdentifier: String!
    "The server's libraries."
    libraries: [Library!]!
  }

  type Library {
    title: String!
  }
`;
const STREAM_MASTER = '8276c3fa6bc24e44b347e19c71fbb98b9287c1e9';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

let sim: PlexSimulator;
let subgraph: RunningServer;
let watchlistServer: Server;
let mediaServer: Server;
const mediaHeaders: IncomingHttpHeaders[] = [];
let gatewayServer: Server;
let gateway: GatewayRuntime;
let gatewayUrl: string;
let plainId: string;
let twoFactorId: string;
let token: string;
const watchlistHeaders: IncomingHttpHeaders[] = [];

const subgraphSdl = readFileSync(new URL('../schema.subgraph.graphql', import.meta.url), 'utf8');

beforeAll(async () => {
  sim = createPlexSimulator();
  await sim.listen(0, '127.0.0.1');
  plainId = String(sim.accounts[0]!.body.id);
  twoFactorId = String(sim.accounts[1]!.body.id);
  subgraph = await startServer({ config: { ...testConfig(sim.url), port: 0, host: '127.0.0.1' }, logger: capturingLogger().logger });

  const lists: Record<string, { title: string }[]> = { [plainId]: [{ title: 'Severance' }, { title: 'Andor' }] };
  const watchlistYoga = createYoga({
    logging: false,
    schema: buildSubgraphSchema({
      typeDefs: parse(WATCHLIST_SDL),
      resolvers: {
        Query: {
          publicWatchlists: () => [
            { name: 'mine', owner: { id: plainId } },
            { name: 'theirs', owner: { id: twoFactorId } },
          ],
        },
        User: {
          __resolveReference: (user: { id: string }) => user,
          watchlist: (user: { id: string }) => lists[user.id] ?? [],
        },
      },
    }),
  });
  watchlistServer = createServer((request, response) => {
    watchlistHeaders.push(request.headers);
    void watchlistYoga(request, response);
  });
  const watchlistUrl = `${await listen(watchlistServer)}/graphql`;

  const mediaYoga = createYoga({
    logging: false,
    schema: buildSubgraphSchema({
      typeDefs: parse(MEDIA_SDL),
      resolvers: {
        Resource: {
          __resolveReference: (resource: { clientIdentifier: string }) => resource,
          libraries: (resource: { clientIdentifier: string }) => (resource.clientIdentifier === STREAM_MASTER ? [{ title: 'Movies' }, { title: 'TV Shows' }] : []),
        },
      },
    }),
  });
  mediaServer = createServer((request, response) => {
    mediaHeaders.push(request.headers);
    void mediaYoga(request, response);
  });
  const mediaUrl = `${await listen(mediaServer)}/graphql`;

  // What `npm run schema` commits is what the composition reads.
  const composed = composeServices([
    { name: 'plex-account', url: `${subgraph.url}/graphql`, typeDefs: parse(subgraphSdl) },
    { name: 'watchlist', url: watchlistUrl, typeDefs: parse(WATCHLIST_SDL) },
    { name: 'media-server', url: mediaUrl, typeDefs: parse(MEDIA_SDL) },
  ]);
  expect(composed.errors ?? []).toEqual([]);

  gateway = createGatewayRuntime({
    supergraph: composed.supergraphSdl!,
    logging: false,
    propagateHeaders: {
      // The Plex token goes to this subgraph only; other subgraphs never see it.
      fromClientToSubgraphs: ({ request, subgraphName }) =>
        subgraphName === 'plex-account'
          ? { authorization: request.headers.get('authorization'), 'x-plex-token': request.headers.get('x-plex-token') }
          : {},
    },
  });
  gatewayServer = createServer(gateway);
  gatewayUrl = `${await listen(gatewayServer)}/graphql`;

  token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
});

afterAll(async () => {
  await closeServer(gatewayServer);
  await gateway[Symbol.asyncDispose]();
  await closeServer(watchlistServer);
  await closeServer(mediaServer);
  await subgraph.close();
  await sim.close();
});

beforeEach(() => {
  sim.reset();
  watchlistHeaders.length = 0;
  mediaHeaders.length = 0;
});

async function post(url: string, query: string, headers: Record<string, string> = {}, variables?: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
}

const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on User {
        id
        username
      }
    }
  }
`;

describe('the subgraph', () => {
  it('serves _service { sdl } equal to the committed schema.subgraph.graphql, with User @key(fields: "id")', async () => {
    const { body } = await post(`${subgraph.url}/graphql`, '{ _service { sdl } }');
    expect(`${body.data._service.sdl}\n`).toBe(subgraphSdl);
    expect(subgraphSdl).toMatch(/type User\s+@key\(fields: "id"\)/);
  });

  it('serves everything schema.graphql promises clients (no breaking change against it)', async () => {
    const { body } = await post(`${subgraph.url}/graphql`, getIntrospectionQuery());
    const served = buildClientSchema(body.data as IntrospectionQuery);
    const client = buildSchema(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));
    expect(findBreakingChanges(client, served)).toEqual([]);
    expect(client.getType('_Any')).toBeUndefined();
  });

  it("resolves only the token's own account: any other id is null, never another account", async () => {
    const { body } = await post(`${subgraph.url}/graphql`, ENTITIES, bearer(token), {
      representations: [
        { __typename: 'User', id: twoFactorId },
        { __typename: 'User', id: plainId },
        { __typename: 'User', id: '999999999' },
      ],
    });
    expect(body).toEqual({ data: { _entities: [null, { id: plainId, username: DEMO_ACCOUNTS.plain.username }, null] } });
  });

  it('costs one GET /user for N representations (up to the alias limit, 15)', async () => {
    const representations = Array.from({ length: 15 }, (_, index) => ({ __typename: 'User', id: index % 2 ? plainId : String(index) }));
    const { body } = await post(`${subgraph.url}/graphql`, ENTITIES, { 'x-plex-token': token }, { representations });
    expect(body.errors).toBeUndefined();
    expect(body.data._entities.filter(Boolean)).toHaveLength(7);
    expect(sim.count('user')).toBe(1);
  });

  it('is null, not an error, without a token, and plex.tv is not called', async () => {
    const { body } = await post(`${subgraph.url}/graphql`, ENTITIES, {}, { representations: [{ __typename: 'User', id: plainId }] });
    expect(body).toEqual({ data: { _entities: [null] } });
    expect(sim.count('user')).toBe(0);
  });

  it('is UNAUTHENTICATED with a token plex.tv rejects', async () => {
    const revoked = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    sim.revokeToken(revoked);
    const { body } = await post(`${subgraph.url}/graphql`, ENTITIES, bearer(revoked), {
      representations: [{ __typename: 'User', id: plainId }],
    });
    expect(body.data?._entities ?? [null]).toEqual([null]);
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('through Hive Gateway', () => {
  it('runs viewer { username email watchlist { title } } with the token propagated to this subgraph only', async () => {
    const { status, body } = await post(gatewayUrl, '{ viewer { username email watchlist { title } } }', bearer(token));
    expect(status).toBe(200);
    expect(body).toEqual({
      data: {
        viewer: {
          username: DEMO_ACCOUNTS.plain.username,
          email: DEMO_ACCOUNTS.plain.login,
          watchlist: [{ title: 'Severance' }, { title: 'Andor' }],
        },
      },
    });
    expect(sim.requests.filter((request) => request.route === 'user').map((request) => request.headers['x-plex-token'])).toEqual([token]);
    expect(watchlistHeaders.length).toBeGreaterThan(0);
    expect(watchlistHeaders.every((headers) => !headers.authorization && !headers['x-plex-token'])).toBe(true);
  });

  it('accepts X-Plex-Token from the client as well', async () => {
    const { body } = await post(gatewayUrl, '{ viewer { id username } }', { 'x-plex-token': token });
    expect(body).toEqual({ data: { viewer: { id: plainId, username: DEMO_ACCOUNTS.plain.username } } });
  });

  it("resolves another subgraph's User references through _entities: only the viewer's own account, with one GET /user", async () => {
    const { body } = await post(gatewayUrl, '{ publicWatchlists { name owner { id uuid username } } }', bearer(token));
    expect(body.data).toEqual({
      publicWatchlists: [
        { name: 'mine', owner: { id: plainId, uuid: sim.accounts[0]!.body.uuid, username: DEMO_ACCOUNTS.plain.username } },
        { name: 'theirs', owner: null },
      ],
    });
    // The null entity meets the non-null `uuid`: the gateway nulls the owner and says where, with no account data.
    expect(body.errors?.map((error) => error.path)).toEqual([['publicWatchlists', 1, 'owner', 'uuid']]);
    expect(JSON.stringify(body.errors)).not.toContain(DEMO_ACCOUNTS.twoFactor.username);
    expect(sim.count('user')).toBe(1);
  });

  it("extends the viewer's Resources from a media-server subgraph by clientIdentifier, with one GET /api/v2/resources", async () => {
    const { body } = await post(gatewayUrl, '{ viewer { resources(provides: [SERVER]) { name clientIdentifier libraries { title } } } }', bearer(token));
    expect(body.errors).toBeUndefined();
    const resources = body.data.viewer.resources as { name: string; libraries: { title: string }[] }[];
    expect(resources.find((resource) => resource.name === 'StreamMaster')?.libraries).toEqual([{ title: 'Movies' }, { title: 'TV Shows' }]);
    expect(resources.find((resource) => resource.name === 'PirateBay')?.libraries).toEqual([]);
    expect(sim.count('resources')).toBe(1);
    expect(mediaHeaders.length).toBeGreaterThan(0);
    expect(mediaHeaders.every((headers) => !headers.authorization && !headers['x-plex-token'])).toBe(true);
    expect(subgraphSdl).toMatch(/type Resource\s+@key\(fields: "clientIdentifier"\)/);
  });

  it('passes UNAUTHENTICATED through when the client sends no token', async () => {
    const { body } = await post(gatewayUrl, '{ viewer { username } }');
    expect(body.data?.viewer ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(sim.count('user')).toBe(0);
  });
});
