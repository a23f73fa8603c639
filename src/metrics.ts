import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import { getOperationAST, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { Context } from './context.js';
import type { UpstreamCall } from './plex/client.js';

/** Where Prometheus scrapes. */
export const METRICS_PATH = '/metrics';

/** Seconds; from a few milliseconds (a cached answer) to past the longest plex.tv deadline worth waiting for. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface Metrics {
  /** This server's own registry: several servers in one process (tests, a gateway) never share series. */
  readonly registry: Registry;
  readonly plugins: Plugin<Context>[];
  /** Pass as the plex client's `onCall`: every plex.tv call, including those of background pollers. */
  readonly observePlexCall: (call: UpstreamCall) => void;
  /** Pass to the viewer cache: viewer_cache_lookups_total{result}. */
  readonly observeViewerCacheLookup: (result: 'hit' | 'shared' | 'miss') => void;
  /** For requests served outside Yoga's HTTP pipeline (the fast route): what the plugins' onRequest would record. */
  readonly requestStarted: (request: Request) => void;
  /** For requests served outside Yoga's HTTP pipeline: graphql_yoga_http_duration, as the plugin's onResponse. */
  readonly observeHttp: (labels: HttpLabels, seconds: number) => void;
}

export interface HttpLabels {
  readonly method: string;
  readonly statusCode: number;
  readonly operationName: string;
  readonly operationType: string;
}

/**
 * The result of an operation, as one low-cardinality label value: the first error's code when there is an error,
 * else the `__typename` of a union/object root result (e.g. SignInSuccess, InvalidCredentialsError), else OK.
 */
export function operationResult(result: ExecutionResult): string {
  const error = result.errors?.[0];
  if (error) {
    const code = error.extensions?.['code'];
    return typeof code === 'string' ? code : 'ERROR';
  }
  for (const value of Object.values(result.data ?? {})) {
    if (value && typeof value === 'object' && '__typename' in value && typeof value.__typename === 'string') return value.__typename;
  }
  return 'OK';
}

