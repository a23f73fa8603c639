import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { REDIS_SERVER_MISSING, startRedis } from './support/redis.js';

// The helper that gives Redis-backed specs a redis-server of their own (test/support/redis.ts).
describe('a test redis-server', () => {
  it('answers on a port of its own, keeps nothing on disk, and is gone once stopped', async () => {
    const redis = await startRedis();
    const client = new Redis(redis.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      expect(redis.port).not.toBe(6379);
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
      expect(await client.ping()).toBe('PONG');
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
      expect(await client.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
    } finally {
      client.disconnect();
      await redis.stop();
    }
    expect(redis.process.exitCode !== null || redis.process.signalCode !== null).toBe(true);
    const refused = await new Promise<string | undefined>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: redis.port });
      socket.on('connect', () => {
        socket.destroy();
        resolve(undefined);
      });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code));
    });
    expect(refused).toBe('ECONNREFUSED');
    // Stopping twice is harmless.
    await redis.stop();
  });

  it('names the missing prerequisite in one line when no redis-server is on PATH', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-redis-'));
    const path = process.env.PATH;
    process.env.PATH = empty;
    try {
      const error = await startRedis().then(
        () => undefined,
        (failure: unknown) => failure as Error,
      );
      expect(error?.message).toBe(REDIS_SERVER_MISSING);
      expect(error?.message).toMatch(/apt-get install redis-server/);
      expect(error?.stack).toBe(REDIS_SERVER_MISSING);
    } finally {
      process.env.PATH = path;
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
