import {
  GraphQLError,
  Kind,
  ProvidedRequiredArgumentsRule,
  ValuesOfCorrectTypeRule,
  coerceInputValue,
  getNamedType,
  getNullableType,
  getOperationAST,
  isEnumType,
  isInputObjectType,
  isInputType,
  isLeafType,
  isListType,
  isNonNullType,
  isRequiredArgument,
  isRequiredInputField,
  print,
  specifiedRules,
  typeFromAST,
  visit,
  type ASTNode,
  type ASTVisitor,
  type DirectiveNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type GraphQLArgument,
  type GraphQLInputObjectType,
  type GraphQLNamedType,
  type OperationDefinitionNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.js';

/*
 * Input errors name the field by its path from the argument, as a client wrote it (`input.password is required.`), in
 * the same words for a literal and for a variable, with the path also in `extensions.issues`. graphql-js's own messages
 * quote the value ("String cannot represent a non string value: <the password>"), so its two rules that check literal
 * arguments are replaced by one that reports from the AST, and variables are checked before graphql-js coerces them,
 * from coerceInputValue's path callback. Messages are built from schema names and client-written GraphQL names only;
 * the few messages of graphql-js and Yoga that would still carry a client's data lose it in `redacted`.
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
const REQUIRED = 'is required.';
const NOT_NULL = 'must not be null.';
// graphql-js stops coercing variables after as many errors.
const MAX_ERRORS = 50;

interface Problem {
  readonly path: readonly string[];
  /** Completes the sentence that starts with the path, e.g. "is required." */
  readonly predicate: string;
}

function expected(type: GraphQLNamedType): string {
  if (isEnumType(type)) return `one of ${type.getValues().map((value) => value.name).join(', ')}`;
  if (isInputObjectType(type)) return `an object with the fields of ${type.name}`;
  return EXPECTED[type.name] ?? `a valid ${type.name}`;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

function unknownField(type: GraphQLInputObjectType, name: string, path: readonly string[], hideSuggestions: boolean): Problem {
  if (!NAME.test(name)) return { path, predicate: `has a field that ${type.name} does not define.` };
  // Close names, as graphql-js suggests them: case-insensitive, within 40% of the length.
  const close = hideSuggestions
    ? []
    : Object.keys(type.getFields())
        .map((field) => ({ field, distance: Math.max(1, editDistance(name.toLowerCase(), field.toLowerCase())) }))
        .filter(({ distance }) => distance <= Math.floor(name.length * 0.4) + 1)
        .sort((a, b) => a.distance - b.distance || a.field.localeCompare(b.field))
        .slice(0, 3);
  const hint = close.length === 0 ? '' : ` Did you mean ${close.map(({ field }) => `"${field}"`).join(' or ')}?`;
  return { path: [...path, name], predicate: `is not a field of ${type.name}.${hint}` };
}

function inputError(problem: Problem, nodes: ASTNode, extensions: Record<string, unknown> = {}): GraphQLError {
  const path = [...problem.path];
  const message = `${path.join('.')} ${problem.predicate}`;
  return new GraphQLError(message, { nodes, extensions: { ...extensions, issues: [{ path, message }] } });
}
// As graphql-js's own variable errors: the request is refused whole, 400 whatever the client accepts.
const VARIABLE_ERROR = { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } };

/**
 * Stands in for graphql-js's ValuesOfCorrectTypeRule and ProvidedRequiredArgumentsRule: the same checks, with the same
 * graphql-js primitives (parseLiteral, isRequiredArgument, isRequiredInputField), reported by path. Values sit in
 * arguments (path from the argument's name) and in variables' default values (path from `$name`).
 */
