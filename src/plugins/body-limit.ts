import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { BAD_REQUEST_HTTP, ErrorCode } from '../errors.js';

const tooLarge = () => createGraphQLError('Request body too large', { extensions: { code: ErrorCode.REQUEST_ENTITY_TOO_LARGE, http: { status: 413 } } });

// One non-negative integer; anything else (a sign, a list as in request-smuggling attempts) is refused.
const CONTENT_LENGTH = /^\d+$/;

/**
 * MAX_REQUEST_BODY_BYTES: a larger body is refused with 413 before it is parsed. A body with a Content-Length is
 * judged by that header alone (the HTTP server reads no byte past it), with no copy of the request; a chunked body
 * is counted as it streams in. Replaces Yoga's own limit (`maxRequestBodySize: false`), which pipes every body
 * through a stream of its own.
 */
export function useRequestBodyLimit(limit: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const contentLength = request.headers.get('content-length');
      if (contentLength !== null) {
        if (!CONTENT_LENGTH.test(contentLength)) throw createGraphQLError('Content-Length header is invalid.', { extensions: { code: ErrorCode.BAD_REQUEST, http: BAD_REQUEST_HTTP } });
        if (Number(contentLength) > limit) throw tooLarge();
        return;
      }
      const body = request.body;
      if (requestParser === undefined || body === null) return;
      let read = 0;
      const counted = body.pipeThrough(
        new fetchAPI.TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            read += chunk.byteLength;
            if (read > limit) controller.error(tooLarge());
            else controller.enqueue(chunk);
          },
        }),
      );
      setRequestParser(() => requestParser(new fetchAPI.Request(request.url, { method: request.method, headers: request.headers, signal: request.signal, body: counted, duplex: 'half' } as RequestInit)));
    },
  };
}
