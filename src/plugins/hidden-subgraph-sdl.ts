import type { ASTVisitor, ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { subgraphSdlDisabled } from '../errors.js';

/** The federation field that prints the whole subgraph schema (`_service { sdl }`). */
const SERVICE_FIELD = '_service';

/**
 * Refuses any document that selects `Query._service`, as the introspection rule refuses `__schema` and `__type`:
 * with introspection off, the schema is not printed through the federation door either.
 */
export function hiddenSubgraphSdlRule(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      if (node.name.value === SERVICE_FIELD && context.getParentType() === context.getSchema().getQueryType()) {
        context.reportError(subgraphSdlDisabled());
      }
    },
  };
}

/** Installed when the subgraph SDL is hidden (config.graphql.subgraphSdl off, as introspection). */
export function useHiddenSubgraphSdl(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(hiddenSubgraphSdlRule);
    },
  };
}
