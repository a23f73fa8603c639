import {
  GraphQLError,
  Kind,
  TypeInfo,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  typeFromAST,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { suggestionList } from 'graphql/jsutils/suggestionList.js';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode, type InputIssue } from '../errors.js';

/*
 * graphql-js reports a missing or mistyped input field by its type ("Field "SignInInput.password" of required type
 * "String!" was not provided", "String cannot represent a non string value: 123"), or, for a variable, with the value in
 * the message, which the redaction plugin then has to cut. These errors are rewritten to name the field by its path
 * from the argument, as a client wrote it (`input.password`), in a plain sentence, with the path also in
 * `extensions.issues` (as ValidationError and BAD_USER_INPUT errors carry it). Inline and variable forms read the same.
 *
 * Messages are built from schema names, argument names and field names only: never from a value. They contain no ": "
 * so that the redaction plugin, which runs later, keeps them whole.
 */

/** What a value of a leaf type must look like, completing "must be …". */
const EXPECTED: Record<string, string> = {
  String: 'a string',
  Boolean: 'true or false',
  Int: 'a whole number',
  Float: 'a number',
  ID: 'a string or a whole number',
  URL: 'an absolute URL, such as https://example.com/',
  DateTime: 'a date and time such as 2024-05-01T12:00:00Z',
  EmailAddress: 'an email address',
  CountryCode: 'a two-letter country code',
  JSONObject: 'a JSON object',
};

// Names a client wrote that may appear in a message: GraphQL names only (anything else is left out).
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function expected(type: GraphQLNamedType): string {
  if (isEnumType(type)) return `one of ${type.getValues().map((value) => value.name).join(', ')}`;
  if (isInputObjectType(type)) return `an object with the fields of ${type.name}`;
  return EXPECTED[type.name] ?? `a valid ${type.name}`;
}

interface Problem {
  readonly path: readonly string[];
  /** Completes the sentence that starts with the path, e.g. "is required." */
  readonly predicate: string;
}

const REQUIRED = 'is required.';
const NOT_NULL = 'must not be null.';

function unknownField(type: GraphQLInputObjectType, name: string, path: readonly string[], hideSuggestions: boolean): Problem {
  if (!NAME.test(name)) return { path, predicate: `has a field that ${type.name} does not define.` };
  const suggestions = hideSuggestions ? [] : suggestionList(name, Object.keys(type.getFields())).slice(0, 3);
  const hint = suggestions.length === 0 ? '' : ` Did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?`;
  return { path: [...path, name], predicate: `is not a field of ${type.name}.${hint}` };
}

/** Every problem with a variable's value (plain JSON) against its type, in field order. */
function valueProblems(type: GraphQLInputType, value: unknown, path: readonly string[], hideSuggestions: boolean, out: Problem[]): void {
  if (isNonNullType(type)) {
    if (value === undefined) out.push({ path, predicate: REQUIRED });
    else if (value === null) out.push({ path, predicate: NOT_NULL });
    else valueProblems(type.ofType, value, path, hideSuggestions, out);
    return;
  }
  if (value === null || value === undefined) return;
  if (isListType(type)) {
    if (!Array.isArray(value)) valueProblems(type.ofType, value, path, hideSuggestions, out);
    else value.forEach((item, index) => valueProblems(type.ofType, item, [...path, String(index)], hideSuggestions, out));
    return;
  }
  if (isInputObjectType(type)) {
    if (typeof value !== 'object' || Array.isArray(value)) {
      out.push({ path, predicate: `must be ${expected(type)}.` });
      return;
    }
    const fields = type.getFields();
    const given = value as Record<string, unknown>;
    for (const field of Object.values(fields)) {
      if (given[field.name] === undefined && field.defaultValue !== undefined) continue;
      valueProblems(field.type, given[field.name], [...path, field.name], hideSuggestions, out);
    }
    for (const key of Object.keys(given)) if (!Object.hasOwn(fields, key)) out.push(unknownField(type, key, path, hideSuggestions));
    return;
  }
  let parsed: unknown;
  try {
    parsed = type.parseValue(value);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined) out.push({ path, predicate: `must be ${expected(type)}.` });
}