function inputValuesRule(hideSuggestions: boolean) {
  return (context: ValidationContext): ASTVisitor => {
    const path: string[] = [];
    const report = (problem: Problem, node: ASTNode) => context.reportError(inputError(problem, node));
    const here = (predicate: string): Problem => ({ path: [...path], predicate });
    const checkLeaf = (node: ValueNode) => {
      const type = context.getInputType();
      if (!type) return;
      const named = getNamedType(type);
      try {
        if (isLeafType(named) && named.parseLiteral(node, undefined) !== undefined) return;
      } catch {
        // Not a valid literal of this type: reported below.
      }
      report(here(`must be ${expected(named)}.`), node);
    };
    const missingArguments = (node: FieldNode | DirectiveNode, args: readonly GraphQLArgument[] | undefined) => {
      const given = new Set(node.arguments?.map((argument) => argument.name.value));
      for (const argument of args ?? []) if (isRequiredArgument(argument) && !given.has(argument.name)) report({ path: [argument.name], predicate: REQUIRED }, node);
    };
    const pop = () => void path.pop();
    return {
      Field: { leave: (node) => missingArguments(node, context.getFieldDef()?.args) },
      Directive: { leave: (node) => missingArguments(node, context.getDirective()?.args) },
      Argument: { enter: (node) => void path.push(node.name.value), leave: pop },
      VariableDefinition: { enter: (node) => void path.push(`$${node.variable.name.value}`), leave: pop },
      ObjectField: {
        enter(node) {
          const parent = getNamedType(context.getParentInputType());
          if (!context.getInputType() && isInputObjectType(parent)) report(unknownField(parent, node.name.value, path, hideSuggestions), node);
          path.push(node.name.value);
        },
        leave: pop,
      },
      ObjectValue(node) {
        const type = getNamedType(context.getInputType());
        if (!isInputObjectType(type)) {
          checkLeaf(node);
          return false;
        }
        const given = new Set(node.fields.map((field) => field.name.value));
        for (const field of Object.values(type.getFields())) {
          if (isRequiredInputField(field) && !given.has(field.name)) report({ path: [...path, field.name], predicate: REQUIRED }, node);
        }
        if (type.isOneOf && (node.fields.length !== 1 || node.fields[0]!.value.kind === Kind.NULL)) report(here('must have exactly one field, not null.'), node);
        return undefined;
      },
      ListValue(node) {
        if (isListType(getNullableType(context.getParentInputType()))) return undefined;
        checkLeaf(node);
        return false;
      },
      NullValue(node) {
        if (isNonNullType(context.getInputType())) report(here(NOT_NULL), node);
      },
      EnumValue: checkLeaf,
      IntValue: checkLeaf,
      FloatValue: checkLeaf,
      StringValue: checkLeaf,
      BooleanValue: checkLeaf,
    };
  };
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

/**
 * The problems of the operation's variables, found as graphql-js's coerceVariableValues finds them (same order, same
 * coerceInputValue), before it runs: its messages would quote the values. coerceInputValue reports an input object's
 * missing fields and then its unknown fields at the object's own path, one call each, in order: the k-th such call at
 * one path is the k-th of those problems.
 */
function variableErrors(args: ExecutionArgs, hideSuggestions: boolean): GraphQLError[] {
  const operation = getOperationAST(args.document, args.operationName);
  const values = args.variableValues ?? {};
  const errors: GraphQLError[] = [];
  for (const definition of operation?.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(args.schema, definition.type);
    if (!isInputType(type)) continue;
    // Named only when something is wrong: finding its uses walks the operation.
    let root: string[] | undefined;
    const rootPath = () => (root ??= [variableRoot(operation!, name)]);
    const add = (problem: Problem) => errors.length < MAX_ERRORS && errors.push(inputError(problem, definition, VARIABLE_ERROR));
    if (!Object.hasOwn(values, name) || values[name] === null) {
      const missing = values[name] === undefined;
      if (isNonNullType(type) && !(missing && definition.defaultValue)) add({ path: rootPath(), predicate: missing ? REQUIRED : NOT_NULL });
      continue;
    }
    const objects = new Map<string, { problems: Problem[]; next: number }>();
    coerceInputValue(values[name], type, (at, invalid) => {
      const path = [...rootPath(), ...at.map(String)];
      if (invalid === null) return void add({ path, predicate: NOT_NULL });
      let named = getNamedType(type);
      for (const key of at) if (typeof key === 'string' && isInputObjectType(named)) named = getNamedType(named.getFields()[key]!.type);
      const wrongType: Problem = { path, predicate: `must be ${expected(named)}.` };
      if (!isInputObjectType(named) || typeof invalid !== 'object') return void add(wrongType);
      // An object (or a list, which graphql-js takes for one): its missing fields, then its unknown fields.
      const given = invalid as Record<string, unknown>;
      const fields = named.getFields();
      const object = objects.get(path.join('.')) ?? {
        problems: Array.isArray(invalid)
          ? [wrongType]
          : [
              ...Object.values(fields).filter((field) => given[field.name] === undefined && isRequiredInputField(field)).map((field) => ({ path: [...path, field.name], predicate: REQUIRED })),
              ...Object.keys(given).filter((key) => !Object.hasOwn(fields, key)).map((key) => unknownField(named as GraphQLInputObjectType, key, path, hideSuggestions)),
            ],
        next: 0,
      };
      objects.set(path.join('.'), object);
      const problem = object.problems[object.next++] ?? (object.next === 1 ? wrongType : undefined);
      if (problem) add(problem);
    });
  }
  return errors;
}

// What the parser quotes in its message ("Expected Name, found String "<the password>"), and the punctuators it
// quotes, which are kept (`Expected ":", found "…"`).
const QUOTED = /"(?:[^"\\\n]|\\.)*"?/g;
const PUNCTUATOR = /^"(?:[!$&():=@[\]{|}]|\.\.\.)"$/;
const VALUE_KINDS = new Set<string>([Kind.INT, Kind.FLOAT, Kind.STRING, Kind.BOOLEAN, Kind.NULL, Kind.ENUM, Kind.LIST, Kind.OBJECT]);

