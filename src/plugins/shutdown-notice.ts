import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import { shuttingDown } from '../errors.js';

/**
 * When the server closes (`closing` aborts), every open subscription gets one last event, an error with code
 * SHUTTING_DOWN that tells the client to subscribe again (another instance carries on), and completes. A subscription
 * started after that gets only that event. Without this, a stream would just end, and a client could not tell a
 * restart from a result.
 */
export function useShutdownNotice(closing: AbortSignal): Plugin {
  const open = new Set<() => void>();
  closing.addEventListener('abort', () => {
    for (const stop of open) stop();
    open.clear();
  }, { once: true });

  function untilClosing(source: AsyncIterable<ExecutionResult>): AsyncIterableIterator<ExecutionResult> {
    const iterator = source[Symbol.asyncIterator]();
    let finished = false;
    let stop!: () => void;
    const stopped = new Promise<'closing'>((resolve) => {
      stop = () => resolve('closing');
    });
    if (closing.aborted) stop();
    else open.add(stop);
    const finish = () => {
      if (finished) return;
      finished = true;
      open.delete(stop);
      // Not awaited: the last event must not wait for the source to wind down.
      void Promise.resolve(iterator.return?.()).catch(() => {});
    };
    // A hand-written iterator rather than an async generator: a generator suspended in an await would hold a client's
    // disconnect (return()) until the source's next event, and keep its PIN watched meanwhile.
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next() {
        if (finished) return { done: true, value: undefined };
        const next = await Promise.race([iterator.next(), stopped]);
        if (next === 'closing') {
          finish();
          return { done: false, value: { errors: [shuttingDown()] } };
        }
        if (next.done) {
          finished = true;
          open.delete(stop);
        }
        return next;
      },
      async return() {
        finish();
        return { done: true, value: undefined };
      },
      async throw(error: unknown) {
        finish();
        throw error;
      },
    };
  }

  return {
    onSubscribe() {
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) setResult(untilClosing(result));
        },
      };
    },
  };
}
