import { z } from 'zod';
import { stringList, tolerant } from './drift.js';

/**
 * zod schemas for plex.tv's JSON bodies. Unknown keys are dropped; timestamps become `Date`; account bodies are parsed
 * tolerantly (see PlexProfileSchema).
 * Open enums (mailingListStatus, statuses, states) stay strings here: the GraphQL layer maps values it does not
 * know to UNKNOWN instead of failing the request.
 */

export const MAX_UNIX_SECONDS = 253402300799; // 9999-12-31T23:59:59Z

// PlexDateTime is unix seconds, but the endpoint reference types the ads-consent dates as strings, so numeric strings
// and ISO strings are accepted too.
const plexDateTime = z.union([
  z.number().int().min(0).max(MAX_UNIX_SECONDS).transform((seconds) => new Date(seconds * 1000)),
  z
    .string()
    .regex(/^\d{1,12}$/)
    .transform((seconds) => Number(seconds))
    .pipe(z.number().max(MAX_UNIX_SECONDS))
    .transform((seconds) => new Date(seconds * 1000)),
  z.iso.datetime({ offset: true }).transform((iso) => new Date(iso)),
]);

/** subscribedAt is ISO in JSON ("2021-04-12T18:21:12Z"); plex.tv's XML form is "2023-03-24 00:00:00 UTC". */
export function isoOrPlexDateValue(value: string): Date | null {
  const date = new Date(value.replace(/^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC$/, '$1T$2Z'));
  return Number.isNaN(date.getTime()) ? null : date;
}

const isoOrPlexDate = z.string().transform((value, ctx) => {
  const date = isoOrPlexDateValue(value);
  if (date === null) {
    ctx.addIssue({ code: 'custom', message: 'not a date-time' });
    return z.NEVER;
  }
  return date;
});

// Absent or null both become null. `.nullable().default(null)` does it without a pipe and a transform step per field,
// which made these wrappers the bulk of parsing a user body.
const nullish = <T extends z.ZodType>(schema: T) => schema.nullable().default(null);

// Plex ids are int32 today; accept strings too so a type change upstream does not break sign-in.
const plexId = z.union([z.number().int(), z.string().min(1)]).transform(String);

// Account bodies (sign-in, GET /user, managed Home users) are parsed tolerantly (drift.ts): only what identifies the
// account (`id`, `uuid`) and a token where one is expected are strict. `optional` fields may be absent or null (plex.tv
// leaves them out on some endpoints or accounts); `expected` fields are reported when absent; either kind is reported
// and becomes null when its value has an unexpected type.
const optional = <T extends z.ZodType>(schema: T) => tolerant(nullish(schema));
const expected = tolerant;
// Booleans the endpoint reference documents with a default fall back to it when plex.tv omits the key.
const flag = (fallback: boolean) => tolerant(z.boolean().default(fallback));
const list = <T extends z.ZodType>(item: T) => tolerant(z.array(item).default([]));

export const PlexProfileSchema = z.object({
  autoSelectAudio: expected(z.boolean()),
  defaultAudioLanguage: optional(z.string()),
  defaultSubtitleLanguage: optional(z.string()),
  autoSelectSubtitle: expected(z.number().int()),
  defaultSubtitleAccessibility: expected(z.number().int()),
  defaultSubtitleForced: expected(z.number().int()),
  watchedIndicator: expected(z.number().int()),
  mediaReviewsVisibility: expected(z.number().int()),
  defaultAudioAccessibility: optional(z.number().int()),
  // Arrays until July 2026, comma-separated strings ("en,sv") since.
  defaultAudioLanguages: optional(stringList),
  defaultSubtitleLanguages: optional(stringList),
  mediaReviewsLanguages: optional(stringList),
});

export const PlexServiceSchema = z.object({
  identifier: z.string(),
  endpoint: z.string(),
  token: nullish(z.string()),
  secret: nullish(z.string()),
  status: z.string(),
});

export const PlexPassSubscriptionSchema = z.object({
  active: flag(false),
  subscribedAt: optional(isoOrPlexDate),
  status: optional(z.string()),
  paymentService: optional(z.string()),
  plan: optional(z.string()),
  features: list(z.string()),
});

// The item shape of `subscriptions[]` is disputed: some sources say it is a Plex Pass subscription, others that it
// looks like a past subscription. Every known key of both is accepted, all optional.
export const PlexSubscriptionEntrySchema = z.object({
  id: nullish(plexId),
  active: nullish(z.boolean()),
  subscribedAt: nullish(isoOrPlexDate),
  status: nullish(z.string()),
  paymentService: nullish(z.string()),
  plan: nullish(z.string()),
  features: nullish(z.array(z.string())),
  mode: nullish(z.string()),
  renewsAt: nullish(plexDateTime),
  endsAt: nullish(plexDateTime),
  type: nullish(z.string()),
  transfer: nullish(z.string()),
  state: nullish(z.string()),
});

export const PlexBillingSchema = z.object({
  internalPaymentMethod: z.record(z.string(), z.unknown()).default({}),
  paymentMethodId: nullish(plexId),
});

