import type { Plugin } from 'graphql-yoga';
import { batchingNotAllowed } from '../errors.js';

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
