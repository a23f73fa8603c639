// Many instances behind a real load balancer: three product processes (node dist/main.js), the standalone plex.tv
// simulator with plex.tv's latency, a redis-server of this test's own and nginx from the distribution, all on
// loopback. `npm run test:deploy`.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAgents, gql, subscribe, type SseEvent } from './client.js';
import { startLoad } from './load.js';
import { build, Instance, Nginx, NGINX_MISSING, SimulatorProcess } from './parts.js';
import { LIMITS } from '../../src/config.js';
import { findExecutable, freePort, prerequisiteError, TestRedis, until } from './processes.js';

const PLEX_LATENCY_MS = 150;
const PIN_POLL_INTERVAL_MS = LIMITS.pins.pollIntervalMs;
const RATE_LIMIT_PER_MINUTE = 300;
const SIGN_IN_LOGIN_FAILURES_PER_MINUTE = 5;
const SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE = 30;
// A third of the above.
const PIN_CREATIONS_PER_MINUTE = 10;
const SHUTDOWN_DRAIN_MS = 5_000;
const DEMO = { login: 'demo@example.com', password: 'demo-password', username: 'demo' };

const SIGN_IN = `mutation SignIn($input: SignInInput!) {
  signIn(input: $input) { __typename ... on SignInSuccess { authToken } }
}`;
const VIEWER = '{ viewer { username } }';
const SIGN_OUT = 'mutation SignOut { signOut { signedOut tokenWasValid } }';
const CREATE_PIN = 'mutation CreatePin { createSignInPin { id code } }';
const METRICS_TOKEN = `deployment-metrics-${randomUUID()}`;
const PIN_STATUS = 'query PinStatus($id: ID!, $code: String!) { signInPin(id: $id, code: $code) { __typename } }';
const WATCH_PIN = `subscription WatchPin($id: ID!, $code: String!) {
  signInPin(id: $id, code: $code) { __typename ... on SignInSuccess { user { username } } }
}`;

let redis: TestRedis;
let sim: SimulatorProcess;
let instances: Instance[];
let nginx: Nginx;

// Every client of this test has a loopback address of its own: the limits are per client address.
let nextAddress = 0;
function clientAddress(): string {
  nextAddress += 1;
  return `127.0.${1 + Math.floor(nextAddress / 250)}.${1 + (nextAddress % 250)}`;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const typename = (answer: { body: { data?: Record<string, { __typename?: string } | null> } }, field: string) =>
  answer.body?.data?.[field]?.__typename;
const errorCode = (answer: { body: { errors?: { extensions?: { code?: string } }[] } }) => answer.body?.errors?.[0]?.extensions?.code;

/** Where a test sends a request: through nginx, or straight to one instance. */
interface Target {
  readonly name: string;
  readonly url: string;
}
const throughNginx = (): Target => ({ name: 'nginx', url: nginx.url });
const everyTarget = (): Target[] => [throughNginx(), ...instances.map((instance) => ({ name: instance.name, url: instance.url }))];

beforeAll(async () => {
  if (findExecutable('nginx') === undefined) throw prerequisiteError(NGINX_MISSING);
  build();
  redis = await TestRedis.start();
  sim = await SimulatorProcess.start(PLEX_LATENCY_MS);
  const env = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    // The approval page follows: the simulator's own, <PLEX_API_URL>/simulator/approve.
    PLEX_API_URL: sim.url,
    // plex.tv binds a PIN to the client identifier that created it: every instance sends the same one.
    PLEX_CLIENT_IDENTIFIER: `deployment-test-${randomUUID()}`,
    TRUST_PROXY: '1',
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: `deployment-test-${randomUUID().slice(0, 8)}:`,
    RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT_PER_MINUTE),
    SIGN_IN_LOGIN_FAILURES_PER_MINUTE: String(SIGN_IN_LOGIN_FAILURES_PER_MINUTE),
    SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: String(SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE),
    VIEWER_CACHE_TTL_MS: '30000',
    SHUTDOWN_DRAIN_MS: String(SHUTDOWN_DRAIN_MS),
    // /metrics is off in production without it; the tests scrape each instance with it, as Prometheus would.
    METRICS_TOKEN,
  };
  instances = [];
  for (const name of ['a', 'b', 'c']) instances.push(new Instance(name, await freePort(), env));
  await Promise.all(instances.map((instance) => instance.start()));
  nginx = await Nginx.start(instances);
  await until(
    async () => (await Promise.all(instances.map((instance) => instance.metric('throttle_store_shared')))).every((value) => value === 1),
    'every instance to reach Redis',
  );
}, 180_000);

