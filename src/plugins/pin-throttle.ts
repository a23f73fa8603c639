import type { Plugin } from 'graphql-yoga';
import type { ClientAddressOf } from '../security/client-address.js';
import type { PinThrottle, Throttles } from '../security/throttle.js';

/** Gives each request's context the PIN limits (creation, polling, subscriptions), bound to the client's address. */
export function usePinThrottle(throttles: Throttles, addressOf: ClientAddressOf): Plugin<{ pinThrottle?: PinThrottle }> {
  return {
    onContextBuilding({ context, extendContext }) {
      const address = () => addressOf(context.request, context);
      // One check per PIN per request, like the plex.tv call the request's PIN loader makes for it.
      let polls: Map<string, Promise<number | null>> | undefined;
      let unknown: Set<string> | undefined;
      const pinThrottle: PinThrottle = {
        create: () => throttles.consumePinCreation(address()),
        poll(pinId) {
          polls ??= new Map();
          let wait = polls.get(pinId);
          if (wait === undefined) polls.set(pinId, (wait = throttles.consumePinPoll(address(), pinId)));
          return wait;
        },
        async unknown(pinId) {
          unknown ??= new Set();
          if (unknown.has(pinId)) return;
          unknown.add(pinId);
          await throttles.chargeUnknownPin(address());
        },
        subscribe: () => throttles.consumePinSubscription(address()),
        get address() {
          return address();
        },
      };
      extendContext({ pinThrottle });
    },
  };
}
