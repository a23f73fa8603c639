import {
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  isUnionType,
  Kind,
  type ExecutionArgs,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLSchema,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { InputValidationFailure, operationLimitExceeded, type InputIssue } from '../errors.js';
import { rootFieldCounts } from './plex-call-budget.js';

const ENTITIES = new Set(['_entities']);

/** The entity types of the schema (the members of `_Entity`) and the top-level fields of each one's `@key`. */
function entityKeys(schema: GraphQLSchema): ReadonlyMap<string, readonly string[]> {
  const union = schema.getType('_Entity');
  const keys = new Map<string, readonly string[]>();
  for (const type of isUnionType(union) ? union.getTypes() : []) {
    const directives = (type.extensions as { directives?: { name?: string; args?: { fields?: unknown } }[] }).directives ?? [];
    const fields = directives.find((directive) => directive.name === 'key')?.args?.fields;
    // "id", or "id organization { id }": the names outside braces are the ones every representation carries.
    let topLevel = typeof fields === 'string' ? fields : '';
    while (/\{[^{}]*\}/.test(topLevel)) topLevel = topLevel.replace(/\{[^{}]*\}/g, ' ');
    keys.set(type.name, topLevel.split(/[\s,]+/).filter(Boolean));
  }
  return keys;
}

function representationIssues(representations: readonly unknown[], keys: ReadonlyMap<string, readonly string[]>): InputIssue[] {
  return representations.flatMap((representation, index): InputIssue[] => {
    const path = ['representations', String(index)];
    if (representation === null || typeof representation !== 'object' || Array.isArray(representation)) {
      return [{ path, message: 'A representation is an object with a "__typename" and the key fields of its type.' }];
    }
    const fields = representation as Record<string, unknown>;
    const typename = fields['__typename'];
    if (typeof typename !== 'string') return [{ path: [...path, '__typename'], message: 'A representation needs a "__typename".' }];
    const keyFields = keys.get(typename);
    if (keyFields === undefined) return [{ path: [...path, '__typename'], message: 'Not an entity type of this subgraph.' }];
    return keyFields.filter((key) => fields[key] == null).map((key) => ({ path: [...path, key], message: `A ${typename} representation needs its key field "${key}".` }));
  });
}

/** The refusal of an operation whose `_entities` representations are over the limit or malformed; null when it may run. */
function refusal(args: ExecutionArgs, keys: ReadonlyMap<string, readonly string[]>, maxAliases: number): GraphQLError | null {
  const operation = getOperationAST(args.document, args.operationName);
  const entities = args.schema.getQueryType()?.getFields()['_entities'];
  if (operation?.operation !== 'query' || entities === undefined) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of args.document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const fields = rootFieldCounts(operation.selectionSet, (name) => fragments.get(name), ENTITIES);
  if (fields.size === 0) return null;
  // Variables graphql-js refuses, it reports itself.
  const { coerced } = getVariableValues(args.schema, operation.variableDefinitions ?? [], args.variableValues ?? {});
  if (coerced === undefined) return null;
  let total = 0;
  const issues: InputIssue[] = [];
  for (const [field, times] of fields) {
    let representations: unknown;
    try {
      representations = getArgumentValues(entities, field, coerced)['representations'];
    } catch {
      return null;
    }
    if (!Array.isArray(representations)) return null;
    total += representations.length * times;
    issues.push(...representationIssues(representations, keys));
  }
  // Each representation is one more entity to resolve, like an alias: they share the alias limit.
  if (total > maxAliases) return operationLimitExceeded(`_entities representations limit of ${maxAliases} exceeded, found ${total}.`);
  return issues.length > 0 ? new InputValidationFailure(issues, true) : null;
}

/**
 * Limits on `_entities`, checked with the variables just before execution (validation results are cached per document,
 * so variables cannot be checked there): the representations of an operation, counted once per alias, repeat and
 * fragment spread, count toward the alias limit (OPERATION_LIMIT_EXCEEDED); a representation that is not an
 * object, lacks `__typename` or its key fields, or names a type that is not an entity of this schema is BAD_USER_INPUT.
 * Either way nothing runs, so plex.tv is not called.
 */
export function useEntitiesLimits(schema: GraphQLSchema, maxAliases: number): Plugin {
  const keys = entityKeys(schema);
  return {
    onExecute({ args, setExecuteFn }) {
      const error = keys.size === 0 ? null : refusal(args, keys, maxAliases);
      // Answered in place of execution, so the plugins that observe results (operation log, metrics) still see it.
      if (error) setExecuteFn(() => ({ errors: [error] }));
    },
  };
}
