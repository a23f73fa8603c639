import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';

const REQUEST_ID = /^[\w.:-]{1,64}$/;

const scope = new AsyncLocalStorage<{ readonly id: string }>();
const ids = new WeakMap<Request, string>();

/** The request's id: the caller's `x-request-id` when it is a sane token, a fresh UUID otherwise. Stable per request. */
export function requestIdOf(request: Request): string {
  let id = ids.get(request);
  if (id === undefined) {
    const incoming = request.headers.get('x-request-id');
    id = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ids.set(request, id);
  }
  return id;
}

/** The id of the request being served by the current async context, if any (read by the logger for every line). */
export function currentRequestId(): string | undefined {
  return scope.getStore()?.id;
}

export interface RequestLogging {
  /** The logger for lines about this request: every line carries the request id. */
  forRequest(request: Request): Logger;
  /** Runs `serve` as the plugins run a request Yoga serves: for requests served outside Yoga (the fast route). */
  run<T>(request: Request, serve: () => T): T;
  readonly plugins: Plugin[];
}

/**
 * Puts the request id on every line written while a request is served. Decided once, from the level the logger has
 * when the server is created:
 * - debug and below: Yoga itself writes lines for every request, which only an async context can attribute, so each
 *   request runs in one (AsyncLocalStorage, read by the logger's mixin). That context makes every promise in the
 *   process slower, which only matters where the log volume already costs far more.
 * - info and above: the id is passed explicitly: `forRequest` builds a child logger the first time a request logs
 *   something, and nothing at all otherwise.
 */
export function createRequestLogging(logger: Logger): RequestLogging {
  if (logger.isLevelEnabled('debug')) {
    return {
      forRequest: () => logger,
      run: (request, serve) => scope.run({ id: requestIdOf(request) }, serve),
      plugins: [{ instrumentation: { request: ({ request }, wrapped) => scope.run({ id: requestIdOf(request) }, wrapped) } }],
    };
  }
  const loggers = new WeakMap<Request, Logger>();
  return {
    forRequest(request) {
      let child = loggers.get(request);
      if (child === undefined) {
        child = logger.child({ requestId: requestIdOf(request) });
        loggers.set(request, child);
      }
      return child;
    },
    run: (_request, serve) => serve(),
    plugins: [],
  };
}
