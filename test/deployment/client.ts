// HTTP clients of the deployment test, each from a loopback address of its own (127.0.0.0/8 is all local on Linux):
// the instances count limits per client address, which nginx passes on in X-Forwarded-For.
import { Agent, request } from 'undici';
import { readSse, type SseEvent } from '../support/sse.js';

const agents = new Map<string, Agent>();

/** A connection pool whose connections all come from `localAddress`. */
export function agentFrom(localAddress: string): Agent {
  let agent = agents.get(localAddress);
  if (agent === undefined) {
    agent = new Agent({ localAddress, keepAliveTimeout: 2_000 });
    agents.set(localAddress, agent);
  }
  return agent;
}

export async function closeAgents(): Promise<void> {
  await Promise.all([...agents.values()].map((agent) => agent.close()));
  agents.clear();
}

export interface GraphQLAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** One GraphQL POST to `baseUrl`/graphql from `from`. */
export async function gql(
  baseUrl: string,
  from: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLAnswer> {
  const response = await request(`${baseUrl}/graphql`, {
    method: 'POST',
    dispatcher: agentFrom(from),
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: JSON.stringify({ query, variables }),
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  });
  const text = await response.body.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.statusCode, headers: response.headers, body };
}

export type { SseEvent };

/**
 * A GraphQL subscription over Server-Sent Events (distinct connections), read as it arrives. `onEvent` sees each event
 * as soon as it is parsed; the promise resolves with all of them when the stream ends. Bounded by `timeoutMs`.
 */
export async function subscribe(
  baseUrl: string,
  from: string,
  query: string,
  variables: Record<string, unknown>,
  onEvent: (event: SseEvent) => void = () => {},
  timeoutMs = 30_000,
): Promise<SseEvent[]> {
  const response = await request(`${baseUrl}/graphql`, {
    method: 'POST',
    dispatcher: agentFrom(from),
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.statusCode !== 200) throw new Error(`subscription: HTTP ${response.statusCode}: ${await response.body.text()}`);
  const events: SseEvent[] = [];
  for await (const event of readSse(response.body)) {
    events.push(event);
    onEvent(event);
  }
  return events;
}
