import type { TrustProxy } from '../config.js';
import { isTrustedProxy } from './client-address.js';

/** The address a client reached this service at: scheme, host and any path prefix, without a trailing slash. */
export type PublicUrlOf = (request: Request, serverContext: unknown) => string;

// A host name or address with an optional port: nothing else may go into a URL built from a header.
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

function firstValue(header: string | null): string | undefined {
  const first = header?.split(',')[0]?.trim();
  return first === '' ? undefined : first;
}

function socketAddress(serverContext: unknown): string | undefined {
  return (serverContext as { req?: { socket?: { remoteAddress?: string } } } | undefined)?.req?.socket?.remoteAddress;
}

/**
 * PUBLIC_URL when it is set (a proxy in front changes the host or adds a path prefix). Otherwise the request's own
 * `Host`, or `X-Forwarded-Proto` and `X-Forwarded-Host` when the peer is a proxy TRUST_PROXY trusts (the first value of
 * each, as the proxy nearest the client wrote it). Only URLs handed back to the same client are built from it.
 */
export function publicUrlResolver(options: { readonly publicUrl: string | undefined; readonly trustProxy: TrustProxy }): PublicUrlOf {
  const { publicUrl } = options;
  if (publicUrl !== undefined) return () => publicUrl;
  const trusted = isTrustedProxy(options.trustProxy);
  return (request, serverContext) => {
    const own = new URL(request.url);
    const socket = socketAddress(serverContext);
    const behindProxy = socket !== undefined && trusted(socket);
    const forwardedProto = behindProxy ? firstValue(request.headers.get('x-forwarded-proto'))?.toLowerCase() : undefined;
    const forwardedHost = behindProxy ? firstValue(request.headers.get('x-forwarded-host')) : undefined;
    const proto = forwardedProto === 'http' || forwardedProto === 'https' ? forwardedProto : own.protocol.slice(0, -1);
    const hostHeader = request.headers.get('host') ?? undefined;
    const host = [forwardedHost, hostHeader].find((candidate) => candidate !== undefined && HOST.test(candidate)) ?? own.host;
    return `${proto}://${host}`;
  };
}
