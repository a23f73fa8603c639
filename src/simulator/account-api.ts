// The account after sign-in, as the plex.tv simulator serves it: resources (servers and players with their
// connections), the Plex Home with its users and the profile switch, and the authorized devices (devices.xml). Shapes,
// quirks and what is inferred: docs/plex-api.md, "The account after sign-in". All data is fake.
import { randomBytes } from 'node:crypto';
import { SIGN_IN_ONLY_2026, type DemoAccount, type PlexUserBody } from './accounts.js';
import type { AccountEntry, Exchange, PlexError } from './server.js';

export type AccountRoute = 'resources' | 'homeUsers' | 'homeSwitch' | 'devices' | 'deviceDelete';
export const ACCOUNT_ROUTES: readonly AccountRoute[] = ['resources', 'homeUsers', 'homeSwitch', 'devices', 'deviceDelete'];

const SWITCH_PATH = /^\/api\/v2\/home\/users\/([^/]+)\/switch$/;
const DEVICE_PATH = /^\/devices\/([^/]+)\.xml$/;

/** The route and method of a path this module serves, or undefined. */
export function matchAccountRoute(pathname: string): { route: AccountRoute; method: string } | undefined {
  if (pathname === '/api/v2/resources') return { route: 'resources', method: 'GET' };
  if (pathname === '/api/v2/home/users') return { route: 'homeUsers', method: 'GET' };
  if (pathname === '/devices.xml') return { route: 'devices', method: 'GET' };
  if (SWITCH_PATH.test(pathname)) return { route: 'homeSwitch', method: 'POST' };
  if (DEVICE_PATH.test(pathname)) return { route: 'deviceDelete', method: 'DELETE' };
  return undefined;
}

/** What the simulator lends this module: its accounts, tokens and answers. */
export interface AccountHost {
  /** The account behind the request's token, or the error to answer. */
  tokenAccount(ex: Exchange): { token: string; entry: AccountEntry } | PlexError;
  /** A new legacy token for the account, signed in on that client identifier (a device of the account). */
  mint(entry: AccountEntry, clientIdentifier: string): string;
  /** Revokes a token of the account (its device was removed). */
  revoke(token: string): void;
  /** The Plex JWTs of an account, by the client identifier each was issued to. */
  jwtsOf(entry: AccountEntry): Iterable<[clientIdentifier: string, token: string]>;
  /** Removes a JWT device. */
  revokeJwtDevice(clientIdentifier: string): void;
  /** An account that cannot sign in with a password (a Home member), so that switched tokens read its body. */
  addAccount(account: DemoAccount): AccountEntry;
  /** The simulator's account with that uuid, if it has one (the managed demo user). */
  accountByUuid(uuid: string): AccountEntry | undefined;
  sendAccount(ex: Exchange, status: number, entry: AccountEntry, token: string): void;
  sendError(ex: Exchange, error: PlexError): void;
  write(ex: Exchange, status: number, contentType: string, body: string): void;
  query(ex: Exchange): URLSearchParams;
  clientIdentifier(ex: Exchange): string;
  now(): number;
  readonly rateLimited: PlexError;
}

export interface AccountApiOptions {
  /** Profile switches one account may make per minute before plex.tv answers 429 (observed, limit unknown). */
  switchesPerMinute?: number;
}

// plex.tv answers a missing and a wrong Home PIN alike (captured verbatim).
export const PIN_REQUIRED: PlexError = { code: 1041, message: 'A valid PIN is required to perform this action', status: 403 };
// A DELETE of an unknown device: 404 INFERRED (not captured); no plex.tv code is known.
const DEVICE_NOT_FOUND: PlexError = { code: 0, message: 'Not Found', status: 404 };

const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'application/xml; charset=utf-8';
const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const DEFAULT_SWITCHES_PER_MINUTE = 30;

// ---- data ---------------------------------------------------------------------------------------------------------

interface Connection {
  protocol: 'http' | 'https';
  address: string;
  port: number;
  uri: string;
  local: boolean;
  relay: boolean;
  IPv6: boolean;
}

