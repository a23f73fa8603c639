// Subscribers of `subscription signInPin` over Server-Sent Events, in a process of their own (started by
// bench/subscriptions.ts). Each subscriber is one POST /graphql with Accept: text/event-stream on its own connection
// (undici, no cap on connections), kept open until the product completes the stream.
//
// Over IPC, `{ id, cmd, args }` answered by `{ id, ok, result }`:
//   open { origin, document, pins: [{ id, code }], perPin, batch, timeoutMs }  opens perPin subscribers per PIN and
//        waits until each has received its first event (SignInPinPending) or failed
//   status                                  counts by state
//   waitDone { timeoutMs }                  waits until every subscriber got SignInSuccess and its stream completed
//   closeAll                                drops every subscriber still open
import { Agent, request } from 'undici';

const agent = new Agent({ connections: null, pipelining: 1, headersTimeout: 60_000, bodyTimeout: 0, keepAliveTimeout: 1_000 });
let subscribers = [];
const samples = [];

function sample(text) {
  if (samples.length < 5) samples.push(String(text).slice(0, 300));
}

function subscribe(origin, document, pin) {
  const state = { pending: false, success: false, completed: false, failed: false, controller: new AbortController() };
  const fail = (why) => {
    if (state.failed || (state.success && state.completed)) return;
    state.failed = true;
    sample(why);
  };
  const onEvent = (type, data) => {
    if (type === 'complete') {
      state.completed = true;
      if (!state.success) fail(`completed without SignInSuccess (pin ${pin.id})`);
      return;
    }
    if (type !== 'next') return;
    let json;
    try {
      json = JSON.parse(data);
    } catch {
      return fail(`not JSON: ${data}`);
    }
    const status = json?.data?.signInPin;
    if (json.errors || !status) return fail(`errors: ${data}`);
    if (status.__typename === 'SignInPinPending') state.pending = true;
    else if (status.__typename === 'SignInSuccess' && typeof status.authToken === 'string' && status.user?.id) state.success = true;
    else fail(`unexpected: ${data}`);
  };
  state.opened = request(`${origin}/graphql`, {
    dispatcher: agent,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ ...document, variables: { id: pin.id, code: pin.code } }),
    signal: state.controller.signal,
  }).then(
    ({ statusCode, body }) => {
      if (statusCode !== 200) {
        fail(`status ${statusCode}`);
        body.resume();
        return;
      }
      body.setEncoding('utf8');
      let buffered = '';
      body.on('data', (chunk) => {
        buffered += chunk;
        let end;
        while ((end = buffered.indexOf('\n\n')) !== -1) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          let type = 'message';
          const data = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) type = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
          }
          onEvent(type, data.join('\n'));
        }
      });
      body.on('end', () => {
        state.ended = true;
        if (!state.success) fail(`stream ended without SignInSuccess (pin ${pin.id})`);
        else state.completed = true;
      });
      body.on('error', (error) => {
        state.ended = true;
        if (!state.closing) fail(`stream error: ${error.message}`);
      });
    },
    (error) => {
      if (!state.closing) fail(`request failed: ${error.message}`);
    },
  );
  return state;
}

function counts() {
  const c = { subscribers: subscribers.length, pending: 0, success: 0, completed: 0, failed: 0 };
  for (const s of subscribers) {
    if (s.pending) c.pending++;
    if (s.success) c.success++;
    if (s.success && s.completed) c.completed++;
    if (s.failed) c.failed++;
  }
  return { ...c, samples: [...samples] };
}

async function until(predicate, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return predicate();
}

const commands = {
  async open({ origin, document, pins, perPin, batch, timeoutMs }) {
    const started = performance.now();
    const opened = [];
    for (let i = 0; i < perPin; i++) {
      for (const pin of pins) opened.push({ pin });
    }
    const created = [];
    for (let i = 0; i < opened.length; i += batch) {
      const wave = opened.slice(i, i + batch).map(({ pin }) => subscribe(origin, document, pin));
      created.push(...wave);
      subscribers.push(...wave);
      // The next wave once this one has its first events (or has failed), so the ramp is paced by the server.
      await until(() => wave.every((s) => s.pending || s.failed), timeoutMs);
    }
    const done = await until(() => created.every((s) => s.pending || s.failed), timeoutMs);
    return { ...counts(), allPending: done && created.every((s) => s.pending), ms: performance.now() - started };
  },
  status() {
    return counts();
  },
  async waitDone({ timeoutMs }) {
    const started = performance.now();
    const done = await until(() => subscribers.every((s) => (s.success && s.completed) || s.failed), timeoutMs);
    return { ...counts(), allDone: done, ms: performance.now() - started };
  },
  closeAll() {
    for (const s of subscribers) {
      s.closing = true;
      s.controller.abort();
    }
    subscribers = [];
    samples.length = 0;
    return {};
  },
};

process.on('message', ({ id, cmd, args }) => {
  const command = commands[cmd];
  if (command === undefined) {
    process.send({ id, ok: false, error: `unknown command ${cmd}` });
    return;
  }
  Promise.resolve()
    .then(() => command(args ?? {}))
    .then(
      (result) => process.send({ id, ok: true, result }),
      (error) => process.send({ id, ok: false, error: String(error?.stack ?? error) }),
    );
});
process.once('SIGTERM', () => process.exit(0));
