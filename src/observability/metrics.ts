import { createCounter, createHistogram, usePrometheus, type FillLabelsFnParams } from '@graphql-yoga/plugin-prometheus';
import { getOperationAST, Kind, parse, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type ExecutionResult } from 'graphql';
import { isIntrospectionOperationString, type Plugin } from 'graphql-yoga';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Context } from '../context.js';
import type { UpstreamCall } from '../plex/client.js';

/** Where Prometheus scrapes. */
export const METRICS_PATH = '/metrics';

/** The label value of every operation name that is not known (see `operationNames`). */
export const OTHER_OPERATION = '(other)';

/** Seconds; from a few milliseconds (a cached answer) to past the longest plex.tv deadline worth waiting for. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

// Distinct operation names (beyond the manifest's) that get a label value of their own; every later one is `(other)`.
const MAX_SEEN_OPERATION_NAMES = 100;

export interface Metrics {
  /** This server's own registry: several servers in one process (tests, a gateway) never share series. */
  readonly registry: Registry;
  readonly plugins: Plugin<Context>[];
  /** Pass as the plex client's `onCall`: every plex.tv call, including those of background pollers. */
  readonly observePlexCall: (call: UpstreamCall) => void;
  /** Pass to the viewer cache: viewer_cache_lookups_total{result}. */
  readonly observeViewerCacheLookup: (result: 'hit' | 'shared' | 'miss') => void;
  /** Pass to the Redis connection: throttle_store_shared, and throttle_store_fallbacks_total on each fall back. */
  readonly observeThrottleStore: (shared: boolean) => void;
  /** plex_body_field_drift_total{endpoint,field}: a body field served as null because it was missing or of an unexpected type. */
  readonly observeFieldDrift: (endpoint: string, field: string) => void;
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

/** A use of a deprecated field or argument, as graphql_envelop_deprecated_field labels it. */
interface DeprecatedUse {
  readonly fieldName: string;
  /** The parent type of a field; for an argument, the name of its field. */
  readonly typeName: string;
}

/** Every use of a deprecated field or argument in a document (what @envelop/prometheus counts, found the same way). */
function deprecatedUses(document: DocumentNode, typeInfo: TypeInfo): readonly DeprecatedUse[] {
  const found: DeprecatedUse[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument() {
        const argument = typeInfo.getArgument();
        const field = typeInfo.getFieldDef();
        if (field && argument?.deprecationReason != null) found.push({ fieldName: argument.name, typeName: field.name });
      },
      Field() {
        const field = typeInfo.getFieldDef();
        if (field?.deprecationReason != null) found.push({ fieldName: field.name, typeName: typeInfo.getParentType()?.name ?? '' });
      },
    }),
  );
  return found;
}

/**
 * Operation names are chosen by clients, so only known ones become label values: the names of the persisted
 * operations, and the first MAX_SEEN_OPERATION_NAMES other names this process sees. Everything else is `(other)`,
 * which keeps /metrics (and memory) bounded whatever names clients send.
 */
export function operationNames(persistedDocuments: Iterable<string>): (name: string | null | undefined) => string {
  const known = new Set<string>();
  for (const document of persistedDocuments) {
    try {
      for (const definition of parse(document).definitions) {
        if (definition.kind === 'OperationDefinition' && definition.name) known.add(definition.name.value);
      }
    } catch {
      // A manifest entry that does not parse names no operation.
    }
  }
  const seen = new Set<string>();
  return (name) => {
    if (!name) return 'Anonymous';
    if (known.has(name) || seen.has(name)) return name;
    if (seen.size < MAX_SEEN_OPERATION_NAMES && name.length <= 100) {
      seen.add(name);
      return name;
    }
    return OTHER_OPERATION;
  };
}

/**
 * Prometheus metrics for one server, served at GET /metrics. From @graphql-yoga/plugin-prometheus:
 * graphql_envelop_request_duration, graphql_envelop_error_result{phase} and graphql_yoga_http_duration. Written here
 * because the plugin cannot produce them: graphql_envelop_deprecated_field as the plugin counts it, but with each
 * document walked once rather than on every request; graphql_operations_total{result} (the error code or result type
 * of each operation), plex_request_duration_seconds{endpoint,status}, viewer_cache_lookups_total{result},
 * throttle_store_shared, throttle_store_fallbacks_total and plex_body_field_drift_total{endpoint,field}. Plus prom-client's
 * process metrics (`process_`, `nodejs_`).
 */