interface Resource {
  name: string;
  product: string;
  productVersion: string;
  platform: string | null;
  platformVersion: string | null;
  device: string | null;
  clientIdentifier: string;
  createdAt: string;
  lastSeenAt: string;
  provides: string;
  ownerId: number | null;
  sourceTitle: string | null;
  publicAddress: string;
  accessToken?: string;
  owned: boolean;
  home: boolean;
  synced: boolean;
  relay: boolean;
  presence: boolean;
  httpsRequired: boolean;
  publicAddressMatches: boolean;
  dnsRebindingProtection: boolean;
  natLoopbackSupported: boolean;
  connections: Connection[];
}

const STREAM_MASTER_ID = '8276c3fa6bc24e44b347e19c71fbb98b9287c1e9';
const PLEX_DIRECT = 'fc6b48db927de7394036856ade1760b9.plex.direct';

const plexDirect = (address: string, port: number, hash = PLEX_DIRECT): string => `https://${address.replaceAll('.', '-').replaceAll(':', '-')}.${hash}:${port}`;

/** The published fixture's owned server, with a plain-http LAN address and an IPv6 one added. */
function streamMaster(): Resource {
  return {
    name: 'StreamMaster',
    product: 'Plex Media Server',
    productVersion: '1.50.7.9541-913b34e21',
    platform: 'Linux',
    platformVersion: '5.15.12-Unraid',
    device: 'Docker Container',
    clientIdentifier: STREAM_MASTER_ID,
    createdAt: '2020-01-12T15:30:18Z',
    lastSeenAt: '2024-09-05T03:15:45Z',
    provides: 'server',
    ownerId: null,
    sourceTitle: null,
    publicAddress: '54.231.109.34',
    accessToken: 'Hg7FGK9xVGdWZRa_sj76',
    owned: true,
    home: false,
    synced: false,
    relay: true,
    presence: true,
    httpsRequired: false,
    publicAddressMatches: false,
    dnsRebindingProtection: true,
    natLoopbackSupported: false,
    connections: [
      { protocol: 'https', address: '54.231.109.34', port: 45678, uri: plexDirect('54.231.109.34', 45678), local: false, relay: false, IPv6: false },
      { protocol: 'https', address: '162.243.175.222', port: 8443, uri: plexDirect('162.243.175.222', 8443), local: false, relay: true, IPv6: false },
      { protocol: 'http', address: '192.168.1.150', port: 32400, uri: 'http://192.168.1.150:32400', local: true, relay: false, IPv6: false },
      { protocol: 'https', address: '192.168.1.150', port: 32400, uri: plexDirect('192.168.1.150', 32400), local: true, relay: false, IPv6: false },
      { protocol: 'https', address: '2001:db8::15', port: 32400, uri: plexDirect('2001:db8::15', 32400), local: false, relay: false, IPv6: true },
    ],
  };
}

