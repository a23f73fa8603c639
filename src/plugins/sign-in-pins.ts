import DataLoader from 'dataloader';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import type { PinSignIns, PolledPin } from '../plex/pin-sign-ins.js';
import type { PinWatcher } from '../plex/pin-watcher.js';

export interface SignInPinServices {
  readonly watcher: PinWatcher;
  /** Creates and polls PINs as PLEX_AUTH_MODE says (legacy, or a device per PIN in jwt mode). */
  readonly signIns: PinSignIns;
  /** One GET /pins/{id} per distinct PIN per request, however many aliases ask for it. */
  readonly pinById: DataLoader<string, PolledPin | null>;
}

/** Adds `signInPins` to every request's context: the server's PIN watcher and sign-ins, and this request's PIN loader. */
export function useSignInPins(watcher: PinWatcher, signIns: PinSignIns): Plugin<Context> {
  return {
    onContextBuilding({ context, extendContext }) {
      const { callOptions } = context;
      // Built on first use: most operations never read a PIN.
      let pinById: DataLoader<string, PolledPin | null> | undefined;
      extendContext({
        signInPins: {
          watcher,
          signIns,
          get pinById() {
            return (pinById ??= new DataLoader<string, PolledPin | null>(
              (ids) => Promise.all(ids.map((id) => signIns.poll(id, callOptions).catch((error: Error) => error))),
              { maxBatchSize: 16 },
            ));
          },
        },
      });
    },
  };
}
