import type { Plugin } from 'graphql-yoga';
import { requestIdOf } from '../observability/request-logger.js';

/** Echoes the request id as `x-request-id` on every response, so a client can quote it when reporting a problem. */
export function useRequestIdHeader(): Plugin {
  return {
    onResponse({ request, response }) {
      response.headers.set('x-request-id', requestIdOf(request));
    },
  };
}
