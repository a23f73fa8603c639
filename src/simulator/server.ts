import { randomBytes } from 'node:crypto';
import { STATUS_CODES, createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDemoAccounts, type DemoAccount, type PlexUserBody } from './accounts.js';
import { JwtAuthority, isError, looksLikeJwt, type DeviceKey, type JwtResult, type JwtSimulatorOptions } from './jwt.js';
import { ACCOUNT_ROUTES, AccountApi, matchAccountRoute, type AccountApiOptions, type AccountRoute } from './account-api.js';

export type Fault =
  | { kind: 'delay'; ms: number }
  | { kind: 'status'; status: number }
  | { kind: 'invalid-json' }
  | { kind: 'xml' }
  | { kind: 'rate-limit'; retryAfter?: number }
  | { kind: 'hang' }
  | { kind: 'missing-fields' }
  | { kind: 'unknown-enums' }
  /** An account body with one field (a dot path, e.g. `profile.watchedIndicator`) set to `value`; `undefined` removes it. */
  | { kind: 'set-field'; path: string; value: unknown }
  | { kind: 'repeated-failures' };

export type Route = 'signin' | 'user' | 'pins' | 'pin' | 'signout' | 'nonce' | 'token' | 'keys' | AccountRoute;

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** Raw request body ('' when there was none or it was over the size limit). */
  body: string;
  route: Route | null;
  at: number;
}

/** Where a host server mounts the simulator. */
export interface SimulatorMount {
  /** The path prefix the simulator is served under, e.g. `/simulator`: `/simulator/api/v2/pins` is plex.tv's `/api/v2/pins`. */
  readonly prefix?: string;
  /**
   * The address the caller reaches the simulator at (origin and prefix, no trailing slash), the base of every URL the
   * simulator hands out (avatars, PIN QR images). Defaults to the request URL's origin and the prefix.
   */
  readonly base?: string;
}

export interface PlexSimulator {
  /** The address of the simulator's own server (after `listen`). */
  readonly url: string;
  /** Serves on its own node:http server (loopback by default). */
  listen(port?: number, host?: string): Promise<string>;
  /** Serves one request through a host server's fetch API handler, mounted under `mount.prefix`. */
  fetch(request: Request, mount?: SimulatorMount): Promise<Response>;
  close(): Promise<void>;
  readonly requests: RecordedRequest[];
  count(route?: Route): number;
  reset(): void;
  setFault(route: Route | '*', fault: Fault | null, times?: number): void;
  issueToken(login: string): string;
  approvePin(id: number | string, login?: string): boolean;
  expirePin(id: number | string): void;
  revokeToken(token: string): void;
  /** A Plex JWT for the account on that client identifier, as if a device had signed in (retires the pair's previous one). */
  issuePlexJwt(login: string, clientIdentifier: string, scope?: readonly string[]): Promise<string>;
  /** A new key signs Plex JWTs from now on; returns its kid. The old one stays published unless `keepPrevious` is false. */
  rotateSigningKey(options?: { keepPrevious?: boolean }): string;
  /** Removes a JWT device from its account: its key and tokens stop working. False when no such device. */
  revokeDevice(clientIdentifier: string): boolean;
  /** The devices of the account signing in with `login`, as devices.xml lists them, each with its plex.tv token. */
  devicesOf(login: string): readonly { id: number; clientIdentifier: string; token: string; provides: string }[];
  readonly accounts: DemoAccount[];
}

export interface PlexSimulatorOptions {
  /** Defaults to the two demo accounts; the first one approves PINs by default. */
  accounts?: DemoAccount[];
  /** Keep every request in `requests` (default true). When false only the counters are kept. */
  record?: boolean;
  /** PIN lifetime; plex.tv documents 900 s. */
  pinTtlSeconds?: number;
  log?: (msg: string) => void;
  /** The simulator's clock in milliseconds (PIN expiry, nonces, JWT timestamps); defaults to Date.now. */
  now?: () => number;
  /** JWT device authentication: clock skew, nonce lifetime and rate, token lifetime, signing-key retirement. */
  jwt?: JwtSimulatorOptions;
  /** Resources, Plex Home and devices: the switch rate limit. */
  account?: AccountApiOptions;
}

export interface PlexError {
  code: number;
  message: string;
  status: number;
}

const ERRORS = {
  missingClientId: { code: 1000, message: 'X-Plex-Client-Identifier is missing', status: 400 },
  unauthenticated: { code: 1001, message: 'User could not be authenticated', status: 401 },
  pinNotFound: { code: 1020, message: 'Code not found or expired', status: 404 },
  invalidVerificationCode: { code: 1028, message: 'Invalid verification code.', status: 401 },
  verificationCodeRequired: { code: 1029, message: 'Please enter the verification code', status: 401 },
  repeatedFailures: {
    code: 1031,
    message:
      'User could not be authenticated. This IP appears to be having trouble signing in to an account (detected repeated failures)',
    status: 401,
  },
  // plex.tv's v2 rate-limit body is not documented; code and message are inferred.
  rateLimited: { code: 1035, message: 'Too many requests', status: 429 },
} as const satisfies Record<string, PlexError>;

/** Errors without a known plex.tv code (plain HTTP failures) carry code 0; inferred, not observed. */
function httpError(status: number): PlexError {
  return { code: 0, message: STATUS_CODES[status] ?? 'Error', status };
}

const PIN_PREFIX = '/api/v2/pins/';
const QR_PREFIX = '/api/v2/pins/qr/';
const AVATAR_PATH = /^\/users\/([0-9a-f]{1,64})\/avatar$/;
const MAX_BODY_BYTES = 64 * 1024;
/** Larger bodies are not drained before answering 413; the connection is dropped instead. */
const MAX_DRAIN_BYTES = 8 * 1024 * 1024;
const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'application/xml; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';
const SVG_TYPE = 'image/svg+xml';
const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const TOKEN_SLOT = 'SIMULATOR_AUTH_TOKEN_SLOT';
const BASE_SLOT = 'SIMULATOR_BASE_URL_SLOT';
const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LINK_CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const STRONG_CODE_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const DEFAULT_PIN_TTL_SECONDS = 900;

