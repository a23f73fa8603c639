import type { Plugin } from 'graphql-yoga';

/**
 * GET /health answers 200 while the server takes traffic and 503 from the moment it starts draining (SIGTERM), while it
 * still serves everything else: load balancers and orchestrators take the instance out before it stops accepting.
 * Yoga's own health check answers first (it runs before any plugin); this replaces its answer while draining.
 */
export function useDrainingHealth(path: string, isDraining: () => boolean): Plugin {
  return {
    onResponse({ request, setResponse }) {
      if (!isDraining() || new URL(request.url).pathname !== path) return;
      setResponse(
        new Response('draining\n', {
          status: 503,
          headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
        }),
      );
    },
  };
}
