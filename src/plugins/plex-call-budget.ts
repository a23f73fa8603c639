import { Kind, type ASTVisitor, type OperationTypeNode, type SelectionSetNode, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { multipleSignIn, plexCallBudgetExceeded } from '../errors.js';

/**
 * How many times one operation may select each root field that calls plex.tv once per selection. `signIn` is a password
 * guess, `createSignInPin` creates a PIN at plex.tv, `signOut` revokes the token, `refreshAuthToken` costs a nonce and a
 * token exchange; `switchHomeUser` sends a Home PIN and mints a token; `revokeDevice` signs a device out; a few `signInPin`
 * reads let a client check the PINs it holds. `viewer` and `_entities` are not here: they share one `GET /user` per token (a DataLoader).
 */
export const PLEX_CALL_BUDGET: Readonly<Partial<Record<OperationTypeNode, Readonly<Record<string, number>>>>> = {
  mutation: { signIn: 1, createSignInPin: 1, signOut: 1, refreshAuthToken: 1, switchHomeUser: 1, revokeDevice: 1 },
  query: { signInPin: 5 },
};

const BUDGETED_FIELDS: ReadonlySet<string> = new Set(Object.values(PLEX_CALL_BUDGET).flatMap((limits) => Object.keys(limits ?? {})));

type Counts = ReadonlyMap<string, number>;
const NONE: Counts = new Map();

function add(into: Map<string, number>, counts: Counts): void {
  for (const [name, count] of counts) into.set(name, (into.get(name) ?? 0) + count);
}

/**
 * Counts the budgeted fields a selection set selects: aliases and repeats each count, and a fragment counts once per
 * spread. Each fragment is counted once and remembered (`null` while it is being counted), so the walk is linear in
 * the document even when fragments spread others many times over; a fragment cycle (reported by the standard rules)
 * counts as nothing.
 */
function countFields(selectionSet: SelectionSetNode, context: ValidationContext, fragments: Map<string, Counts | null>): Counts {
  const counts = new Map<string, number>();
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (BUDGETED_FIELDS.has(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      add(counts, countFields(selection.selectionSet, context, fragments));
    } else {
      const name = selection.name.value;
      if (!fragments.has(name)) {
        fragments.set(name, null);
        const fragment = context.getFragment(name);
        fragments.set(name, fragment ? countFields(fragment.selectionSet, context, fragments) : NONE);
      }
      add(counts, fragments.get(name) ?? NONE);
    }
  }
  return counts;
}

/**
 * The plex.tv call budget of one operation (PLEX_CALL_BUDGET), checked while validating: an operation over it never
 * runs, so plex.tv is not called at all. More than one `signIn` is MULTIPLE_SIGN_IN; the others are
 * PLEX_CALL_BUDGET_EXCEEDED. These are root fields, so only the root selection set (and its fragments) is walked.
 */
export function plexCallBudgetRule(context: ValidationContext): ASTVisitor {
  const fragments = new Map<string, Counts | null>();
  return {
    OperationDefinition(operation) {
      const limits = PLEX_CALL_BUDGET[operation.operation];
      if (limits === undefined) return false;
      const counts = countFields(operation.selectionSet, context, fragments);
      for (const [field, limit] of Object.entries(limits)) {
        const found = counts.get(field) ?? 0;
        if (found <= limit) continue;
        context.reportError(field === 'signIn' ? multipleSignIn() : plexCallBudgetExceeded(field, limit, found));
      }
      return false;
    },
  };
}

export function usePlexCallBudget(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(plexCallBudgetRule);
    },
  };
}
