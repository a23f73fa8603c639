import { getOperationAST, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import type { Logger } from '../observability/logger.js';
import { operationResult } from '../observability/metrics.js';
import { requestLogger } from '../observability/request-logger.js';

/**
 * One `operation` line per GraphQL operation, at info: its name, duration, plex.tv calls and result (error code or
 * result type). Never documents or variables.
 */
export function useOperationLog(logger: Logger): Plugin<Context> {
  const started = new WeakMap<Request, number>();
  return {
    onRequest({ request }) {
      started.set(request, performance.now());
    },
    onExecute({ args }) {
      const { request, upstream } = args.contextValue;
      const operationName = getOperationAST(args.document, args.operationName)?.name?.value.slice(0, 100) ?? null;
      const write = (result: ExecutionResult) => {
        if (!logger.isLevelEnabled('info')) return;
        const start = started.get(request);
        requestLogger(logger, request).info(
          {
            operationName,
            durationMs: start === undefined ? undefined : Math.round((performance.now() - start) * 100) / 100,
            upstream: upstream.map((call) => ({ endpoint: call.endpoint, status: call.status, durationMs: Math.round(call.durationMs * 100) / 100 })),
            result: operationResult(result),
          },
          'operation',
        );
      };
      return {
        onExecuteDone({ result }) {
          // This schema has no @defer/@stream: an executed query or mutation has one result.
          if (!(Symbol.asyncIterator in result)) write(result);
        },
      };
    },
  };
}
