import { createHash } from 'node:crypto';

/**
 * Per-token state outside a request (sign-in throttles, viewer caches, ...) registers here to be dropped when the
 * token is signed out. The registry is process-wide: dropping a signed-out token's entries everywhere is always right,
 * and it lets modules register without threading an object through the server.
 */
export type SignOutListener = (token: string) => void | Promise<void>;

const listeners = new Set<SignOutListener>();

/** Calls `listener` with every token signed out through this process. Returns the function that unregisters it. */
export function onSignOut(listener: SignOutListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** Runs every listener; one failing does not stop the others. Resolves with the failures, for logging. */
export async function notifySignOut(token: string): Promise<unknown[]> {
  const results = await Promise.allSettled([...listeners].map(async (listener) => listener(token)));
  return results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
}

/**
 * What names a signed-out token between instances (see sign-out-broadcast.ts): its SHA-256, never the token. Per-token
 * state that other instances must be able to drop is keyed by something derived from this digest.
 */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
