import { Kind, type ASTVisitor, type SelectionSetNode, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { plexCallBudgetExceeded } from '../errors.js';

/** Each refreshAuthToken costs plex.tv a nonce and a token exchange: one per operation. */
const REFRESH_FIELD = 'refreshAuthToken';

function countRefreshes(selectionSet: SelectionSetNode, context: ValidationContext, spreading: ReadonlySet<string>): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === REFRESH_FIELD) count += 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countRefreshes(selection.selectionSet, context, spreading);
    } else {
      const name = selection.name.value;
      // A fragment cycle is reported by the standard rules; here it just stops the walk.
      const fragment = spreading.has(name) ? undefined : context.getFragment(name);
      if (fragment) count += countRefreshes(fragment.selectionSet, context, new Set([...spreading, name]));
    }
  }
  return count;
}

/**
 * At most one `refreshAuthToken` per operation (aliases, repeats and fragment spreads count): rejected while
 * validating, so plex.tv is never called. A root Mutation field, so only the root selection set is walked.
 */
export function singleRefreshRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(operation) {
      if (operation.operation !== 'mutation') return false;
      const found = countRefreshes(operation.selectionSet, context, new Set());
      if (found > 1) context.reportError(plexCallBudgetExceeded(REFRESH_FIELD, 1, found));
      return false;
    },
  };
}

export function useSingleRefresh(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(singleRefreshRule);
    },
  };
}
