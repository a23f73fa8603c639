import { requireToken } from '../context.js';
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
      'Signs the token of this request out of plex.tv (the token stops working everywhere) and drops the state this service keeps for it. Signing out a token plex.tv no longer accepts succeeds too. Without a token, or with a Plex JWT that is expired or not signed by plex.tv (checked here, plex.tv is not called): UNAUTHENTICATED. A jwt-mode `refreshToken` is not revoked by this: forget it in the client too.',
    resolve: async (_root, _args, ctx) => {
      const token = requireToken(ctx);
      // An expired or forged JWT is refused here, without calling plex.tv.
      await ctx.auth.checkToken(token);
      try {
        const outcome = await ctx.plex.signOut(token);
        return { tokenWasValid: outcome.kind === 'signed-out' };
      } finally {
        // Even when plex.tv could not be reached: nothing cached for this token may be served after a sign-out.
        ctx.loaders.userByToken.clear(token);
        await ctx.signOuts.signedOut(token);
      }
    },
  }),
);