function adminResources(): Resource[] {
  return [
    streamMaster(),
    // The published fixture's shared server.
    {
      name: 'PirateBay',
      product: 'Plex Media Server',
      productVersion: '1.52.8.9931-936b74f82',
      platform: 'Linux',
      platformVersion: '22.04 (Jammy Jellyfish)',
      device: 'PC',
      clientIdentifier: 'f76e7b49cd981f44e37f3128b6e9fca2db32bca1',
      createdAt: '2019-12-05T08:50:12Z',
      lastSeenAt: '2024-09-04T10:25:11Z',
      provides: 'server',
      ownerId: 2639453,
      sourceTitle: 'kingpirate123',
      publicAddress: '23.145.67.54',
      accessToken: 'yB3uFR1GQgM2qS47LGtY',
      owned: false,
      home: false,
      synced: false,
      relay: true,
      presence: false,
      httpsRequired: false,
      publicAddressMatches: false,
      dnsRebindingProtection: true,
      natLoopbackSupported: true,
      connections: [
        { protocol: 'https', address: '23.145.67.54', port: 32400, uri: plexDirect('23.145.67.54', 32400, 'd5e7f86fcace84ce8e19c7fa25347ce.plex.direct'), local: false, relay: false, IPv6: false },
        { protocol: 'https', address: '10.0.0.25', port: 32400, uri: plexDirect('10.0.0.25', 32400, 'd5e7f86fcace84ce8e19c7fa25347ce.plex.direct'), local: true, relay: false, IPv6: false },
        { protocol: 'https', address: '162.243.175.223', port: 8443, uri: plexDirect('162.243.175.223', 8443, 'd5e7f86fcace84ce8e19c7fa25347ce.plex.direct'), local: false, relay: true, IPv6: false },
      ],
    },
    // An owned server that refuses plain http: its http connection is never worth trying.
    {
      name: 'Attic NAS',
      product: 'Plex Media Server',
      productVersion: '1.41.3.9314-a0bfb8370',
      platform: 'Linux',
      platformVersion: '4.4.302+',
      device: 'DS920+',
      clientIdentifier: '3c0ffee5aa9b4f1e8d7c6b5a4f3e2d1c0b9a8f7e',
      createdAt: '2021-03-02T09:00:00Z',
      lastSeenAt: '2024-09-05T03:10:00Z',
      provides: 'server',
      ownerId: null,
      sourceTitle: null,
      publicAddress: '54.231.109.34',
      accessToken: 'qT5kW2nR8vX1cL4mZ7pA',
      owned: true,
      home: false,
      synced: false,
      relay: false,
      presence: true,
      httpsRequired: true,
      publicAddressMatches: false,
      dnsRebindingProtection: false,
      natLoopbackSupported: true,
      connections: [
        { protocol: 'http', address: '192.168.1.20', port: 32400, uri: 'http://192.168.1.20:32400', local: true, relay: false, IPv6: false },
        { protocol: 'https', address: '192.168.1.20', port: 32400, uri: plexDirect('192.168.1.20', 32400, 'a1a1a1a1b2b2b2b2c3c3c3c3d4d4d4d4.plex.direct'), local: true, relay: false, IPv6: false },
        { protocol: 'https', address: '54.231.109.34', port: 32401, uri: plexDirect('54.231.109.34', 32401, 'a1a1a1a1b2b2b2b2c3c3c3c3d4d4d4d4.plex.direct'), local: false, relay: false, IPv6: false },
      ],
    },
    // A player: no accessToken, as players come in practice.
    {
      name: 'Living Room',
      product: 'Plexamp',
      productVersion: '4.11.0',
      platform: 'Linux',
      platformVersion: '6.1.21-v8+',
      device: 'Raspberry Pi',
      clientIdentifier: 'plexamp-5f1e2d3c4b5a',
      createdAt: '2023-05-20T18:00:00Z',
      lastSeenAt: '2024-09-05T02:59:00Z',
      provides: 'client,player,pubsub-player,controller',
      ownerId: null,
      sourceTitle: null,
      publicAddress: '54.231.109.34',
      owned: true,
      home: false,
      synced: false,
      relay: false,
      presence: false,
      httpsRequired: false,
      publicAddressMatches: false,
      dnsRebindingProtection: false,
      natLoopbackSupported: false,
      connections: [{ protocol: 'http', address: '192.168.1.60', port: 32500, uri: 'http://192.168.1.60:32500', local: true, relay: false, IPv6: false }],
    },
  ];
}

/** A Home member sees the admin's server as shared through the Home, with a token of its own. */
function memberResources(admin: PlexUserBody, accessToken: string): Resource[] {
  return [{ ...streamMaster(), ownerId: admin.id, sourceTitle: admin.username, owned: false, home: true, accessToken }];
}

function twoFactorResources(): Resource[] {
  return [
    {
      ...streamMaster(),
      name: 'Den',
      clientIdentifier: '77aa88bb99cc00dd11ee22ff33aa44bb55cc66dd',
      accessToken: 'Zx9Yw8Vu7Ts6Rq5Po4Nm',
      connections: [{ protocol: 'https', address: '198.51.100.7', port: 32400, uri: plexDirect('198.51.100.7', 32400, 'e5e5e5e5f6f6f6f6a7a7a7a7b8b8b8b8.plex.direct'), local: false, relay: false, IPv6: false }],
    },
  ];
}

interface HomeMember {
  id: number;
  uuid: string;
  title: string;
  username: string | null;
  email: string | null;
  friendlyName: string | null;
  thumb: string;
  hasPassword: boolean;
  restricted: boolean;
  updatedAt: number | null;
  restrictionProfile: string | null;
  admin: boolean;
  guest: boolean;
  protected: boolean;
}

interface Home {
  id: number;
  name: string;
  guestUserID: number | null;
  guestUserUUID: string;
  guestEnabled: boolean;
  subscription: boolean;
  members: { member: HomeMember; entry: AccountEntry; pin: string | null }[];
}

/**
 * The switch answer of the research's 2026 capture, verbatim but for the token (inserted per answer) and the avatar
 * (served by the simulator): the body any Home member's GET /api/v2/user answers with, identity substituted.
 */
