import { isoOrPlexDateValue, MAX_UNIX_SECONDS, type PlexProfile, type PlexSignIn, type PlexUser } from './schemas.js';

/**
 * A fast path in front of zod for the two bodies read on every operation (GET /user and the sign-in answer). zod stays
 * the definition (src/plex/schemas.ts): these functions give exactly what its schemas give for the well-formed bodies
 * plex.tv sends, and give up (undefined) at the first value they are not certain about, so that zod decides, reports
 * the problem and produces the result. test/fast-parse.test.ts checks them against zod on thousands of mutated bodies.
 * Validating a user body this way costs a fraction of zod's wrappers and per-field payload objects.
 */

class NotFast {}
const NOT_FAST = new NotFast();

function fail(): never {
  throw NOT_FAST;
}

type Json = Record<string, unknown>;

function object(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : fail();
}

const str = (value: unknown): string => (typeof value === 'string' ? value : fail());
const nonEmptyStr = (value: unknown): string => (typeof value === 'string' && value.length > 0 ? value : fail());
const nullableStr = (value: unknown): string | null => (value === undefined || value === null ? null : str(value));
const bool = (value: unknown): boolean => (typeof value === 'boolean' ? value : fail());
const nullableBool = (value: unknown): boolean | null => (value === undefined || value === null ? null : bool(value));
const flag = (value: unknown, fallback: boolean): boolean => (value === undefined ? fallback : bool(value));
const int = (value: unknown): number => (typeof value === 'number' && Number.isSafeInteger(value) ? value : fail());
const nullableInt = (value: unknown): number | null => (value === undefined || value === null ? null : int(value));

function strings(value: unknown): string[] {
  if (!Array.isArray(value)) fail();
  for (const item of value) if (typeof item !== 'string') fail();
  return value.slice() as string[];
}
const nullableStrings = (value: unknown): string[] | null => (value === undefined || value === null ? null : strings(value));
const stringsOrEmpty = (value: unknown): string[] => (value === undefined ? [] : strings(value));

// Ids are int32 today: numbers become strings. Other forms are zod's to judge.
function plexId(value: unknown): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return nonEmptyStr(value);
}
const nullablePlexId = (value: unknown): string | null => (value === undefined || value === null ? null : plexId(value));

// Unix seconds only; the string forms zod also accepts are left to it.
function unixDate(value: unknown): Date {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_UNIX_SECONDS ? new Date(value * 1000) : fail();
}
const nullableUnixDate = (value: unknown): Date | null => (value === undefined || value === null ? null : unixDate(value));

function nullableIsoOrPlexDate(value: unknown): Date | null {
  if (value === undefined || value === null) return null;
  return isoOrPlexDateValue(str(value)) ?? fail();
}

function nullableArray<T>(value: unknown, item: (value: unknown) => T): T[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) fail();
  // By index, not map(): a hole must reach `item` (as undefined) and fail, as it does in zod.
  const items: T[] = [];
  for (let index = 0; index < value.length; index++) items.push(item(value[index]));
  return items;
}

// A record of unknown values: zod copies it key by key (the values themselves are not copied). A "__proto__" key, which
// such a copy would turn into a prototype, is left to zod.
function record(value: unknown): Record<string, unknown> {
  const source = object(value);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    if (key === '__proto__') fail();
    copy[key] = source[key];
  }
  return copy;
}

function profile(value: unknown): PlexProfile {
  const p = object(value);
  return {
    autoSelectAudio: bool(p['autoSelectAudio']),
    defaultAudioLanguage: nullableStr(p['defaultAudioLanguage']),
    defaultSubtitleLanguage: nullableStr(p['defaultSubtitleLanguage']),
    autoSelectSubtitle: int(p['autoSelectSubtitle']),
    defaultSubtitleAccessibility: int(p['defaultSubtitleAccessibility']),
    defaultSubtitleForced: int(p['defaultSubtitleForced']),
    watchedIndicator: int(p['watchedIndicator']),
    mediaReviewsVisibility: int(p['mediaReviewsVisibility']),
    defaultAudioAccessibility: nullableInt(p['defaultAudioAccessibility']),
    defaultAudioLanguages: nullableStrings(p['defaultAudioLanguages']),
    defaultSubtitleLanguages: nullableStrings(p['defaultSubtitleLanguages']),
    mediaReviewsLanguages: nullableStrings(p['mediaReviewsLanguages']),
  };
}