// The GeoData plex.tv attaches to every PIN (the published sample).
const PIN_LOCATION = Object.freeze({
  code: 'NL',
  european_union_member: true,
  continent_code: 'EU',
  country: 'The Netherlands',
  city: 'Breda',
  time_zone: 'Europe/Amsterdam',
  postal_code: '4814',
  in_privacy_restricted_country: true,
  in_privacy_restricted_region: true,
  subdivisions: 'North Brabant',
  coordinates: '51.5869, 4.7471',
});

interface RouteSpec {
  route: Route;
  method: string;
}

const ROUTES: Record<string, RouteSpec> = {
  '/api/v2/users/signin': { route: 'signin', method: 'POST' },
  '/api/v2/user': { route: 'user', method: 'GET' },
  '/api/v2/pins': { route: 'pins', method: 'POST' },
  '/api/v2/users/signout': { route: 'signout', method: 'DELETE' },
  '/api/v2/auth/nonce': { route: 'nonce', method: 'GET' },
  '/api/v2/auth/token': { route: 'token', method: 'POST' },
  '/api/v2/auth/keys': { route: 'keys', method: 'GET' },
};
const PIN_ROUTE: RouteSpec = { route: 'pin', method: 'GET' };

function matchRoute(pathname: string): RouteSpec | undefined {
  const spec = ROUTES[pathname];
  if (spec !== undefined) return spec;
  const account = matchAccountRoute(pathname);
  if (account !== undefined) return account;
  if (pathname.startsWith(PIN_PREFIX) && pathname.length > PIN_PREFIX.length && !pathname.includes('/', PIN_PREFIX.length)) {
    return PIN_ROUTE;
  }
  return undefined;
}

/**
 * A JSON body pre-serialised around the spots where the per-response token and the simulator's own base URL (in the
 * avatar address) go: `parts` are the fixed text between the holes.
 */
interface Slotted {
  parts: string[];
  holes: ('token' | 'base')[];
  bytes: number;
  baseHoles: number;
}

const SLOTS = new RegExp(`${TOKEN_SLOT}|${BASE_SLOT}`, 'g');

function slot(json: string): Slotted {
  const parts: string[] = [];
  const holes: ('token' | 'base')[] = [];
  let last = 0;
  for (const match of json.matchAll(SLOTS)) {
    parts.push(json.slice(last, match.index));
    holes.push(match[0] === TOKEN_SLOT ? 'token' : 'base');
    last = match.index + match[0].length;
  }
  parts.push(json.slice(last));
  if (holes.filter((hole) => hole === 'token').length !== 1) throw new Error('account body must not contain the token marker');
  return {
    parts,
    holes,
    bytes: parts.reduce((sum, part) => sum + Buffer.byteLength(part), 0),
    baseHoles: holes.filter((hole) => hole === 'base').length,
  };
}

function fill(slotted: Slotted, token: string, base: string): string {
  let out = slotted.parts[0]!;
  for (let i = 0; i < slotted.holes.length; i++) out += (slotted.holes[i] === 'token' ? token : base) + slotted.parts[i + 1]!;
  return out;
}

export interface AccountEntry {
  account: DemoAccount;
  /** The account's body as this simulator serves it: its avatar is one the simulator serves itself. */
  body: PlexUserBody;
  logins: Set<string>;
  user: Slotted;
  signin: Slotted;
}

/** plex.tv's avatar addresses (https://plex.tv/users/<uuid>/avatar…) become the simulator's own. */
function servedBody(body: PlexUserBody): PlexUserBody {
  return { ...body, thumb: body.thumb.replace(/^https:\/\/plex\.tv(?=\/)/, BASE_SLOT) };
}

// plex.tv puts authToken right after thumb; /api/v2/user omits the account's sign-in-only fields.
function withToken(account: DemoAccount, body: PlexUserBody, token: string, kind: 'user' | 'signin'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let placed = false;
  for (const [key, value] of Object.entries(body)) {
    if (kind === 'user' && account.signInOnly.includes(key as keyof PlexUserBody)) continue;
    if (key === 'authToken') continue;
    out[key] = value;
    if (key === 'thumb') {
      out.authToken = token;
      placed = true;
    }
  }
  if (!placed) out.authToken = token;
  return out;
}

interface PinState {
  id: number;
  code: string;
  product: string;
  clientIdentifier: string;
  createdAt: number;
  expiresAt: number;
  expired: boolean;
  authToken: string | null;
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function randomString(length: number, alphabet: string): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function escapeMarkup(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);
}

function singular(name: string): string {
  if (name.endsWith('ies')) return `${name.slice(0, -3)}y`;
  if (name.endsWith('s')) return name.slice(0, -1);
  return `${name}Item`;
}

// plex.tv's XML puts scalars in attributes (booleans as 1/0) and nests objects and lists as elements.
function xmlElement(name: string, obj: Record<string, unknown>): string {
  let attrs = '';
  let children = '';
  for (const [key, value] of Object.entries(obj)) {
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) {
      const item = singular(key);
      let inner = '';
      for (const entry of value) {
        inner +=
          entry !== null && typeof entry === 'object'
            ? xmlElement(item, entry as Record<string, unknown>)
            : `<${item} id="${escapeMarkup(String(entry))}"/>`;
      }
      children += `<${key}>${inner}</${key}>`;
    } else if (typeof value === 'object') {
      children += xmlElement(key, value as Record<string, unknown>);
    } else {
      const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
      attrs += ` ${key}="${escapeMarkup(text)}"`;
    }
  }
  return children === '' ? `<${name}${attrs}/>` : `<${name}${attrs}>${children}</${name}>`;
}

function errorJson(err: PlexError): string {
  return JSON.stringify({ errors: [{ code: err.code, message: err.message, status: err.status }] });
}

function errorXml(err: PlexError): string {
  return `${XML_DECL}<errors><error code="${err.code}" message="${escapeMarkup(err.message)}" status="${err.status}"/></errors>`;
}

function truncated(json: string): string {
  return json.slice(0, Math.max(1, Math.floor(json.length / 2)));
}

