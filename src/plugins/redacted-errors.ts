import type { ExecutionResult, GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.js';

/**
 * GraphQL-js and Yoga echo parts of a broken request back in their messages: the invalid JSON body, variable values,
 * literals in the document. A password inside a broken request must not come back, so those messages are rewritten
 * to name the problem and where it is (variable path, line and column), never the value.
 */

const QUOTED = /"(?:[^"\\\n]|\\.)*"?/g;
const NAME_PATH = /^\$[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*$/;

// Reasons graphql-js gives for a bad variable that name types and fields only.
const SAFE_VARIABLE_REASONS: readonly RegExp[] = [
  /^Field "[A-Za-z_]\w*" of required type "[\w![\]]+" was not provided\.$/,
  /^Field "[A-Za-z_]\w*" is not defined by type "[A-Za-z_]\w*"\./,
  /^Expected type "[\w![\]]+" to be an object\.$/,
  /^Expected non-nullable type "[\w![\]]+" not to be null\.$/,
];

function stripSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?/g, '');
}

function variableMessage(message: string): string {
  // `Variable "$x" got invalid value <value> at "<path>"; <reason>`: everything between the name and the reason is
  // the client's value, so it is dropped whole.
  const head = /^Variable "(\$[A-Za-z_]\w*)" got invalid value /.exec(message);
  // The other variable messages (not provided, must not be null, never used) name only variables and types.
  if (!head) return message;
  const name = head[1]!;
  const at = [...message.matchAll(/ at "([^"]+)"; /g)].map((match) => match[1]!).find((path) => NAME_PATH.test(path) && path.startsWith(name));
  const reason = message.slice(message.lastIndexOf('; ') + 2);
  const safeReason = SAFE_VARIABLE_REASONS.some((pattern) => pattern.test(reason))
    ? stripSuggestions(reason)
    : /^([A-Za-z_]\w*) cannot represent/.test(reason)
      ? `Not a valid ${/^([A-Za-z_]\w*)/.exec(reason)![1]}.`
      : 'The value does not match the expected type.';
  return `Variable "${name}" got an invalid value${at ? ` at "${at}"` : ''}: ${safeReason}`;
}

function validationMessage(message: string): string {
  return message
    // `String cannot represent a non string value: <literal>`, `Expected value of type "T", found <literal>.`
    .replace(/: [\s\S]*$/, '.')
    .replace(/, found [\s\S]*$/, '.')
    .replace(/Value "(?:[^"\\]|\\.)*" does not exist/, 'The value does not exist');
}

function parseMessage(message: string): string {
  return message.replace(/^Syntax Error: /, '').replace(QUOTED, '"…"').replace(/^/, 'Syntax Error: ');
}

/** Rewrites one message; messages of this service's own error codes are written without client data and kept. */
export function redactMessage(message: string, code: unknown, hideSuggestions: boolean): string {
  let redacted = message;
  if (message.startsWith('Variable "$')) redacted = variableMessage(message);
  else if (code === ErrorCode.GRAPHQL_PARSE_FAILED) redacted = parseMessage(message);
  else if (code === ErrorCode.GRAPHQL_VALIDATION_FAILED) redacted = validationMessage(message);
  return hideSuggestions ? stripSuggestions(redacted) : redacted;
}

function redactError(error: GraphQLError | GraphQLFormattedError, hideSuggestions: boolean): GraphQLError | GraphQLFormattedError {
  const extensions = error.extensions as Record<string, unknown> | undefined;
  const message = redactMessage(error.message, extensions?.['code'], hideSuggestions);
  // Yoga puts the JSON parser's error (its name, and a message that quotes the body) in extensions.originalError: it
  // never reaches a client. Such a body is not a GraphQL-over-HTTP request at all, so every client gets 400.
  const hasOriginal = extensions !== undefined && 'originalError' in extensions;
  const missingCode = error.message.startsWith('Variable "$') && extensions?.['code'] === undefined;
  if (message === error.message && !hasOriginal && !missingCode) return error;
  const { originalError: _dropped, ...kept } = extensions ?? {};
  const safeExtensions: Record<string, unknown> = hasOriginal ? { ...kept, http: { status: 400 } } : kept;
  if (missingCode) safeExtensions['code'] = ErrorCode.BAD_USER_INPUT;
  if (error instanceof GraphQLError) {
    return new GraphQLError(message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions: safeExtensions,
    });
  }
  return { ...error, message, extensions: safeExtensions };
}

/** Applies redactMessage to every error of a result; the result itself when nothing changes. */
export function redactResult(result: ExecutionResult, hideSuggestions: boolean): ExecutionResult {
  if (!result.errors?.length) return result;
  const errors = result.errors.map((error) => redactError(error, hideSuggestions));
  return errors.every((error, index) => error === result.errors![index]) ? result : { ...result, errors: errors as GraphQLError[] };
}

/** Applies redactMessage to every error of every response, whatever stage produced it. */
export function useRedactedErrors(options: { hideSuggestions: boolean }): Plugin {
  const redact = (result: ExecutionResult): ExecutionResult => redactResult(result, options.hideSuggestions);
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) {
        setResult(result.map((single) => redact(single as ExecutionResult)));
      } else if (result && typeof result === 'object' && 'errors' in result) {
        setResult(redact(result as ExecutionResult));
      }
    },
  };
}