export const PlexPastSubscriptionSchema = z.object({
  id: nullish(plexId),
  mode: nullish(z.string()),
  renewsAt: nullish(plexDateTime),
  endsAt: nullish(plexDateTime),
  billing: PlexBillingSchema,
  canceled: z.boolean(),
  gracePeriod: z.boolean(),
  onHold: z.boolean(),
  canReactivate: z.boolean(),
  canUpgrade: z.boolean(),
  canDowngrade: z.boolean(),
  canConvert: z.boolean(),
  type: z.string(),
  transfer: nullish(z.string()),
  state: z.string(),
});

export const PlexUserSchema = z.object({
  id: plexId,
  uuid: z.string().min(1),
  // Null for managed Home users, who have no plex.tv login of their own.
  username: optional(z.string()),
  title: expected(z.string()),
  email: optional(z.string()),
  friendlyName: optional(z.string()),
  locale: optional(z.string()),
  confirmed: flag(false),
  joinedAt: expected(plexDateTime),
  emailOnlyAuth: flag(false),
  hasPassword: flag(true),
  protected: flag(false),
  thumb: expected(z.string()),
  // The sign-in body has it; GET /user leaves it out since 2026, and managed users' bodies lack it.
  mailingListStatus: optional(z.string()),
  mailingListActive: flag(false),
  scrobbleTypes: tolerant(z.string().default('')),
  country: expected(z.string()),
  // Managed users' bodies lack it.
  subscription: optional(PlexPassSubscriptionSchema),
  subscriptionDescription: optional(z.string()),
  restricted: flag(false),
  anonymous: optional(z.boolean()),
  home: flag(false),
  guest: flag(false),
  homeSize: expected(z.number().int()),
  homeAdmin: flag(false),
  maxHomeSize: expected(z.number().int()),
  // The sign-in body has it; GET /user leaves it out since 2026.
  rememberExpiresAt: optional(plexDateTime),
  profile: expected(PlexProfileSchema),
  entitlements: list(z.string()),
  roles: optional(z.array(z.string())),
  pin: optional(z.string()),
  subscriptions: optional(z.array(PlexSubscriptionEntrySchema)),
  pastSubscriptions: optional(z.array(PlexPastSubscriptionSchema)),
  trials: optional(z.array(z.record(z.string(), z.unknown()))),
  services: list(PlexServiceSchema),
  adsConsent: optional(z.boolean()),
  adsConsentSetAt: optional(plexDateTime),
  adsConsentReminderAt: optional(plexDateTime),
  experimentalFeatures: flag(false),
  twoFactorEnabled: flag(false),
  backupCodesCreated: flag(false),
  attributionPartner: optional(z.string()),
});

export const PlexSignInSchema = PlexUserSchema.extend({ authToken: z.string().min(1) });

export const PlexErrorBodySchema = z.object({
  errors: z
    .array(
      z.object({
        code: z.number().int().optional(),
        message: z.string().optional(),
        status: z.number().int().optional(),
      }),
    )
    .min(1),
});

export type PlexUser = z.infer<typeof PlexUserSchema>;
export type PlexProfile = z.infer<typeof PlexProfileSchema>;
export type PlexService = z.infer<typeof PlexServiceSchema>;
export type PlexPassSubscription = z.infer<typeof PlexPassSubscriptionSchema>;
export type PlexSubscriptionEntry = z.infer<typeof PlexSubscriptionEntrySchema>;
export type PlexPastSubscription = z.infer<typeof PlexPastSubscriptionSchema>;
export type PlexBilling = z.infer<typeof PlexBillingSchema>;
export type PlexErrorBody = z.infer<typeof PlexErrorBodySchema>;

// A sign-in PIN (docs/plex-api.md §6). Only the fields the facade uses are kept; `location` and the rest are dropped.
export const PlexPinSchema = z.object({
  id: plexId,
  code: z.string().min(1),
  qr: nullish(z.string()),
  clientIdentifier: z.string(),
  expiresAt: z.iso.datetime({ offset: true }).transform((iso) => new Date(iso)),
  authToken: nullish(z.string().min(1)),
});

export type PlexPin = z.infer<typeof PlexPinSchema>;

// JWT device authentication (docs/plex-auth.md): the nonce, the token exchange and plex.tv's signing keys.
export const PlexNonceSchema = z.object({ nonce: z.string().min(1).max(512) });
export const PlexTokenSchema = z.object({ auth_token: z.string().regex(/^[\w-]+\.[\w-]+\.[\w-]+$/).max(16_384) });
const PlexSigningKeySchema = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(/^[\w-]{43}$/),
  kid: z.string().min(1),
  alg: z.literal('EdDSA').optional(),
  use: z.literal('sig').optional(),
});
// Only the Ed25519 public signing keys of the set are kept (anything else in it is skipped, as a JWKS consumer must).
export const PlexKeysSchema = z.object({
  keys: z
    .array(z.unknown())
    .transform((keys) => keys.flatMap((key) => PlexSigningKeySchema.safeParse(key).data ?? []))
    .refine((keys) => keys.length > 0, 'no Ed25519 signing key'),
});
export type PlexKeys = z.infer<typeof PlexKeysSchema>;