function withoutRequiredFields(obj: Record<string, unknown>, keys: readonly string[]): void {
  for (const key of keys) delete obj[key];
}

function withField(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let parent = obj;
  for (const key of keys.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  parent[keys.at(-1)!] = value;
}

function withUnknownEnums(user: Record<string, unknown>): void {
  const u = user as unknown as PlexUserBody;
  u.mailingListStatus = 'pending_review';
  if (u.subscription !== undefined) u.subscription.status = 'Paused';
  for (const service of u.services ?? []) service.status = 'degraded';
  for (const past of u.pastSubscriptions ?? []) past.state = 'suspended';
  for (const sub of u.subscriptions ?? []) sub.state = 'suspended';
  u.profile.autoSelectSubtitle = 7;
  u.profile.defaultSubtitleAccessibility = 5;
  u.profile.defaultSubtitleForced = 6;
  u.profile.watchedIndicator = 8;
  u.profile.mediaReviewsVisibility = 9;
  if (u.profile.defaultAudioAccessibility !== undefined) u.profile.defaultAudioAccessibility = 4;
}

/** One request and its answer, whichever server carried it (the simulator's own node:http one, or a host's fetch handler). */
export interface Exchange {
  /** Request headers, lower-case names. */
  headers: IncomingHttpHeaders;
  method: string;
  pathname: string;
  search: string;
  query: URLSearchParams | undefined;
  spec: RouteSpec | undefined;
  /** Serve XML: the client did not ask for JSON, or an `xml` fault is active. */
  xml: boolean;
  fault: Fault | undefined;
  /** Where the caller reaches this simulator (origin and mount path, no trailing slash): the base of every URL it hands out. */
  base: string;
  /** Headers gathered on the way to the answer. */
  responseHeaders: Record<string, string>;
  /** Sends the answer (once). */
  send(status: number, headers: Record<string, string | number>, body: string | undefined): void;
}

/** A Host header fit to put in a URL (name or address, optional port), or undefined. */
function validHost(host: string | undefined): string | undefined {
  return host !== undefined && /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/.test(host) ? host : undefined;
}

/** A request body as text, or null when it is over `limit` bytes (reading stops there). */
async function readLimited(request: Request, limit: number): Promise<string | null> {
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function queryOf(ex: Exchange): URLSearchParams {
  if (ex.query === undefined) ex.query = new URLSearchParams(ex.search);
  return ex.query;
}

function header(ex: Exchange, name: string): string | undefined {
  const value = ex.headers[name];
  return typeof value === 'string' ? value : Array.isArray(value) ? value[0] : undefined;
}

// plex.tv also takes X-Plex-* values from the query string.
function plexParam(ex: Exchange, headerName: string, queryName: string): string | undefined {
  const fromHeader = header(ex, headerName);
  if (fromHeader) return fromHeader;
  if (ex.search === '') return undefined;
  return queryOf(ex).get(queryName) || undefined;
}

function clientIdOf(ex: Exchange, form: URLSearchParams | undefined): string {
  return plexParam(ex, 'x-plex-client-identifier', 'X-Plex-Client-Identifier') ?? form?.get('X-Plex-Client-Identifier') ?? '';
}

function entryOf(account: DemoAccount): AccountEntry {
  const body = servedBody(account.body);
  return {
    account,
    body,
    logins: new Set(account.login.map((l) => l.toLowerCase())),
    user: slot(JSON.stringify(withToken(account, body, TOKEN_SLOT, 'user'))),
    signin: slot(JSON.stringify(withToken(account, body, TOKEN_SLOT, 'signin'))),
  };
}

interface FaultEntry {
  fault: Fault;
  remaining: number | undefined;
}

class Simulator implements PlexSimulator {
  readonly requests: RecordedRequest[] = [];
  readonly accounts: DemoAccount[];

  private readonly server: Server;
  private readonly entries: AccountEntry[];
  private readonly tokens = new Map<string, AccountEntry>();
  private readonly pins = new Map<number, PinState>();
  private readonly faults = new Map<Route | '*', FaultEntry>();
  private readonly counts = Object.fromEntries(
    (['signin', 'user', 'pins', 'pin', 'signout', 'nonce', 'token', 'keys', ...ACCOUNT_ROUTES] as const).map((route) => [route, 0]),
  ) as Record<Route, number>;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Answers for mounted requests still waiting (hung or delayed), called when the simulator closes. */
  private readonly abandoned = new Set<() => void>();
  private readonly record: boolean;
  private readonly pinTtlMs: number;
  private readonly log: ((msg: string) => void) | undefined;
  private readonly now: () => number;
  private readonly jwt: JwtAuthority<AccountEntry>;
  private readonly account: AccountApi;
  private readonly errorBodies = new Map<PlexError, string>();
  private total = 0;
  private nextPinId = 410_000_001;
  private baseUrl: string | undefined;

  constructor(options: PlexSimulatorOptions) {
    this.accounts = options.accounts ?? createDemoAccounts();
    this.record = options.record ?? true;
    this.pinTtlMs = (options.pinTtlSeconds ?? DEFAULT_PIN_TTL_SECONDS) * 1000;
    this.log = options.log;
    this.now = options.now ?? Date.now;
    this.entries = this.accounts.map(entryOf);
    this.jwt = new JwtAuthority<AccountEntry>((entry) => entry.account.body, this.now, options.jwt);
    this.account = new AccountApi(
      {
        tokenAccount: (ex) => this.tokenAccount(ex),
        mint: (entry, clientIdentifier) => this.mint(entry, clientIdentifier),
        revoke: (token) => this.revokeToken(token),
        jwtsOf: (entry) => this.jwt.tokensOf(entry),
        revokeJwtDevice: (clientIdentifier) => this.jwt.revokeDevice(clientIdentifier),
        accountByUuid: (uuid) => this.entries.find((entry) => entry.account.body.uuid === uuid),
        addAccount: (account) => {
          const entry = entryOf(account);
          this.entries.push(entry);
          return entry;
        },
        sendAccount: (ex, status, entry, token) => this.sendAccount(ex, status, entry, token, 'signin'),
        sendError: (ex, error) => this.sendError(ex, error),
        write: (ex, status, contentType, body) => this.write(ex, status, contentType, body),
        query: queryOf,
        clientIdentifier: (ex) => plexParam(ex, 'x-plex-client-identifier', 'X-Plex-Client-Identifier') ?? '',
        now: this.now,
        rateLimited: ERRORS.rateLimited,
      },
      this.entries,
      options.account,
    );
    this.server = createServer((req, res) => this.onRequest(req, res));
  }

  get url(): string {
    if (this.baseUrl === undefined || !this.server.listening) throw new Error('plex.tv simulator is not listening');
    return this.baseUrl;
  }

  listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server.listening) return Promise.reject(new Error('plex.tv simulator is already listening'));
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const address = this.server.address() as AddressInfo;
        let ip = address.address;
        if (ip === '0.0.0.0') ip = '127.0.0.1';
        if (ip === '::') ip = '::1';
        this.baseUrl = `http://${ip.includes(':') ? `[${ip}]` : ip}:${address.port}`;
        resolve(this.baseUrl);
      });
    });
  }

  close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const abandon of [...this.abandoned]) abandon();
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  count(route?: Route): number {
    return route === undefined ? this.total : this.counts[route];
  }

  reset(): void {
    this.requests.length = 0;
    this.total = 0;
    for (const key of Object.keys(this.counts) as Route[]) this.counts[key] = 0;
    this.faults.clear();
  }

  setFault(route: Route | '*', fault: Fault | null, times?: number): void {
    if (fault === null) {
      this.faults.delete(route);
      return;
    }
    if (times !== undefined && !(times > 0)) throw new RangeError('times must be a positive number');
    this.faults.set(route, { fault, remaining: times });
  }

  issueToken(login: string): string {
    const entry = this.findAccount(login);
    if (entry === undefined) throw new Error(`no simulator account signs in as ${login}`);
    // Each token handed to a test is a device of its own.
    return this.mint(entry, `simulator-issued-${randomString(12, LINK_CODE_ALPHABET)}`);
  }

  approvePin(id: number | string, login?: string): boolean {
    const pin = this.livePin(id);
    if (pin === undefined) return false;
    const entry = login === undefined ? this.entries[0] : this.findAccount(login);
    if (entry === undefined) return false;
    // A PIN made with a JWK registers its device key; the Plex JWT is issued on the next poll that proves the key.
    if (this.jwt.hasPin(pin.id)) return this.jwt.approvePin(pin.id, entry);
    pin.authToken = this.mint(entry, pin.clientIdentifier, pin.product);
    return true;
  }

  expirePin(id: number | string): void {
    const pin = this.pins.get(Number(id));
    if (pin !== undefined) pin.expired = true;
  }

  revokeToken(token: string): void {
    this.tokens.delete(token);
    this.jwt.retireToken(token);
  }

  issuePlexJwt(login: string, clientIdentifier: string, scope: readonly string[] = ['username', 'email', 'friendly_name']): Promise<string> {
    const entry = this.findAccount(login);
    if (entry === undefined) return Promise.reject(new Error(`no simulator account signs in as ${login}`));
    return this.jwt.issue(entry, clientIdentifier, scope);
  }

  rotateSigningKey(options?: { keepPrevious?: boolean }): string {
    return this.jwt.rotateSigningKey(options);
  }

  revokeDevice(clientIdentifier: string): boolean {
    return this.jwt.revokeDevice(clientIdentifier);
  }

  devicesOf(login: string): readonly { id: number; clientIdentifier: string; token: string; provides: string }[] {
    const entry = this.findAccount(login);
    return entry === undefined ? [] : this.account.devicesOf(entry).map(({ id, clientIdentifier, token, provides }) => ({ id, clientIdentifier, token, provides }));
  }

  private findAccount(login: string): AccountEntry | undefined {
    const key = login.toLowerCase();
    return this.entries.find((e) => e.logins.has(key));
  }

  /** A new token for the account, signed in on that client identifier: the client becomes a device of the account. */
  private mint(entry: AccountEntry, clientIdentifier: string, product = 'Plex Web'): string {
    const token = randomString(20, TOKEN_ALPHABET);
    this.tokens.set(token, entry);
    // Called while the account API is built, for its own devices, before `this.account` is set.
    this.account?.signedIn(entry, clientIdentifier, token, product);
    return token;
  }

  private livePin(id: number | string): PinState | undefined {
    const pin = this.pins.get(Number(id));
    if (pin === undefined || pin.expired || this.now() >= pin.expiresAt) return undefined;
    return pin;
  }

  private takeFault(route: Route): Fault | undefined {
    const key = this.faults.has(route) ? route : this.faults.has('*') ? '*' : undefined;
    if (key === undefined) return undefined;
    const entry = this.faults.get(key)!;
    if (entry.remaining !== undefined && --entry.remaining <= 0) this.faults.delete(key);
    return entry.fault;
  }

  // ---- request handling -------------------------------------------------------------------

  /** Requests to the simulator's own server. */
  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const host = validHost(req.headers.host);
    const base = host === undefined ? (this.baseUrl ?? 'http://127.0.0.1') : `http://${host}`;
    const { ex, recorded } = this.begin(req.method ?? 'GET', req.url ?? '/', req.headers, base, (status, headers, body) => {
      res.writeHead(status, headers);
      res.end(body);
    });

    const length = req.headers['content-length'];
    const hasBody = length !== undefined ? length !== '0' : req.headers['transfer-encoding'] !== undefined;
    if (!hasBody) {
      this.route(ex, '');
      return;
    }
    if (length !== undefined && Number(length) > MAX_DRAIN_BYTES) {
      ex.responseHeaders['connection'] = 'close';
      this.sendError(ex, httpError(413));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        chunks.length = 0;
        if (size > MAX_DRAIN_BYTES) req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => {});
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        this.sendError(ex, httpError(413));
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      if (recorded !== undefined) recorded.body = body;
      this.route(ex, body);
    });
  }

  fetch(request: Request, mount: SimulatorMount = {}): Promise<Response> {
    const url = new URL(request.url);
    const prefix = mount.prefix ?? '';
    const pathname = prefix !== '' && url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) || '/' : url.pathname;
    const headers: IncomingHttpHeaders = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return new Promise<Response>((resolve) => {
      const settle = (response: Response) => {
        this.abandoned.delete(abandon);
        request.signal.removeEventListener('abort', abandon);
        resolve(response);
      };
      // The caller went away, or the simulator closed, before an answer (a `hang` fault, a `delay` cut short).
      const abandon = () => settle(new Response(null, { status: 503 }));
      this.abandoned.add(abandon);
      request.signal.addEventListener('abort', abandon, { once: true });
      const { ex, recorded } = this.begin(request.method, pathname + url.search, headers, mount.base ?? `${url.origin}${prefix}`, (status, answer, body) => {
        const responseHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(answer)) if (name !== 'connection') responseHeaders[name] = String(value);
        settle(new Response(body === undefined || request.method === 'HEAD' ? null : body, { status, headers: responseHeaders }));
      });
      readLimited(request, MAX_BODY_BYTES).then(
        (body) => {
          if (body === null) {
            this.sendError(ex, httpError(413));
            return;
          }
          if (recorded !== undefined) recorded.body = body;
          this.route(ex, body);
        },
        () => this.sendError(ex, httpError(400)),
      );
    });
  }

  /** Counts and records a request, and builds its exchange. */
  private begin(
    method: string,
    rawUrl: string,
    headers: IncomingHttpHeaders,
    base: string,
    send: Exchange['send'],
  ): { ex: Exchange; recorded: RecordedRequest | undefined } {
    const q = rawUrl.indexOf('?');
    const pathname = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const search = q === -1 ? '' : rawUrl.slice(q + 1);
    const spec = matchRoute(pathname);
    const accept = headers.accept;

    this.total++;
    if (spec !== undefined) this.counts[spec.route]++;

    const ex: Exchange = {
      headers,
      method,
      pathname,
      search,
      query: undefined,
      spec,
      xml: accept === undefined || !accept.includes('application/json'),
      fault: undefined,
      base,
      responseHeaders: {},
      send,
    };

    let recorded: RecordedRequest | undefined;
    if (this.record) {
      recorded = {
        method,
        path: pathname,
        query: queryOf(ex),
        headers,
        body: '',
        route: spec?.route ?? null,
        at: Date.now(),
      };
      this.requests.push(recorded);
    }
    return { ex, recorded };
  }

  private route(ex: Exchange, body: string): void {
    const { spec } = ex;
    if (spec === undefined) {
      if (ex.pathname.startsWith(QR_PREFIX) || AVATAR_PATH.test(ex.pathname)) this.image(ex);
      else this.simulatorPage(ex, body);
      return;
    }
    if (ex.method !== spec.method) {
      ex.responseHeaders['allow'] = spec.method;
      this.sendError(ex, httpError(405));
      return;
    }
    if (this.faults.size !== 0) {
      const fault = this.takeFault(spec.route);
      if (fault !== undefined) {
        ex.fault = fault;
        if (fault.kind === 'xml') ex.xml = true;
        if (this.applyFault(ex, fault, body)) return;
      }
    }
    this.handle(ex, spec.route, body);
  }

  /** Returns true when the fault has taken over the answer. */
  private applyFault(ex: Exchange, fault: Fault, body: string): boolean {
    switch (fault.kind) {
      case 'hang':
        return true;
      case 'delay': {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.handle(ex, ex.spec!.route, body);
        }, fault.ms);
        this.timers.add(timer);
        return true;
      }
      case 'status':
        this.sendError(ex, httpError(fault.status));
        return true;
      case 'rate-limit':
        if (fault.retryAfter !== undefined) ex.responseHeaders['retry-after'] = String(fault.retryAfter);
        this.sendError(ex, ERRORS.rateLimited);
        return true;
      case 'repeated-failures':
        this.sendError(ex, ERRORS.repeatedFailures);
        return true;
      default:
        return false;
    }
  }

  private handle(ex: Exchange, route: Route, body: string): void {
    // The JWT flow sends JSON (a PIN with a JWK, the token exchange).
    const json = (route === 'pins' || route === 'token') && /^application\/json\b/i.test(header(ex, 'content-type') ?? '');
    // plex.tv also reads X-Plex-* values (and `strong` for PINs) from a form body.
    const form = route === 'signin' || (route === 'pins' && body !== '' && !json) ? new URLSearchParams(body) : undefined;
    const clientId =
      plexParam(ex, 'x-plex-client-identifier', 'X-Plex-Client-Identifier') ||
      form?.get('X-Plex-Client-Identifier') ||
      undefined;
    if (clientId === undefined) {
      // A nonce asked for without a client identifier got 422 in a probe (INFERRED).
      this.sendError(ex, route === 'nonce' ? { ...ERRORS.missingClientId, status: 422 } : ERRORS.missingClientId);
      return;
    }
    switch (route) {
      case 'user':
        return this.getUser(ex);
      case 'signin':
        return this.signIn(ex, form!);
      case 'signout':
        return this.signOut(ex);
      case 'pins':
        return json ? this.createPinWithJson(ex, clientId, body) : this.createPin(ex, clientId, form);
      case 'pin':
        return this.getPin(ex, clientId);
      case 'nonce': {
        const issued = this.jwt.issueNonce(clientId);
        return isError(issued) ? this.sendJwtError(ex, issued) : this.sendObject(ex, 200, 'nonce', issued);
      }
      case 'token':
        if (!json) return this.sendError(ex, httpError(400));
        return this.later(ex, this.jwt.exchange(clientId, body), (token) => this.sendObject(ex, 200, 'token', token));
      case 'keys':
        return this.sendObject(ex, 200, 'keys', this.jwt.keys());
      default:
        return this.account.handle(ex, route);
    }
  }

  /** Answers once an asynchronous JWT check is done; a refusal becomes its plex.tv error. */
  private later<T>(ex: Exchange, work: Promise<JwtResult<T>>, done: (value: T) => void): void {
    work.then(
      (result) => (isError(result) ? this.sendJwtError(ex, result) : done(result)),
      () => this.sendError(ex, httpError(500)),
    );
  }

  private sendJwtError(ex: Exchange, refusal: { error: PlexError; retryAfter?: number }): void {
    if (refusal.retryAfter !== undefined) ex.responseHeaders['retry-after'] = String(refusal.retryAfter);
    this.sendError(ex, refusal.error);
  }

  /** POST /api/v2/pins with a JSON body: {jwk, strong} makes a PIN bound to that device key; without jwk, a plain PIN. */
  private createPinWithJson(ex: Exchange, clientIdentifier: string, body: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return this.sendError(ex, httpError(400));
    const { jwk, strong } = parsed as { jwk?: unknown; strong?: unknown };
    if (jwk === undefined) return this.createPin(ex, clientIdentifier, undefined, { strong: strong === true });
    this.later(ex, this.jwt.checkPinKey(clientIdentifier, jwk), ({ device }) =>
      this.createPin(ex, clientIdentifier, undefined, { strong: strong === true, device }),
    );
  }

  /** The account behind the request's token, or the error to answer: 401, or 498 for an expired Plex JWT. */
  private tokenAccount(ex: Exchange): { token: string; entry: AccountEntry } | PlexError {
    const token = plexParam(ex, 'x-plex-token', 'X-Plex-Token');
    if (token === undefined) return ERRORS.unauthenticated;
    const entry = this.tokens.get(token);
    if (entry !== undefined) return { token, entry };
    if (!looksLikeJwt(token)) return ERRORS.unauthenticated;
    const checked = this.jwt.checkToken(token);
    return isError(checked) ? checked.error : { token, entry: checked.account };
  }

  private getUser(ex: Exchange): void {
    const auth = this.tokenAccount(ex);
    if (!('entry' in auth)) {
      this.sendError(ex, auth);
      return;
    }
    this.sendAccount(ex, 200, auth.entry, auth.token, 'user');
  }

  private signIn(ex: Exchange, form: URLSearchParams): void {
    const login = form.get('login');
    const password = form.get('password');
    const entry = login ? this.findAccount(login) : undefined;
    if (entry === undefined || password === null) {
      this.sendError(ex, ERRORS.unauthenticated);
      return;
    }
    const { account } = entry;
    const expected = account.verificationCode;
    if (expected === undefined) {
      if (password !== account.password) {
        this.sendError(ex, ERRORS.unauthenticated);
        return;
      }
    } else if (password === account.password + expected) {
      // Legacy clients without a code field append the 2FA code to the password.
    } else if (password !== account.password) {
      this.sendError(ex, ERRORS.unauthenticated);
      return;
    } else {
      const code = form.get('verificationCode');
      if (!code) {
        this.sendError(ex, ERRORS.verificationCodeRequired);
        return;
      }
      if (code !== expected) {
        this.sendError(ex, ERRORS.invalidVerificationCode);
        return;
      }
    }
    const product = plexParam(ex, 'x-plex-product', 'X-Plex-Product') ?? form.get('X-Plex-Product') ?? 'Plex Web';
    this.sendAccount(ex, 201, entry, this.mint(entry, clientIdOf(ex, form), product), 'signin');
  }

  private signOut(ex: Exchange): void {
    const auth = this.tokenAccount(ex);
    if (!('entry' in auth)) {
      this.sendError(ex, auth);
      return;
    }
    this.tokens.delete(auth.token);
    this.jwt.retireToken(auth.token);
    this.reply(ex, 204, {}, undefined);
    this.logLine(ex, 204);
  }

  private createPin(
    ex: Exchange,
    clientIdentifier: string,
    form: URLSearchParams | undefined,
    json?: { strong: boolean; device?: DeviceKey },
  ): void {
    const strongParam = (ex.search === '' ? null : queryOf(ex).get('strong')) ?? form?.get('strong') ?? null;
    const strong = json?.strong === true || strongParam === 'true' || strongParam === '1';
    const now = this.now();
    if (this.pins.size >= 10_000) this.prunePins();
    const pin: PinState = {
      id: this.nextPinId++,
      code: strong ? randomString(25, STRONG_CODE_ALPHABET) : randomString(4, LINK_CODE_ALPHABET),
      // A PIN requested without X-Plex-Product comes back with product "0" in the published sample.
      product: plexParam(ex, 'x-plex-product', 'X-Plex-Product') ?? form?.get('X-Plex-Product') ?? '0',
      clientIdentifier,
      createdAt: now,
      expiresAt: now + this.pinTtlMs,
      expired: false,
      authToken: null,
    };
    this.pins.set(pin.id, pin);
    if (json?.device !== undefined) this.jwt.attachPin(pin.id, json.device, pin.expiresAt);
    this.sendPin(ex, 201, pin);
  }

  private getPin(ex: Exchange, clientIdentifier: string): void {
    const id = ex.pathname.slice(PIN_PREFIX.length);
    const pin = /^\d+$/.test(id) ? this.livePin(id) : undefined;
    // A PIN is only visible to the client identifier that created it.
    if (pin === undefined || pin.clientIdentifier !== clientIdentifier) {
      this.sendError(ex, ERRORS.pinNotFound);
      return;
    }
    // A PIN made with a JWK answers only a poll that carries a device JWT signed by that key.
    if (this.jwt.hasPin(pin.id)) {
      const deviceJwt = ex.search === '' ? null : queryOf(ex).get('deviceJWT');
      this.later(ex, this.jwt.pollPin(pin.id, clientIdentifier, deviceJwt), ({ authToken }) => {
        pin.authToken = authToken;
        this.sendPin(ex, 200, pin);
      });
      return;
    }
    this.sendPin(ex, 200, pin);
  }

  private prunePins(): void {
    const now = this.now();
    for (const [id, pin] of this.pins) {
      if (pin.expired || now >= pin.expiresAt) {
        this.pins.delete(id);
        this.jwt.forgetPin(id);
      }
    }
  }

  // ---- responses ----------------------------------------------------------------------------

  private sendAccount(ex: Exchange, status: number, entry: AccountEntry, token: string, kind: 'user' | 'signin'): void {
    const fault = ex.fault;
    if (fault === undefined && !ex.xml) {
      const slotted = kind === 'user' ? entry.user : entry.signin;
      const length = slotted.bytes + token.length + slotted.baseHoles * Buffer.byteLength(ex.base);
      this.reply(ex, status, { 'content-type': JSON_TYPE, 'content-length': length }, fill(slotted, token, ex.base));
      this.logLine(ex, status);
      return;
    }
    const body = structuredClone(withToken(entry.account, entry.body, token, kind));
    body['thumb'] = String(body['thumb']).replace(BASE_SLOT, ex.base);
    if (fault?.kind === 'missing-fields') withoutRequiredFields(body, ['id', 'uuid']);
    if (fault?.kind === 'unknown-enums') withUnknownEnums(body);
    if (fault?.kind === 'set-field') withField(body, fault.path, fault.value);
    this.sendObject(ex, status, 'user', body);
  }

  private sendPin(ex: Exchange, status: number, pin: PinState): void {
    const body: Record<string, unknown> = {
      id: pin.id,
      code: pin.code,
      product: pin.product,
      trusted: false,
      // plex.tv's is https://plex.tv/api/v2/pins/qr/<code>; the simulator serves its own image there.
      qr: `${ex.base}${QR_PREFIX}${pin.code}`,
      clientIdentifier: pin.clientIdentifier,
      location: { ...PIN_LOCATION },
      expiresIn: Math.max(0, Math.ceil((pin.expiresAt - this.now()) / 1000)),
      createdAt: isoSeconds(pin.createdAt),
      expiresAt: isoSeconds(pin.expiresAt),
      authToken: pin.authToken,
      newRegistration: null,
    };
    if (ex.fault?.kind === 'missing-fields') withoutRequiredFields(body, ['id', 'code']);
    this.sendObject(ex, status, 'pin', body);
  }

  private sendObject(ex: Exchange, status: number, xmlName: string, body: Record<string, unknown>): void {
    if (ex.xml) {
      this.write(ex, status, XML_TYPE, XML_DECL + xmlElement(xmlName, body));
      return;
    }
    const json = JSON.stringify(body);
    this.write(ex, status, JSON_TYPE, ex.fault?.kind === 'invalid-json' ? truncated(json) : json);
  }

  private sendError(ex: Exchange, err: PlexError): void {
    if (ex.xml) {
      this.write(ex, err.status, XML_TYPE, errorXml(err), err.code);
      return;
    }
    let json = this.errorBodies.get(err);
    if (json === undefined) {
      json = errorJson(err);
      if (err.code !== 0) this.errorBodies.set(err, json);
    }
    this.write(ex, err.status, JSON_TYPE, ex.fault?.kind === 'invalid-json' ? truncated(json) : json, err.code);
  }

  private write(ex: Exchange, status: number, contentType: string, body: string, code?: number): void {
    this.reply(ex, status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }, body);
    this.logLine(ex, status, code);
  }

  private reply(ex: Exchange, status: number, headers: Record<string, string | number>, body: string | undefined): void {
    ex.send(status, { ...ex.responseHeaders, ...headers }, body);
  }

  private logLine(ex: Exchange, status: number, code?: number): void {
    if (this.log === undefined) return;
    // The path only: query strings may carry X-Plex-Token.
    this.log(`simulator: ${ex.method} ${ex.pathname} -> ${status}${code ? ` (${code})` : ''}`);
  }

  // ---- images ---------------------------------------------------------------------------------

  /** The avatars of the demo accounts and the PIN QR images, served here instead of by plex.tv. */
  private image(ex: Exchange): void {
    if (ex.method !== 'GET') return this.methodNotAllowed(ex, 'GET');
    let svg: string | undefined;
    if (ex.pathname.startsWith(QR_PREFIX)) {
      const code = ex.pathname.slice(QR_PREFIX.length);
      if (/^[A-Za-z0-9]{1,64}$/.test(code)) svg = qrPlaceholder(code);
    } else {
      const uuid = AVATAR_PATH.exec(ex.pathname)?.[1];
      const entry = this.entries.find((e) => e.account.body.uuid === uuid);
      if (entry !== undefined) svg = avatar(entry.account.body.friendlyName || entry.account.body.title, entry.account.body.uuid);
    }
    if (svg === undefined) return this.sendError(ex, httpError(404));
    ex.responseHeaders['cache-control'] = 'public, max-age=3600';
    this.write(ex, 200, SVG_TYPE, svg);
  }

  // ---- convenience pages (not part of plex.tv) ------------------------------------------------

  private simulatorPage(ex: Exchange, body: string): void {
    // Served at /simulator/<page> on the simulator's own server, and at <prefix>/<page> when mounted under a prefix.
    const page = ex.pathname.startsWith('/simulator/') ? ex.pathname.slice('/simulator'.length) : ex.pathname;
    if (page === '/health') {
      if (ex.method !== 'GET') return this.methodNotAllowed(ex, 'GET');
      this.write(ex, 200, JSON_TYPE, '{"status":"ok"}');
      return;
    }
    // Per-route counters for a separate process (the benchmark reads them between measurements).
    if (page === '/stats') {
      if (ex.method !== 'GET') return this.methodNotAllowed(ex, 'GET');
      ex.responseHeaders['cache-control'] = 'no-store';
      this.write(ex, 200, JSON_TYPE, JSON.stringify({ total: this.total, routes: this.counts }));
      return;
    }
    if (page === '/approve') {
      if (ex.method === 'GET') return this.approvePage(ex);
      if (ex.method === 'POST') return this.approveSubmit(ex, new URLSearchParams(body));
      return this.methodNotAllowed(ex, 'GET, POST');
    }
    this.sendError(ex, httpError(404));
  }

  private methodNotAllowed(ex: Exchange, allow: string): void {
    ex.responseHeaders['allow'] = allow;
    this.sendError(ex, httpError(405));
  }

  private approvePage(ex: Exchange): void {
    const query = queryOf(ex);
    const id = query.get('pin') ?? '';
    const code = query.get('code') ?? '';
    // app.plex.tv/auth takes its parameters in the fragment (#?clientID=…&code=…), which never reaches a server.
    if (id === '' && code === '') return this.fragmentPage(ex);
    const forwardUrl = safeForwardUrl(query.get('forwardUrl'));
    const pin = /^\d+$/.test(id) ? this.livePin(id) : this.livePinByCode(code, query.get('clientID'));
    if (pin === undefined) {
      this.html(ex, 404, 'Sign-in request not found', '<p>This sign-in request is unknown or has expired.</p>');
      return;
    }
    const options = this.entries
      .map((e) => `<option value="${escapeMarkup(e.account.login[0] ?? '')}">${escapeMarkup(e.account.login[0] ?? '')}</option>`)
      .join('');
    const forward = forwardUrl === undefined ? '' : `<input type="hidden" name="forwardUrl" value="${escapeMarkup(forwardUrl)}">`;
    // A relative action: the same page, wherever the simulator is mounted.
    this.html(
      ex,
      200,
      'Approve sign-in',
      `<p><strong>${escapeMarkup(pin.product)}</strong> asks to sign in to your Plex account (PIN ${pin.id}, code <code>${escapeMarkup(pin.code)}</code>).</p>
<form method="post" action="approve">
<input type="hidden" name="pin" value="${pin.id}">${forward}
<label>Account <select name="login">${options}</select></label>
<button type="submit">Approve</button>
</form>`,
    );
  }

  private fragmentPage(ex: Exchange): void {
    this.html(
      ex,
      200,
      'Approve sign-in',
      `<p id="status">Loading the sign-in request…</p>
<script>
if (location.hash.startsWith('#?')) location.replace(location.pathname + '?' + location.hash.slice(2));
else document.getElementById('status').textContent = 'This sign-in request is unknown or has expired.';
</script>`,
    );
  }

  private livePinByCode(code: string, clientIdentifier: string | null): PinState | undefined {
    if (code === '') return undefined;
    for (const pin of this.pins.values()) {
      if (pin.code !== code) continue;
      if (clientIdentifier !== null && pin.clientIdentifier !== clientIdentifier) return undefined;
      return this.livePin(pin.id);
    }
    return undefined;
  }

  /**
   * Approves the PIN named by `pin` (its id) or `code`, for `login` (default: the first account). A browser (Accept:
   * text/html) gets a page; anything else, such as curl, gets JSON.
   */
  private approveSubmit(ex: Exchange, form: URLSearchParams): void {
    const id = form.get('pin') ?? '';
    const login = form.get('login') || undefined;
    const forwardUrl = safeForwardUrl(form.get('forwardUrl'));
    const pin = /^\d+$/.test(id) ? this.livePin(id) : this.livePinByCode(form.get('code') ?? '', null);
    const account = login === undefined ? this.entries[0] : this.findAccount(login);
    const approved = pin !== undefined && account !== undefined && this.approvePin(pin.id, account.account.login[0]);
    if (!(header(ex, 'accept') ?? '').includes('text/html')) {
      ex.responseHeaders['cache-control'] = 'no-store';
      if (approved) {
        this.write(ex, 200, JSON_TYPE, JSON.stringify({ approved: true, pin: pin.id, login: account.account.login[0] }));
      } else if (pin === undefined) {
        this.write(ex, 404, JSON_TYPE, JSON.stringify({ approved: false, message: 'No sign-in PIN with that id (pin=) or code (code=) is waiting: unknown or expired.' }));
      } else {
        const logins = this.entries.map((e) => e.account.login[0]).join(', ');
        this.write(ex, 400, JSON_TYPE, JSON.stringify({ approved: false, message: `No simulator account signs in with that login; use one of ${logins}.` }));
      }
      return;
    }
    if (!approved) {
      this.html(ex, 404, 'Sign-in request not found', '<p>This sign-in request is unknown or has expired.</p>');
      return;
    }
    // Without a way back, the window closes itself (browsers allow that for windows a script opened, such as a popup).
    const back =
      forwardUrl === undefined
        ? '<script>setTimeout(() => window.close(), 1500);</script>'
        : `<p><a href="${escapeMarkup(forwardUrl)}">Return to the app</a></p>`;
    this.html(ex, 200, 'Sign-in approved', `<p>Approved. You can close this window and return to the app.</p>${back}`);
  }

  private html(ex: Exchange, status: number, title: string, content: string): void {
    const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeMarkup(title)} · plex.tv simulator</title>
