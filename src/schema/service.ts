import type { PlexService } from '../plex/schemas.js';
import { builder } from './builder.js';
import { ServiceStatus } from './enums.js';
import { urlOrNull } from './scalars.js';

export const Service = builder.objectRef<PlexService>('Service').implement({
  description: 'A Plex online service the account can use (metadata, EPG, lyrics, ...), with its credentials.',
  fields: (t) => ({
    identifier: t.exposeString('identifier', { description: 'The service name, e.g. "metadata" or "epg".' }),
    endpoint: t.field({
      type: 'URL',
      nullable: true,
      description: 'The base URL of the service. Null when plex.tv sends a value that is not a URL.',
      resolve: (service) => urlOrNull(service.endpoint),
    }),
    token: t.exposeString('token', {
      nullable: true,
      description: 'The access token for this service, when it has one. A credential: treat it like the account token.',
    }),
    secret: t.exposeString('secret', {
      nullable: true,
      description: 'The secret for this service, when it has one. A credential: treat it like the account token.',
    }),
    status: t.field({
      type: ServiceStatus.ref,
      description: 'Whether the service is online.',
      resolve: (service) => ServiceStatus.fromPlex(service.status),
    }),
  }),
});
