import { z } from 'zod';
import { requireToken } from '../context.js';
import type { AccountDevice } from '../plex/account-schemas.js';
import { builder } from './builder.js';
import { ResourceCapability } from './resource.js';
import { ErrorInterface } from './sign-in.js';
import { accountToken, User } from './user.js';

const Device = builder.objectRef<AccountDevice>('Device').implement({
  description: "A device signed in to the account (plex.tv's devices list): apps, players and servers. Never carries the device's token.",
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The device ID: what `revokeDevice` takes.' }),
    name: t.exposeString('name', { description: 'The device name.' }),
    product: t.exposeString('product', { nullable: true, description: 'The app, e.g. "Plex for iOS".' }),
    productVersion: t.exposeString('productVersion', { nullable: true, description: 'The app version.' }),
    platform: t.exposeString('platform', { nullable: true, description: 'The operating system.' }),
    platformVersion: t.exposeString('platformVersion', { nullable: true, description: 'The operating system version.' }),
    device: t.exposeString('device', { nullable: true, description: 'The hardware, e.g. "iPhone".' }),
    model: t.exposeString('model', { nullable: true, description: 'The hardware model.' }),
    vendor: t.exposeString('vendor', { nullable: true, description: 'The hardware vendor.' }),
    clientIdentifier: t.exposeString('clientIdentifier', { description: "The device's client identifier." }),
    version: t.exposeString('version', { nullable: true, description: 'The version the device reported.' }),
    publicAddress: t.exposeString('publicAddress', { nullable: true, description: 'The public IP address plex.tv last saw it at.' }),
    provides: t.field({
      type: [ResourceCapability.ref],
      description: 'What the device provides (CLIENT, PLAYER, SERVER, …).',
      resolve: (device) => device.provides.map((capability) => ResourceCapability.fromPlex(capability)),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', nullable: true, description: 'When it first signed in.' }),
    lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime', nullable: true, description: 'When plex.tv last heard from it.' }),
    current: t.exposeBoolean('current', {
      description: "The device the request's token belongs to (for a Plex JWT, the device it was issued to): revokeDevice refuses it.",
    }),
  }),
});

builder.objectField(User, 'devices', (t) =>
  t.field({
    type: [Device],
    description: "The devices signed in to the account (plex.tv's devices list). Never carries a device's token.",
    resolve: (user, _args, ctx) => ctx.loaders.devicesByToken.load(accountToken(user, ctx)),
  }),
);

export class DeviceNotFoundError extends Error {
  constructor() {
    super('The account has no device with that id.');
  }
}

const RevokeDeviceRefusal = builder.enumType('RevokeDeviceRefusal', {
  description: 'Why a device is not removed here.',
  values: {
    CURRENT_DEVICE: { description: "The device of the request's own token: use signOut instead." },
    MEDIA_SERVER: { description: 'A Plex Media Server: removing it de-authorizes the server. Remove servers in the Plex app.' },
  } as const,
});

export class RevokeDeviceRefusedError extends Error {
  readonly reason: 'CURRENT_DEVICE' | 'MEDIA_SERVER';
  constructor(reason: 'CURRENT_DEVICE' | 'MEDIA_SERVER') {
    super(reason === 'CURRENT_DEVICE' ? 'This is the device you are signed in with: sign out instead.' : 'This device is a media server: removing it would de-authorize the server.');
    this.reason = reason;
  }
}

builder.objectType(DeviceNotFoundError, {
  name: 'DeviceNotFoundError',
  description: 'The account has no device with that id (already removed, or never its own).',
  interfaces: [ErrorInterface],
});

builder.objectType(RevokeDeviceRefusedError, {
  name: 'RevokeDeviceRefusedError',
  description: 'This service does not remove that device (the current one, or a media server); plex.tv was not asked.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    reason: t.field({ type: RevokeDeviceRefusal, description: 'Why.', resolve: (error) => error.reason }),
  }),
});

const RevokeDeviceSuccess = builder.objectRef<{ deviceId: string }>('RevokeDeviceSuccess').implement({
  description: 'The device was removed from the account: it is signed out of plex.tv. Not to be confused with `DeviceRevokedError` of refreshAuthToken.',
  fields: (t) => ({
    deviceId: t.exposeID('deviceId', { description: 'The ID of the device removed.' }),
  }),
});

const DEVICE_ID = z.string().regex(/^\d{1,20}$/, 'A device id is 1 to 20 digits.');

builder.mutationField('revokeDevice', (t) =>
  t.field({
    type: RevokeDeviceSuccess,
    description: 'Remove one device from the account: it is signed out of plex.tv.',
    args: {
      id: t.arg.id({ required: true, description: 'The Device id.', validate: DEVICE_ID }),
    },
    errors: {
      directResult: true,
      types: [DeviceNotFoundError, RevokeDeviceRefusedError],
      union: { name: 'RevokeDeviceResult', description: 'The outcome of removing a device.' },
    },
    resolve: async (_root, { id }, ctx) => {
      const token = requireToken(ctx);
      const deviceId = String(id);
      const device = (await ctx.loaders.devicesByToken.load(token)).find((candidate) => candidate.id === deviceId);
      if (device === undefined) throw new DeviceNotFoundError();
      if (device.current) throw new RevokeDeviceRefusedError('CURRENT_DEVICE');
      if (device.provides.includes('server')) throw new RevokeDeviceRefusedError('MEDIA_SERVER');
      const outcome = await ctx.plex.revokeDevice(token, deviceId);
      if (outcome.kind === 'not-found') throw new DeviceNotFoundError();
      return { deviceId };
    },
  }),
);
