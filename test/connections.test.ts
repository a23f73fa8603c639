import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Child, freePort, ROOT, until, waitForPort } from './deployment/processes.js';

// An attacker: opens `count` sockets from `localAddress`, sends headers announcing a 100 000-byte body and one byte of
// it, then trickles a byte every half second. Says how many sockets connected, then how many the server left open.
const ATTACKER = `
const net = require('node:net');
const [localAddress, port, count] = process.argv.slice(1);
const sockets = [];
let settled = 0;
let closed = 0;
const done = () => {
  settled += 1;
  if (settled === Number(count)) console.log(JSON.stringify({ ready: true }));
};
for (let i = 0; i < Number(count); i += 1) {
  const socket = net.connect({ host: '127.0.0.1', port: Number(port), localAddress }, () => {
    socket.write('POST /graphql HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\nContent-Length: 100000\\r\\n\\r\\n{');
    done();
  });
  socket.on('error', () => {});
  socket.once('close', () => {
    closed += 1;
    if (!socket.connecting && socket.bytesWritten === 0) done();
  });
  sockets.push(socket);
}
setInterval(() => {
  for (const socket of sockets) if (!socket.destroyed) socket.write(' ');
}, 500);
process.on('message', () => process.send({ open: sockets.filter((socket) => !socket.destroyed).length, closed }));
`;

const ATTACKERS = 10;
const SOCKETS_EACH = 400;

describe('connections: 10 addresses trickling request bodies (spawned processes)', () => {
  let server: Child;
  let port: number;
  const attackers: Child[] = [];

  beforeAll(async () => {
    port = await freePort();
    // MAX_CONNECTIONS below what the attack would hold without the per-address cap (10 × 400); the cap is the default.
    server = new Child(
      'server',
      spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--mock'], {
        cwd: ROOT,
        env: { PATH: process.env['PATH'] ?? '', PORT: String(port), HOST: '127.0.0.1', MAX_CONNECTIONS: '3000', PLEX_CLIENT_IDENTIFIER: 'connections-test' },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    await waitForPort(port, 'the server', 60_000);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(attackers.map((attacker) => attacker.stop('SIGKILL')));
    await server?.stop();
  });

  it('serves a fresh client while every attacking address holds at most MAX_CONNECTIONS_PER_ADDRESS (200) sockets', async () => {
    for (let n = 0; n < ATTACKERS; n += 1) {
      const child = spawn(process.execPath, ['-e', ATTACKER, `127.0.9.${n + 1}`, String(port), String(SOCKETS_EACH)], {
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      attackers.push(new Child(`attacker-${n}`, child));
    }
    await until(() => attackers.every((attacker) => attacker.logged('"ready":true')), 'every attacker to open its sockets', 60_000);

    const fresh = new Agent({ localAddress: '127.0.9.200' });
    try {
      const response = await undiciFetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
        dispatcher: fresh,
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
    } finally {
      await fresh.close();
    }

    const held = await Promise.all(
      attackers.map(async (attacker) => {
        const answer = once(attacker.process, 'message');
        attacker.process.send('count');
        return ((await answer)[0] as { open: number }).open;
      }),
    );
    for (const open of held) expect(open).toBeLessThanOrEqual(200);
    expect(server.running).toBe(true);
  }, 120_000);
});
