import { printSubgraphSchema } from '@apollo/subgraph';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.js';
import './user.js';
import './sign-in.js';
import './sign-in-pin.js';
import './sign-out.js';
import './auth-token.js';
import './resource.js';
import './plex-home.js';
import './device.js';

/** The client-facing schema: what frontends and codegen see (schema.graphql). */
export const schema = builder.toSchema();

/**
 * The served schema: `schema` plus the Apollo Federation v2 subgraph fields (`_service`, `_entities`) so a gateway can
 * compose it. Its SDL, with the federation directives, is committed as schema.subgraph.graphql.
 */
export const subgraphSchema = builder.toSubGraphSchema({
  linkUrl: 'https://specs.apollo.dev/federation/v2.6',
  federationDirectives: ['@key'],
});

/** The SDL committed as schema.graphql: sorted, with descriptions. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

/** The SDL committed as schema.subgraph.graphql: what a supergraph composition (rover, Hive) reads. */
export function printSubgraphSdl(): string {
  return `${printSubgraphSchema(subgraphSchema)}\n`;
}
