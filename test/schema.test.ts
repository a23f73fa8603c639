import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printSortedSchema, schema } from '../src/schema/index.js';

describe('schema.graphql', () => {
  it('is the schema printed from the code (run `npm run schema` after changing it)', () => {
    expect(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8')).toBe(printSortedSchema());
  });

  it('gives every type and field a description', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Boolean', 'Int', 'Float', 'ID'].includes(type.name)) continue;
      if (!type.description) missing.push(type.name);
      if ('getFields' in type) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('deprecates pin and roles, as plex.tv does', () => {
    const user = schema.getType('User') as import('graphql').GraphQLObjectType;
    expect(user.getFields()['pin']?.deprecationReason).toBeTruthy();
    expect(user.getFields()['roles']?.deprecationReason).toBeTruthy();
  });
});
