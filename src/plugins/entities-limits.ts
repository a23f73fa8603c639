import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import {
  getOperationAST,
  isUnionType,
  Kind,
  validate,
  valueFromASTUntyped,
  visit,
  type DocumentNode,
  type ExecutionArgs,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Limits } from '../config.js';
import { InputValidationFailure, operationLimitExceeded, type InputIssue } from '../errors.js';

const ENTITIES_FIELD = '_entities';
const REPRESENTATIONS_ARG = 'representations';
const ENTITY_UNION = '_Entity';

/** The entity types of the schema (the members of `_Entity`) and the top-level fields of each one's `@key`. */
function entityKeys(schema: GraphQLSchema): ReadonlyMap<string, readonly string[]> {
  const union = schema.getType(ENTITY_UNION);
  const keys = new Map<string, readonly string[]>();
  if (!isUnionType(union)) return keys;
  for (const type of union.getTypes()) {
    const directives = (type.extensions as { directives?: unknown }).directives;
    const key = Array.isArray(directives)
      ? (directives as { name?: unknown; args?: { fields?: unknown } }[]).find((directive) => directive.name === 'key')
      : undefined;
    const fields = typeof key?.args?.fields === 'string' ? key.args.fields : '';
    // "id", or "id organization { id }": the names outside braces are the ones every representation carries.
    let topLevel = fields;
    while (/\{[^{}]*\}/.test(topLevel)) topLevel = topLevel.replace(/\{[^{}]*\}/g, ' ');
    keys.set(type.name, topLevel.split(/[\s,]+/).filter(Boolean));
  }
  return keys;
}

/**
 * Every `_entities` field the operation selects, with how many times it is selected (once per alias, repeat and
 * fragment spread). Each fragment is walked once and remembered, so the walk is linear in the document.
 */
function entitiesFields(operation: OperationDefinitionNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): Map<FieldNode, number> {
  const memo = new Map<string, Map<FieldNode, number> | null>();
  const walk = (selectionSet: SelectionSetNode): Map<FieldNode, number> => {
    const found = new Map<FieldNode, number>();
    const add = (more: ReadonlyMap<FieldNode, number>) => {
      for (const [field, times] of more) found.set(field, (found.get(field) ?? 0) + times);
    };
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === ENTITIES_FIELD) found.set(selection, (found.get(selection) ?? 0) + 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        add(walk(selection.selectionSet));
      } else {
        const name = selection.name.value;
        if (!memo.has(name)) {
          memo.set(name, null);
          const fragment = fragments.get(name);
          memo.set(name, fragment ? walk(fragment.selectionSet) : new Map());
        }
        add(memo.get(name) ?? new Map());
      }
    }
    return found;
  };
  return walk(operation.selectionSet);
}

