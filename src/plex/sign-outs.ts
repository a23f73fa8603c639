import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';
import type { RedisConnection } from '../redis.js';
import type { ViewerCache } from './viewer-cache.js';

/** What names a signed-out token between instances: its SHA-256, never the token. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

const DIGEST = /^[A-Za-z0-9_-]{43}$/;

export interface SignOuts {
  /** Drops what this instance keeps for the token and tells the other instances; resolves once they have been told. */
  signedOut(token: string): Promise<void>;
  close(): Promise<void>;
}

export interface SignOutsOptions {
  /** REDIS_URL's connection: sign-outs are published on it; the subscriber is a second connection like it. */
  readonly redis: RedisConnection | undefined;
  readonly logger: Logger;
  /** What this instance keeps per token; null: nothing, so it only publishes and never subscribes. */
  readonly viewerCache: ViewerCache | null;
}

/**
 * The sign-outs of one server instance. A sign-out drops the token from this instance's viewer cache and is published,
 * as the token's SHA-256 digest, on `<REDIS_KEY_PREFIX>sign-out`; every instance with a viewer cache subscribes and drops
 * the digest (its own echo excepted). The signOut mutation waits for the publish, and Redis sends the message to the
 * subscribers before it answers the publish. Redis unreachable: the publish fails fast and is logged; the other
 * instances' caches then keep the account for at most VIEWER_CACHE_TTL_MS, and each clears its cache when its
 * subscription comes back.
 */
export function createSignOuts(options: SignOutsOptions): SignOuts {
  const { redis, logger, viewerCache } = options;
  const channel = `${redis?.keyPrefix ?? ''}sign-out`;
  // Digests this instance published and has not heard back yet: its own echo drops nothing twice.
  const published = new Set<string>();
  let subscriber: Redis | undefined;
  let listening = false;
  if (redis !== undefined && viewerCache !== null) {
    // A connection of its own (a subscribed connection runs no other commands), which queues the SUBSCRIBE until it
    // is connected and resubscribes here, after each reconnect, so that the cache is cleared only once it listens again.
    const sub = redis.client.duplicate({ enableOfflineQueue: true, autoResubscribe: false, maxRetriesPerRequest: null, commandTimeout: undefined });
    subscriber = sub;
    sub.on('error', () => {
      // Reported by the command connection, which fails the same way at the same time.
    });
    sub.on('close', () => {
      if (listening) logger.warn('Redis unreachable: sign-outs through other instances are not heard until it is back');
      listening = false;
      published.clear();
    });
    sub.on('ready', () => {
      sub.subscribe(channel).then(
        () => {
          listening = true;
          viewerCache.clear();
          logger.info('listening for sign-outs through every instance');
        },
        () => {
          // The connection dropped again; the next 'ready' retries.
        },
      );
    });
    sub.on('message', (from: string, digest: string) => {
      if (from === channel && DIGEST.test(digest) && !published.delete(digest)) viewerCache.dropDigest(digest);
    });
  }

  return {
    async signedOut(token) {
      const digest = tokenDigest(token);
      viewerCache?.dropDigest(digest);
      if (redis === undefined) return;
      if (listening) published.add(digest);
      try {
        await redis.client.publish(channel, digest);
      } catch (error) {
        published.delete(digest);
        logger.warn(
          { redis: { problem: (error as Error).message.slice(0, 100) } },
          'sign-out not shared with the other instances (Redis unreachable): their cached accounts for the token expire within VIEWER_CACHE_TTL_MS',
        );
      }
    },

    async close() {
      if (subscriber === undefined) return;
      const sub = subscriber;
      sub.removeAllListeners('close');
      sub.removeAllListeners('ready');
      try {
        if (sub.status === 'ready') await sub.quit();
        else sub.disconnect();
      } catch {
        sub.disconnect();
      }
    },
  };
}
