import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Limits } from '../config.js';
import { BAD_REQUEST_HTTP, operationLimitExceeded } from '../errors.js';

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
      (limited.extensions as Record<string, unknown>)['http'] = BAD_REQUEST_HTTP;
      throw limited;
    },
  ],
};

/** graphql-armor's depth, alias, token, directive and cost limits, rejected as OPERATION_LIMIT_EXCEEDED before anything runs. */
export function useOperationLimits(limits: Limits['operations'], hideSuggestions: boolean): Plugin {
  return EnvelopArmorPlugin({
    maxDepth: { n: limits.maxDepth, ...reportToValidation },
    maxAliases: { n: limits.maxAliases, ...reportToValidation },
    maxDirectives: { n: limits.maxDirectives, ...reportToValidation },
    costLimit: { maxCost: limits.maxCost, ...reportToValidation },
    maxTokens: { n: limits.maxTokens, ...throwFromParser },
    blockFieldSuggestion: { enabled: hideSuggestions, mask: '' },
  }) as Plugin;
}
