import { timingSafeEqual } from 'node:crypto';
import { Repeater } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import { rateLimited, upstreamUnavailable } from '../errors.js';
import type { PlexClient } from './client.js';
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

function retryAfterMs(error: unknown): number {
  const seconds = (error as GraphQLError | undefined)?.extensions?.['retryAfterSeconds'];
  return typeof seconds === 'number' ? seconds * 1000 : 0;
}

function tooManyWatched(intervalMs: number): GraphQLError {
  return rateLimited(Math.max(1, Math.ceil(intervalMs / 1000)), 'Too many sign-in PINs are being watched right now: poll Query.signInPin instead, or retry later.');
}

/** One poller per PIN id, shared by every subscriber of that id (in jwt mode, polling with that PIN's device). */
export function createPinWatcher(options: PinWatcherOptions): PinWatcher {
  const { plex, intervalMs, maxWatched } = options;
  const signIns = options.signIns ?? legacyPinSignIns(plex);
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
    if (closed || entry.subscribers.size === 0) {
      forget(entry);
      return;
    }
    entry.timer = setTimeout(() => void poll(entry), delayMs);
    entry.timer.unref?.();
  }

  async function poll(entry: Watched): Promise<void> {
    entry.timer = undefined;
    entry.polling = true;
    let delayMs = intervalMs;
    try {
      const pin = await signIns.poll(entry.id);
      const user = pin?.authToken ? await plex.currentUser(pin.authToken) : null;
      entry.failures = 0;
      entry.last = { pin, user };
      await Promise.all([...entry.subscribers].map((subscriber) => deliver(entry, subscriber)));
    } catch (error) {
      entry.failures += 1;
      if (entry.failures >= maxFailures) {
        for (const subscriber of entry.subscribers) subscriber.stop(error);
        entry.subscribers.clear();
      }
      delayMs = Math.max(intervalMs, retryAfterMs(error));
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
      if (!watched.has(id) && watched.size >= maxWatched) {
        throw tooManyWatched(intervalMs);
      }
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
