import { Kind, type ASTVisitor, type FieldNode, type FragmentDefinitionNode, type OperationTypeNode, type SelectionSetNode, type ValidationContext } from 'graphql';
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

type Counts = ReadonlyMap<FieldNode, number>;

/**
 * The fields named in `names` that a root selection set selects, each with how many times it runs: aliases and repeats
 * each count, and a fragment counts once per spread. Each fragment is counted once and remembered (empty while it is
 * being counted), so the walk is linear in the document even when fragments spread others many times over; a fragment
 * cycle (reported by the standard rules) counts as nothing.
 */
export function rootFieldCounts(
  selectionSet: SelectionSetNode,
  fragmentNamed: (name: string) => FragmentDefinitionNode | null | undefined,
  names: ReadonlySet<string>,
  fragments = new Map<string, Counts>(),
): Counts {
  const counts = new Map<FieldNode, number>();
  const add = (more: Counts) => more.forEach((count, field) => counts.set(field, (counts.get(field) ?? 0) + count));
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (names.has(selection.name.value)) counts.set(selection, (counts.get(selection) ?? 0) + 1);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      add(rootFieldCounts(selection.selectionSet, fragmentNamed, names, fragments));
    } else {
      const name = selection.name.value;
      if (!fragments.has(name)) {
        fragments.set(name, new Map());
        const fragment = fragmentNamed(name);
        if (fragment) fragments.set(name, rootFieldCounts(fragment.selectionSet, fragmentNamed, names, fragments));
      }
      add(fragments.get(name)!);
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
  return {
    OperationDefinition(operation) {
      const limits = PLEX_CALL_BUDGET[operation.operation];
      if (limits === undefined) return false;
      const counts = new Map<string, number>();
      for (const [field, count] of rootFieldCounts(operation.selectionSet, (name) => context.getFragment(name), BUDGETED_FIELDS)) {
        counts.set(field.name.value, (counts.get(field.name.value) ?? 0) + count);
      }
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