<link rel="icon" href="data:,">
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}button{font-size:1rem;padding:.5rem 1.5rem}</style>
</head><body><main><h1>${escapeMarkup(title)}</h1>
${content}
</main></body></html>`;
    ex.responseHeaders['cache-control'] = 'no-store';
    this.write(ex, status, HTML_TYPE, page);
  }
}

/** A stand-in for plex.tv's QR image of a PIN: a labelled square with the code, not a scannable QR code. */
function qrPlaceholder(code: string): string {
  const finder = (x: number, y: number) =>
    `<rect x="${x}" y="${y}" width="42" height="42" fill="#1f2328"/><rect x="${x + 6}" y="${y + 6}" width="30" height="30" fill="#fff"/><rect x="${x + 12}" y="${y + 12}" width="18" height="18" fill="#1f2328"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" viewBox="0 0 200 200">
<rect width="200" height="200" fill="#fff"/>${finder(12, 12)}${finder(146, 12)}${finder(12, 146)}
<text x="100" y="100" font-family="sans-serif" font-size="14" text-anchor="middle">simulated QR</text>
<text x="100" y="122" font-family="monospace" font-size="9" text-anchor="middle">${escapeMarkup(code)}</text>
</svg>`;
}

/** A round avatar with the account's initial on a colour picked from its uuid. */
function avatar(name: string, uuid: string): string {
  const hue = parseInt(uuid.slice(0, 6), 16) % 360;
  const initial = escapeMarkup((name.trim()[0] ?? '?').toUpperCase());
  return `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">
<circle cx="64" cy="64" r="64" fill="hsl(${hue} 55% 45%)"/>
<text x="64" y="84" font-family="sans-serif" font-size="56" fill="#fff" text-anchor="middle">${initial}</text>
</svg>`;
}

function safeForwardUrl(value: string | null): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export function createPlexSimulator(options: PlexSimulatorOptions = {}): PlexSimulator {
  return new Simulator(options);
}