export const SWITCH_BODY_2026 = {
  id: 312174832, uuid: 'e443d57860076fc3', username: 'pl1624', title: 'pl1624',
  email: 'user@example.com', friendlyName: '', locale: null, confirmed: true,
  joinedAt: 1703877982, emailOnlyAuth: false, hasPassword: true, protected: true,
  thumb: 'https://plex.tv/users/e443d57860076fc3/avatar',
  mailingListActive: false, scrobbleTypes: '', country: 'SE',
  restricted: false, anonymous: false, home: true, guest: false,
  homeSize: 2, homeAdmin: true, maxHomeSize: 15,
  profile: {
    autoSelectAudio: true, defaultAudioAccessibility: 0,
    defaultAudioLanguage: 'en', defaultAudioLanguages: 'en,sv',
    defaultSubtitleLanguage: 'en', defaultSubtitleLanguages: 'en,sv',
    autoSelectSubtitle: 1, defaultSubtitleAccessibility: 0, defaultSubtitleForced: 1,
    watchedIndicator: 1, mediaReviewsVisibility: 0, mediaReviewsLanguages: null,
    mediaPostsVisibility: true,
  },
  twoFactorEnabled: false, backupCodesCreated: false, attributionPartner: null,
} as const;

/** The Home PINs of the demo Home's members (the simulator's own; plex.tv never shows a PIN). */
export const DEMO_HOME = Object.freeze({
  name: "demo's home",
  /** PIN-protected (`protected: true`): the published switch body's user. */
  protectedUser: Object.freeze({ uuid: SWITCH_BODY_2026.uuid, title: SWITCH_BODY_2026.title, pin: '1234' }),
  /** `protected: false`, yet plex.tv demands a PIN (enforcement does not follow the flag). */
  unflaggedPinUser: Object.freeze({ uuid: '5a4b3c2d1e0f9a8b', title: 'Sam', pin: '4321' }),
  /** A managed user: no username, no email, no PIN. */
  managedUser: Object.freeze({ uuid: '19860c4bdfbf24d5', title: 'Kid' }),
});

function memberBody(member: HomeMember, adminBody: PlexUserBody): PlexUserBody {
  const body: Record<string, unknown> = {
    ...structuredClone(SWITCH_BODY_2026),
    id: member.id,
    uuid: member.uuid,
    username: member.username,
    title: member.title,
    email: member.email,
    friendlyName: member.friendlyName ?? '',
    hasPassword: member.hasPassword,
    protected: member.protected,
    thumb: member.thumb,
    restricted: member.restricted,
    homeSize: 4,
    homeAdmin: false,
    country: adminBody.country,
  };
  // The published body's user keeps it verbatim.
  if (member.uuid === SWITCH_BODY_2026.uuid) Object.assign(body, structuredClone(SWITCH_BODY_2026));
  // The simulator's own account type is the 2023 shape; this body is the 2026 one (documented drift), served as is.
  return body as unknown as PlexUserBody;
}

interface Device {
  id: number;
  name: string;
  product: string;
  productVersion: string;
  platform: string;
  platformVersion: string;
  device: string;
  model: string;
  vendor: string;
  provides: string;
  clientIdentifier: string;
  version: string;
  publicAddress: string;
  createdAt: number;
  lastSeenAt: number;
  token: string;
  /** A JWT device: removing it revokes its key. */
  jwt: boolean;
}

type DeviceTemplate = Omit<Device, 'id' | 'token' | 'jwt'>;

const STATIC_DEVICES: DeviceTemplate[] = [
  {
    name: 'iPhone', product: 'Plex for iOS', productVersion: '7.26', platform: 'iOS', platformVersion: '15.2', device: 'iPhone',
    model: '14,2', vendor: 'Apple', provides: 'client,controller,sync-target,player,pubsub-player,provider-playback',
    clientIdentifier: 'a8f3e2d1-iphone-0001', version: '7.26', publicAddress: '1.0.0.1', createdAt: 1628211599, lastSeenAt: 1725500000,
  },
  {
    name: 'Roku Ultra', product: 'Plex for Roku', productVersion: '8.2.1', platform: 'Roku', platformVersion: '12.5', device: 'Roku Ultra',
    model: '4800X', vendor: 'Roku', provides: 'client,player,pubsub-player', clientIdentifier: 'roku-4800x-0002', version: '8.2.1',
    publicAddress: '1.0.0.1', createdAt: 1650000000, lastSeenAt: 1725400000,
  },
  {
    name: 'StreamMaster', product: 'Plex Media Server', productVersion: '1.50.7.9541-913b34e21', platform: 'Linux', platformVersion: '5.15.12-Unraid',
    device: 'Docker Container', model: 'x86_64', vendor: '', provides: 'server', clientIdentifier: STREAM_MASTER_ID, version: '1.50.7.9541-913b34e21',
    publicAddress: '54.231.109.34', createdAt: 1578843018, lastSeenAt: 1725506145,
  },
];

