import { createHmac, randomBytes } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import type { PlexUser } from './plex/schemas.js';
import { onSignOut } from './session-state.js';

export interface ViewerCacheOptions {
  /** How long plex.tv's answer for a token is reused. Must be positive; a disabled cache is not built at all. */
  readonly ttlMs: number;
  /** Least recently used entries are evicted beyond this count, so memory stays bounded whatever the traffic. */
  readonly maxEntries: number;
  /** Told how each lookup was answered: from the cache, by joining a call in flight, or by a new plex.tv call. */
  readonly onLookup?: (result: ViewerCacheLookup) => void;
}

export type ViewerCacheLookup = 'hit' | 'shared' | 'miss';

/**
 * The account behind a token, remembered for a few seconds so that a frontend refetching `viewer` does not cost a
 * GET /user each time. Per process: every instance keeps its own, and a token revoked at plex.tv by another client
 * stays usable here for at most `ttlMs` (a sign-out through this process drops it at once). Only answers plex.tv gave
 * with 200 are kept; errors, UNAUTHENTICATED included, never are.
 */
export class ViewerCache {
  readonly ttlMs: number;
  private readonly entries: LRUCache<string, PlexUser>;
  /** GET /user calls in flight, so that concurrent requests with one token share a single upstream call. */
  private readonly pending = new Map<string, Promise<PlexUser>>();
  // A per-process secret: the keys reveal nothing about the tokens, even to someone holding a heap snapshot and a
  // list of candidate tokens.
  private readonly secret = randomBytes(32);
  private readonly stopListening: () => void;
  private readonly onLookup: ((result: ViewerCacheLookup) => void) | undefined;

  constructor(options: ViewerCacheOptions) {
    if (!(options.ttlMs > 0)) throw new RangeError('ttlMs must be positive');
    this.ttlMs = options.ttlMs;
    this.onLookup = options.onLookup;
    this.entries = new LRUCache<string, PlexUser>({ max: options.maxEntries, ttl: options.ttlMs, ttlAutopurge: false });
    this.stopListening = onSignOut((token) => this.drop(token));
  }

  /** The cache key of a token: a keyed SHA-256 (HMAC), never the token itself. */
  keyOf(token: string): string {
    return createHmac('sha256', this.secret).update(token).digest('base64url');
  }

  /** The cached account of `token`, or the result of `fetch`, kept only when it succeeds and no sign-out intervened. */
  load(token: string, fetch: () => Promise<PlexUser>): Promise<PlexUser> {
    const key = this.keyOf(token);
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.onLookup?.('hit');
      return Promise.resolve(hit);
    }
    const inFlight = this.pending.get(key);
    if (inFlight !== undefined) {
      this.onLookup?.('shared');
      return inFlight;
    }
    this.onLookup?.('miss');
    const call: Promise<PlexUser> = fetch().then(
      (user) => {
        // A sign-out while the call was in flight removed it from `pending`: its answer must not be kept.
        if (this.pending.get(key) === call) {
          this.pending.delete(key);
          this.entries.set(key, user);
        }
        return user;
      },
      (error: unknown) => {
        if (this.pending.get(key) === call) this.pending.delete(key);
        throw error;
      },
    );
    this.pending.set(key, call);
    return call;
  }

  /** Keeps the account plex.tv returned with a fresh token (a successful sign-in). */
  remember(token: string, user: PlexUser): void {
    this.entries.set(this.keyOf(token), user);
  }

  /** Forgets `token`, including a call in flight for it. */
  drop(token: string): void {
    const key = this.keyOf(token);
    this.entries.delete(key);
    this.pending.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Empties the cache and stops listening for sign-outs. */
  dispose(): void {
    this.stopListening();
    this.entries.clear();
    this.pending.clear();
  }
}

/** The cache `config.viewerCache` asks for, or null when it is off (TTL 0). */
export function createViewerCache(
  config: { readonly ttlMs: number; readonly maxEntries: number },
  onLookup?: (result: ViewerCacheLookup) => void,
): ViewerCache | null {
  return config.ttlMs > 0 ? new ViewerCache({ ...config, ...(onLookup && { onLookup }) }) : null;
}

/** Stops the cache listening for sign-outs when the server is disposed (tests build many servers in one process). */
export function useViewerCache(cache: ViewerCache | null): Plugin {
  return cache ? { onDispose: () => cache.dispose() } : {};
}
