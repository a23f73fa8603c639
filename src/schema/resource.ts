import { requireToken } from '../context.js';
import { orderedConnections, type PlexConnection, type PlexResource } from '../plex/account-schemas.js';
import { builder } from './builder.js';
import { openEnum } from './enums.js';
import { accountToken, User } from './user.js';

export const ResourceCapability = openEnum(
  'ResourceCapability',
  "What a resource or device provides (plex.tv's `provides` list).",
  {
    SERVER: { plex: 'server', description: 'A Plex Media Server.' },
    CLIENT: { plex: 'client', description: 'A Plex client app.' },
    PLAYER: { plex: 'player', description: 'Plays media (can be cast to).' },
    PUBSUB_PLAYER: { plex: 'pubsub-player', description: 'A player reached through Plex pub/sub.' },
    CONTROLLER: { plex: 'controller', description: 'Can control players.' },
    SYNC_TARGET: { plex: 'sync-target', description: 'Can hold downloaded (synced) media.' },
    PROVIDER_PLAYBACK: { plex: 'provider-playback', description: 'Plays media from online providers.' },
  },
);

const ConnectionProtocol = builder.enumType('ConnectionProtocol', {
  description: 'How a connection is made.',
  values: {
    HTTP: { value: 'http', description: 'Plain HTTP.' },
    HTTPS: { value: 'https', description: 'HTTPS (for plex.direct addresses, with a certificate plex.tv issued).' },
  } as const,
});

const ResourceConnection = builder.objectRef<PlexConnection>('ResourceConnection').implement({
  description: 'One address a resource can be reached at. Only the client can tell whether it works from where it is: try them.',
  fields: (t) => ({
    protocol: t.field({ type: ConnectionProtocol, description: 'HTTP or HTTPS.', resolve: (connection) => connection.protocol }),
    address: t.exposeString('address', { description: 'The IP address or host name.' }),
    port: t.exposeInt('port', { description: 'The TCP port.' }),
    uri: t.field({ type: 'URL', description: 'The full address to connect to (a *.plex.direct name for HTTPS).', resolve: (connection) => connection.uri }),
    local: t.exposeBoolean('local', { description: "On the resource's local network." }),
    relay: t.exposeBoolean('relay', { description: 'Through Plex Relay: bandwidth-limited, the last resort.' }),
    ipv6: t.exposeBoolean('IPv6', { description: 'An IPv6 address.' }),
  }),
});

export const Resource = builder.objectRef<PlexResource>('Resource').implement({
  description:
    "A server or player of the account, or shared with it (plex.tv's resources). A federation entity keyed by `clientIdentifier`, so a media-server subgraph can extend it.",
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The name the owner gave it.' }),
    product: t.exposeString('product', { description: 'The product, e.g. "Plex Media Server" or "Plexamp".' }),
    productVersion: t.exposeString('productVersion', { nullable: true, description: 'The product version.' }),
    platform: t.exposeString('platform', { nullable: true, description: 'The operating system, e.g. "Linux".' }),
    platformVersion: t.exposeString('platformVersion', { nullable: true, description: 'The operating system version.' }),
    device: t.exposeString('device', { nullable: true, description: 'The hardware, e.g. "Docker Container" or "iPhone".' }),
    clientIdentifier: t.exposeString('clientIdentifier', {
      description: "Its unique identifier (a server's machineIdentifier): the entity key.",
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', nullable: true, description: 'When it was first registered with plex.tv.' }),
    lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime', nullable: true, description: 'When plex.tv last heard from it.' }),
    provides: t.field({
      type: [ResourceCapability.ref],
      description: 'What it provides (SERVER, PLAYER, …).',
      resolve: (resource) => resource.provides.map((capability) => ResourceCapability.fromPlex(capability)),
    }),
    owned: t.exposeBoolean('owned', { description: 'Owned by this account (not shared with it).' }),
    ownerId: t.exposeID('ownerId', { nullable: true, description: "The owner's account ID; null when this account owns it." }),
    sourceTitle: t.exposeString('sourceTitle', { nullable: true, description: "The owner's name, for a resource shared with this account." }),
    publicAddress: t.exposeString('publicAddress', { nullable: true, description: 'The public IP address plex.tv last saw it at.' }),
    home: t.exposeBoolean('home', { description: 'Shared with this account through a Plex Home.' }),
    synced: t.exposeBoolean('synced', { description: 'Has synced content.' }),
    relay: t.exposeBoolean('relay', { description: 'Allows Plex Relay connections.' }),
    presence: t.exposeBoolean('presence', { description: 'Online now, as far as plex.tv knows.' }),
    httpsRequired: t.exposeBoolean('httpsRequired', { description: 'Refuses plain HTTP: `connections` leaves HTTP ones out.' }),
    publicAddressMatches: t.exposeBoolean('publicAddressMatches', {
      description: 'The caller of plex.tv has the same public address, so probably shares its network.',
    }),
    dnsRebindingProtection: t.exposeBoolean('dnsRebindingProtection', {
      description: "Its router blocks *.plex.direct names resolving to private addresses: local plex.direct connections may fail.",
    }),
    natLoopbackSupported: t.exposeBoolean('natLoopbackSupported', { description: 'Its router supports NAT loopback.' }),
    accessToken: t.exposeString('accessToken', {
      nullable: true,
      description:
        'The credential to send to this server (X-Plex-Token) as this account. Opaque: it may be a Plex JWT. Null for devices that have none (players). Keep it secret.',
    }),
    connections: t.field({
      type: [ResourceConnection],
      description:
        'The connections worth trying, in the order a client should try them: owned, local then remote then relay; shared, remote then relay (local only when `publicAddressMatches`); HTTPS before HTTP within each, no HTTP when `httpsRequired`. Nothing is probed here.',
      resolve: (resource) => orderedConnections(resource),
    }),
  }),
});

// Resolved only among the resources of the request's own token: a gateway cannot read another account's servers.
// All representations share the token's one GET /api/v2/resources.
builder.asEntity(Resource, {
  key: builder.selection<{ clientIdentifier: string }>('clientIdentifier'),
  resolveReference: async (reference, ctx) => {
    if (ctx.token === null && ctx.tokenProblem === null) return null;
    const resources = await ctx.loaders.resourcesByToken.load(requireToken(ctx));
    return resources.find((resource) => resource.clientIdentifier === String(reference.clientIdentifier)) ?? null;
  },
});

builder.objectField(User, 'resources', (t) =>
  t.field({
    type: [Resource],
    description:
      "The account's resources (servers, players) from plex.tv's GET /api/v2/resources (HTTPS, relay and IPv6 connections); with provides, those that provide any of the listed capabilities.",
    args: {
      provides: t.arg({ type: [ResourceCapability.ref], required: false, description: 'Only resources that provide one of these.' }),
    },
    resolve: async (user, { provides }, ctx) => {
      const resources = await ctx.loaders.resourcesByToken.load(accountToken(user, ctx));
      if (provides === null || provides === undefined) return resources;
      const wanted = new Set<string>(provides);
      return resources.filter((resource) => resource.provides.some((capability) => wanted.has(ResourceCapability.fromPlex(capability))));
    },
  }),
);
