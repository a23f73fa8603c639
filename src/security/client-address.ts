import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import type { TrustProxy } from '../config.js';

/** The address a request is counted under when the socket is unknown (in-process requests without a server context). */
export const UNKNOWN_ADDRESS = 'unknown';

export type ClientAddressOf = (request: Request, serverContext: unknown) => string;

function socketAddress(serverContext: unknown): string | undefined {
  const req = (serverContext as { req?: { socket?: { remoteAddress?: string } } } | undefined)?.req;
  return req?.socket?.remoteAddress;
}

function normalize(address: string): string {
  // An IPv4 client on a dual-stack socket shows up as ::ffff:a.b.c.d; count it as a.b.c.d.
  const unmapped = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  return unmapped.slice(0, 64);
}

/**
 * The client's address: the socket peer, unless TRUST_PROXY says which X-Forwarded-For hops to believe (a hop count,
 * or the addresses/CIDR ranges of the proxies in front of this service). Never throws.
 */
export function clientAddressResolver(trust: TrustProxy): ClientAddressOf {
  if (trust === false) return (_request, serverContext) => normalize(socketAddress(serverContext) ?? UNKNOWN_ADDRESS);
  const trusts = typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : proxyAddr.compile(trust);
  return (request, serverContext) => {
    const socket = socketAddress(serverContext);
    if (socket === undefined) return UNKNOWN_ADDRESS;
    const forwardedFor = request.headers.get('x-forwarded-for');
    if (!forwardedFor) return normalize(socket);
    const req = { socket: { remoteAddress: socket }, headers: { 'x-forwarded-for': forwardedFor } };
    return normalize(proxyAddr(req as unknown as IncomingMessage, trusts));
  };
}

/**
 * Whether a socket peer is a proxy TRUST_PROXY trusts (its connections carry many clients). With a hop count every
 * peer is taken to be a proxy; with `false` none is.
 */
export function isTrustedProxy(trust: TrustProxy): (address: string) => boolean {
  if (trust === false) return () => false;
  if (typeof trust === 'number') return () => true;
  const trusts = proxyAddr.compile(trust);
  return (address) => trusts(normalize(address), 0);
}
