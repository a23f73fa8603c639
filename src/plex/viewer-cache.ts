import { createHmac, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { PlexUser } from './schemas.js';
import { tokenDigest } from './sign-outs.js';

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
 * stays usable here for at most `ttlMs`. A sign-out through this instance drops it at once; one through another
 * instance does too when the instances share Redis (sign-outs.ts calls `dropDigest`). Only answers plex.tv
 * gave with 200 are kept; errors, UNAUTHENTICATED included, never are.
 */
export class ViewerCache {
  readonly ttlMs: number;
  // lru-cache's fetchMethod shares one GET /user between concurrent lookups of a token; a delete (sign-out) aborts
  // a call in flight so that its answer is never stored.
  private readonly entries: LRUCache<string, PlexUser, () => Promise<PlexUser>>;
  // A per-process secret: the keys reveal nothing about the tokens, even to someone holding a heap snapshot and a
  // list of candidate tokens.
  private readonly secret = randomBytes(32);
  private readonly onLookup: ((result: ViewerCacheLookup) => void) | undefined;

  constructor(options: ViewerCacheOptions) {
    if (!(options.ttlMs > 0)) throw new RangeError('ttlMs must be positive');
    this.ttlMs = options.ttlMs;
    this.onLookup = options.onLookup;
    this.entries = new LRUCache<string, PlexUser, () => Promise<PlexUser>>({
      max: options.maxEntries,
      ttl: options.ttlMs,
      fetchMethod: (_key, _stale, { context }) => context(),
    });
  }

  /** The cache key of a token: a keyed SHA-256 (HMAC) of its digest, never the token itself. */
  keyOf(token: string): string {
    return this.keyOfDigest(tokenDigest(token));
  }

  private keyOfDigest(digest: string): string {
    return createHmac('sha256', this.secret).update(digest).digest('base64url');
  }

  /** The cached account of `token`, or the result of `fetch`, kept only when it succeeds and no sign-out intervened. */
  async load(token: string, fetch: () => Promise<PlexUser>): Promise<PlexUser> {
    let own: Promise<PlexUser> | undefined;
    const status: LRUCache.Status<string, PlexUser> = {};
    try {
      const user = await this.entries.fetch(this.keyOf(token), { context: () => (own = fetch()), status });
      this.onLookup?.(status.fetch === 'hit' ? 'hit' : status.fetch === 'inflight' ? 'shared' : 'miss');
      return user!;
    } catch (error) {
      // Signed out while the call was in flight: the cache keeps nothing, the caller still gets plex.tv's answer.
      if (status.fetchAborted) return own ?? fetch();
      throw error;
    }
  }

  /** Keeps the account plex.tv returned with a fresh token (a successful sign-in). */
  remember(token: string, user: PlexUser): void {
    this.entries.set(this.keyOf(token), user);
  }

  /** Forgets the token whose `tokenDigest` this is (a call in flight for it included): it was signed out. */
  dropDigest(digest: string): void {
    this.entries.delete(this.keyOfDigest(digest));
  }

  /** Forgets every token (calls in flight included): sign-outs may have been missed. */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

}

/** The cache `config.viewerCache` asks for, or null when it is off (TTL 0). */
export function createViewerCache(
  config: { readonly ttlMs: number; readonly maxEntries: number },
  onLookup?: (result: ViewerCacheLookup) => void,
): ViewerCache | null {
  return config.ttlMs > 0 ? new ViewerCache({ ...config, ...(onLookup && { onLookup }) }) : null;
}