export function createMetrics(nameOf: (name: string | null | undefined) => string = operationNames([])): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelsOf = (operationName: string | null | undefined, operationType: string | undefined) => ({ operationName: nameOf(operationName), operationType: operationType ?? 'unknown' });
  const operationLabels = (params: FillLabelsFnParams) => labelsOf(params.operationName === 'Anonymous' ? null : params.operationName, params.operationType);

  const prometheus = usePrometheus({
    registry,
    endpoint: METRICS_PATH,
    skipIntrospection: true,
    metrics: {
      graphql_envelop_request_duration: createHistogram({
        registry,
        histogram: {
          name: 'graphql_envelop_request_duration',
          help: 'Time spent on running the GraphQL operation from parse to execute',
          labelNames: ['operationName', 'operationType'] as const,
          buckets: DURATION_BUCKETS,
        },
        fillLabelsFn: operationLabels,
      }),
      graphql_envelop_error_result: createCounter({
        registry,
        counter: {
          name: 'graphql_envelop_error_result',
          help: 'Counts the amount of errors reported from all phases',
          labelNames: ['operationName', 'operationType', 'phase'] as const,
        },
        fillLabelsFn: (params) => ({ ...operationLabels(params), phase: params.errorPhase ?? 'unknown' }),
      }),
      graphql_yoga_http_duration: createHistogram({
        registry,
        histogram: {
          name: 'graphql_yoga_http_duration',
          help: 'Time spent on HTTP connection',
          labelNames: ['operationName', 'operationType', 'method', 'statusCode'] as const,
          buckets: DURATION_BUCKETS,
        },
        fillLabelsFn: (params, { request, response }) => ({ ...operationLabels(params), method: request.method, statusCode: response.status }),
      }),
      graphql_envelop_deprecated_field: false,
      graphql_envelop_request: false,
      graphql_envelop_request_time_summary: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_schema_change: false,
      graphql_envelop_execute_resolver: false,
    },
  }) as Plugin<Context>;

  const operations = new Counter({
    name: 'graphql_operations_total',
    help: 'GraphQL operations executed, by operation name, type and result (error code or result type).',
    labelNames: ['operationName', 'operationType', 'result'] as const,
    registers: [registry],
  });
  const plexDuration = new Histogram({
    name: 'plex_request_duration_seconds',
    help: 'plex.tv calls, by endpoint and HTTP status (or timeout / network-error).',
    labelNames: ['endpoint', 'status'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const viewerCacheLookups = new Counter({
    name: 'viewer_cache_lookups_total',
    help: 'Viewer cache (VIEWER_CACHE_TTL_MS) lookups: hit (answered from the cache), shared (joined a plex.tv call in flight), miss (a new plex.tv call).',
    labelNames: ['result'] as const,
    registers: [registry],
  });

  const throttleStoreShared = new Gauge({
    name: 'throttle_store_shared',
    help: "1 while the throttle counters are kept in Redis, one limit for every instance; 0 while they are this instance's memory (no REDIS_URL, or Redis unreachable).",
    registers: [registry],
  });
  const throttleStoreFallbacks = new Counter({
    name: 'throttle_store_fallbacks_total',
    help: "Times the throttle counters fell back from Redis to this instance's memory because Redis was unreachable.",
    registers: [registry],
  });

  // Label values come from the client's endpoints and the field paths of its body schemas: a bounded set.
  const fieldDrift = new Counter({
    name: 'plex_body_field_drift_total',
    help: 'Fields of plex.tv bodies served as null because they were missing or of an unexpected type, by endpoint and field path.',
    labelNames: ['endpoint', 'field'] as const,
    registers: [registry],
  });

  const deprecatedFields = new Counter({
    name: 'graphql_envelop_deprecated_field',
    help: 'Counts the amount of deprecated fields used in selection sets',
    labelNames: ['operationName', 'operationType', 'fieldName', 'typeName'] as const,
    registers: [registry],
  });
  // Counted for every operation parsed (as the Prometheus plugin does), from a list found once per document: Yoga's
  // parse cache hands back the same DocumentNode for the same text.
  let typeInfo: TypeInfo | undefined;
  let usesOf = new WeakMap<DocumentNode, readonly DeprecatedUse[]>();
  const deprecationCounter: Plugin<Context> = {
    onSchemaChange({ schema }) {
      typeInfo = new TypeInfo(schema);
      usesOf = new WeakMap();
    },
    onParse({ context, params }) {
      if (isIntrospectionOperationString(params.source)) return;
      return ({ result }) => {
        if (typeInfo === undefined || result === null || result instanceof Error) return;
        let uses = usesOf.get(result);
        if (uses === undefined) {
          uses = deprecatedUses(result, typeInfo);
          usesOf.set(result, uses);
        }
        if (uses.length === 0) return;
        // The labels of the plugin's own series: the request's operationName, else the first definition's.
        const first = result.definitions[0];
        const operation = first?.kind === Kind.OPERATION_DEFINITION ? first : undefined;
        const labels = labelsOf(context.params?.operationName || operation?.name?.value, operation?.operation);
        for (const use of uses) deprecatedFields.inc({ ...labels, fieldName: use.fieldName, typeName: use.typeName });
      };
    },
  };

  function counting(args: { document: DocumentNode; operationName?: string | null | undefined }) {
    const operation = getOperationAST(args.document, args.operationName);
    const labels = { operationName: nameOf(operation?.name?.value), operationType: operation?.operation ?? 'unknown' };
    return (result: ExecutionResult) => operations.inc({ ...labels, result: operationResult(result) });
  }

  // A subscription counts once, when it ends, with the result of its last event (e.g. SignInSuccess).
  const operationCounter: Plugin<Context> = {
    onExecute({ args }) {
      const done = counting(args);
      return {
        onExecuteDone({ result }) {
          if (!(Symbol.asyncIterator in result)) done(result);
        },
      };
    },
    onSubscribe({ args }) {
      const done = counting(args);
      return {
        onSubscribeResult({ result }) {
          if (!(Symbol.asyncIterator in result)) {
            done(result);
            return undefined;
          }
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

  return {
    registry,
    plugins: [operationCounter, deprecationCounter, prometheus],
    observeViewerCacheLookup: (result) => viewerCacheLookups.inc({ result }),
    observeThrottleStore: (shared) => {
      throttleStoreShared.set(shared ? 1 : 0);
      if (!shared) throttleStoreFallbacks.inc();
    },
    observeFieldDrift: (endpoint, field) => fieldDrift.inc({ endpoint, field }),
    observePlexCall: (call) => plexDuration.observe({ endpoint: call.endpoint, status: String(call.status) }, call.durationMs / 1000),
  };
}