function toError(problem: Problem, original: GraphQLError, defaultCode?: ErrorCode): GraphQLError {
  const message = `${problem.path.join('.')} ${problem.predicate}`;
  const issue: InputIssue = { path: [...problem.path], message };
  // The original's code and HTTP status stay (Yoga adds GRAPHQL_VALIDATION_FAILED to a literal's later).
  const { code = defaultCode, ...extensions } = original.extensions;
  return new GraphQLError(message, {
    nodes: original.nodes,
    source: original.source,
    positions: original.positions,
    path: original.path,
    extensions: { ...(code === undefined ? {} : { code }), ...extensions, issues: [issue] },
  });
}

interface Place {
  /** From the argument: ['input', 'password']. */
  readonly path: readonly string[];
  /** The input type expected at this spot. */
  readonly type: GraphQLInputType | undefined;
  /** For an object field: the input object type it belongs to. */
  readonly parentType: GraphQLInputType | undefined;
}

/** Where each argument, object field and value of the document sits, by path from its argument. */
function places(schema: GraphQLSchema, document: DocumentNode): Map<ASTNode, Place> {
  const found = new Map<ASTNode, Place>();
  const typeInfo = new TypeInfo(schema);
  const path: string[] = [];
  let inArgument = 0;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      enter(node) {
        if (node.kind === Kind.ARGUMENT) inArgument++;
        if (inArgument === 0) return;
        if (node.kind === Kind.ARGUMENT || node.kind === Kind.OBJECT_FIELD) path.push(node.name.value);
        found.set(node, { path: [...path], type: typeInfo.getInputType() ?? undefined, parentType: typeInfo.getParentInputType() ?? undefined });
      },
      leave(node) {
        if (inArgument === 0) return;
        if (node.kind === Kind.ARGUMENT || node.kind === Kind.OBJECT_FIELD) path.pop();
        if (node.kind === Kind.ARGUMENT) inArgument--;
      },
    }),
  );
  return found;
}

const MISSING_FIELD = /^Field "[A-Za-z_]\w*\.([A-Za-z_]\w*)" of required type "[^"]+" was not provided\.$/;
const UNDEFINED_FIELD = /^Field "([^"]*)" is not defined by type "[A-Za-z_]\w*"\./;
const MISSING_ARGUMENT = /^Field "[A-Za-z_]\w*" argument "([A-Za-z_]\w*)" of type "[^"]+" is required, but it was not provided\.$/;
const VALUE_KINDS = new Set<string>([Kind.INT, Kind.FLOAT, Kind.STRING, Kind.BOOLEAN, Kind.ENUM, Kind.LIST, Kind.OBJECT, Kind.NULL]);

/** The problem behind one validation error about a literal argument value, or undefined for other errors. */
function literalProblem(error: GraphQLError, where: Map<ASTNode, Place>, hideSuggestions: boolean): Problem | undefined {
  const node = error.nodes?.[0];
  if (node === undefined) return undefined;
  const missingArgument = MISSING_ARGUMENT.exec(error.message);
  if (missingArgument !== null) return { path: [missingArgument[1]!], predicate: REQUIRED };
  const place = where.get(node);
  if (place === undefined || place.path.length === 0) return undefined;
  const missingField = MISSING_FIELD.exec(error.message);
  if (missingField !== null && node.kind === Kind.OBJECT) return { path: [...place.path, missingField[1]!], predicate: REQUIRED };
  if (UNDEFINED_FIELD.test(error.message) && node.kind === Kind.OBJECT_FIELD) {
    const parent = place.parentType === undefined ? undefined : getNamedType(place.parentType);
    if (parent === undefined || !isInputObjectType(parent)) return undefined;
    return unknownField(parent, node.name.value, place.path.slice(0, -1), hideSuggestions);
  }
  if (!VALUE_KINDS.has(node.kind) || place.type === undefined) return undefined;
  if (node.kind === Kind.NULL) return { path: place.path, predicate: NOT_NULL };
  return { path: place.path, predicate: `must be ${expected(getNamedType(place.type))}.` };
}

