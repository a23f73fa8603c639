import type { Plugin } from 'graphql-yoga';
import type { ClientAddressOf } from '../security/client-address.js';
import type { SignInThrottle, Throttles } from '../security/throttle.js';

/** Gives each request's context the sign-in throttle, bound to the client's address (resolved only when used). */
export function useSignInThrottle(throttles: Throttles, addressOf: ClientAddressOf): Plugin<{ signInThrottle?: SignInThrottle }> {
  return {
    onContextBuilding({ context, extendContext }) {
      const signInThrottle: SignInThrottle = {
        begin: (login) => throttles.beginSignIn(login, addressOf(context.request, context)),
        signOut: () => throttles.consumeSignOut(addressOf(context.request, context)),
      };
      extendContext({ signInThrottle });
    },
  };
}
