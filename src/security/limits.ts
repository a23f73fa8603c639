import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { Kind, type ASTVisitor, type GraphQLError, type SelectionSetNode, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { SecurityConfig } from './config.js';
import { batchingNotAllowed, multipleSignIn, operationLimitExceeded } from './errors.js';

/** The mutation that must appear at most once per operation: each extra one is another password guess. */
const SIGN_IN_FIELD = 'signIn';

type ArmorConfig = NonNullable<Parameters<typeof EnvelopArmorPlugin>[0]>;
type RejectionHandling = Pick<NonNullable<ArmorConfig['maxDepth']>, 'onReject' | 'propagateOnRejection'>;

function limitDetail(error: GraphQLError): string {
  return error.message.replace(/^Syntax Error: /, '');
}

// Validation rules report into the validation result (a 400 with our code); the token limit runs inside the parser,
// where throwing is the only way out.
const reportToValidation: RejectionHandling = {
  propagateOnRejection: false,
  onReject: [(context, error) => context?.reportError(operationLimitExceeded(limitDetail(error)))],
};
const throwFromParser: RejectionHandling = {
  propagateOnRejection: false,
  onReject: [
    (_context, error) => {
      const limited = operationLimitExceeded(limitDetail(error));
      (limited.extensions as Record<string, unknown>)['http'] = { status: 400, spec: true };
      throw limited;
    },
  ],
};

/** graphql-armor's depth, alias, token, directive and cost limits, rejected as OPERATION_LIMIT_EXCEEDED before anything runs. */
export function useOperationLimits(limits: SecurityConfig['limits'], hideSuggestions: boolean): Plugin {
  return EnvelopArmorPlugin({
    maxDepth: { n: limits.maxDepth, ...reportToValidation },
    maxAliases: { n: limits.maxAliases, ...reportToValidation },
    maxDirectives: { n: limits.maxDirectives, ...reportToValidation },
    costLimit: { maxCost: limits.maxCost, ...reportToValidation },
    maxTokens: { n: limits.maxTokens, ...throwFromParser },
    blockFieldSuggestion: { enabled: hideSuggestions, mask: '' },
  }) as Plugin;
}

function countSignIns(selectionSet: SelectionSetNode, context: ValidationContext, spreading: ReadonlySet<string>): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === SIGN_IN_FIELD) count += 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countSignIns(selection.selectionSet, context, spreading);
    } else {
      const name = selection.name.value;
      // A fragment cycle is reported by the standard rules; here it just stops the walk.
      const fragment = spreading.has(name) ? undefined : context.getFragment(name);
      if (fragment) count += countSignIns(fragment.selectionSet, context, new Set([...spreading, name]));
    }
  }
  return count;
}

/**
 * At most one `signIn` per operation. Aliases, repeats and fragment spreads all count, so one request can never carry
 * more than one password guess. `signIn` is a root Mutation field, so only the root selection set is walked.
 */
export function singleSignInRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(operation) {
      if (operation.operation === 'mutation' && countSignIns(operation.selectionSet, context, new Set()) > 1) {
        context.reportError(multipleSignIn());
      }
      return false;
    },
  };
}

export function useSingleSignIn(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(singleSignInRule);
    },
  };
}

/** JSON-array batches are refused outright (so no batch can carry sign-ins), with a code of their own. */
export function useNoBatching(): Plugin {
  return {
    onRequestParse() {
      return {
        onRequestParseDone({ requestParserResult }) {
          if (Array.isArray(requestParserResult)) throw batchingNotAllowed();
        },
      };
    },
  };
}