afterAll(async () => {
  await nginx?.stop();
  await Promise.all((instances ?? []).map((instance) => instance.child?.stop('SIGINT')));
  await sim?.child.stop();
  await redis?.stop();
  await closeAgents();
}, 60_000);

/**
 * A limit that must hold across instances: `attempt` makes one attempt of a client set up by `prepare` (its own
 * address, login…) through a target, and says whether it was allowed. A new limit (PIN throttles) is one more entry.
 */
interface SharedLimit {
  readonly name: string;
  readonly allowed: number;
  prepare(): (target: Target, attempt: number) => Promise<'allowed' | 'refused'>;
}

const SHARED_LIMITS: SharedLimit[] = [
  {
    name: 'failed sign-ins per login (SIGN_IN_LOGIN_FAILURES_PER_MINUTE)',
    allowed: SIGN_IN_LOGIN_FAILURES_PER_MINUTE,
    prepare() {
      const from = clientAddress();
      const login = `guessed-${randomUUID().slice(0, 8)}@example.com`;
      return async (target, attempt) => {
        const answer = await gql(target.url, from, SIGN_IN, { input: { login, password: `wrong-${attempt}` } });
        const result = typename(answer, 'signIn');
        if (result === 'SignInThrottledError') return 'refused';
        expect(result).toBe('InvalidCredentialsError');
        return 'allowed';
      };
    },
  },
  {
    name: 'sign-in attempts per client address (SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE)',
    allowed: SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE,
    prepare() {
      const from = clientAddress();
      const run = randomUUID().slice(0, 8);
      return async (target, attempt) => {
        const answer = await gql(target.url, from, SIGN_IN, { input: { login: `someone-${attempt}-${run}@example.com`, password: 'wrong' } });
        const result = typename(answer, 'signIn');
        if (result === 'SignInThrottledError') return 'refused';
        expect(result).toBe('InvalidCredentialsError');
        return 'allowed';
      };
    },
  },
  {
    name: 'PIN creations per client address (a third of SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE)',
    allowed: PIN_CREATIONS_PER_MINUTE,
    prepare() {
      const from = clientAddress();
      return async (target) => {
        const answer = await gql(target.url, from, 'mutation { createSignInPin { id } }');
        if (errorCode(answer) === 'RATE_LIMITED') return 'refused';
        expect(answer.body?.data?.createSignInPin?.id).toBeTruthy();
        return 'allowed';
      };
    },
  },
  {
    name: 'requests per client address (RATE_LIMIT_PER_MINUTE)',
    allowed: RATE_LIMIT_PER_MINUTE,
    prepare() {
      const from = clientAddress();
      return async (target) => {
        const answer = await gql(target.url, from, '{ __typename }');
        if (answer.status === 429 && errorCode(answer) === 'RATE_LIMITED') return 'refused';
        expect(answer.status).toBe(200);
        return 'allowed';
      };
    },
  },
];

/** `allowed` attempts spread over every target (some in parallel), then one more on each target: all refused. */
async function expectOneLimit(limit: SharedLimit, targets: Target[]): Promise<void> {
  const attempt = limit.prepare();
  const outcomes: string[] = [];
  for (let start = 0; start < limit.allowed; start += 20) {
    const batch = Array.from({ length: Math.min(20, limit.allowed - start) }, (_, index) => start + index);
    outcomes.push(...(await Promise.all(batch.map((n) => attempt(targets[n % targets.length]!, n)))));
  }
  expect(outcomes.filter((outcome) => outcome !== 'allowed'), `${limit.name}: the first ${limit.allowed} attempts`).toEqual([]);
  const next: Record<string, string> = {};
  for (const [index, target] of targets.entries()) next[target.name] = await attempt(target, limit.allowed + index);
  expect(next, `${limit.name}: attempt ${limit.allowed + 1} and later`).toEqual(Object.fromEntries(targets.map((target) => [target.name, 'refused'])));
}