/** The representations one `_entities` field receives, as graphql-js will see them: inline, from a variable, or its default. */
function representationsOf(field: FieldNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): unknown[] {
  const argument = field.arguments?.find((arg) => arg.name.value === REPRESENTATIONS_ARG);
  if (argument === undefined) return [];
  let value: unknown;
  if (argument.value.kind === Kind.VARIABLE) {
    const name = argument.value.name.value;
    const fallback = operation.variableDefinitions?.find((definition) => definition.variable.name.value === name)?.defaultValue;
    value = Object.hasOwn(variables, name) ? variables[name] : fallback ? valueFromASTUntyped(fallback) : undefined;
  } else {
    value = valueFromASTUntyped(argument.value, variables);
  }
  // null or missing: graphql-js refuses it itself. A single value is coerced to a list of one.
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function representationIssues(representations: readonly unknown[], keys: ReadonlyMap<string, readonly string[]>): InputIssue[] {
  const issues: InputIssue[] = [];
  representations.forEach((representation, index) => {
    const path = [REPRESENTATIONS_ARG, String(index)];
    if (representation === null || typeof representation !== 'object' || Array.isArray(representation)) {
      issues.push({ path, message: 'A representation is an object with a "__typename" and the key fields of its type.' });
      return;
    }
    const typename: unknown = (representation as Record<string, unknown>)['__typename'];
    if (typeof typename !== 'string') {
      issues.push({ path: [...path, '__typename'], message: 'A representation needs a "__typename".' });
      return;
    }
    const keyFields = keys.get(typename);
    if (keyFields === undefined) {
      issues.push({ path: [...path, '__typename'], message: 'Not an entity type of this subgraph.' });
      return;
    }
    for (const keyField of keyFields) {
      const keyValue = (representation as Record<string, unknown>)[keyField];
      if (keyValue === null || keyValue === undefined) issues.push({ path: [...path, keyField], message: `A ${typename} representation needs its key field "${keyField}".` });
    }
  });
  return issues;
}

/** The operation alone, with every `_entities` field given `first: <representations>`: the cost rule multiplies by it. */
function withRepresentationMultipliers(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  counts: ReadonlyMap<FieldNode, number>,
): DocumentNode {
  const only: DocumentNode = {
    ...document,
    definitions: document.definitions.filter((definition) => definition === operation || definition.kind === Kind.FRAGMENT_DEFINITION),
  };
  return visit(only, {
    Field(node) {
      const count = counts.get(node);
      if (count === undefined) return undefined;
      const first = { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'first' }, value: { kind: Kind.INT, value: String(count) } } as const;
      return { ...node, arguments: [first, ...(node.arguments ?? [])] };
    },
  });
}

/** The refusal of an operation whose `_entities` representations are over a limit or malformed; null when it may run. */
function refusal(args: ExecutionArgs, keys: ReadonlyMap<string, readonly string[]>, limits: Limits['operations']): GraphQLError | null {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation || operation.operation !== 'query') return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of args.document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const fields = entitiesFields(operation, fragments);
  if (fields.size === 0) return null;

  const variables = (args.variableValues ?? {}) as Record<string, unknown>;
  const representations = new Map<FieldNode, unknown[]>();
  let total = 0;
  for (const [field, times] of fields) {
    const values = representationsOf(field, operation, variables);
    representations.set(field, values);
    total += values.length * times;
  }
  // Each representation is one more entity to resolve, like an alias: they share the alias limit.
  if (total > limits.maxAliases) {
    return operationLimitExceeded(`_entities representations limit of ${limits.maxAliases} exceeded, found ${total}.`);
  }
  const issues = [...representations.values()].flatMap((values) => representationIssues(values, keys));
  if (issues.length > 0) return new InputValidationFailure(issues, true);

  // ...and each multiplies the cost of the selection made on it, as `first: n` does for a list.
  const counts = new Map([...representations].map(([field, values]) => [field, values.length]));
  if ([...counts.values()].every((count) => count <= 1)) return null;
  let overCost: GraphQLError | null = null;
  validate(args.schema, withRepresentationMultipliers(args.document, operation, counts), [
    costLimitRule({
      maxCost: limits.maxCost,
      propagateOnRejection: false,
      onReject: [(_context, error) => (overCost = operationLimitExceeded(`${error.message.replace(/^Syntax Error: /, '')} (each _entities representation counts)`))],
    }),
  ]);
  return overCost;
}

/**
 * Limits on `_entities`, checked with the variables just before execution (validation results are cached per
 * document, so variables cannot be checked there): the representations of an operation count toward
 * the alias limit and multiply the cost of their selection against the cost limit (OPERATION_LIMIT_EXCEEDED),
 * and a representation that is not an object, lacks `__typename` or its key fields, or names a type that is not an
 * entity of this schema is BAD_USER_INPUT. Either way nothing runs, so plex.tv is not called.
 */
export function useEntitiesLimits(schema: GraphQLSchema, limits: Limits['operations']): Plugin {
  const keys = entityKeys(schema);
  if (keys.size === 0) return {};
  return {
    onExecute({ args, setExecuteFn }) {
      const error = refusal(args, keys, limits);
      // Answered in place of execution, so the plugins that observe results (operation log, metrics) still see it.
      if (error) setExecuteFn(() => ({ errors: [error] }));
    },
  };
}
