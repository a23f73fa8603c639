import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

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

/** Runs the handling of each request inside a scope carrying its id, so every log line written meanwhile has it. */
export function useRequestScope(): Plugin {
  return {
    instrumentation: {
      request: ({ request }, wrapped) => scope.run({ id: requestIdOf(request) }, wrapped),
    },
  };
}
