import { timingSafeEqual } from 'node:crypto';
import { Repeater } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import { rateLimited, upstreamUnavailable } from '../errors.js';
import type { PlexClient } from './client.js';
import { UNKNOWN_ADDRESS } from '../security/client-address.js';
import { legacyPinSignIns, type PinSignIns, type PolledPin } from './pin-sign-ins.js';
import type { PlexUser } from './schemas.js';

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
  /** Loads the account of an approved PIN's token. */
  readonly plex: PlexClient;
  /** How PINs are polled (PLEX_AUTH_MODE); legacy polls through `plex` when absent. */
  readonly signIns?: PinSignIns;
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
  return rateLimited(60, 'Too many sign-in PINs are being followed from this address: end a subscription first, or poll Query.signInPin.');
}

/**
 * One poller per PIN id, shared by every subscriber of that id (in jwt mode, polling with that PIN's device). Each
 * client address follows a few PINs at most; young PINs are polled every interval and older ones less often; and due
 * polls take turns under one ceiling per second, so that however many PINs are watched, plex.tv sees at most
 * `pollsPerSecond` polls a second and every subscriber is still served, more slowly.
 */
export function createPinWatcher(options: PinWatcherOptions): PinWatcher {
  const { plex, intervalMs, maxPerAddress, backoffAfterMs, maxIntervals } = options;
  const signIns = options.signIns ?? legacyPinSignIns(plex);
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
      const pin = await signIns.poll(entry.id);
      const user = pin?.authToken ? await plex.currentUser(pin.authToken) : null;
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
