import type { Plugin } from 'graphql-yoga';
import type { PublicUrlOf } from '../security/public-url.js';
import type { PlexSimulator } from '../simulator/index.js';

/** Where mock mode serves the plex.tv simulator on this server: plex.tv's /api/v2/pins is /simulator/api/v2/pins. */
export const SIMULATOR_PREFIX = '/simulator';

/**
 * Mock mode (`--mock`): every request under /simulator goes to the plex.tv simulator, on this server's own port, so the
 * approval page, the avatars and the PIN QR images are reachable wherever the API is (a container's published port, a
 * proxy). The simulator builds the addresses it hands out from the request's public URL.
 */
export function useSimulator(simulator: PlexSimulator, publicUrlOf: PublicUrlOf): Plugin {
  return {
    onRequest({ request, url, serverContext, endResponse }) {
      if (url.pathname !== SIMULATOR_PREFIX && !url.pathname.startsWith(`${SIMULATOR_PREFIX}/`)) return;
      const base = `${publicUrlOf(request, serverContext)}${SIMULATOR_PREFIX}`;
      return simulator.fetch(request, { prefix: SIMULATOR_PREFIX, base }).then(endResponse);
    },
  };
}
