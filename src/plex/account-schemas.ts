import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import { MAX_UNIX_SECONDS } from './schemas.js';

/**
 * The account's resources, Plex Home and devices (docs/plex-api.md, "The account after sign-in"): zod schemas, the
 * order in which a client should try a resource's connections, and the devices.xml reader. Pure: no I/O.
 */

// An attribute that arrives as "" (or not at all) means "none".
const text = z
  .string()
  .nullish()
  .transform((value) => (value === undefined || value === null || value === '' ? null : value));

const plexId = z.union([z.number().int(), z.string().regex(/^\d{1,20}$/)]).transform(String);

/** GET /api/v2/resources: ISO-8601 strings. */
const isoDate = z.iso
  .datetime({ offset: true })
  .nullish()
  .transform((iso) => (iso === undefined || iso === null ? null : new Date(iso)));

/** /api/v2/home/users: Unix seconds as numbers. devices.xml: Unix seconds as strings. */
const unixSeconds = z
  .union([z.number().int(), z.string().regex(/^\d{1,12}$/).transform(Number), z.literal('')])
  .nullish()
  .transform((value, ctx) => {
    if (value === undefined || value === null || value === '') return null;
    if (value < 0 || value > MAX_UNIX_SECONDS) {
      ctx.addIssue({ code: 'custom', message: 'not a Unix time' });
      return z.NEVER;
    }
    return new Date(value * 1000);
  });

/** `provides` is a comma list ("server", "client,player,pubsub-player"); "" is none. */
const capabilities = z
  .string()
  .nullish()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((capability) => capability.trim().toLowerCase())
      .filter((capability) => capability !== ''),
  );

export const PlexConnectionSchema = z.object({
  protocol: z.enum(['http', 'https']),
  address: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  uri: z.url(),
  local: z.boolean(),
  relay: z.boolean(),
  // plex.tv spells it with a capital I and P; some sources leave it out for IPv4 connections.
  IPv6: z.boolean().default(false),
});

export const PlexResourceSchema = z.object({
  name: z.string(),
  product: z.string(),
  productVersion: text,
  platform: text,
  platformVersion: text,
  device: text,
  clientIdentifier: z.string().min(1),
  createdAt: isoDate,
  lastSeenAt: isoDate,
  provides: capabilities,
  ownerId: plexId.nullish().transform((id) => id ?? null),
  sourceTitle: text,
  publicAddress: text,
  // Documented as required, absent for players in practice.
  accessToken: text,
  owned: z.boolean(),
  home: z.boolean(),
  synced: z.boolean(),
  relay: z.boolean(),
  presence: z.boolean(),
  httpsRequired: z.boolean(),
  publicAddressMatches: z.boolean(),
  dnsRebindingProtection: z.boolean(),
  natLoopbackSupported: z.boolean(),
  connections: z.array(PlexConnectionSchema).default([]),
});

export const PlexResourcesSchema = z.array(PlexResourceSchema);

export const PlexHomeUserSchema = z.object({
  id: plexId,
  uuid: z.string().min(1),
  title: z.string(),
  username: text,
  email: text,
  friendlyName: text,
  thumb: text,
  hasPassword: z.boolean().default(false),
  restricted: z.boolean().default(false),
  updatedAt: unixSeconds,
  restrictionProfile: text,
  admin: z.boolean().default(false),
  guest: z.boolean().default(false),
  protected: z.boolean().default(false),
});

export const PlexHomeSchema = z.object({
  id: plexId,
  name: z.string(),
  guestEnabled: z.boolean().default(false),
  // The Home's Plex Pass; not in every capture.
  subscription: z.boolean().nullish().transform((value) => value ?? null),
  users: z.array(PlexHomeUserSchema),
});

export type PlexConnection = z.infer<typeof PlexConnectionSchema>;
export type PlexResource = z.infer<typeof PlexResourceSchema>;
export type PlexHome = z.infer<typeof PlexHomeSchema>;
export type PlexHomeUser = z.infer<typeof PlexHomeUserSchema>;

