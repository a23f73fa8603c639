import type { Plugin } from 'graphql-yoga';

/** `Cache-Control: no-store` on every GraphQL response: they carry tokens and account data no cache may keep. */
export function useNoStore(endpoint: string): Plugin {
  return {
    onResponse({ request, response }) {
      if (new URL(request.url).pathname === endpoint) response.headers.set('cache-control', 'no-store');
    },
  };
}
