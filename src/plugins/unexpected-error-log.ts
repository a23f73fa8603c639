import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import type { Logger } from '../observability/logger.js';
import { requestLogger } from '../observability/request-logger.js';

/**
 * Logs an unexpected error (one Yoga masks as "Unexpected error.") once, with its request id, at any log level. It
 * runs before Yoga's masking, which would log the same error again without the id: `logged` remembers the originals
 * so that the server's Yoga logging adapter skips them.
 */
export function useUnexpectedErrorLog(logger: Logger, logged: WeakSet<object>): Plugin<Context> {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result }) {
          if (!('errors' in result) || !result.errors) return;
          for (const error of result.errors) {
            const original = error.originalError;
            if (!original || original.name === 'GraphQLError' || logged.has(original)) continue;
            logged.add(original);
            requestLogger(logger, args.contextValue.request).error({ err: original, path: error.path }, 'unexpected error');
          }
        },
      };
    },
  };
}
