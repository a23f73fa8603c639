import type { Server } from 'node:http';

export interface ConnectionLimits {
  /** Open connections in all; Node drops new ones beyond it (`server.maxConnections`). */
  readonly maxConnections: number;
  /** Open connections from one peer address; new ones beyond it are closed at once. */
  readonly maxPerAddress: number;
  /** Peers the per-address limit does not apply to: the trusted proxies, which carry many clients' connections. */
  readonly exempt: (address: string) => boolean;
  /** A connection that has not started a request within this time is closed (Node's headersTimeout starts later). */
  readonly firstRequestTimeoutMs: number;
  /** A request whose body is not complete this long after its headers gets 408 and its connection is closed. */
  readonly bodyTimeoutMs: number;
}

/**
 * Bounds the sockets a server holds, so that one client opening thousands of idle connections cannot use up the
 * process's file descriptors and lock every other client out. Node has the total limit; no well-kept library counts
 * per peer address on a plain node:http server, so that count is kept here.
 */
export function limitConnections(server: Server, limits: ConnectionLimits): void {
  server.maxConnections = limits.maxConnections;
  const open = new Map<string, number>();
  server.on('request', (request, response) => {
    request.socket.setTimeout(0);
    // Node's requestTimeout bounds headers and body together; a body trickled a byte at a time would hold the socket
    // for all of it. The body gets its own, shorter deadline.
    if (request.complete) return;
    const timer = setTimeout(() => {
      if (request.complete) return;
      if (response.headersSent) request.socket.destroy();
      else response.writeHead(408, { connection: 'close', 'content-type': 'text/plain' }).end('The request body did not arrive in time.\n', () => request.socket.destroy());
    }, limits.bodyTimeoutMs);
    timer.unref();
    response.once('close', () => clearTimeout(timer));
  });
  server.on('connection', (socket) => {
    // No callback: Node's server destroys a socket whose timeout fires.
    socket.setTimeout(limits.firstRequestTimeoutMs);
    const address = socket.remoteAddress;
    if (address === undefined || limits.exempt(address)) return;
    const count = (open.get(address) ?? 0) + 1;
    if (count > limits.maxPerAddress) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
