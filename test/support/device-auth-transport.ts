import { request, type Dispatcher } from 'undici';
import { DeviceAuthUnreachable, type DeviceAuthTransport } from '../../src/plex/device-auth.js';

// The JWT-flow calls on plain undici, to test them without the plex client (which the server uses).

export interface StandaloneTransportOptions {
  readonly baseUrl: string;
  /** This service's own client identifier, for calls made for no device in particular (the signing keys). */
  readonly clientIdentifier: string;
  readonly product: string;
  readonly version: string;
  readonly timeoutMs?: number;
  /** Defaults to undici's global dispatcher. */
  readonly dispatcher?: Dispatcher;
}

const MAX_RESPONSE_BYTES = 256 * 1024;

/** A DeviceAuthTransport on plain undici, for use before (or without) the plex client. */
export function createDeviceAuthTransport(options: StandaloneTransportOptions): DeviceAuthTransport {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: Object.freeze({
      accept: 'application/json',
      'x-plex-client-identifier': options.clientIdentifier,
      'x-plex-product': options.product,
      'x-plex-version': options.version,
    }),
    async call(endpoint, url, init) {
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const response = await request(url, {
          method: init.method,
          headers: init.headers,
          body: init.body,
          signal,
          ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
        });
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of response.body) {
          size += (chunk as Buffer).length;
          if (size > MAX_RESPONSE_BYTES) {
            response.body.destroy();
            throw new DeviceAuthUnreachable(endpoint, 'body-too-large');
          }
          chunks.push(chunk as Buffer);
        }
        return {
          status: response.statusCode,
          contentType: firstHeader(response.headers['content-type']) ?? '',
          retryAfter: firstHeader(response.headers['retry-after']),
          text: Buffer.concat(chunks).toString('utf8'),
        };
      } catch (error) {
        if (error instanceof DeviceAuthUnreachable) throw error;
        throw new DeviceAuthUnreachable(endpoint, signal.aborted ? 'timeout' : 'network');
      }
    },
  };
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
