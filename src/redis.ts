import { Redis } from 'ioredis';
import type { Logger } from './observability/logger.js';

/** The Redis connection (REDIS_URL) an instance shares state through: throttle counters, sign-out events. */
export interface RedisConnection {
  readonly client: Redis;
  /** Prefix of every key and channel (REDIS_KEY_PREFIX). */
  readonly keyPrefix: string;
  close(): Promise<void>;
}

/**
 * Connects to Redis and keeps reconnecting (every 2 s at most) for as long as the process runs. Commands fail fast
 * while it is unreachable, so that callers fall back at once instead of queueing; each change between shared and local
 * is logged once and reported to `onShared`.
 */
export function connectRedis(url: string, keyPrefix: string, logger: Logger, onShared?: (shared: boolean) => void): RedisConnection {
  const client = new Redis(url, {
    // Fail fast so that the insurance limiter answers instead of a queue that waits for Redis.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 500,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  let state: 'connecting' | 'shared' | 'local' = 'connecting';
  const fallBack = (reason: string) => {
    if (state === 'local') return;
    state = 'local';
    onShared?.(false);
    logger.warn({ redis: { problem: reason } }, 'Redis unreachable: throttle counters fall back to this instance\'s memory until it is back');
  };
  client.on('ready', () => {
    if (state !== 'shared') logger.info('Redis connected: throttle counters are shared by every instance');
    state = 'shared';
    onShared?.(true);
  });
  client.on('error', (error: Error & { code?: string }) => fallBack(error.code ?? error.message.slice(0, 100)));
  client.on('close', () => fallBack('connection closed'));
  return {
    client,
    keyPrefix,
    async close() {
      client.removeAllListeners('close');
      client.removeAllListeners('error');
      // Keep a listener so that errors during shutdown are not unhandled.
      client.on('error', () => {});
      try {
        if (client.status === 'ready') await client.quit();
        else client.disconnect();
      } catch {
        client.disconnect();
      }
    },
  };
}
