import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { Plugin } from 'graphql-yoga';
import { csrfRejected } from '../errors.js';

/** Any of these headers proves the browser sent a CORS preflight (a cross-site page cannot set them without one). */
export const CSRF_HEADERS = ['x-graphql-csrf', 'x-graphql-yoga-csrf', 'apollo-require-preflight', 'graphql-preflight'];

/**
 * Rejects (403, CSRF_REJECTED) a POST that a cross-site form could send without a preflight: content type
 * application/x-www-form-urlencoded, multipart/form-data, text/plain or none, and no preflight header. Runs before
 * the body is parsed, so nothing executes. GET is left alone: it can only run queries (mutations over GET are a 405)
 * and tokens only come from headers, which a cross-site page cannot set.
 */
export function useCsrfProtection(): Plugin {
  const yogaCsrf = useCSRFPrevention({ requestHeaders: CSRF_HEADERS });
  const check = yogaCsrf.onRequestParse!;
  return {
    onRequestParse(payload) {
      const method = payload.request.method;
      if (method === 'GET' || method === 'HEAD') return;
      try {
        return check(payload as Parameters<typeof check>[0]);
      } catch {
        throw csrfRejected();
      }
    },
  };
}
