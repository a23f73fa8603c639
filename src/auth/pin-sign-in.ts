import { timingSafeEqual } from 'node:crypto';
import type { GraphQLError } from 'graphql';
import { Repeater } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { rateLimited, upstreamUnavailable } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { CreatedPin, Plex } from '../plex/client.js';
import type { PlexPin, PlexUser } from '../plex/schemas.js';
import { createDevice, sealDevice, unsealDevice, type PlexDevice, type SealingKeyring } from './device.js';
import type { PendingDevices } from './pending-devices.js';
import { UNKNOWN_ADDRESS } from '../security/client-address.js';

/**
 * A PIN sign-in (docs/pin-sign-in.md): createSignInPin creates a PIN at plex.tv, the user approves it there, and
 * Query.signInPin (one poll) or Subscription.signInPin (the watcher below, one poller per PIN) sees the token come.
 */

/** A PIN as one poll saw it. In jwt mode an approved PIN also carries `refreshToken`: the PIN's device, sealed. */
export interface PolledPin extends PlexPin {
  readonly refreshToken?: string | null;
}

/** Creating and polling PINs for one request, as PLEX_AUTH_MODE makes them. */
export interface PinSignIn {
  /** `owner`: the client address creating the PIN (its pending device is kept among that address's). */
  create(forwardUrl: string | null, owner?: string): Promise<CreatedPin>;
  /** Null when plex.tv (or, in jwt mode, this service) does not know the PIN, or it expired. */
  poll(id: string): Promise<PolledPin | null>;
}

/** Legacy mode: PINs of this service's own client identifier, approved with a classic token. */
export const legacyPinSignIn = (plex: Plex): PinSignIn => ({
  create: (forwardUrl) => plex.createPin({ forwardUrl }),
  poll: (id) => plex.getPin(id),
});

interface OpenedDevice {
  readonly sealed: string;
  readonly device: PlexDevice;
  /** An older sealing key opened it: the credential handed out is sealed again under the current one. */
  readonly needsReseal: boolean;
}

/**
 * JWT mode: one device (client identifier and Ed25519 key) per PIN. The PIN is created with the device's public key,
 * polled with device JWTs signed by it, and on approval plex.tv returns a Plex JWT for that device. The device waits in
 * `pending` (sealed) in between, so any instance can finish the sign-in; this instance also keeps the devices it has
 * opened, so that polling does not unseal on every poll.
 */
export function jwtPinSignIn(options: {
  keyring: SealingKeyring;
  pending: PendingDevices;
  logger: Logger;
  now: () => number;
  /** Devices kept opened (a cache: the sealed ones in `pending` are what counts). */
  openedMax?: number;
}): (plex: Plex) => PinSignIn {
  const { keyring, pending, logger, now } = options;
  const opened = new LRUCache<string, OpenedDevice>({ max: options.openedMax ?? 1_000, ttl: 15 * 60 * 1000 });

  async function deviceFor(id: string): Promise<OpenedDevice | null> {
    // PIN ids are unique at plex.tv: a device once opened for an id stays that id's device.
    const known = opened.get(id);
    if (known !== undefined) return known;
    const sealed = await pending.get(id);
    if (sealed === null) return null;
    const result = await unsealDevice(sealed, keyring);
    if (!result.ok) {
      // Sealed under a key this service no longer has (AUTH_SEALING_KEY changed mid sign-in): start again.
      logger.warn(`pending PIN device cannot be opened (${result.reason})`);
      return null;
    }
    const entry = { sealed, device: result.device, needsReseal: result.needsReseal };
    opened.set(id, entry);
    return entry;
  }

  return (plex) => ({
    async create(forwardUrl, owner) {
      const device = await createDevice();
      const pin = await plex.createPin({ forwardUrl, device });
      const sealed = await sealDevice(device, keyring, now());
      await pending.put(pin.id, sealed, pin.expiresAt, owner);
      opened.set(pin.id, { sealed, device, needsReseal: false });
      return pin;
    },

    async poll(id) {
      const entry = await deviceFor(id);
      // A PIN this service holds no device for cannot be polled (plex.tv wants a device JWT): unknown or expired.
      if (entry === null) return null;
      const pin = await plex.getPin(id, entry.device);
      if (!pin?.authToken) return pin;
      return { ...pin, refreshToken: entry.needsReseal ? await sealDevice(entry.device, keyring, now()) : entry.sealed };
    },
  });
}

/** Where a sign-in PIN stands, as the GraphQL union `SignInPinStatus` shows it. */
export type PinStatus =
  | { readonly kind: 'pending'; readonly id: string; readonly code: string; readonly expiresAt: Date }
  /** `refreshToken`: the sealed device of a jwt-mode sign-in; null for a legacy token. */
  | { readonly kind: 'success'; readonly authToken: string; readonly user: PlexUser; readonly refreshToken: string | null }
  | { readonly kind: 'expired'; readonly id: string };

