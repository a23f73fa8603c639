import type { Plugin } from 'graphql-yoga';
import type { ClientAddressOf } from '../security/client-address.js';
import type { HomePinThrottle, SignInThrottle, Throttles } from '../security/throttle.js';

/**
 * Gives each request's context the sign-in and Home PIN throttles, bound to the client's address (resolved only when
 * used).
 */
export function useSignInThrottle(
  throttles: Throttles,
  addressOf: ClientAddressOf,
): Plugin<{ signInThrottle?: SignInThrottle; homePinThrottle?: HomePinThrottle }> {
  return {
    onContextBuilding({ context, extendContext }) {
      const signInThrottle: SignInThrottle = {
        begin: (login) => throttles.beginSignIn(login, addressOf(context.request, context)),
      };
      const homePinThrottle: HomePinThrottle = {
        begin: (homeUserUuid) => throttles.beginHomePin(homeUserUuid, addressOf(context.request, context)),
      };
      extendContext({ signInThrottle, homePinThrottle });
    },
  };
}
