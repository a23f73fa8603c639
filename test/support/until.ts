import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits for something the test cannot be told about by an event (a log line, a metric, another process's state),
 * checking every 25 ms; throws naming `what` after `timeoutMs`.
 */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}
