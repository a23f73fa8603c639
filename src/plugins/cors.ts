import type { CORSOptions } from 'graphql-yoga';
import { CSRF_HEADERS } from './csrf.js';

/** CORS (Yoga's `cors` option): any origin without credentials by default; with CORS_ORIGINS, only those origins, with credentials. */
export function corsPolicy(origins: readonly string[]): (request: Request) => CORSOptions {
  const common = {
    methods: ['GET', 'POST'],
    allowedHeaders: ['content-type', 'accept', 'authorization', 'x-plex-token', 'x-request-id', ...CSRF_HEADERS],
    exposedHeaders: ['retry-after', 'x-request-id'],
    maxAge: 600,
  };
  if (origins.length === 0) {
    const open: CORSOptions = { ...common, origin: '*', credentials: false };
    return () => open;
  }
  const allowed = new Set(origins);
  return (request) => {
    const origin = request.headers.get('origin');
    // No CORS headers at all for other origins: the browser refuses to hand them the response.
    return origin !== null && allowed.has(origin) ? { ...common, origin: [origin], credentials: true } : (false as unknown as CORSOptions);
  };
}
