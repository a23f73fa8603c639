import { requireToken } from '../context.js';
import { rateLimited } from '../errors.js';
import { builder } from './builder.js';

interface SignOutShape {
  readonly tokenWasValid: boolean;
}

const SignOutResult = builder.objectRef<SignOutShape>('SignOutResult').implement({
  description: 'The token no longer works: plex.tv revoked it, and this service dropped what it kept for it.',
  fields: (t) => ({
    signedOut: t.boolean({
      description: 'Always true: the token cannot be used any more. Forget it in the client.',
      resolve: () => true,
    }),
    tokenWasValid: t.exposeBoolean('tokenWasValid', {
      description: 'False when plex.tv no longer accepted the token (signed out before, revoked or expired).',
    }),
  }),
});

builder.mutationField('signOut', (t) =>
  t.field({
    type: SignOutResult,
    description:
      'Signs the token of this request out of plex.tv (the token stops working everywhere) and drops the state this service keeps for it. Signing out a token plex.tv no longer accepts succeeds too. Without a token, or with a Plex JWT that is expired or not signed by plex.tv (checked here, plex.tv is not called): UNAUTHENTICATED. With a Plex JWT of a jwt-mode sign-in, the `refreshToken` of that sign-in is revoked too.',
    resolve: async (_root, _args, ctx) => {
      const token = requireToken(ctx);
      // An expired or forged JWT is refused here, without calling plex.tv.
      await ctx.auth.checkToken(token);
      const wait = await ctx.signInThrottle.signOut();
      if (wait !== null) throw rateLimited(wait, `Too many sign-outs from this address. Retry in ${wait} s.`);
      // Shared with the other instances unless plex.tv said the token was not valid: then nothing was signed out, and a
      // stream of made-up tokens must not become a stream of messages to every instance.
      let signedOut = true;
      try {
        const outcome = await ctx.plex.signOut(token);
        signedOut = outcome.kind === 'signed-out';
        return { tokenWasValid: signedOut };
      } finally {
        // Even when plex.tv could not be reached: nothing cached for this token may be served after a sign-out.
        ctx.loaders.userByToken.clear(token);
        // A Plex JWT's device: its refresh tokens end with it (a token plex.tv called invalid signs nothing out).
        if (signedOut) await ctx.auth.revokeRefreshTokens(token);
        await ctx.signOuts.signedOut(token, { share: signedOut });
      }
    },
  }),
);
