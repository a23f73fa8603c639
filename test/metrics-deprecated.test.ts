import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ViewerDocument, ViewerNameDocument } from '../operations/generated/graphql.js';
import { bearer, startHarness, type Harness } from './support/servers.js';

function count(exposition: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  let total = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith('graphql_envelop_deprecated_field{')) continue;
    if (wanted.every((pair) => line.includes(pair))) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

describe('graphql_envelop_deprecated_field', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const scrape = async () => (await h.yoga.fetch('http://facade.test/metrics')).text();

  it('counts every request that selects a deprecated field, also when its document comes from the parse cache', async () => {
    const token = h.sim.issueToken('demo@example.com');
    const roles = { operationName: 'Viewer', operationType: 'query', fieldName: 'roles', typeName: 'User' };
    const pin = { ...roles, fieldName: 'pin' };
    const before = await scrape();
    for (let i = 0; i < 3; i++) {
      const { body } = await h.gql(ViewerDocument, {}, bearer(token));
      expect(body.errors).toBeUndefined();
    }
    const { body } = await h.gql(ViewerNameDocument, {}, bearer(token));
    expect(body.errors).toBeUndefined();
    const after = await scrape();
    expect(count(after, roles) - count(before, roles)).toBe(3);
    expect(count(after, pin) - count(before, pin)).toBe(3);
    // A document without deprecated fields adds no series.
    expect(count(after, { operationName: 'ViewerName' })).toBe(0);
  });
});
