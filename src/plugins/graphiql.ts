import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * GraphiQL with its JavaScript, CSS, Monaco workers and icon inlined in the page (from @graphql-yoga/render-graphiql),
 * so it works without reaching a CDN: offline, air-gapped, or behind a strict egress policy. Yoga's built-in page
 * loads everything from unpkg.com instead.
 *
 * The page is about 9 MB; it is rendered once (per set of options) rather than on every GET. The module holding the
 * assets (~30 MB of heap once loaded) is imported on the first GraphiQL request, so a server that never serves the
 * page (production default) never loads it.
 */
export function offlineGraphiQL(): (options: GraphiQLOptions) => Promise<string> {
  let last: { key: string; html: Promise<string> } | undefined;
  return (options) => {
    const key = JSON.stringify(options ?? {});
    if (last?.key !== key) {
      const html = import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options));
      last = { key, html };
      // A failed import is retried on the next request rather than cached.
      html.catch(() => {
        if (last?.html === html) last = undefined;
      });
    }
    return last.html;
  };
}
