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
  create(forwardUrl: string | null): Promise<CreatedPin>;
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
export function jwtPinSignIn(options: { keyring: SealingKeyring; pending: PendingDevices; logger: Logger; now: () => number }): (plex: Plex) => PinSignIn {
  const { keyring, pending, logger, now } = options;
  const opened = new LRUCache<string, OpenedDevice>({ max: 1_000, ttl: 15 * 60 * 1000 });

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
    async create(forwardUrl) {
      const device = await createDevice();
      const pin = await plex.createPin({ forwardUrl, device });
      const sealed = await sealDevice(device, keyring, now());
      await pending.put(pin.id, sealed, pin.expiresAt);
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
  readonly intervalMs: number;
  /** Distinct PINs watched at once; subscribing to one more is refused with RATE_LIMITED. */
  readonly maxWatched: number;
  /** Consecutive failed polls after which the subscribers get the error (default 5). */
  readonly maxFailures?: number;
}

export interface PinWatcher {
  /** Emits the PIN's status now and on each change; ends after success or expiry. */
  watch(id: string, code: string): AsyncIterableIterator<PinStatus>;
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
  /** The last answer from plex.tv, for subscribers joining between polls. */
  last: { pin: PolledPin | null; user: PlexUser | null } | undefined;
  timer: NodeJS.Timeout | undefined;
  polling: boolean;
  failures: number;
}

function tooManyWatched(intervalMs: number): GraphQLError {
  const message = 'Too many sign-in PINs are being watched right now: poll Query.signInPin instead, or retry later.';
  return rateLimited(Math.max(1, Math.ceil(intervalMs / 1000)), message);
}

/** One poller per PIN id, shared by every subscriber of that id (in jwt mode, polling with that PIN's device). */
export function createPinWatcher(options: PinWatcherOptions): PinWatcher {
  const { intervalMs, maxWatched } = options;
  const maxFailures = options.maxFailures ?? 5;
  const watched = new Map<string, Watched>();
  let closed = false;

  function forget(entry: Watched): void {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    if (watched.get(entry.id) === entry) watched.delete(entry.id);
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

  function schedule(entry: Watched, delayMs: number): void {
    if (closed || entry.subscribers.size === 0) return forget(entry);
    entry.timer = setTimeout(() => void poll(entry), delayMs);
    entry.timer.unref?.();
  }

  async function poll(entry: Watched): Promise<void> {
    entry.timer = undefined;
    entry.polling = true;
    let delayMs = intervalMs;
    try {
      const pin = await options.poll(entry.id);
      const user = pin?.authToken ? await options.loadUser(pin.authToken) : null;
      entry.failures = 0;
      entry.last = { pin, user };
      await Promise.all([...entry.subscribers].map((subscriber) => deliver(entry, subscriber)));
    } catch (error) {
      entry.failures += 1;
      if (entry.failures >= maxFailures) {
        for (const subscriber of entry.subscribers) subscriber.stop(error);
        entry.subscribers.clear();
      }
      const retryAfter = (error as GraphQLError | undefined)?.extensions?.['retryAfterSeconds'];
      delayMs = Math.max(intervalMs, typeof retryAfter === 'number' ? retryAfter * 1000 : 0);
    } finally {
      entry.polling = false;
    }
    schedule(entry, delayMs);
  }

  return {
    get size() {
      return watched.size;
    },

    watch(id, code) {
      if (closed) throw upstreamUnavailable('The service is shutting down.');
      if (!watched.has(id) && watched.size >= maxWatched) throw tooManyWatched(intervalMs);
      return new Repeater<PinStatus>(async (push, stop) => {
        if (closed) return stop();
        let entry = watched.get(id);
        if (entry === undefined) {
          if (watched.size >= maxWatched) return stop(tooManyWatched(intervalMs));
          entry = { id, subscribers: new Set(), last: undefined, timer: undefined, polling: false, failures: 0 };
          watched.set(id, entry);
        }
        const target = entry;
        const subscriber: Subscriber = { code, lastKind: undefined, push, stop };
        target.subscribers.add(subscriber);
        if (target.timer === undefined && !target.polling) void poll(target);
        else void deliver(target, subscriber).catch((error: unknown) => stop(error));
        await stop;
        target.subscribers.delete(subscriber);
        if (target.subscribers.size === 0 && !target.polling) forget(target);
      });
    },

    close() {
      closed = true;
      for (const entry of watched.values()) {
        for (const subscriber of entry.subscribers) subscriber.stop();
        entry.subscribers.clear();
        forget(entry);
      }
    },
  };
}
