import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REDACTED_KEYS, type Logger } from '../src/observability/logger.js';
import { capturingLogger } from './support/servers.js';

const SECRET = 'canary-SECRET-51d0';

/** The one line a call wrote, parsed. */
function logged(write: (logger: Logger) => void): { line: Record<string, unknown>; text: string } {
  const { logger, lines } = capturingLogger('info');
  write(logger);
  expect(lines).toHaveLength(1);
  return { line: JSON.parse(lines[0]!) as Record<string, unknown>, text: lines[0]! };
}

describe('the logger', () => {
  it.each(REDACTED_KEYS)('censors %s in the line, in a value in it and in a value in that, in objects and lists', (key) => {
    const { line, text } = logged((logger) => logger.info({ [key]: SECRET, outer: { [key]: SECRET, inner: { [key]: SECRET } }, list: [{ [key]: SECRET }] }, 'm'));
    expect(text).not.toContain(SECRET);
    expect(line[key]).toBe('[redacted]');
    expect(line['outer']).toEqual({ [key]: '[redacted]', inner: { [key]: '[redacted]' } });
    expect(line['list']).toEqual([{ [key]: '[redacted]' }]);
  });

  it("censors a child logger's bindings", () => {
    const { line, text } = logged((logger) => logger.child({ requestId: 'r1', password: SECRET }).info('m'));
    expect(text).not.toContain(SECRET);
    expect(line).toMatchObject({ requestId: 'r1', password: '[redacted]', msg: 'm' });
  });

  it('censors an error as it is serialized, and keeps its type, message and stack', () => {
    const error = Object.assign(new TypeError('upstream refused'), { token: SECRET, response: { authorization: SECRET } });
    for (const write of [(logger: Logger) => logger.error({ err: error }, 'failed'), (logger: Logger) => logger.error(error)]) {
      const { line, text } = logged(write);
      expect(text).not.toContain(SECRET);
      expect(line['err']).toMatchObject({ type: 'TypeError', message: 'upstream refused', token: '[redacted]', response: { authorization: '[redacted]' } });
      expect(String((line['err'] as { stack?: unknown }).stack)).toContain('upstream refused');
    }
    expect(error.token).toBe(SECRET);
  });

  it('leaves what the caller logged unchanged, and other values whole', () => {
    const fields = { operationName: 'Viewer', upstream: [{ endpoint: 'user', status: 200, token: SECRET }] };
    const { line } = logged((logger) => logger.info(fields, 'operation'));
    expect(fields.upstream[0]!.token).toBe(SECRET);
    expect(line).toMatchObject({ operationName: 'Viewer', upstream: [{ endpoint: 'user', status: 200, token: '[redacted]' }], level: 'info', service: 'plex-account-graphql' });
  });
});

describe('the logger on stdout', () => {
  it('loses no line of a batch when the process exits', async () => {
    // Fewer lines than a batch, then an exit right after the last one.
    const script = `
      import { createLogger } from './src/observability/logger.ts';
      const logger = createLogger('info');
      for (let i = 0; i < 3; i++) logger.info({ i }, 'line');
      setTimeout(() => {
        logger.info('last');
        process.exit(0);
      }, 300);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: new URL('..', import.meta.url) });
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as { msg: string; i?: number });
    expect(lines.map((line) => line.msg)).toEqual(['line', 'line', 'line', 'last']);
  }, 30_000);
});