// ---- the API ------------------------------------------------------------------------------------------------------

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (value: string) => value.replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);

/** An XML element from scalar attributes (booleans as 1/0, null left out) and child elements. */
function element(name: string, attributes: Record<string, unknown>, children = ''): string {
  let attrs = '';
  for (const [key, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || typeof value === 'object') continue;
    attrs += ` ${key}="${escape(typeof value === 'boolean' ? (value ? '1' : '0') : String(value))}"`;
  }
  return children === '' ? `<${name}${attrs}/>` : `<${name}${attrs}>${children}</${name}>`;
}

function randomToken(): string {
  const bytes = randomBytes(20);
  let out = '';
  for (const byte of bytes) out += TOKEN_ALPHABET[byte % TOKEN_ALPHABET.length];
  return out;
}

export class AccountApi {
  private readonly homes = new Map<AccountEntry, Home>();
  private readonly resources = new Map<AccountEntry, Resource[]>();
  private readonly devices = new Map<AccountEntry, Device[]>();
  private readonly switchWindows = new Map<AccountEntry, { start: number; count: number }>();
  private readonly switchesPerMinute: number;
  private nextDeviceId = 123_456;

  /** `entries`: the simulator's password accounts, the plain demo account first (the Home admin). */
  constructor(
    private readonly host: AccountHost,
    entries: readonly AccountEntry[],
    options: AccountApiOptions = {},
  ) {
    this.switchesPerMinute = options.switchesPerMinute ?? DEFAULT_SWITCHES_PER_MINUTE;
    // A copy: the Home members are added to the simulator's accounts as the Home is built.
    const passwordAccounts = entries.filter((entry) => entry.account.password !== null);
    const [admin, ...others] = passwordAccounts;
    if (admin !== undefined) this.buildDemoHome(admin);
    // The other accounts are in no Home: GET /api/v2/home/users answers 404 for them (INFERRED).
    for (const entry of others) this.resources.set(entry, twoFactorResources());
    for (const entry of passwordAccounts) {
      this.devices.set(entry, []);
      for (const template of STATIC_DEVICES) this.addDevice(entry, template, host.mint(entry, template.clientIdentifier));
    }
  }

  private buildDemoHome(admin: AccountEntry): void {
    const body = admin.account.body;
    const thumb = (uuid: string) => `https://plex.tv/users/${uuid}/avatar?c=1592234494`;
    const adminMember: HomeMember = {
      id: body.id, uuid: body.uuid, title: body.title, username: body.username, email: body.email, friendlyName: body.friendlyName,
      thumb: body.thumb, hasPassword: true, restricted: false, updatedAt: 1704558269, restrictionProfile: null, admin: true, guest: false, protected: false,
    };
    const members: { member: HomeMember; pin: string | null }[] = [
      {
        member: {
          id: SWITCH_BODY_2026.id, uuid: SWITCH_BODY_2026.uuid, title: SWITCH_BODY_2026.title, username: SWITCH_BODY_2026.username,
          email: SWITCH_BODY_2026.email, friendlyName: '', thumb: SWITCH_BODY_2026.thumb, hasPassword: true, restricted: false,
          updatedAt: 1704558269, restrictionProfile: null, admin: false, guest: false, protected: true,
        },
        pin: DEMO_HOME.protectedUser.pin,
      },
      {
        member: {
          id: 33542090, uuid: DEMO_HOME.unflaggedPinUser.uuid, title: DEMO_HOME.unflaggedPinUser.title, username: 'sam', email: 'sam@example.com',
          friendlyName: 'Sam', thumb: thumb(DEMO_HOME.unflaggedPinUser.uuid), hasPassword: true, restricted: false, updatedAt: 1704558300,
          restrictionProfile: null, admin: false, guest: false, protected: false,
        },
        pin: DEMO_HOME.unflaggedPinUser.pin,
      },
      {
        member: {
          id: 33542084, uuid: DEMO_HOME.managedUser.uuid, title: DEMO_HOME.managedUser.title, username: null, email: null, friendlyName: null,
          thumb: thumb(DEMO_HOME.managedUser.uuid), hasPassword: false, restricted: true, updatedAt: null, restrictionProfile: 'little_kid',
          admin: false, guest: false, protected: false,
        },
        pin: null,
      },
    ];
    const home: Home = {
      id: 1841489,
      name: DEMO_HOME.name,
      guestUserID: 58815432,
      guestUserUUID: 'f3df4e01bfca0787',
      guestEnabled: false,
      subscription: true,
      members: [{ member: adminMember, entry: admin, pin: null }],
    };
    this.homes.set(admin, home);
    this.resources.set(admin, adminResources());
    for (const { member, pin } of members) {
      const entry =
        this.host.accountByUuid(member.uuid) ??
        this.host.addAccount({ login: [], password: null, body: memberBody(member, body), signInOnly: SIGN_IN_ONLY_2026 });
      home.members.push({ member, entry, pin });
      this.homes.set(entry, home);
      this.resources.set(entry, memberResources(body, randomToken()));
    }
  }

