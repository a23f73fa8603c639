import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastPlexSignIn, fastPlexUser } from '../src/plex/fast-parse.js';
import { PlexSignInSchema, PlexUserSchema } from '../src/plex/schemas.js';
import { createPlexSimulator, DEMO_ACCOUNTS } from '../src/simulator/index.js';

// The fast path must give exactly zod's result, or give up. Bodies: the public examples, mutated field by field with
// values of every JSON kind, including the awkward ones (floats, unsafe integers, out-of-range timestamps, date
// strings, empty strings, nested objects where strings go).
const user = JSON.parse(readFileSync(new URL('./fixtures/plex-user-200.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const signIn = JSON.parse(readFileSync(new URL('./fixtures/plex-signin-201.json', import.meta.url), 'utf8')) as Record<string, unknown>;

const ODD_VALUES: unknown[] = [
  undefined, null, '', 'x', '123', '2021-04-12T18:21:12Z', '2023-03-24 00:00:00 UTC', 'not a date', 0, -1, 1.5, 2 ** 31,
  2 ** 53, 253402300799, 253402300800, true, false, [], ['a'], [1], {}, { a: 1 }, [{}], [{ a: 1 }],
];

type Path = (string | number)[];

/** Every path into the body, objects and arrays included, with the keys each object could also grow. */
function paths(value: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return [prefix, ...value.flatMap((item, index) => paths(item, [...prefix, index]))];
  if (value && typeof value === 'object') return [prefix, ...Object.entries(value).flatMap(([key, item]) => paths(item, [...prefix, key])), [...prefix, 'unknownKey']];
  return [prefix];
}

function withValue(body: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const copy = (Array.isArray(body) ? [...body] : { ...(body as object) }) as Record<string | number, unknown>;
  if (rest.length === 0 && value === undefined) delete copy[head!];
  else copy[head!] = withValue(copy[head!], rest, value);
  return copy;
}

// Shapes the examples lack: a past subscription, a trial, a record with keys.
const pastSubscription = {
  id: 1, mode: 'monthly', renewsAt: null, endsAt: 1700000000, billing: { internalPaymentMethod: {}, paymentMethodId: 3 },
  canceled: true, gracePeriod: false, onHold: false, canReactivate: true, canUpgrade: false, canDowngrade: false, canConvert: false,
  type: 'plexpass', transfer: null, state: 'ended',
};
const richer = { ...user, pastSubscriptions: [pastSubscription, { ...pastSubscription, billing: { internalPaymentMethod: { card: 'visa' } } }], trials: [] };

function check(parseFast: (json: unknown) => unknown, schema: typeof PlexUserSchema | typeof PlexSignInSchema, body: unknown): boolean {
  const fast = parseFast(body);
  const slow = schema.safeParse(body);
  if (fast === undefined) return false;
  expect(slow.success, JSON.stringify(body)).toBe(true);
  expect(fast).toStrictEqual(slow.data);
  return true;
}

describe('fast parse', () => {
  it('takes the examples plex.tv documents, and gives exactly what zod gives', () => {
    expect(check(fastPlexUser, PlexUserSchema, user)).toBe(true);
    expect(check(fastPlexSignIn, PlexSignInSchema, signIn)).toBe(true);
    expect(check(fastPlexUser, PlexUserSchema, { ...richer, pastSubscriptions: [pastSubscription] })).toBe(true);
  });

  it('gives up, never answers differently, on every body with one value changed to any kind of value', () => {
    let cases = 0;
    for (const [body, parseFast, schema] of [
      [richer, fastPlexUser, PlexUserSchema],
      [signIn, fastPlexSignIn, PlexSignInSchema],
    ] as const) {
      for (const path of paths(body)) {
        for (const value of ODD_VALUES) {
          check(parseFast, schema, withValue(body, path, value));
          cases += 1;
        }
      }
    }
    expect(cases).toBeGreaterThan(5000);
  });

  it('gives up, never answers differently, on bodies mutated in one to three places', () => {
    let fastCount = 0;
    let total = 0;
    for (const [body, parseFast, schema] of [
      [richer, fastPlexUser, PlexUserSchema],
      [signIn, fastPlexSignIn, PlexSignInSchema],
    ] as const) {
      const all = paths(body);
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.constantFrom(...all), fc.constantFrom(...ODD_VALUES)), { minLength: 1, maxLength: 3 }), (changes) => {
          let mutated: unknown = body;
          for (const [path, value] of changes) mutated = withValue(mutated, path, value);
          total += 1;
          if (check(parseFast, schema, mutated)) fastCount += 1;
        }),
        { numRuns: 1500, seed: 20261128 },
      );
    }
    // Both outcomes must be exercised: bodies the fast path takes, and bodies it leaves to zod.
    expect(fastCount).toBeGreaterThan(total * 0.1);
    expect(fastCount).toBeLessThan(total * 0.9);
  });

  it("takes the simulator's bodies for every demo account (what start:mock and the benchmark serve)", async () => {
    const sim = createPlexSimulator();
    await sim.listen(0, '127.0.0.1');
    try {
      for (const account of Object.values(DEMO_ACCOUNTS)) {
        const headers = { accept: 'application/json', 'x-plex-client-identifier': 'fast-parse-test', 'x-plex-product': 't', 'x-plex-version': '1' };
        const response = await fetch(`${sim.url}/api/v2/user`, { headers: { ...headers, 'x-plex-token': sim.issueToken(account.login) } });
        expect(response.status).toBe(200);
        expect(check(fastPlexUser, PlexUserSchema, await response.json())).toBe(true);
      }
    } finally {
      await sim.close();
    }
  });

  it('leaves every body zod refuses to zod', () => {
    for (const body of [null, [], 'user', 42, {}, { ...user, id: 1.5 }, { ...user, joinedAt: -1 }, { ...user, profile: null }]) {
      expect(fastPlexUser(body)).toBeUndefined();
      expect(PlexUserSchema.safeParse(body).success).toBe(false);
    }
  });
});
