import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { RedisConnection } from '../redis.js';
import { ABUSE_LIMITS } from '../security/limits.js';

/**
 * Refresh-token rotation with reuse detection (RFC 9700 §4.14.2, the OAuth security BCP). Each sign-in's device is a
 * chain; every refresh token carries the chain (the device's client identifier) and its generation, and every refresh
 * hands out the next generation. The chain's state (current generation, when it last rotated, revoked) lives in Redis
 * when there is a connection, so that every instance agrees, else in this process's memory.
 */
/** What a refresh token says about its place in its chain (sealed with the device, so it cannot be altered). */
export interface ChainPosition {
  /** The chain: the device's client identifier. */
  readonly chain: string;
  readonly generation: number;
  /** When this token was issued (ms). */
  readonly issuedAt: number;
  /** When the chain's sign-in happened (ms). */
  readonly signedInAt: number;
}

export type RefreshCheck =
  /** Go ahead; the new token gets `generation`. */
  | { readonly ok: true; readonly generation: number }
  /** Expired, revoked, or a reuse (which has now revoked the chain). */
  | { readonly ok: false; readonly reason: 'expired' | 'revoked' | 'reused' };

interface ChainState {
  readonly generation: number;
  readonly rotatedAt: number;
  readonly revoked: boolean;
}

export interface RefreshChains {
  /** Whether a refresh with this token may go ahead; a reuse outside the grace window revokes the chain. */
  check(position: ChainPosition): Promise<RefreshCheck>;
  /** After a successful refresh: the chain moves on to `generation` (unless another refresh moved it already). */
  commit(chain: string, generation: number): Promise<void>;
  /** Ends the chain (sign-out): its refresh tokens are refused from now on, on every instance. */
  revoke(chain: string): Promise<void>;
}

export interface RefreshChainsOptions {
  readonly redis: RedisConnection | undefined;
  readonly now: () => number;
}

// Atomic in Redis: move the chain on to generation ARGV[1] unless it is revoked or already there.
const COMMIT_SCRIPT = `
local state = redis.call('GET', KEYS[1])
if state then
  local decoded = cjson.decode(state)
  if decoded.revoked or decoded.generation >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`;

export function createRefreshChains({ redis, now }: RefreshChainsOptions): RefreshChains {
  const { refreshGraceMs: graceMs, refreshIdleMs: idleMs, refreshAbsoluteMs: absoluteMs } = ABUSE_LIMITS;
  // Bounded like every per-client structure; an entry is forgotten at the latest when its chain would expire anyway.
  const local = new LRUCache<string, ChainState>({ max: 100_000, ttl: absoluteMs, ttlAutopurge: false });
  const keyOf = (chain: string) => `refresh-chain:${createHash('sha256').update(chain).digest('base64url').slice(0, 32)}`;
  const shared = () => redis?.client.status === 'ready';

  async function read(chain: string): Promise<ChainState | undefined> {
    if (shared()) {
      try {
        const text = await redis!.client.get(`${redis!.keyPrefix}${keyOf(chain)}`);
        if (text !== null) return JSON.parse(text) as ChainState;
      } catch {
        // Unreachable: this instance's memory answers.
      }
    }
    return local.get(keyOf(chain));
  }

  async function write(chain: string, state: ChainState): Promise<void> {
    local.set(keyOf(chain), state);
    if (shared()) await redis!.client.set(`${redis!.keyPrefix}${keyOf(chain)}`, JSON.stringify(state), 'PX', absoluteMs).catch(() => {});
  }

  return {
    async check(position) {
      const at = now();
      if (at - position.issuedAt > idleMs || at - position.signedInAt > absoluteMs) return { ok: false, reason: 'expired' };
      const state = await read(position.chain);
      if (state?.revoked) return { ok: false, reason: 'revoked' };
      // No state (never refreshed, or forgotten) or a state behind the token: the token is the newest there is.
      if (state === undefined || position.generation >= state.generation) return { ok: true, generation: position.generation + 1 };
      // A tab that refreshed a moment after another one: it gets a token of the current generation too.
      if (position.generation === state.generation - 1 && at - state.rotatedAt <= graceMs) return { ok: true, generation: state.generation };
      // An older token used again: someone else holds a copy. End the chain, for them and for the legitimate holder.
      await write(position.chain, { ...state, revoked: true });
      return { ok: false, reason: 'reused' };
    },

    async commit(chain, generation) {
      const state: ChainState = { generation, rotatedAt: now(), revoked: false };
      const before = local.get(keyOf(chain));
      if (!before?.revoked && (before?.generation ?? -1) < generation) local.set(keyOf(chain), state);
      if (!shared()) return;
      await redis!.client
        .eval(COMMIT_SCRIPT, 1, `${redis!.keyPrefix}${keyOf(chain)}`, String(generation), JSON.stringify(state), String(absoluteMs))
        .catch(() => {});
    },

    revoke: (chain) => write(chain, { generation: Number.MAX_SAFE_INTEGER, rotatedAt: now(), revoked: true }),
  };
}