function operationOf(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  return operationName ? operations.find((operation) => operation.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
}

/** How a variable is named in paths: the argument it is passed as, when that is its only use, else `$name`. */
function variableRoot(operation: OperationDefinitionNode, name: string): string {
  const uses: string[] = [];
  let nested = 0;
  visit(operation.selectionSet, {
    Argument(node) {
      if (node.value.kind === Kind.VARIABLE && node.value.name.value === name) uses.push(node.name.value);
    },
    Variable(node) {
      if (node.name.value === name) nested++;
    },
  });
  return uses.length === 1 && nested === 1 ? uses[0]! : `$${name}`;
}

const VARIABLE_ERROR = /^Variable "\$([A-Za-z_]\w*)" /;

/** Rewrites the errors of variables that failed coercion, when their values show what is wrong. */
function rewriteVariableErrors(
  result: ExecutionResult,
  args: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; variableValues?: Record<string, unknown> | null },
  hideSuggestions: boolean,
): ExecutionResult | undefined {
  const errors = result.errors;
  // Coercion failures come alone, before anything runs: no data at all.
  if (errors === undefined || errors.length === 0 || 'data' in result) return undefined;
  const operation = operationOf(args.document, args.operationName);
  if (operation === undefined) return undefined;
  // graphql-js reports each problem of a variable as one error; its problems found here replace them all.
  const byVariable = new Map<string, Problem[]>();
  for (const error of errors) {
    const name = VARIABLE_ERROR.exec(error.message)?.[1];
    if (name === undefined || byVariable.has(name)) continue;
    const definition = operation.variableDefinitions?.find((candidate) => candidate.variable.name.value === name);
    const type = definition === undefined ? undefined : (typeFromAST(args.schema, definition.type) as GraphQLInputType | undefined);
    const value = args.variableValues?.[name];
    const problems: Problem[] = [];
    if (definition !== undefined && type !== undefined && !(value === undefined && definition.defaultValue !== undefined)) {
      valueProblems(type, value, [variableRoot(operation, name)], hideSuggestions, problems);
    }
    byVariable.set(name, problems);
  }
  if ([...byVariable.values()].every((problems) => problems.length === 0)) return undefined;
  const out: GraphQLError[] = [];
  const done = new Set<string>();
  for (const error of errors) {
    const name = VARIABLE_ERROR.exec(error.message)?.[1];
    const problems = name === undefined ? [] : byVariable.get(name)!;
    if (problems.length === 0) out.push(error);
    else if (!done.has(name!)) {
      done.add(name!);
      out.push(...problems.map((problem) => toError(problem, error, ErrorCode.BAD_USER_INPUT)));
    }
  }
  return { ...result, errors: out };
}

/** Names the field of every input error by its path (`input.password`), inline or in variables. */
export function useInputErrorPaths(options: { hideSuggestions: boolean }): Plugin {
  const { hideSuggestions } = options;
  return {
    onValidate({ params }) {
      return ({ result, setResult }) => {
        if (result.length === 0) return;
        let where: Map<ASTNode, Place> | undefined;
        let changed = false;
        const errors = result.map((error) => {
          if (!(error instanceof GraphQLError)) return error;
          where ??= places(params.schema, params.documentAST);
          const problem = literalProblem(error, where, hideSuggestions);
          if (problem === undefined) return error;
          changed = true;
          return toError(problem, error);
        });
        if (changed) setResult(errors);
      };
    },
    onExecute({ args }) {
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          const rewritten = rewriteVariableErrors(result, args, hideSuggestions);
          if (rewritten !== undefined) setResult(rewritten);
        },
      };
    },
    onSubscribe({ args }) {
      return {
        onSubscribeResult({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          const rewritten = rewriteVariableErrors(result, args, hideSuggestions);
          if (rewritten !== undefined) setResult(rewritten);
        },
      };
    },
  };
}
