import { describe, expect, it } from 'vitest';
import {
  orderedConnections,
  parseDevicesXml,
  PlexHomeSchema,
  PlexResourcesSchema,
  type PlexConnection,
} from '../src/plex/account-schemas.js';

const connection = (protocol: 'http' | 'https', kind: 'local' | 'remote' | 'relay', address = '10.0.0.1'): PlexConnection => ({
  protocol,
  address,
  port: 32400,
  uri: `${protocol}://${kind}-${protocol}:32400`,
  local: kind === 'local',
  relay: kind === 'relay',
  IPv6: false,
});

// Deliberately shuffled: relay first, http before https.
const shuffled = [
  connection('https', 'relay'),
  connection('http', 'remote'),
  connection('http', 'local'),
  connection('https', 'remote'),
  connection('https', 'local'),
  connection('http', 'relay'),
];
const uris = (list: PlexConnection[]) => list.map((c) => c.uri.replace(':32400', ''));

describe('orderedConnections', () => {
  it('owned: local, remote, relay; https before http within each', () => {
    const order = orderedConnections({ owned: true, publicAddressMatches: false, httpsRequired: false, connections: shuffled });
    expect(uris(order)).toEqual(['https://local-https', 'http://local-http', 'https://remote-https', 'http://remote-http', 'https://relay-https', 'http://relay-http']);
  });

  it('not owned: remote, relay, and no local connection', () => {
    const order = orderedConnections({ owned: false, publicAddressMatches: false, httpsRequired: false, connections: shuffled });
    expect(uris(order)).toEqual(['https://remote-https', 'http://remote-http', 'https://relay-https', 'http://relay-http']);
  });

  it('not owned but on the same public address: local first again', () => {
    const order = orderedConnections({ owned: false, publicAddressMatches: true, httpsRequired: false, connections: shuffled });
    expect(uris(order).slice(0, 2)).toEqual(['https://local-https', 'http://local-http']);
    expect(order).toHaveLength(6);
  });

  it('no http connection when the server requires https', () => {
    const order = orderedConnections({ owned: true, publicAddressMatches: false, httpsRequired: true, connections: shuffled });
    expect(uris(order)).toEqual(['https://local-https', 'https://remote-https', 'https://relay-https']);
  });

  it('keeps plex.tv order between equals', () => {
    const a = connection('https', 'remote', '1.1.1.1');
    const b = { ...connection('https', 'remote', '2.2.2.2'), uri: 'https://b' };
    expect(orderedConnections({ owned: true, publicAddressMatches: false, httpsRequired: false, connections: [a, b] })).toEqual([a, b]);
  });
});

describe('resources and Home bodies', () => {
  it('turns ISO timestamps into dates, splits provides, and makes "" and absent values null', () => {
    const [resource] = PlexResourcesSchema.parse([
      {
        name: 'Plexamp',
        product: 'Plexamp',
        productVersion: '4.11.0',
        platform: '',
        clientIdentifier: 'abc',
        createdAt: '2020-01-12T15:30:18Z',
        lastSeenAt: '2024-09-05T03:15:45Z',
        provides: 'player,pubsub-player, controller',
        ownerId: null,
        owned: true,
        home: false,
        synced: false,
        relay: false,
        presence: true,
        httpsRequired: false,
        publicAddressMatches: true,
        dnsRebindingProtection: false,
        natLoopbackSupported: false,
        connections: [],
      },
    ]);
    expect(resource).toMatchObject({
      platform: null,
      platformVersion: null,
      accessToken: null,
      createdAt: new Date('2020-01-12T15:30:18Z'),
      provides: ['player', 'pubsub-player', 'controller'],
    });
  });

  it('Home users: Unix seconds, null username and email of a managed user', () => {
    const home = PlexHomeSchema.parse({
      id: 1841489,
      name: 'Home',
      guestEnabled: false,
      subscription: true,
      users: [{ id: 33542084, uuid: '19860c4bdfbf24d5', title: 'Kid', username: null, email: null, updatedAt: 1704558269, restrictionProfile: 'little_kid', restricted: true }],
    });
    expect(home.users[0]).toMatchObject({ id: '33542084', username: null, email: null, updatedAt: new Date(1704558269 * 1000), protected: false });
    expect(() => PlexHomeSchema.parse({ id: 1, name: 'x', users: [{ id: 1, uuid: 'u', title: 't', updatedAt: -5 }] })).toThrow();
  });
});

const DEVICES = `<?xml version="1.0" encoding="UTF-8"?>
<MediaContainer publicAddress="1.0.0.1" size="2">
  <Device name="iPhone" publicAddress="1.0.0.1" product="Plex for iOS" productVersion="7.26" platform="iOS" platformVersion="15.2"
          device="iPhone" model="14,2" vendor="Apple" provides="client,controller,sync-target,player,pubsub-player,provider-playback"
          clientIdentifier="9" version="7.26" id="123456" token="CANARYtokenIPHONE001" createdAt="1628211599" lastSeenAt="1628211600"
          screenResolution="1170x2532" screenDensity="3">
    <SyncList itemsCompleteCount="0" totalSize="0" version="2"/>
    <Connection uri="http://192.168.1.1:32500"/>
  </Device>
  <Device name="Web" product="Plex Web" productVersion="" platform="" platformVersion="" device="" model="" vendor="" provides=""
          clientIdentifier="web-1" version="" id="123457" token="CANARYtokenWEB000002" createdAt="1628211599" lastSeenAt="1628211599"/>
</MediaContainer>`;

describe('parseDevicesXml', () => {
  it('reads every device, drops the tokens and marks the one holding the caller token', () => {
    const result = parseDevicesXml(DEVICES, { token: 'CANARYtokenWEB000002', clientIdentifier: null });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(JSON.stringify(result.devices)).not.toContain('CANARY');
    expect(result.devices.map((device) => [device.id, device.current])).toEqual([
      ['123456', false],
      ['123457', true],
    ]);
    expect(result.devices[0]).toMatchObject({
      name: 'iPhone',
      model: '14,2',
      provides: ['client', 'controller', 'sync-target', 'player', 'pubsub-player', 'provider-playback'],
      createdAt: new Date(1628211599 * 1000),
    });
    expect(result.devices[1]).toMatchObject({ platform: null, productVersion: null, provides: [], version: null });
    expect(Object.keys(result.devices[0]!)).not.toContain('token');
  });

  it('a Plex JWT marks the device it was issued to', () => {
    const result = parseDevicesXml(DEVICES, { token: 'eyJ.not.listed', clientIdentifier: '9' });
    expect(result.ok && result.devices.map((device) => device.current)).toEqual([true, false]);
  });

  it('an empty list, and bodies that are not a device list', () => {
    expect(parseDevicesXml('<MediaContainer size="0"/>', { token: 't', clientIdentifier: null })).toEqual({ ok: true, devices: [] });
    expect(parseDevicesXml('{"errors":[]}', { token: 't', clientIdentifier: null }).ok).toBe(false);
    const bad = parseDevicesXml('<MediaContainer><Device name="x" token="CANARYsecret" id="abc"/></MediaContainer>', { token: 't', clientIdentifier: null });
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).not.toContain('CANARY');
  });

  it('does not expand entities declared by the document', () => {
    const body = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><MediaContainer><Device id="1" name="&e;" clientIdentifier="c"/></MediaContainer>`;
    const result = parseDevicesXml(body, { token: 't', clientIdentifier: null });
    expect(JSON.stringify(result)).not.toContain('root:');
  });
});
