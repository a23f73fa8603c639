import type { GraphQLError } from 'graphql';
import { LRUCache } from 'lru-cache';
import { rateLimited, upstreamBadResponse, upstreamUnavailable } from '../errors.js';
import type { CallOptions, PlexClient, PlexDiagnostic, PlexEndpoint } from './client.js';
import { createDevice, sealDevice, unsealDevice, type DeviceAuthFailure, type PlexDevice, type SealingKeyring } from './device-auth.js';
import type { PendingDevices } from './pending-devices.js';
import type { CreatedPin } from './pins.js';
import type { PlexPin } from './schemas.js';

/**
 * A PIN as one poll of plex.tv saw it. In jwt mode an approved PIN also carries `refreshToken`: the PIN's device sealed
 * under AUTH_SEALING_KEY, the credential the client refreshes its Plex JWT with.
 */
export interface PolledPin extends PlexPin {
  readonly refreshToken?: string | null;
}

/** The two calls of a PIN sign-in, as PLEX_AUTH_MODE makes them. */
export interface PinSignIns {
  readonly mode: 'legacy' | 'jwt';
  /** Creates a PIN at plex.tv (in jwt mode: for a new device, which is kept until the PIN expires). */
  create(input: { readonly forwardUrl?: string | null }, options?: CallOptions): Promise<CreatedPin>;
  /** One poll of the PIN. Null when plex.tv (or, in jwt mode, this service) does not know it, or it expired. */
  poll(id: string, options?: CallOptions): Promise<PolledPin | null>;
}

/** Legacy: PINs of this service's own client identifier, approved with a classic token. */
export function legacyPinSignIns(plex: PlexClient): PinSignIns {
  return {
    mode: 'legacy',
    create: (input, options) => plex.createPin(input, options),
    poll: (id, options) => plex.getPin(id, options),
  };
}

/** The GraphQL error for a device-auth answer the caller has no outcome of its own for; logs what went wrong. */
export function deviceAuthError(
  endpoint: PlexEndpoint,
  failure: DeviceAuthFailure | { readonly kind: 'refused'; readonly status: number },
  report: (event: PlexDiagnostic) => void,
): GraphQLError {
  switch (failure.kind) {
    case 'throttled':
      return rateLimited(failure.retryAfterSeconds);
    case 'unavailable':
      report({ endpoint, problem: 'server error', status: failure.status });
      return upstreamUnavailable();
    case 'refused':
      report({ endpoint, problem: 'request refused (device JWT or key not accepted)', status: failure.status });
      return upstreamBadResponse();
    case 'bad-response':
      report({ endpoint, problem: failure.problem, status: failure.status });
      return upstreamBadResponse();
  }
}

export interface JwtPinSignInsOptions {
  readonly plex: PlexClient;
  readonly keyring: SealingKeyring;
  readonly pending: PendingDevices;
  readonly now?: () => number;
  /** Where diagnostics go when a call's options bring no reporter of their own. */
  readonly onDiagnostic?: (event: PlexDiagnostic) => void;
}

interface OpenedDevice {
  readonly sealed: string;
  readonly device: PlexDevice;
  /** An older sealing key opened it: the credential handed out is sealed again under the current one. */
  readonly needsReseal: boolean;
}

/**
 * JWT mode: one device (client identifier and Ed25519 key) per PIN. The PIN is created with the device's public key,
 * polled with device JWTs signed by it, and on approval plex.tv returns a Plex JWT for that device. The device waits in
 * `pending` (sealed) in between, so any instance can finish the sign-in; this instance also keeps the devices it has
 * opened, so that polling does not unseal on every poll.
 */
export function createJwtPinSignIns(options: JwtPinSignInsOptions): PinSignIns {
  const { plex, keyring, pending } = options;
  const now = options.now ?? Date.now;
  const fallback = options.onDiagnostic ?? (() => {});
  const reporter = (callOptions: CallOptions | undefined) => callOptions?.onDiagnostic ?? fallback;
  const opened = new LRUCache<string, OpenedDevice>({ max: 1_000, ttl: 15 * 60 * 1000 });

  async function deviceFor(id: string, callOptions: CallOptions | undefined): Promise<OpenedDevice | null> {
    // PIN ids are unique at plex.tv: a device once opened for an id stays that id's device.
    const known = opened.get(id);
    if (known !== undefined) return known;
    const sealed = await pending.get(id);
    if (sealed === null) return null;
    const result = await unsealDevice(sealed, keyring);
    if (!result.ok) {
      // Sealed under a key this service no longer has (AUTH_SEALING_KEY changed mid sign-in): start again.
      reporter(callOptions)({ endpoint: 'pin', problem: `pending device cannot be opened (${result.reason})` });
      return null;
    }
    const entry = { sealed, device: result.device, needsReseal: result.needsReseal };
    opened.set(id, entry);
    return entry;
  }

  return {
    mode: 'jwt',

    async create(input, callOptions) {
      // A fresh key is never "already taken" unless plex.tv is confused; one more fresh device settles it.
      for (let attempt = 1; ; attempt++) {
        const device = await createDevice();
        const outcome = await plex.deviceAuth.createJwtPin(device, input, callOptions);
        if (outcome.kind === 'created') {
          const { pin } = outcome;
          const sealed = await sealDevice(device, keyring, now());
          await pending.put(pin.id, sealed, pin.expiresAt);
          opened.set(pin.id, { sealed, device, needsReseal: false });
          return pin;
        }
        if (outcome.kind === 'thumbprint-taken') {
          if (attempt < 2) continue;
          throw deviceAuthError('pins', { kind: 'bad-response', status: 422, problem: 'thumbprint already taken twice' }, reporter(callOptions));
        }
        throw deviceAuthError('pins', outcome, reporter(callOptions));
      }
    },

    async poll(id, callOptions) {
      const entry = await deviceFor(id, callOptions);
      // A PIN this service holds no device for cannot be polled (plex.tv wants a device JWT): unknown or expired.
      if (entry === null) return null;
      const outcome = await plex.deviceAuth.getJwtPin(entry.device, id, callOptions);
      switch (outcome.kind) {
        case 'pending':
          return outcome.pin;
        case 'approved': {
          const refreshToken = entry.needsReseal ? await sealDevice(entry.device, keyring, now()) : entry.sealed;
          return { ...outcome.pin, authToken: outcome.authToken, refreshToken };
        }
        case 'not-found':
          return null;
        default:
          throw deviceAuthError('pin', outcome, reporter(callOptions));
      }
    },
  };
}