describe('one set of limits for every instance (REDIS_URL, TRUST_PROXY=1)', () => {
  for (const limit of SHARED_LIMITS) {
    it(`${limit.name}: attempt ${limit.allowed + 1} is refused whichever instance receives it`, async () => {
      await expectOneLimit(limit, everyTarget());
    }, 60_000);
  }

  it("counts each client under the address nginx puts in X-Forwarded-For, not under nginx's own", async () => {
    // Every request below reaches the instances from nginx's address; only X-Forwarded-For tells the clients apart.
    await expectOneLimit(SHARED_LIMITS.find((limit) => limit.name.startsWith('requests per client address'))!, [throughNginx()]);
    expect((await gql(nginx.url, clientAddress(), '{ __typename }')).status).toBe(200);
  }, 60_000);
});

describe('sign-out everywhere (VIEWER_CACHE_TTL_MS, Redis pub/sub)', () => {
  it('a signOut through one instance makes the token fail on every instance at once', async () => {
    const from = clientAddress();
    const signedIn = await gql(nginx.url, from, SIGN_IN, { input: { login: DEMO.login, password: DEMO.password } });
    expect(typename(signedIn, 'signIn')).toBe('SignInSuccess');
    const token: string = signedIn.body.data.signIn.authToken;

    // Every instance has the account in its viewer cache: a second round costs plex.tv nothing.
    for (const instance of instances) expect((await gql(instance.url, from, VIEWER, {}, bearer(token))).body.data.viewer.username).toBe(DEMO.username);
    const cachedFrom = (await sim.stats()).routes.user;
    for (const instance of instances) expect((await gql(instance.url, from, VIEWER, {}, bearer(token))).body.data.viewer.username).toBe(DEMO.username);
    expect((await sim.stats()).routes.user).toBe(cachedFrom);

    const [first, ...others] = instances;
    const signedOut = await gql(first!.url, from, SIGN_OUT, {}, bearer(token));
    expect(signedOut.body.data.signOut).toEqual({ signedOut: true, tokenWasValid: true });
    // At once: no wait between the sign-out's answer and these requests.
    const after = await Promise.all([...others, first!].map((instance) => gql(instance.url, from, VIEWER, {}, bearer(token))));
    expect(after.map((answer) => errorCode(answer))).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect(errorCode(await gql(nginx.url, from, VIEWER, {}, bearer(token)))).toBe('UNAUTHENTICATED');
  }, 30_000);
});

/** PIN polls (GET /pins/{id}) each instance has made, from its own /metrics. */
const pinPolls = (instance: Instance) => instance.metric('plex_request_duration_seconds_count', { endpoint: 'pin' });