  private addDevice(entry: AccountEntry, template: DeviceTemplate, token: string, jwt = false): void {
    this.devices.get(entry)?.push({ ...template, id: this.nextDeviceId++, token, jwt });
  }

  /** A token was issued on a client identifier: that client is (still) a device of the account, holding this token. */
  signedIn(entry: AccountEntry, clientIdentifier: string, token: string, product: string): void {
    let list = this.devices.get(entry);
    if (list === undefined) this.devices.set(entry, (list = []));
    const known = list.find((device) => device.clientIdentifier === clientIdentifier && !device.jwt);
    const now = Math.floor(this.host.now() / 1000);
    if (known !== undefined) {
      known.token = token;
      known.lastSeenAt = now;
      return;
    }
    this.addDevice(entry, {
      name: product, product, productVersion: '', platform: '', platformVersion: '', device: '', model: '', vendor: '', provides: '',
      clientIdentifier, version: '', publicAddress: '127.0.0.1', createdAt: now, lastSeenAt: now,
    }, token);
  }

  handle(ex: Exchange, route: AccountRoute): void {
    // devices.xml and its DELETE answer XML (errors included) whatever the Accept header says.
    if (route === 'devices' || route === 'deviceDelete') ex.xml = true;
    const auth = this.host.tokenAccount(ex);
    if (!('entry' in auth)) return this.host.sendError(ex, auth);
    switch (route) {
      case 'resources':
        return this.sendResources(ex, auth.entry);
      case 'homeUsers':
        return this.sendHome(ex, auth.entry);
      case 'homeSwitch':
        return this.switchUser(ex, auth.entry);
      case 'devices':
        return this.sendDevices(ex, auth.entry);
      case 'deviceDelete':
        return this.deleteDevice(ex, auth.entry);
    }
  }

  private sendResources(ex: Exchange, entry: AccountEntry): void {
    const query = this.host.query(ex);
    const flag = (name: string) => query.get(name) === '1';
    const includeHttps = flag('includeHttps');
    const includeRelay = flag('includeRelay');
    const includeIPv6 = flag('includeIPv6');
    const list = (this.resources.get(entry) ?? []).map((resource) => ({
      ...resource,
      // plex.direct https addresses only with includeHttps=1, relays only with includeRelay=1, IPv6 only with includeIPv6=1.
      connections: resource.connections.filter(
        (c) => (includeHttps || !c.uri.includes('.plex.direct')) && (includeRelay || !c.relay) && (includeIPv6 || !c.IPv6),
      ),
    }));
    if (!ex.xml) return this.host.write(ex, 200, JSON_TYPE, JSON.stringify(list));
    const devices = list
      .map(({ connections, ...resource }) => element('Device', resource, connections.map((c) => element('Connection', { ...c })).join('')))
      .join('');
    this.host.write(ex, 200, XML_TYPE, `${XML_DECL}${element('MediaContainer', { size: list.length }, devices)}`);
  }

