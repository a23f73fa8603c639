import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Child, freePort, ROOT, until, waitForPort } from './deployment/processes.js';

// An attacker: opens `count` sockets from `localAddress`, each sending headers that announce a 100 000-byte body and
// then trickling a byte of it every half second. Says, when asked, how many have connected or been refused.
const ATTACKER = `
const net = require('node:net');
const [localAddress, port, count] = process.argv.slice(1);
const open = new Set();
let settled = 0;
function attack() {
  let counted = false;
  const settle = () => {
    if (counted) return;
    counted = true;
    settled += 1;
  };
  const socket = net.connect({ host: '127.0.0.1', port: Number(port), localAddress }, () => {
    open.add(socket);
    settle();
    socket.write('POST /graphql HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\nContent-Length: 100000\\r\\n\\r\\n{');
  });
  socket.on('error', () => {});
  socket.once('close', () => {
    settle();
    open.delete(socket);
  });
}
for (let i = 0; i < Number(count); i += 1) attack();
setInterval(() => {
  for (const socket of open) socket.write(' ');
}, 500);
process.on('message', () => process.send({ settled }));
`;

const ATTACKERS = 10;
const SOCKETS_EACH = 260;

describe('connections: 10 addresses trickling request bodies (spawned processes)', () => {
  let server: Child;
  let port: number;
  const attackers: Child[] = [];

  beforeAll(async () => {
    port = await freePort();
    // MAX_CONNECTIONS below what the attack would hold without the per-address cap (10 × 260), above what the cap lets 10 addresses hold (10 × 200); the cap is the default.
    server = new Child(
      'server',
      spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--mock'], {
        cwd: ROOT,
        env: { PATH: process.env['PATH'] ?? '', PORT: String(port), HOST: '127.0.0.1', MAX_CONNECTIONS: '2100', PLEX_CLIENT_IDENTIFIER: 'connections-test' },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    await waitForPort(port, 'the server', 60_000);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(attackers.map((attacker) => attacker.stop('SIGKILL')));
    await server?.stop();
  }, 60_000);

  it('serves a fresh client while the attack holds what it can (MAX_CONNECTIONS_PER_ADDRESS, 200, per address; without it every slot)', async () => {
    for (let n = 0; n < ATTACKERS; n += 1) {
      const child = spawn(process.execPath, ['-e', ATTACKER, `127.0.9.${n + 1}`, String(port), String(SOCKETS_EACH)], {
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      attackers.push(new Child(`attacker-${n}`, child));
    }
    const ask = () =>
      Promise.all(
        attackers.map(async (attacker) => {
          const answer = once(attacker.process, 'message');
          attacker.process.send('count');
          return (await answer)[0] as { settled: number };
        }),
      );
    // The attack is in force once every attacker's sockets have connected (or been refused).
    await until(async () => (await ask()).every((attacker) => attacker.settled === SOCKETS_EACH), 'the attack to be in force', 90_000);

    // Before the attack's bodies time out (10 s after their headers), which would free every slot anyway.
    const fresh = new Agent({ localAddress: '127.0.9.200', connect: { timeout: 5_000 } });
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
    expect(server.running).toBe(true);
  }, 150_000);
});