describe('PIN sign-in across instances (one PLEX_CLIENT_IDENTIFIER)', () => {
  it('a PIN created on one instance is polled on a second and followed on a third; subscribers on two instances each get SignInSuccess', async () => {
    const from = clientAddress();
    const [a, b, c] = instances as [Instance, Instance, Instance];
    const created = await gql(a.url, from, CREATE_PIN);
    const pin: { id: string; code: string } = created.body.data.createSignInPin;
    expect(typename(await gql(b.url, from, PIN_STATUS, pin), 'signInPin')).toBe('SignInPinPending');

    const pollsBefore = await Promise.all(instances.map(pinPolls));
    const simBefore = (await sim.stats()).routes.pin;
    const pending = new Set<string>();
    const follow = (name: string, url: string) =>
      subscribe(url, from, WATCH_PIN, pin, (event: SseEvent) => {
        if (event.event === 'next' && JSON.parse(event.data).data?.signInPin?.__typename === 'SignInPinPending') pending.add(name);
      });
    const watchedAt = Date.now();
    // Two subscribers on c (they share c's poller), one on b, one through nginx (its events pass unbuffered: the
    // pending status arrives before the PIN is approved, which only happens once every subscriber has seen it).
    const streams = [follow('c1', c.url), follow('c2', c.url), follow('b', b.url), follow('nginx', nginx.url)];
    await until(() => pending.size === 4, 'every subscriber to see the pending PIN (through nginx too)', 10_000);
    await sleep(3 * PIN_POLL_INTERVAL_MS);
    await sim.approvePin(pin.id, DEMO.login);
    const events = await Promise.all(streams);
    const watchedMs = Date.now() - watchedAt;

    for (const stream of events) {
      expect(stream.map((event) => event.event)).toEqual(['next', 'next', 'complete']);
      expect(JSON.parse(stream[1]!.data).data.signInPin).toEqual({ __typename: 'SignInSuccess', user: { username: DEMO.username } });
    }
    const polls = (await Promise.all(instances.map(pinPolls))).map((count, index) => count - pollsBefore[index]!);
    const simPolls = (await sim.stats()).routes.pin - simBefore;
    // At most one poll per interval on each instance, however many subscribers it has (plus the first, at once).
    const bound = Math.floor(watchedMs / PIN_POLL_INTERVAL_MS) + 1;
    console.log(JSON.stringify({ pinPolls: { a: polls[0], b: polls[1], c: polls[2], simulator: simPolls, watchedMs, boundPerInstance: bound } }));
    // b and c have subscribers of their own; the one through nginx landed on any of the three.
    expect(polls[1]).toBeGreaterThan(0);
    expect(polls[2]).toBeGreaterThan(0);
    for (const count of polls) expect(count).toBeLessThanOrEqual(bound);
    // What the instances counted is what plex.tv saw.
    expect(simPolls).toBe(polls.reduce((sum, count) => sum + count, 0));
    expect(simPolls).toBeLessThanOrEqual(3 * bound);
  }, 30_000);
});

