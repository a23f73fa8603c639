import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.js';
import type { ClientAddressOf } from '../security/client-address.js';

/** The 429 answer to a client over RATE_LIMIT_PER_MINUTE, in the media type it asked for. */
function rateLimitedResponse(request: Request, retryAfterSeconds: number): Response {
  const body = JSON.stringify({
    errors: [
      {
        message: `Too many requests from this address: retry in ${retryAfterSeconds} s.`,
        extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds },
      },
    ],
  });
  const accept = request.headers.get('accept') ?? '';
  return new Response(body, {
    status: 429,
    headers: {
      'content-type': accept.includes('application/graphql-response+json') ? 'application/graphql-response+json; charset=utf-8' : 'application/json; charset=utf-8',
      'retry-after': String(retryAfterSeconds),
    },
  });
}

/** The per-address request limit (RATE_LIMIT_PER_MINUTE): answered with 429 before the request is parsed. */
export function useRequestRateLimit(consume: (address: string) => Promise<number | null>, addressOf: ClientAddressOf, endpoint: string): Plugin {
  return {
    onRequest({ request, url, serverContext, endResponse }) {
      if (request.method === 'OPTIONS' || url.pathname !== endpoint) return;
      return consume(addressOf(request, serverContext)).then((wait) => {
        if (wait !== null) endResponse(rateLimitedResponse(request, wait));
      });
    },
  };
}
