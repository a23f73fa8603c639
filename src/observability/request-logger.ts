import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';

const REQUEST_ID = /^[\w.:-]{1,64}$/;

const ids = new WeakMap<Request, string>();
const loggers = new WeakMap<Request, Logger>();

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

/** The logger for lines about one request: a pino child carrying its id, built the first time the request logs. */
export function requestLogger(logger: Logger, request: Request): Logger {
  let child = loggers.get(request);
  if (child === undefined) {
    child = logger.child({ requestId: requestIdOf(request) });
    loggers.set(request, child);
  }
  return child;
}