function user(value: unknown): PlexUser {
  const u = object(value);
  const subscription = object(u['subscription']);
  return {
    id: plexId(u['id']),
    uuid: nonEmptyStr(u['uuid']),
    username: str(u['username']),
    title: str(u['title']),
    email: str(u['email']),
    friendlyName: str(u['friendlyName']),
    locale: nullableStr(u['locale']),
    confirmed: flag(u['confirmed'], false),
    joinedAt: unixDate(u['joinedAt']),
    emailOnlyAuth: flag(u['emailOnlyAuth'], false),
    hasPassword: flag(u['hasPassword'], true),
    protected: flag(u['protected'], false),
    thumb: str(u['thumb']),
    mailingListStatus: str(u['mailingListStatus']),
    mailingListActive: flag(u['mailingListActive'], false),
    scrobbleTypes: u['scrobbleTypes'] === undefined ? '' : str(u['scrobbleTypes']),
    country: str(u['country']),
    subscription: {
      active: flag(subscription['active'], false),
      subscribedAt: nullableIsoOrPlexDate(subscription['subscribedAt']),
      status: nullableStr(subscription['status']),
      paymentService: nullableStr(subscription['paymentService']),
      plan: nullableStr(subscription['plan']),
      features: stringsOrEmpty(subscription['features']),
    },
    subscriptionDescription: nullableStr(u['subscriptionDescription']),
    restricted: flag(u['restricted'], false),
    anonymous: nullableBool(u['anonymous']),
    home: flag(u['home'], false),
    guest: flag(u['guest'], false),
    homeSize: int(u['homeSize']),
    homeAdmin: flag(u['homeAdmin'], false),
    maxHomeSize: int(u['maxHomeSize']),
    rememberExpiresAt: unixDate(u['rememberExpiresAt']),
    profile: profile(u['profile']),
    entitlements: stringsOrEmpty(u['entitlements']),
    roles: nullableStrings(u['roles']),
    pin: nullableStr(u['pin']),
    subscriptions: nullableArray(u['subscriptions'], (entry) => {
      const s = object(entry);
      return {
        id: nullablePlexId(s['id']),
        active: nullableBool(s['active']),
        subscribedAt: nullableIsoOrPlexDate(s['subscribedAt']),
        status: nullableStr(s['status']),
        paymentService: nullableStr(s['paymentService']),
        plan: nullableStr(s['plan']),
        features: nullableStrings(s['features']),
        mode: nullableStr(s['mode']),
        renewsAt: nullableUnixDate(s['renewsAt']),
        endsAt: nullableUnixDate(s['endsAt']),
        type: nullableStr(s['type']),
        transfer: nullableStr(s['transfer']),
        state: nullableStr(s['state']),
      };
    }),
    pastSubscriptions: nullableArray(u['pastSubscriptions'], (entry) => {
      const s = object(entry);
      const billing = object(s['billing']);
      return {
        id: nullablePlexId(s['id']),
        mode: nullableStr(s['mode']),
        renewsAt: nullableUnixDate(s['renewsAt']),
        endsAt: nullableUnixDate(s['endsAt']),
        billing: {
          internalPaymentMethod: billing['internalPaymentMethod'] === undefined ? {} : record(billing['internalPaymentMethod']),
          paymentMethodId: nullablePlexId(billing['paymentMethodId']),
        },
        canceled: bool(s['canceled']),
        gracePeriod: bool(s['gracePeriod']),
        onHold: bool(s['onHold']),
        canReactivate: bool(s['canReactivate']),
        canUpgrade: bool(s['canUpgrade']),
        canDowngrade: bool(s['canDowngrade']),
        canConvert: bool(s['canConvert']),
        type: str(s['type']),
        transfer: nullableStr(s['transfer']),
        state: str(s['state']),
      };
    }),
    trials: nullableArray(u['trials'], record),
    services:
      u['services'] === undefined
        ? []
        : (nullableArray(u['services'], (entry) => {
            const s = object(entry);
            return {
              identifier: str(s['identifier']),
              endpoint: str(s['endpoint']),
              token: nullableStr(s['token']),
              secret: nullableStr(s['secret']),
              status: str(s['status']),
            };
          }) ?? fail()),
    adsConsent: nullableBool(u['adsConsent']),
    adsConsentSetAt: nullableUnixDate(u['adsConsentSetAt']),
    adsConsentReminderAt: nullableUnixDate(u['adsConsentReminderAt']),
    experimentalFeatures: flag(u['experimentalFeatures'], false),
    twoFactorEnabled: flag(u['twoFactorEnabled'], false),
    backupCodesCreated: flag(u['backupCodesCreated'], false),
    attributionPartner: nullableStr(u['attributionPartner']),
  };
}

function attempt<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (error === NOT_FAST) return undefined;
    throw error;
  }
}

/** PlexUserSchema's result for a well-formed GET /user body, or undefined: ask zod. */
export function fastPlexUser(json: unknown): PlexUser | undefined {
  return attempt(() => user(json));
}

/** PlexSignInSchema's result for a well-formed sign-in answer, or undefined: ask zod. */
export function fastPlexSignIn(json: unknown): PlexSignIn | undefined {
  return attempt(() => ({ ...user(json), authToken: nonEmptyStr(object(json)['authToken']) }));
}