describe('rolling restart under load', () => {
  it('SIGTERM drains one instance (503 on /health first, in-flight requests finish, SSE told to reconnect), it starts again, and the load sees no failure', async () => {
    const [a, b] = instances as [Instance, Instance, Instance];
    const from = clientAddress();
    // The load: frontends polling a pending PIN once a second (within the 60 checks a minute of one PIN an address
    // may make), one plex.tv call (150 ms) per request.
    const loadPin: { id: string; code: string } = (await gql(a.url, from, CREATE_PIN)).body.data.createSignInPin;
    const expected = JSON.stringify({ data: { signInPin: { __typename: 'SignInPinPending' } } });
    const loadStartedAt = Date.now();
    const load = startLoad({
      origin: nginx.url,
      connections: 128,
      addressOf: (connection) => `127.0.200.${connection + 1}`,
      maxRequests: 20_000,
      maxDurationMs: 40_000,
      intervalMs: 1_000,
      path: '/graphql',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: PIN_STATUS, variables: loadPin }),
      accept: (status, body) => status === 200 && body === expected,
    });
    // A monitor asking nginx for /health a few times a second, as a load balancer's health probe does.
    const probes = { sent: 0, failed: [] as string[] };
    let probing = true;
    const probe = (async () => {
      const deadline = Date.now() + 45_000;
      while (probing && Date.now() < deadline) {
        probes.sent += 1;
        try {
          const response = await fetch(`${nginx.url}/health`);
          if (response.status !== 200) probes.failed.push(`HTTP ${response.status}`);
          await response.arrayBuffer();
        } catch (error) {
          probes.failed.push((error as Error).message);
        }
        await sleep(50);
      }
    })();

    try {
      await sleep(3_000);

      // An open subscription on the instance about to stop.
      const watched: { id: string; code: string } = (await gql(a.url, from, CREATE_PIN)).body.data.createSignInPin;
      let seenPending = false;
      const onB = subscribe(b.url, from, WATCH_PIN, watched, (event) => {
        if (event.event === 'next') seenPending = true;
      });
      await until(() => seenPending, 'the subscription on b to start');

      const stoppingRun = b.child!;
      const sigtermAt = Date.now();
      stoppingRun.process.kill('SIGTERM');
      // b straight, a few times a second: /health answers 503 while b still accepts, until it stops accepting.
      let healthUnavailableAt: number | undefined;
      let refusedAt: number | undefined;
      let servedWhileDraining: { status: number; connection: unknown } | undefined;
      while (refusedAt === undefined && Date.now() - sigtermAt < SHUTDOWN_DRAIN_MS + 10_000) {
        try {
          const response = await fetch(`${b.url}/health`);
          await response.arrayBuffer();
          if (response.status === 503) healthUnavailableAt ??= Date.now();
          if (healthUnavailableAt !== undefined && servedWhileDraining === undefined) {
            const answer = await gql(b.url, from, '{ __typename }');
            servedWhileDraining = { status: answer.status, connection: answer.headers['connection'] };
          }
        } catch {
          refusedAt = Date.now();
        }
        await sleep(20);
      }
      const subscriptionOnB = await onB;
      const exitCode = await stoppingRun.exited;
      const stoppedAt = Date.now();

      // The subscriber was told to reconnect, and carries on through nginx, on another instance.
      expect(subscriptionOnB.map((event) => event.event)).toEqual(['next', 'next', 'complete']);
      expect(JSON.parse(subscriptionOnB[1]!.data).errors[0].extensions.code).toBe('SHUTTING_DOWN');
      let resumed = false;
      const again = subscribe(nginx.url, from, WATCH_PIN, watched, (event) => {
        if (event.event === 'next') resumed = true;
      });
      await until(() => resumed, 'the subscription to resume through nginx');

      const restartAt = Date.now();
      await b.start();
      const upAt = Date.now();
      await sim.approvePin(watched.id, DEMO.login);
      const resumedEvents = await again;
      expect(JSON.parse(resumedEvents.at(-2)!.data).data.signInPin).toEqual({ __typename: 'SignInSuccess', user: { username: DEMO.username } });

      // nginx sends b traffic again once its fail_timeout is over; then the load stops.
      await until(async () => (await b.metric('graphql_operations_total')) >= 50, 'nginx to send the restarted b traffic again', 20_000);
      load.stop();
      const result = await load.done;
      probing = false;
      await probe;

      const log = nginx.accessLog().filter((entry) => entry.at >= loadStartedAt);
      const toB = log.filter((entry) => entry.upstreams.includes(b.address));
      const retried = log.filter((entry) => entry.upstreams.length > 1);
      const figures = {
        load: {
          requests: result.requests,
          failed: result.failures.length,
          requestsPerSecond: result.requestsPerSecond,
          latencyMs: result.latencyMs,
          perSecond: result.perSecond,
        },
        healthProbesThroughNginx: { sent: probes.sent, failed: probes.failed.length },
        b: {
          healthUnavailableAfterMs: healthUnavailableAt === undefined ? null : healthUnavailableAt - sigtermAt,
          refusedConnectionsAfterMs: refusedAt === undefined ? null : refusedAt - sigtermAt,
          exitedAfterMs: stoppedAt - sigtermAt,
          exitCode,
          restartTookMs: upAt - restartAt,
          requestsFromNginxWhileDraining: toB.filter((entry) => entry.at > sigtermAt && entry.at < (refusedAt ?? stoppedAt)).length,
          requestsFromNginxAfterRestart: toB.filter((entry) => entry.at > upAt).length,
        },
        nginx: {
          requests: log.length,
          retriedOnAnotherInstance: retried.length,
          retried: retried.slice(0, 5).map((entry) => `${entry.method} ${entry.uri} ${entry.upstreamStatuses.join(',')}`),
          non200: log.filter((entry) => entry.status !== 200).length,
        },
      };
      console.log(JSON.stringify({ rollingRestart: figures }));

      expect(result.failures.slice(0, 5)).toEqual([]);
      expect(probes.failed).toEqual([]);
      expect(result.requests).toBeGreaterThan(1_000);
      // How nginx learned: a probe's GET /health got b's 503 and was retried on another instance.
      expect(retried.some((entry) => entry.uri === '/health' && entry.upstreamStatuses[0] === '503')).toBe(true);
      expect(exitCode).toBe(0);
      // 503 first, while still accepting and serving (connections closed after each answer); refusals only after the drain.
      expect(healthUnavailableAt! - sigtermAt).toBeLessThan(1_000);
      expect(servedWhileDraining).toEqual({ status: 200, connection: 'close' });
      expect(refusedAt! - sigtermAt).toBeGreaterThanOrEqual(SHUTDOWN_DRAIN_MS - 100);
      expect(figures.b.requestsFromNginxAfterRestart).toBeGreaterThan(0);
    } finally {
      load.stop();
      probing = false;
      await load.done;
      await probe;
    }
  }, 120_000);
});