  private sendHome(ex: Exchange, entry: AccountEntry): void {
    const home = this.homes.get(entry);
    if (home === undefined) return this.host.sendError(ex, DEVICE_NOT_FOUND);
    const { members, ...rest } = home;
    // Avatars are served by the simulator, like the accounts' own.
    const users = members.map(({ member }) => ({ ...member, thumb: member.thumb.replace(/^https:\/\/plex\.tv(?=\/)/, ex.base) }));
    if (!ex.xml) return this.host.write(ex, 200, JSON_TYPE, JSON.stringify({ ...rest, users }));
    this.host.write(ex, 200, XML_TYPE, `${XML_DECL}${element('home', rest, users.map((user) => element('user', user)).join(''))}`);
  }

  private switchUser(ex: Exchange, entry: AccountEntry): void {
    const now = this.host.now();
    let window = this.switchWindows.get(entry);
    if (window === undefined || now - window.start >= 60_000) this.switchWindows.set(entry, (window = { start: now, count: 0 }));
    if (++window.count > this.switchesPerMinute) {
      ex.responseHeaders['retry-after'] = String(Math.max(1, Math.ceil((window.start + 60_000 - now) / 1000)));
      return this.host.sendError(ex, this.host.rateLimited);
    }
    const uuid = decodeURIComponent(SWITCH_PATH.exec(ex.pathname)?.[1] ?? '');
    const target = this.homes.get(entry)?.members.find(({ member }) => member.uuid === uuid);
    const pin = this.host.query(ex).get('pin');
    // A PIN sent is always checked; one is demanded only where the member has one (not where `protected` says so).
    // An unknown uuid was not observed: it is refused like a wrong PIN (INFERRED).
    if (target === undefined || (target.pin !== null && pin !== target.pin) || (target.pin === null && pin !== null && pin !== '')) {
      return this.host.sendError(ex, PIN_REQUIRED);
    }
    const token = this.host.mint(target.entry, this.host.clientIdentifier(ex));
    this.host.sendAccount(ex, 201, target.entry, token);
  }

  private listedDevices(entry: AccountEntry): Device[] {
    const list = this.devices.get(entry) ?? [];
    // Plex JWT devices appear with their current JWT.
    for (const [clientIdentifier, token] of this.host.jwtsOf(entry)) {
      const known = list.find((device) => device.clientIdentifier === clientIdentifier && device.jwt);
      if (known !== undefined) known.token = token;
      else
        this.addDevice(entry, {
          name: 'Plex JWT device', product: 'Plex JWT device', productVersion: '', platform: '', platformVersion: '', device: '', model: '', vendor: '',
          provides: 'client', clientIdentifier, version: '', publicAddress: '127.0.0.1', createdAt: Math.floor(this.host.now() / 1000), lastSeenAt: Math.floor(this.host.now() / 1000),
        }, token, true);
    }
    return this.devices.get(entry) ?? [];
  }

  private sendDevices(ex: Exchange, entry: AccountEntry): void {
    // XML whatever the Accept header says: no JSON form of devices.xml is attested.
    const list = this.listedDevices(entry);
    const devices = list
      .map(({ jwt: _jwt, ...device }) =>
        element(
          'Device',
          { ...device, screenResolution: device.provides.includes('player') ? '1920x1080' : '', screenDensity: '' },
          device.provides.includes('sync-target') ? element('SyncList', { itemsCompleteCount: 0, totalSize: 0, version: 2 }) : '',
        ),
      )
      .join('');
    this.host.write(ex, 200, XML_TYPE, `${XML_DECL}${element('MediaContainer', { publicAddress: '1.0.0.1', size: list.length }, devices)}`);
  }

  private deleteDevice(ex: Exchange, entry: AccountEntry): void {
    const id = DEVICE_PATH.exec(ex.pathname)?.[1] ?? '';
    const list = this.listedDevices(entry);
    const index = list.findIndex((device) => String(device.id) === id);
    if (index === -1) return this.host.sendError(ex, DEVICE_NOT_FOUND);
    const [device] = list.splice(index, 1);
    if (device!.jwt) this.host.revokeJwtDevice(device!.clientIdentifier);
    else this.host.revoke(device!.token);
    this.host.write(ex, 200, XML_TYPE, '');
  }

  /** The account's devices as the simulator holds them (tests): id, client identifier and token. */
  devicesOf(entry: AccountEntry): readonly { id: number; clientIdentifier: string; token: string; provides: string }[] {
    return this.listedDevices(entry);
  }
}
