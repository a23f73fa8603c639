import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.js';

/**
 * Refuses (431) a request with more than `maxHeaders` header fields before anything else runs. Node's own limits
 * bound the headers' total size and silently drop fields past 2000; this bounds their number, which no request of a
 * real client comes near.
 */
export function useHeaderLimit(maxHeaders: number): Plugin {
  return {
    onRequest({ request, endResponse }) {
      let count = 0;
      for (const _ of request.headers.keys()) count += 1;
      if (count <= maxHeaders) return;
      const body = JSON.stringify({
        errors: [{ message: `Too many request headers: at most ${maxHeaders}.`, extensions: { code: ErrorCode.REQUEST_HEADER_FIELDS_TOO_LARGE } }],
      });
      endResponse(new Response(body, { status: 431, headers: { 'content-type': 'application/json; charset=utf-8' } }));
    },
  };
}
