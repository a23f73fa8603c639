import { Kind, type ASTVisitor, type SelectionSetNode, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { multipleSignIn } from '../errors.js';

/** The mutation that must appear at most once per operation: each extra one is another password guess. */
const SIGN_IN_FIELD = 'signIn';

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