/**
 * The connections worth trying, in the order a client should try them. Owned: local, remote, relay; not owned: remote,
 * relay, and local only when the caller shares the server's public address. https before http within each group; no
 * http at all when the server requires https. Nothing is probed: only the client's network can tell what works.
 */
export function orderedConnections(resource: Pick<PlexResource, 'owned' | 'publicAddressMatches' | 'httpsRequired' | 'connections'>): PlexConnection[] {
  const group = (connection: PlexConnection): number => {
    if (connection.relay) return 2;
    if (!connection.local) return 1;
    return resource.owned || resource.publicAddressMatches ? 0 : -1;
  };
  return resource.connections
    .filter((connection) => group(connection) >= 0 && !(resource.httpsRequired && connection.protocol === 'http'))
    .map((connection, index) => ({ connection, index }))
    .sort(
      (a, b) =>
        group(a.connection) - group(b.connection) ||
        Number(a.connection.protocol === 'http') - Number(b.connection.protocol === 'http') ||
        a.index - b.index,
    )
    .map(({ connection }) => connection);
}

// devices.xml: booleans and numbers are strings, timestamps Unix seconds.
export const PlexDeviceSchema = z.object({
  id: plexId,
  name: z.string(),
  product: text,
  productVersion: text,
  platform: text,
  platformVersion: text,
  device: text,
  model: text,
  vendor: text,
  clientIdentifier: z.string().min(1),
  version: text,
  publicAddress: text,
  provides: capabilities,
  createdAt: unixSeconds,
  lastSeenAt: unixSeconds,
});

/** A device of the account. Its plex.tv token is not part of it: `current` is all that is kept of it. */
export type AccountDevice = z.infer<typeof PlexDeviceSchema> & { readonly current: boolean };

/** Which device is the caller's: the one holding its token, or for a Plex JWT the device the JWT was issued to. */
export interface CurrentDevice {
  readonly token: string;
  readonly clientIdentifier: string | null;
}

// fast-xml-parser: the most used pure-JS XML parser on npm, maintained, no native code, and it never expands external
// entities (devices.xml is read from the network).
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  processEntities: true,
  isArray: (name) => name === 'Device' || name === 'Connection',
});

export type DevicesXmlResult = { readonly ok: true; readonly devices: AccountDevice[] } | { readonly ok: false; readonly issues: string[] };

/**
 * Reads GET /devices.xml. Each device's `token` attribute is compared with the caller's and dropped here: what leaves
 * this function holds no token. Issues name paths and zod codes only, never values.
 */
export function parseDevicesXml(body: string, caller: CurrentDevice): DevicesXmlResult {
  let document: unknown;
  try {
    document = xml.parse(body, true);
  } catch {
    return { ok: false, issues: ['body is not XML'] };
  }
  const container = (document as { MediaContainer?: unknown } | null)?.MediaContainer;
  if (container === undefined || container === null || typeof container !== 'object') {
    // An account without devices may come back as <MediaContainer size="0"/>, which parses to "".
    return container === '' ? { ok: true, devices: [] } : { ok: false, issues: ['MediaContainer: missing'] };
  }
  const elements = (container as { Device?: unknown }).Device ?? [];
  if (!Array.isArray(elements)) return { ok: false, issues: ['MediaContainer.Device: invalid_type'] };
  const devices: AccountDevice[] = [];
  const issues: string[] = [];
  elements.forEach((element: unknown, index) => {
    const attributes = (element !== null && typeof element === 'object' ? element : {}) as Record<string, unknown>;
    const { token, ...rest } = attributes;
    const parsed = PlexDeviceSchema.safeParse(rest);
    if (!parsed.success) {
      issues.push(...parsed.error.issues.slice(0, 5).map((issue) => `Device.${index}.${issue.path.join('.')}: ${issue.code}`));
      return;
    }
    const current =
      (typeof token === 'string' && token !== '' && token === caller.token) ||
      (caller.clientIdentifier !== null && parsed.data.clientIdentifier === caller.clientIdentifier);
    devices.push({ ...parsed.data, current });
  });
  return issues.length === 0 ? { ok: true, devices } : { ok: false, issues: issues.slice(0, 10) };
}
