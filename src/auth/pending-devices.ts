import { LRUCache } from 'lru-cache';
import type { Logger } from '../observability/logger.js';
import type { RedisConnection } from '../redis.js';

/**
 * Where the device of a JWT-mode PIN sign-in waits between createSignInPin and the poll that sees the approval, keyed
 * by PIN id, for as long as the PIN lives. The value is the device sealed under AUTH_SEALING_KEY (sealDevice): its
 * private key is never stored in clear, here or in Redis.
 *
 * With REDIS_URL the devices live in Redis (the instance's one connection), so whichever instance a poll reaches can
 * finish the sign-in; while Redis is unreachable they go to (and are looked up in) this instance's memory, which the
 * log says. Without REDIS_URL they live in a bounded in-memory cache.
 */
export interface PendingDevices {
  /** Keeps the sealed device of a PIN until the PIN expires. */
  put(pinId: string, sealed: string, expiresAt: Date): Promise<void>;
  /** The sealed device of a PIN; null when unknown or expired. */
  get(pinId: string): Promise<string | null>;
}

export interface PendingDevicesOptions {
  /** REDIS_URL's connection; absent: memory only. */
  readonly redis: RedisConnection | undefined;
  readonly logger: Logger;
  readonly now: () => number;
}

// A PIN lives 15 minutes at plex.tv; nothing is kept longer than this whatever expiresAt says.
const MAX_TTL_MS = 60 * 60 * 1000;

export function createPendingDevices(options: PendingDevicesOptions): PendingDevices {
  const { logger, redis, now } = options;
  // The least recently used go first.
  const memory = new LRUCache<string, string>({ max: 10_000, ttl: MAX_TTL_MS });
  const keyOf = (pinId: string) => `${redis?.keyPrefix ?? ''}pending-device:${pinId}`;

  let degraded = false;
  const fellBack = (what: string, error: unknown) => {
    if (degraded) return;
    degraded = true;
    const code = (error as { code?: unknown } | null)?.code;
    logger.warn({ redis: { problem: typeof code === 'string' ? code : what } }, "Redis unavailable: pending PIN sign-ins are kept in this instance's memory");
  };

  return {
    async put(pinId, sealed, expiresAt) {
      const ttl = Math.min(expiresAt.getTime() - now(), MAX_TTL_MS);
      if (!(ttl > 0)) return;
      if (redis !== undefined) {
        try {
          await redis.client.set(keyOf(pinId), sealed, 'PX', Math.ceil(ttl));
          degraded = false;
          return;
        } catch (error) {
          fellBack('write failed', error);
        }
      }
      memory.set(pinId, sealed, { ttl });
    },

    async get(pinId) {
      if (redis !== undefined) {
        try {
          const sealed = await redis.client.get(keyOf(pinId));
          if (sealed !== null) return sealed;
        } catch (error) {
          fellBack('read failed', error);
        }
      }
      return memory.get(pinId) ?? null;
    },
  };
}
