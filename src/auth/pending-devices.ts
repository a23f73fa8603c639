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
  /** Keeps the sealed device of a PIN until the PIN expires. `owner`: the client address that created the PIN. */
  put(pinId: string, sealed: string, expiresAt: Date, owner?: string): Promise<void>;
  /** The sealed device of a PIN; null when unknown or expired. */
  get(pinId: string): Promise<string | null>;
}

export interface PendingDevicesOptions {
  /** REDIS_URL's connection; absent: memory only. */
  readonly redis: RedisConnection | undefined;
  readonly logger: Logger;
  readonly now: () => number;
  /** Without Redis: the PINs one address keeps, and how many addresses are kept (tests make them small). */
  readonly perAddress?: number;
  readonly addresses?: number;
}

/**
 * In memory, shared fairly: each client address keeps its own most recent `perAddress` devices, so one address's PINs
 * can only push out its own; addresses are dropped least recently active first, beyond `addresses`.
 */
function fairMemory(perAddress: number, addresses: number) {
  // Which address holds each PIN's device: entries leave with the device (expired, or pushed out by the same address).
  const ownerOf = new Map<string, string>();
  const owners = new LRUCache<string, LRUCache<string, string>>({ max: addresses, dispose: (own) => own.clear() });
  return {
    set(pinId: string, sealed: string, ttl: number, owner: string) {
      let own = owners.get(owner);
      if (own === undefined) {
        own = new LRUCache<string, string>({ max: perAddress, ttl: MAX_TTL_MS, dispose: (_sealed, id) => ownerOf.delete(id) });
        owners.set(owner, own);
      }
      own.set(pinId, sealed, { ttl });
      ownerOf.set(pinId, owner);
    },
    get(pinId: string): string | undefined {
      const owner = ownerOf.get(pinId);
      return owner === undefined ? undefined : owners.get(owner)?.get(pinId);
    },
  };
}

// A PIN lives 15 minutes at plex.tv; nothing is kept longer than this whatever expiresAt says.
const MAX_TTL_MS = 60 * 60 * 1000;

export function createPendingDevices(options: PendingDevicesOptions): PendingDevices {
  const { logger, redis, now } = options;
  const memory = fairMemory(options.perAddress ?? 10, options.addresses ?? 10_000);
  const keyOf = (pinId: string) => `${redis?.keyPrefix ?? ''}pending-device:${pinId}`;

  let degraded = false;
  const fellBack = (what: string, error: unknown) => {
    if (degraded) return;
    degraded = true;
    const code = (error as { code?: unknown } | null)?.code;
    logger.warn({ redis: { problem: typeof code === 'string' ? code : what } }, "Redis unavailable: pending PIN sign-ins are kept in this instance's memory");
  };

  return {
    async put(pinId, sealed, expiresAt, owner = 'unknown') {
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
      memory.set(pinId, sealed, ttl, owner);
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