/**
 * The messages that still carry a client's data: a syntax error quotes the token it stopped at; graphql-js prints a
 * literal it cannot coerce after all, when a variable inside it is null (`Argument "input" has invalid value {…}.`), at
 * the end of the message; Yoga attaches the JSON parser's message, which quotes the body, to an unparsable body as
 * extensions.originalError (dropped: such a body is not a GraphQL-over-HTTP request at all, so every client gets 400).
 */
function redacted(error: GraphQLError): GraphQLError {
  const { originalError, ...extensions } = error.extensions ?? {};
  let message = error.message;
  if (extensions['code'] === ErrorCode.GRAPHQL_PARSE_FAILED) message = message.replace(QUOTED, (quoted) => (PUNCTUATOR.test(quoted) ? quoted : '"…"'));
  for (const node of extensions['issues'] === undefined ? (error.nodes ?? []) : []) {
    const literal = VALUE_KINDS.has(node.kind) ? print(node) : '';
    const at = literal === '' ? -1 : message.lastIndexOf(literal);
    if (at >= 0) message = `${message.slice(0, at)}…${message.slice(at + literal.length)}`;
  }
  if (message === error.message && originalError === undefined) return error;
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: originalError === undefined ? extensions : { ...extensions, http: { status: 400 } },
  });
}

/** Input errors by path, for literals (validation) and variables (before execution), and no client data in any error. */
export function useInputErrors(options: { hideSuggestions: boolean }): Plugin {
  const rule = inputValuesRule(options.hideSuggestions);
  const refuse = (args: ExecutionArgs) => {
    const errors = variableErrors(args, options.hideSuggestions);
    return errors.length === 0 ? undefined : () => ({ errors });
  };
  const redact = (result: ExecutionResult): ExecutionResult => {
    const errors = result.errors?.map(redacted);
    return errors?.some((error, index) => error !== result.errors![index]) ? { ...result, errors } : result;
  };
  return {
    onValidate({ validateFn, setValidationFn }) {
      setValidationFn((schema, document, rules, ...rest) =>
        validateFn(schema, document, (rules ?? specifiedRules).flatMap((each: ValidationRule) => (each === ValuesOfCorrectTypeRule ? [rule] : each === ProvidedRequiredArgumentsRule ? [] : [each])), ...rest),
      );
    },
    onExecute({ args, setExecuteFn }) {
      const refusal = refuse(args);
      if (refusal) setExecuteFn(refusal);
    },
    onSubscribe({ args, setSubscribeFn }) {
      const refusal = refuse(args);
      if (refusal) setSubscribeFn(refusal);
    },
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) setResult(result.map((single) => redact(single as ExecutionResult)));
      else if (result && typeof result === 'object' && 'errors' in result) setResult(redact(result as ExecutionResult));
    },
  };
}
