import { readdirSync, readFileSync } from 'node:fs';

// The shell examples of the README and docs/, run by the tests that document them.

/** The ```sh block of README.md or a docs/ page that follows `marker`, as commands with the output each documents (`# {…}` below it). */
export function readmeCommands(marker: string): { command: string; output: string | undefined }[] {
  const docs = new URL('../docs/', import.meta.url);
  const pages = [new URL('../README.md', import.meta.url), ...readdirSync(docs).filter((name) => name.endsWith('.md')).map((name) => new URL(name, docs))];
  const readme = pages.map((page) => readFileSync(page, 'utf8')).find((text) => text.includes(marker));
  if (readme === undefined) throw new Error(`neither README.md nor docs/ says "${marker}" any more`);
  const at = readme.indexOf(marker);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
  const commands: { command: string; output: string | undefined }[] = [];
  let current = '';
  for (const line of block.split('\n')) {
    if (current !== '') {
      current += ` ${line.trim().replace(/\\$/, '').trim()}`;
      if (!line.endsWith('\\')) {
        commands.push({ command: current, output: undefined });
        current = '';
      }
    } else if (line.startsWith('curl ')) {
      if (line.endsWith('\\')) current = line.replace(/\\$/, '').trim();
      else commands.push({ command: line, output: undefined });
    } else if (line.startsWith('# {') && commands.length > 0) {
      commands.at(-1)!.output = line.slice(2);
    }
  }
  return commands;
}

/** Shell words: bare, '…' and "…" (enough for the README's commands). */
function shellWords(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2] ?? match[3]!);
}

/** Sends the request a `curl -s [-H 'name: value']… [-d data]… URL` command sends (curl's defaults: POST with -d, form type, Accept: *\/*). */
export async function curl(command: string): Promise<string> {
  const [program, ...args] = shellWords(command);
  if (program !== 'curl') throw new Error(`not a curl command: ${command}`);
  const headers: Record<string, string> = { accept: '*/*', 'user-agent': 'curl/8' };
  const data: string[] = [];
  let url: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-s') continue;
    if (arg === '-H') {
      const [name, ...value] = args[++i]!.split(':');
      headers[name!.trim().toLowerCase()] = value.join(':').trim();
    } else if (arg === '-d') data.push(args[++i]!);
    else if (!arg.startsWith('-') && url === undefined) url = arg;
    else throw new Error(`this test does not know curl's ${arg}`);
  }
  if (data.length > 0) headers['content-type'] ??= 'application/x-www-form-urlencoded';
  const response = await fetch(url!, { method: data.length > 0 ? 'POST' : 'GET', headers, body: data.length > 0 ? data.join('&') : undefined });
  return response.text();
}