/**
 * Prometheus metrics for one server, served at GET /metrics:
 * - graphql_operations_total{operationName,operationType,result} and
 *   graphql_operation_duration_seconds{operationName,operationType,result} for every executed operation (a
 *   subscription counts once, when it ends, with the result of its last event);
 * - plex_request_duration_seconds{endpoint,status} for every plex.tv call, whether a request or a background poller
 *   made it (its _count is the number of calls; each retry is a call);
 * - from @graphql-yoga/plugin-prometheus: graphql_envelop_error_result (errors by phase, including parse and
 *   validation failures that never execute) and graphql_yoga_http_duration;
 * - graphql_envelop_deprecated_field{operationName,operationType,fieldName,typeName}, as the plugin names it;
 * - viewer_cache_lookups_total{result} (hit, shared, miss) when the viewer cache is on;
 * - prom-client's process metrics (CPU, memory, event-loop lag, GC), prefixed `process_` / `nodejs_`.
 */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const operations = new Counter({
    name: 'graphql_operations_total',
    help: 'GraphQL operations executed, by operation name, type and result (error code or result type).',
    labelNames: ['operationName', 'operationType', 'result'] as const,
    registers: [registry],
  });
  const operationDuration = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'Time from receiving a GraphQL request to the end of its execution, by operation name, type and result.',
    labelNames: ['operationName', 'operationType', 'result'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const plexDuration = new Histogram({
    name: 'plex_request_duration_seconds',
    help: 'plex.tv calls, by endpoint and HTTP status (or timeout / network-error).',
    labelNames: ['endpoint', 'status'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });

  // The series of a label set, looked up once: prom-client checks and hashes the labels on every call otherwise.
  const operationSeries = new LRUCache<string, { count: ReturnType<typeof operations.labels>; duration: ReturnType<typeof operationDuration.labels> }>({ max: 1_000 });
  function seriesOf(operationName: string, operationType: string, result: string) {
    const key = `${operationName}\n${operationType}\n${result}`;
    let found = operationSeries.get(key);
    if (found === undefined) {
      found = { count: operations.labels(operationName, operationType, result), duration: operationDuration.labels(operationName, operationType, result) };
      operationSeries.set(key, found);
    }
    return found;
  }
  // The operation labels of a (document, operation name), once per cached document.
  const operationLabels = new WeakMap<DocumentNode, Map<string, { operationName: string; operationType: string }>>();
  function labelsOf(document: DocumentNode, requested: string | null | undefined) {
    let byName = operationLabels.get(document);
    if (byName === undefined) {
      byName = new Map();
      operationLabels.set(document, byName);
    }
    let labels = byName.get(requested ?? '');
    if (labels === undefined) {
      const operation = getOperationAST(document, requested);
      labels = {
        // Names come from clients: cap them so one client cannot make an unbounded label value.
        operationName: operation?.name?.value.slice(0, 100) ?? 'Anonymous',
        operationType: operation?.operation ?? 'unknown',
      };
      // Names a document does not hold are not remembered: they would grow the map without bound.
      if (operation) byName.set(requested ?? '', labels);
    }
    return labels;
  }

  const started = new WeakMap<Request, number>();
  function observe(args: { document: DocumentNode; operationName?: string | null | undefined; contextValue: Context }) {
    const labels = labelsOf(args.document, args.operationName);
    const start = started.get(args.contextValue.request);
    return (result: ExecutionResult) => {
      const series = seriesOf(labels.operationName, labels.operationType, operationResult(result));
      series.count.inc();
      if (start !== undefined) series.duration.observe((performance.now() - start) / 1000);
    };
  }

  const operationMetrics: Plugin<Context> = {
    onRequest({ request }) {
      started.set(request, performance.now());
    },
    onExecute({ args }) {
      const done = observe(args);
      return {
        onExecuteDone({ result }) {
          // This schema has no @defer/@stream: an executed operation has one result.
          if (!(Symbol.asyncIterator in result)) done(result);
        },
      };
    },
    onSubscribe({ args }) {
      const done = observe(args);
      return {
        onSubscribeResult({ result }) {
          if (!(Symbol.asyncIterator in result)) {
            done(result);
            return undefined;
          }
          // A subscription is labelled with its last event (e.g. SignInSuccess) and timed until it ends.
          let last: ExecutionResult = {};
          return {
            onNext({ result: next }) {
              last = next;
            },
            onEnd() {
              done(last);
            },
          };
        },
      };
    },
  };

  const prometheus = usePrometheus({
    registry,
    endpoint: METRICS_PATH,
    skipIntrospection: true,
    // Only the series listed above. The plugin's other defaults cost every request work the operation series already
    // cover (the request-time summary keeps quantile sketches per label set; the per-phase histograms time phases the
    // parse/validate cache and graphql-jit make near-free). Its deprecated-field counter re-walks every document with
    // TypeInfo on every request: the same series is counted below from a walk made once per cached document.
    metrics: {
      graphql_envelop_error_result: true,
      graphql_yoga_http_duration: DURATION_BUCKETS as [number, ...number[]],
      graphql_envelop_deprecated_field: false,
      graphql_envelop_request: false,
      graphql_envelop_request_duration: false,
      graphql_envelop_request_time_summary: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_schema_change: false,
      graphql_envelop_execute_resolver: false,
    },
    // Raw URLs would make a label value per query string.
    labels: { url: false },
  }) as Plugin<Context>;

  const viewerCacheLookups = new Counter({
    name: 'viewer_cache_lookups_total',
    help: 'Viewer cache (VIEWER_CACHE_TTL_MS) lookups: hit (answered from the cache), shared (joined a plex.tv call in flight), miss (a new plex.tv call).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const viewerCacheSeries = { hit: viewerCacheLookups.labels('hit'), shared: viewerCacheLookups.labels('shared'), miss: viewerCacheLookups.labels('miss') };
  let httpDuration: Histogram | undefined;
  const httpSeries = new LRUCache<string, ReturnType<Histogram['labels']>>({ max: 1_000 });
  const plexSeries = new LRUCache<string, ReturnType<typeof plexDuration.labels>>({ max: 100 });
  return {
    registry,
    plugins: [operationMetrics, useDeprecatedFieldMetric(registry), prometheus],
    requestStarted: (request) => started.set(request, performance.now()),
    observeViewerCacheLookup: (result) => viewerCacheSeries[result].inc(),
    observeHttp: (labels, seconds) => {
      // Registered by the plugin on its first use: looked up once.
      httpDuration ??= registry.getSingleMetric('graphql_yoga_http_duration') as Histogram | undefined;
      if (httpDuration === undefined) return;
      const key = `${labels.method}\n${labels.statusCode}\n${labels.operationType}\n${labels.operationName}`;
      let series = httpSeries.get(key);
      if (series === undefined) {
        // In the plugin's label order, so that a series first seen here prints as the plugin would print it.
        series = httpDuration.labels({ method: labels.method, statusCode: labels.statusCode, operationType: labels.operationType, operationName: labels.operationName });
        httpSeries.set(key, series);
      }
      series.observe(seconds);
    },
    observePlexCall: (call) => {
      const key = `${call.endpoint}\n${call.status}`;
      let series = plexSeries.get(key);
      if (series === undefined) {
        series = plexDuration.labels(call.endpoint, String(call.status));
        plexSeries.set(key, series);
      }
      series.observe(call.durationMs / 1000);
    },
  };
}

interface DeprecatedUse {
  readonly fieldName: string;
  readonly typeName: string;
}

function deprecatedUses(document: DocumentNode, typeInfo: TypeInfo): DeprecatedUse[] {
  const found: DeprecatedUse[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument() {
        const argument = typeInfo.getArgument();
        const field = typeInfo.getFieldDef();
        if (field && argument && argument.deprecationReason != null) found.push({ fieldName: argument.name, typeName: field.name });
      },
      Field() {
        const field = typeInfo.getFieldDef();
        if (field && field.deprecationReason != null) found.push({ fieldName: field.name, typeName: typeInfo.getParentType()?.name ?? '' });
      },
    }),
  );
  return found;
}

/**
 * Deprecated fields and arguments clients select, counted per request as @envelop/prometheus does, but with the walk
 * made once per document: Yoga's parse cache hands every repeat of a document the same DocumentNode.
 */
function useDeprecatedFieldMetric(registry: Registry): Plugin<Context> {
  const counter = new Counter({
    name: 'graphql_envelop_deprecated_field',
    help: 'Counts the amount of deprecated fields used in selection sets',
    labelNames: ['operationType', 'operationName', 'fieldName', 'typeName'] as const,
    registers: [registry],
  });
  let typeInfo: TypeInfo | undefined;
  let uses = new WeakMap<DocumentNode, DeprecatedUse[]>();
  return {
    onSchemaChange({ schema }: { schema: GraphQLSchema }) {
      typeInfo = new TypeInfo(schema);
      uses = new WeakMap();
    },
    onParse({ params, context }) {
      // As the plugin's skipIntrospection: introspection documents are not counted.
      const source = typeof params.source === 'string' ? params.source : params.source.body;
      if (source.includes('__schema')) return undefined;
      return ({ result }) => {
        if (!typeInfo || result === null || result instanceof Error) return;
        let found = uses.get(result);
        if (found === undefined) {
          found = deprecatedUses(result, typeInfo);
          uses.set(result, found);
        }
        if (found.length === 0) return;
        const operation = result.definitions[0];
        const requested = (context as { params?: { operationName?: string } }).params?.operationName;
        const operationName = requested || (operation?.kind === 'OperationDefinition' ? operation.name?.value : undefined) || 'Anonymous';
        const operationType = operation?.kind === 'OperationDefinition' ? operation.operation : undefined;
        for (const use of found) counter.inc({ operationName, ...(operationType ? { operationType } : {}), fieldName: use.fieldName, typeName: use.typeName });
      };
    },
  };
}
