import DataLoader from 'dataloader';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import type { PinWatcher } from '../plex/pin-watcher.js';
import type { PlexPin } from '../plex/schemas.js';

export interface SignInPinServices {
  readonly watcher: PinWatcher;
  /** One GET /pins/{id} per distinct PIN per request, however many aliases ask for it. */
  readonly pinById: DataLoader<string, PlexPin | null>;
}

/** Adds `signInPins` to every request's context: the server's PIN watcher and this request's PIN loader. */
export function useSignInPins(watcher: PinWatcher): Plugin<Context> {
  return {
    onContextBuilding({ context, extendContext }) {
      const { plex, callOptions } = context;
      // Built on first use: most operations never read a PIN.
      let pinById: DataLoader<string, PlexPin | null> | undefined;
      extendContext({
        signInPins: {
          watcher,
          get pinById() {
            return (pinById ??= new DataLoader<string, PlexPin | null>(
              (ids) => Promise.all(ids.map((id) => plex.getPin(id, callOptions).catch((error: Error) => error))),
              { maxBatchSize: 16 },
            ));
          },
        },
      });
    },
  };
}
