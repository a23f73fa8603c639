import type { Plugin } from 'graphql-yoga';

/**
 * GET /health answers 200 `{"status":"ok"}` while the server takes traffic and 503 `{"status":"draining"}` from the
 * moment it starts draining (SIGTERM), while it still serves everything else: load balancers and orchestrators take
 * the instance out before it stops accepting. Yoga's own health check answers first (it runs before any plugin, with
 * an empty body); this replaces its answer.
 */
export function useDrainingHealth(path: string, isDraining: () => boolean): Plugin {
  return {
    onResponse({ request, setResponse }) {
      if (new URL(request.url).pathname !== path) return;
      const draining = isDraining();
      setResponse(Response.json({ status: draining ? 'draining' : 'ok' }, { status: draining ? 503 : 200, headers: { 'cache-control': 'no-store' } }));
    },
  };
}
