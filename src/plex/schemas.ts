import { z } from 'zod';

/**
 * zod schemas for plex.tv's JSON bodies. Unknown keys are dropped; timestamps become `Date`.
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

export const PlexProfileSchema = z.object({
  autoSelectAudio: z.boolean(),
  defaultAudioLanguage: nullish(z.string()),
  defaultSubtitleLanguage: nullish(z.string()),
  autoSelectSubtitle: z.number().int(),
  defaultSubtitleAccessibility: z.number().int(),
  defaultSubtitleForced: z.number().int(),
  watchedIndicator: z.number().int(),
  mediaReviewsVisibility: z.number().int(),
  defaultAudioAccessibility: nullish(z.number().int()),
  defaultAudioLanguages: nullish(z.array(z.string())),
  defaultSubtitleLanguages: nullish(z.array(z.string())),
  mediaReviewsLanguages: nullish(z.array(z.string())),
});

export const PlexServiceSchema = z.object({
  identifier: z.string(),
  endpoint: z.string(),
  token: nullish(z.string()),
  secret: nullish(z.string()),
  status: z.string(),
});

export const PlexPassSubscriptionSchema = z.object({
  active: z.boolean().default(false),
  subscribedAt: nullish(isoOrPlexDate),
  status: nullish(z.string()),
  paymentService: nullish(z.string()),
  plan: nullish(z.string()),
  features: z.array(z.string()).default([]),
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

// Booleans the endpoint reference documents with a default fall back to it when plex.tv omits the key.
const flag = (fallback: boolean) => z.boolean().default(fallback);

export const PlexUserSchema = z.object({
  id: plexId,
  uuid: z.string().min(1),
  username: z.string(),
  title: z.string(),
  email: z.string(),
  friendlyName: z.string(),
  locale: nullish(z.string()),
  confirmed: flag(false),
  joinedAt: plexDateTime,
  emailOnlyAuth: flag(false),
  hasPassword: flag(true),
  protected: flag(false),
  thumb: z.string(),
  mailingListStatus: z.string(),
  mailingListActive: flag(false),
  scrobbleTypes: z.string().default(''),
  country: z.string(),
  subscription: PlexPassSubscriptionSchema,
  subscriptionDescription: nullish(z.string()),
  restricted: flag(false),
  anonymous: nullish(z.boolean()),
  home: flag(false),
  guest: flag(false),
  homeSize: z.number().int(),
  homeAdmin: flag(false),
  maxHomeSize: z.number().int(),
  rememberExpiresAt: plexDateTime,
  profile: PlexProfileSchema,
  entitlements: z.array(z.string()).default([]),
  roles: nullish(z.array(z.string())),
  pin: nullish(z.string()),
  subscriptions: nullish(z.array(PlexSubscriptionEntrySchema)),
  pastSubscriptions: nullish(z.array(PlexPastSubscriptionSchema)),
  trials: nullish(z.array(z.record(z.string(), z.unknown()))),
  services: z.array(PlexServiceSchema).default([]),
  adsConsent: nullish(z.boolean()),
  adsConsentSetAt: nullish(plexDateTime),
  adsConsentReminderAt: nullish(plexDateTime),
  experimentalFeatures: flag(false),
  twoFactorEnabled: flag(false),
  backupCodesCreated: flag(false),
  attributionPartner: nullish(z.string()),
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
