import { createGraphQLError, type Plugin } from 'graphql-yoga';

const CONTENT_LENGTH = /^\d+$/;

function tooLarge() {
  return createGraphQLError('Request body too large', { extensions: { http: { status: 413 }, code: 'REQUEST_ENTITY_TOO_LARGE' } });
}

/**
 * The request body limit, without a stream per request. Yoga's built-in limit (`maxRequestBodySize`) pipes every body
 * through a TransformStream even when Content-Length already bounds it; Node's HTTP parser never delivers more bytes
 * than Content-Length, so such bodies only need their header checked. Bodies without one (chunked) are read here,
 * counting, and refused once over the limit. Use with `maxRequestBodySize: false`.
 */
export function useRequestBodyLimit(limit: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const contentLength = request.headers.get('content-length');
      if (contentLength !== null) {
        if (!CONTENT_LENGTH.test(contentLength)) {
          throw createGraphQLError('Content-Length header is invalid.', { extensions: { http: { status: 400 }, code: 'BAD_REQUEST' } });
        }
        if (Number(contentLength) > limit) throw tooLarge();
        return;
      }
      if (requestParser === undefined || request.body === null) return;
      const parse = requestParser;
      setRequestParser(async (req) => {
        const chunks: Uint8Array[] = [];
        let size = 0;
        // A reader, not `for await`: leaving a for-await early destroys the socket before the 413 can be sent.
        const reader = (req.body as ReadableStream<Uint8Array>).getReader();
        for (let read = await reader.read(); !read.done; read = await reader.read()) {
          size += read.value.byteLength;
          if (size > limit) {
            reader.releaseLock();
            throw tooLarge();
          }
          chunks.push(read.value);
        }
        return parse(new fetchAPI.Request(req.url, { method: req.method, headers: req.headers, signal: req.signal, body: Buffer.concat(chunks) }));
      });
    },
  };
}