function sameCode(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The status of a PIN as plex.tv answered it. A PIN whose code does not match is reported exactly like an unknown
 * one, so that a caller who only guessed an id learns nothing (pin ids are sequential; the code is the secret).
 */
export async function pinStatus(
  id: string,
  code: string,
  pin: PolledPin | null,
  loadUser: (token: string) => Promise<PlexUser>,
  now = Date.now(),
): Promise<PinStatus> {
  if (pin === null || !sameCode(pin.code, code)) return { kind: 'expired', id };
  if (pin.authToken) {
    return { kind: 'success', authToken: pin.authToken, user: await loadUser(pin.authToken), refreshToken: pin.refreshToken ?? null };
  }
  if (pin.expiresAt.getTime() <= now) return { kind: 'expired', id };
  return { kind: 'pending', id, code: pin.code, expiresAt: pin.expiresAt };
}

export interface PinWatcherOptions {
  /** One poll of a PIN (outside any request). */
  readonly poll: (id: string) => Promise<PolledPin | null>;
  /** The account of an approved PIN's token. */
  readonly loadUser: (token: string) => Promise<PlexUser>;
  /** How often a young PIN is polled. */
  readonly intervalMs: number;
  /** PINs one client address follows at once; one more is refused with RATE_LIMITED. */
  readonly maxPerAddress: number;
  /** Polls per second to plex.tv for every PIN together; more due polls wait their turn. */
  readonly pollsPerSecond: number;
  /** Past this age a PIN is polled less often, up to `maxIntervals` intervals apart. */
  readonly backoffAfterMs: number;
  readonly maxIntervals: number;
  /** Consecutive failed polls after which the subscribers get the error (default 5). */
  readonly maxFailures?: number;
  /** The clock PIN ages are read on (plex.tv's expiresAt). */
  readonly now?: () => number;
}

export interface PinWatcher {
  /**
   * Emits the PIN's status now and on each change; ends after success or expiry. `address`: the subscriber's client
   * address, counted against the per-address cap (absent or "unknown": not counted).
   */
  watch(id: string, code: string, address?: string): AsyncIterableIterator<PinStatus>;
  /** How many PINs are being polled now. */
  readonly size: number;
  close(): void;
}

interface Subscriber {
  readonly code: string;
  lastKind: PinStatus['kind'] | undefined;
  push(status: PinStatus): Promise<unknown>;
  stop(error?: unknown): void;
}

interface Watched {
  readonly id: string;
  readonly subscribers: Set<Subscriber>;
  /** When this instance started watching the PIN. */
  readonly since: number;
  /** The last answer from plex.tv, for subscribers joining between polls. */
  last: { pin: PolledPin | null; user: PlexUser | null } | undefined;
  /** idle: nothing planned; waiting: until its next poll is due; queued: due, waiting for a slot; polling: in flight. */
  state: 'idle' | 'waiting' | 'queued' | 'polling';
  timer: NodeJS.Timeout | undefined;
  failures: number;
}

// plex.tv PINs live 15 minutes; a PIN's age follows from its expiry.
const PIN_LIFETIME_MS = 15 * 60_000;

function retryAfterMs(error: unknown): number {
  const seconds = (error as GraphQLError | undefined)?.extensions?.['retryAfterSeconds'];
  return typeof seconds === 'number' ? seconds * 1000 : 0;
}

function tooManyWatched(): GraphQLError {
  const message = 'Too many sign-in PINs are being followed from this address: end a subscription first, or poll Query.signInPin.';
  return rateLimited(60, message);
}

/**
 * One poller per PIN id, shared by every subscriber of that id (in jwt mode, polling with that PIN's device). Each
 * client address follows a few PINs at most; young PINs are polled every interval and older ones less often; and due
 * polls take turns under one ceiling per second, so that however many PINs are watched, plex.tv sees at most
 * `pollsPerSecond` polls a second and every subscriber is still served, more slowly.
 */
export function createPinWatcher(options: PinWatcherOptions): PinWatcher {
  const { intervalMs, maxPerAddress, backoffAfterMs, maxIntervals } = options;
  const maxFailures = options.maxFailures ?? 5;
  const now = options.now ?? Date.now;
  const slotMs = 1000 / options.pollsPerSecond;
  const watched = new Map<string, Watched>();
  /** Per client address: the PIN ids it follows, with the number of its subscriptions to each. */
  const byAddress = new Map<string, Map<string, number>>();
  const due: Watched[] = [];
  let nextSlot = 0;
  let pump: NodeJS.Timeout | undefined;
  let closed = false;

  function forget(entry: Watched): void {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.state = 'idle';
    if (watched.get(entry.id) === entry) watched.delete(entry.id);
  }

  const live = (entry: Watched) => !closed && watched.get(entry.id) === entry && entry.subscribers.size > 0;

  /** Starts due polls one slot apart (measured on the monotonic clock, whatever timers do under load). */
  function drain(): void {
    if (pump !== undefined) return;
    while (due.length > 0) {
      const wait = nextSlot - performance.now();
      if (wait > 0) {
        pump = setTimeout(() => {
          pump = undefined;
          drain();
        }, wait);
        pump.unref?.();
        return;
      }
      const entry = due.shift()!;
      if (!live(entry)) {
        if (watched.get(entry.id) === entry) forget(entry);
        continue;
      }
      nextSlot = performance.now() + slotMs;
      void poll(entry);
    }
  }

  function enqueue(entry: Watched): void {
    entry.state = 'queued';
    due.push(entry);
    drain();
  }

  async function deliver(entry: Watched, subscriber: Subscriber): Promise<void> {
    const last = entry.last;
    if (last === undefined) return;
    const status = await pinStatus(entry.id, subscriber.code, last.pin, async () => last.user!);
    if (status.kind === subscriber.lastKind) return;
    subscriber.lastKind = status.kind;
    // Not awaited: a slow reader must not hold up the poll for everyone else.
    void subscriber.push(status).catch(() => {});
    if (status.kind !== 'pending') {
      entry.subscribers.delete(subscriber);
      subscriber.stop();
    }
  }

  /** The interval for a PIN of this age: one interval while young, then growing a interval a minute up to the cap. */
  function intervalFor(entry: Watched): number {
    const expiresAt = entry.last?.pin?.expiresAt.getTime();
    const age = Math.max(now() - entry.since, expiresAt === undefined ? 0 : PIN_LIFETIME_MS - (expiresAt - now()));
    const intervals = age <= backoffAfterMs ? 1 : Math.min(maxIntervals, 1 + (age - backoffAfterMs) / 60_000);
    return intervalMs * intervals;
  }

  function schedule(entry: Watched, delayMs: number): void {
    if (!live(entry)) {
      forget(entry);
      return;
    }
    entry.state = 'waiting';
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      enqueue(entry);
    }, delayMs);
    entry.timer.unref?.();
  }

  async function poll(entry: Watched): Promise<void> {
    entry.state = 'polling';
    let delayMs: number;
    try {
      const pin = await options.poll(entry.id);
      const user = pin?.authToken ? await options.loadUser(pin.authToken) : null;
      entry.failures = 0;
      entry.last = { pin, user };
      await Promise.all([...entry.subscribers].map((subscriber) => deliver(entry, subscriber)));
      delayMs = intervalFor(entry);
    } catch (error) {
      entry.failures += 1;
      if (entry.failures >= maxFailures) {
        for (const subscriber of entry.subscribers) subscriber.stop(error);
        entry.subscribers.clear();
      }
      delayMs = Math.max(intervalFor(entry), retryAfterMs(error));
    }
    entry.state = 'idle';
    schedule(entry, delayMs);
  }

  const counted = (address: string | undefined): address is string => address !== undefined && address !== UNKNOWN_ADDRESS;

  /** False when the address already follows its maximum of other PINs. */
  function admits(address: string | undefined, id: string): boolean {
    const pins = counted(address) ? byAddress.get(address) : undefined;
    return pins === undefined || pins.has(id) || pins.size < maxPerAddress;
  }

  /** Counts one subscription of `address` to the PIN. */
  function admit(address: string | undefined, id: string): void {
    if (!counted(address)) return;
    const pins = byAddress.get(address) ?? new Map<string, number>();
    pins.set(id, (pins.get(id) ?? 0) + 1);
    byAddress.set(address, pins);
  }

  function release(address: string | undefined, id: string): void {
    const pins = address === undefined ? undefined : byAddress.get(address);
    if (pins === undefined) return;
    const left = (pins.get(id) ?? 1) - 1;
    if (left > 0) pins.set(id, left);
    else pins.delete(id);
    if (pins.size === 0) byAddress.delete(address!);
  }

  return {
    get size() {
      return watched.size;
    },

    watch(id, code, address) {
      if (closed) throw upstreamUnavailable('The service is shutting down.');
      if (!admits(address, id)) throw tooManyWatched();
      return new Repeater<PinStatus>(async (push, stop) => {
        // Counted only once the stream runs: a stream never started holds nothing.
        if (closed) return stop();
        if (!admits(address, id)) return stop(tooManyWatched());
        admit(address, id);
        try {
          let entry = watched.get(id);
          if (entry === undefined) {
            entry = { id, subscribers: new Set(), since: now(), last: undefined, state: 'idle', timer: undefined, failures: 0 };
            watched.set(id, entry);
          }
          const target = entry;
          const subscriber: Subscriber = { code, lastKind: undefined, push, stop };
          target.subscribers.add(subscriber);
          if (target.state === 'idle') enqueue(target);
          else void deliver(target, subscriber).catch((error: unknown) => stop(error));
          await stop;
          target.subscribers.delete(subscriber);
          if (target.subscribers.size === 0 && target.state !== 'polling') forget(target);
        } finally {
          release(address, id);
        }
      });
    },

    close() {
      closed = true;
      clearTimeout(pump);
      due.length = 0;
      for (const entry of watched.values()) {
        for (const subscriber of entry.subscribers) subscriber.stop();
        entry.subscribers.clear();
        forget(entry);
      }
    },
  };
}