describe('Redis faults', () => {
  const shared = () => Promise.all(instances.map((instance) => instance.metric('throttle_store_shared')));

  it('Redis stopped: every instance keeps serving on its own counters, says so and counts it; Redis back: one limit again, without a restart', async () => {
    const [a, b, c] = instances as [Instance, Instance, Instance];
    const from = clientAddress();
    // A token b has cached, for the sign-out below.
    const token: string = (await gql(a.url, from, SIGN_IN, { input: { login: DEMO.login, password: DEMO.password } })).body.data.signIn.authToken;
    expect((await gql(b.url, from, VIEWER, {}, bearer(token))).body.data.viewer.username).toBe(DEMO.username);
    const fallbacksBefore = await Promise.all(instances.map((instance) => instance.metric('throttle_store_fallbacks_total')));

    await redis.stop();
    await until(async () => (await shared()).every((value) => value === 0), 'every instance to notice');
    const fallbacks = await Promise.all(instances.map((instance) => instance.metric('throttle_store_fallbacks_total')));
    expect(fallbacks.map((count, index) => count - fallbacksBefore[index]!)).toEqual([1, 1, 1]);
    // Log lines are written in batches (at most 100 ms late).
    await until(() => instances.every((instance) => instance.logged('Redis unreachable: throttle counters fall back')), 'every instance to log the fallback');

    // Serving as before, through nginx and on each instance.
    const served = await Promise.all(
      Array.from({ length: 30 }, (_, n) => gql(n % 4 === 0 ? nginx.url : instances[n % 3]!.url, clientAddress(), '{ __typename }')),
    );
    expect(served.map((answer) => answer.status)).toEqual(Array(30).fill(200));
    const signIn = await gql(c.url, from, SIGN_IN, { input: { login: DEMO.login, password: DEMO.password } });
    expect(typename(signIn, 'signIn')).toBe('SignInSuccess');

    // Limits still hold, per instance: a's memory refuses the sixth failure; b has not seen any of them.
    const limit = SHARED_LIMITS[0]!;
    await expectOneLimit(limit, [{ name: 'a', url: a.url }]);
    const elsewhere = limit.prepare();
    for (let attempt = 0; attempt < limit.allowed; attempt += 1) await elsewhere({ name: 'a', url: a.url }, attempt);
    expect(await elsewhere({ name: 'b', url: b.url }, limit.allowed)).toBe('allowed');

    // A sign-out cannot reach b's cache while Redis is down: b answers from it (for at most VIEWER_CACHE_TTL_MS).
    expect((await gql(a.url, from, SIGN_OUT, {}, bearer(token))).body.data.signOut.signedOut).toBe(true);
    expect((await gql(b.url, from, VIEWER, {}, bearer(token))).body.data?.viewer?.username).toBe(DEMO.username);

    await redis.start();
    await until(async () => (await shared()).every((value) => value === 1), 'every instance to go back to Redis', 15_000);
    // b cleared its cache when it listened for sign-outs again (the cache would keep the account 30 s).
    await until(async () => errorCode(await gql(b.url, from, VIEWER, {}, bearer(token))) === 'UNAUTHENTICATED', 'b to drop the signed-out token', 10_000);
    // One limit for every instance again.
    for (const limit of SHARED_LIMITS.slice(0, 2)) await expectOneLimit(limit, everyTarget());
    // And sign-outs reach every instance again.
    const next: string = (await gql(a.url, from, SIGN_IN, { input: { login: DEMO.login, password: DEMO.password } })).body.data.signIn.authToken;
    for (const instance of [b, c]) expect((await gql(instance.url, from, VIEWER, {}, bearer(next))).body.data.viewer.username).toBe(DEMO.username);
    expect((await gql(a.url, from, SIGN_OUT, {}, bearer(next))).body.data.signOut.tokenWasValid).toBe(true);
    const after = await Promise.all([b, c].map((instance) => gql(instance.url, from, VIEWER, {}, bearer(next))));
    expect(after.map((answer) => errorCode(answer))).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
  }, 90_000);
});
