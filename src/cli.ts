import { parseArgs } from 'node:util';

// The command line and the Node.js version, checked at start. Pure: main.ts passes in argv and the version.

/** The flags `node dist/main.js` knows. */
const OPTIONS = {
  mock: { type: 'boolean', default: false },
} as const;

export type CommandLine = { ok: true; mock: boolean } | { ok: false; problem: string };

/** Parses the arguments after the script (`process.argv.slice(2)`); an unknown flag or a stray argument is a problem. */
export function parseCommandLine(args: readonly string[]): CommandLine {
  const known = Object.keys(OPTIONS).map((name) => `--${name}`).join(', ');
  try {
    const { values } = parseArgs({ args: [...args], options: OPTIONS, strict: true, allowPositionals: false });
    return { ok: true, mock: values.mock };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const flag = /'([^']+)'/.exec((error as Error).message)?.[1] ?? 'an option';
      return { ok: false, problem: `unknown option ${flag}. Known options: ${known}.` };
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const argument = /'([^']+)'/.exec((error as Error).message)?.[1] ?? 'an argument';
      return { ok: false, problem: `unexpected argument ${argument}. Known options: ${known}.` };
    }
    return { ok: false, problem: `${(error as Error).message}. Known options: ${known}.` };
  }
}

/** The oldest supported Node.js release: the 22 line from 22.15 on, and every later line. */
const OLDEST = [22, 15] as const;

/** The warning to log at start on a Node.js older than 22.15 (`process.versions.node`), else undefined. */
export function nodeVersionWarning(version: string): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major > OLDEST[0] || (major === OLDEST[0] && minor >= OLDEST[1])) return undefined;
  return `Node.js ${version} is not supported: this server supports Node.js 22.15 or newer (24 LTS recommended). Starting anyway; upgrade Node.js.`;
}
