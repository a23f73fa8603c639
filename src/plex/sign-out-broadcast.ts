import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';
import type { RedisConnection } from '../security/redis.js';
import { onSignOut, tokenDigest } from './sign-out-events.js';

/** The channel, under REDIS_KEY_PREFIX, that carries the digests of signed-out tokens. */
export function signOutChannel(keyPrefix: string): string {
  return `${keyPrefix}sign-out`;
}

const DIGEST = /^[A-Za-z0-9_-]{43}$/;

export interface SignOutBroadcastOptions {
  /** The instance's Redis connection: sign-outs are published on it; the subscriber is a second connection like it. */
  readonly redis: RedisConnection;
  readonly logger: Logger;
  /**
   * Told the `tokenDigest` of every token signed out through any instance (this one included). Absent: this instance
   * keeps nothing per token, so it only publishes and never subscribes.
   */
  readonly onSignedOut?: (digest: string) => void;
  /**
   * Told each time the subscription is (re)established: sign-outs published while it was down were missed, so whatever
   * was kept per token must be forgotten.
   */
  readonly onResubscribed?: () => void;
}

export interface SignOutBroadcast {
  /** True while this instance hears every other instance's sign-outs (always true when it does not subscribe). */
  isListening(): boolean;
  close(): Promise<void>;
}

/**
 * Sign-out everywhere: every token signed out through this process (`notifySignOut`) is published, as its SHA-256
 * digest, on a Redis pub/sub channel under REDIS_KEY_PREFIX, and every instance that subscribes drops its per-token
 * state for that digest. The signOut mutation waits for the publish, and Redis sends the message to the subscribers
 * before it answers the publish, so another instance hears of the sign-out before any later request of the client can
 * reach it. Redis unreachable: the publish fails fast and is logged; the other instances' caches then keep the account
 * for at most VIEWER_CACHE_TTL_MS, and each clears its cache when its subscription comes back.
 */
export function createSignOutBroadcast(options: SignOutBroadcastOptions): SignOutBroadcast {
  const { redis, logger, onSignedOut, onResubscribed } = options;
  const channel = signOutChannel(redis.keyPrefix);

  const stopPublishing = onSignOut(async (token) => {
    try {
      await redis.client.publish(channel, tokenDigest(token));
    } catch (error) {
      logger.warn(
        { redis: { problem: (error as Error).message.slice(0, 100) } },
        'sign-out not shared with the other instances (Redis unreachable): their cached accounts for the token expire within VIEWER_CACHE_TTL_MS',
      );
    }
  });

  let subscriber: Redis | undefined;
  let listening = false;
  if (onSignedOut) {
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
    });
    sub.on('ready', () => {
      sub.subscribe(channel).then(
        () => {
          listening = true;
          onResubscribed?.();
          logger.info('listening for sign-outs through every instance');
        },
        () => {
          // The connection dropped again; the next 'ready' retries.
        },
      );
    });
    sub.on('message', (from: string, digest: string) => {
      if (from === channel && DIGEST.test(digest)) onSignedOut(digest);
    });
  }

  return {
    isListening: () => subscriber === undefined || listening,
    async close() {
      stopPublishing();
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
