import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.js';
import './user.js';
import './auth.js';

export const schema = builder.toSchema();

/** The SDL committed as schema.graphql: sorted, with descriptions. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
