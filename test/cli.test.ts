import { describe, expect, it } from 'vitest';
import { nodeVersionWarning, parseCommandLine } from '../src/cli.js';

// The start-up itself (a spawned src/main.ts refusing --mok, warning on an old Node.js) is in test/smoke.test.ts.

describe('parseCommandLine', () => {
  it('knows --mock', () => {
    expect(parseCommandLine([])).toEqual({ ok: true, mock: false });
    expect(parseCommandLine(['--mock'])).toEqual({ ok: true, mock: true });
  });

  it('refuses anything else, naming it and the known options', () => {
    expect(parseCommandLine(['--mok'])).toEqual({ ok: false, problem: 'unknown option --mok. Known options: --mock.' });
    expect(parseCommandLine(['--mock', '-m'])).toEqual({ ok: false, problem: 'unknown option -m. Known options: --mock.' });
    expect(parseCommandLine(['mock'])).toEqual({ ok: false, problem: 'unexpected argument mock. Known options: --mock.' });
    expect(parseCommandLine(['--mock=yes'])).toEqual({ ok: false, problem: "Option '--mock' does not take an argument. Known options: --mock." });
  });
});

describe('nodeVersionWarning', () => {
  it('says nothing from 22.15 on', () => {
    for (const version of ['22.15.0', '22.21.1', '23.0.0', '24.11.0', '25.1.0']) expect(nodeVersionWarning(version)).toBeUndefined();
  });

  it('names an older version and the supported ones', () => {
    expect(nodeVersionWarning('22.14.0')).toBe(
      'Node.js 22.14.0 is not supported: this server supports Node.js 22.15 or newer (24 LTS recommended). Starting anyway; upgrade Node.js.',
    );
    for (const version of ['20.19.5', '21.7.3', '18.20.8']) expect(nodeVersionWarning(version)).toMatch(new RegExp(`^Node\\.js ${version.replaceAll('.', '\\.')} is not supported`));
  });
});
