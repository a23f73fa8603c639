import { serverAudits, type AuditResult } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server.js';
import { createPlexSimulator, type PlexSimulator } from '../src/simulator/index.js';
import { capturingLogger, testConfig } from './support/servers.js';

let sim: PlexSimulator;
let running: RunningServer;

beforeAll(async () => {
  sim = createPlexSimulator();
  await sim.listen(0, '127.0.0.1');
  running = await startServer({ config: { ...testConfig(sim.url), port: 0, host: '127.0.0.1' }, logger: capturingLogger().logger });
});

afterAll(async () => {
  await running.close();
  await sim.close();
});

// The real server over real HTTP: the audits build their own requests with the global fetch.
const audits = serverAudits({ url: () => `${running.url}/graphql`, fetchFn: fetch });
const required = audits.filter((audit) => audit.name.startsWith('MUST'));
const recommended = audits.filter((audit) => !audit.name.startsWith('MUST'));

function describeFailure(result: AuditResult): string {
  return result.status === 'ok' ? '' : `${result.reason} (HTTP ${result.response.status})`;
}

describe('GraphQL over HTTP: every MUST of graphql-http serverAudits', () => {
  it.each(required.map((audit) => [audit.id, audit.name, audit] as const))('%s %s', async (_id, _name, audit) => {
    const result = await audit.fn();
    expect(describeFailure(result)).toBe('');
  });
});

describe('GraphQL over HTTP: SHOULD and MAY', () => {
  it('prints the score and passes every SHOULD', async () => {
    const results: AuditResult[] = [];
    for (const audit of recommended) results.push(await audit.fn());
    const level = (prefix: string) => results.filter((result) => result.name.startsWith(prefix));
    const passed = (list: AuditResult[]) => list.filter((result) => result.status === 'ok').length;
    const should = level('SHOULD');
    const may = level('MAY');
    const lines = [
      `graphql-http serverAudits: MUST ${required.length}/${required.length}, SHOULD ${passed(should)}/${should.length}, MAY ${passed(may)}/${may.length}`,
      ...results.filter((result) => result.status !== 'ok').map((result) => `  ${result.status} ${result.id} ${result.name}: ${describeFailure(result)}`),
    ];
    console.log(lines.join('\n'));
    expect(should.filter((result) => result.status !== 'ok').map((result) => `${result.id} ${result.name}: ${describeFailure(result)}`)).toEqual([]);
  });
});
