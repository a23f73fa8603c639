import { expect } from 'vitest';

/** One Server-Sent Event: its type (`next`, `complete`; `message` when unnamed) and its data lines joined. */
export interface SseEvent {
  event: string;
  data: string;
}

/** Reads a `text/event-stream` body event by event as it arrives; comments (keep-alive pings) are skipped. */
export async function* readSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
      const lines = buffer.slice(0, end).split('\n').filter((line) => !line.startsWith(':'));
      buffer = buffer.slice(end + 2);
      if (lines.length === 0) continue;
      yield {
        event: lines.find((line) => line.startsWith('event:'))?.slice(6).trim() ?? 'message',
        data: lines.filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim()).join('\n'),
      };
    }
  }
}

/**
 * A GraphQL subscription over Server-Sent Events (distinct connections) to `<url>/graphql`, event by event. Checks that
 * the answer is a 200 event stream.
 */
export async function* subscribeSse(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
): AsyncGenerator<SseEvent> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  yield* readSse(response.body!);
}
