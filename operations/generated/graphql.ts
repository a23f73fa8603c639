/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Preference for audio description tracks. plex.tv documents the codes 0-3 without naming them; the names below mirror the subtitle accessibility codes. */
export type AudioAccessibilityPreference =
  /** Only audio-described tracks (plex.tv code 2). */
  | 'ONLY_ACCESSIBLE'
  /** Only tracks without audio description (plex.tv code 3). */
  | 'ONLY_NON_ACCESSIBLE'
  /** Prefer audio-described tracks (plex.tv code 1). */
  | 'PREFER_ACCESSIBLE'
  /** Prefer tracks without audio description (plex.tv code 0). */
  | 'PREFER_NON_ACCESSIBLE'
  /** A value plex.tv sent that this API does not know yet. */
  | 'UNKNOWN';

/** When subtitles are selected automatically. */
export type AutoSelectSubtitleMode =
  /** Always enabled (plex.tv code 2). */
  | 'ALWAYS_ENABLED'
  /** Only when selected by hand (plex.tv code 0). */
  | 'MANUALLY_SELECTED'
  /** Shown with foreign audio (plex.tv code 1). */
  | 'SHOWN_WITH_FOREIGN_AUDIO'
  /** A value plex.tv sent that this API does not know yet. */
  | 'UNKNOWN';

/** How a connection is made. */
export type ConnectionProtocol =
  /** Plain HTTP. */
  | 'HTTP'
  /** HTTPS (for plex.direct addresses, with a certificate plex.tv issued). */
  | 'HTTPS';

/** Options for a new sign-in PIN. */
export type CreateSignInPinInput = {
  /** Where plex.tv sends the browser after the user approves (http or https). Leave out to let the user close the page. */
  forwardUrl?: string | null | undefined;
};

/** Preference for forced subtitles. */
export type ForcedSubtitlePreference =
  /** Only show forced subtitles (plex.tv code 2). */
  | 'ONLY_FORCED'
  /** Only show non-forced subtitles (plex.tv code 3). */
  | 'ONLY_NON_FORCED'
  /** Prefer forced subtitles (plex.tv code 1). */
  | 'PREFER_FORCED'
  /** Prefer non-forced subtitles (plex.tv code 0). */
  | 'PREFER_NON_FORCED'
  /** A value plex.tv sent that this API does not know yet. */
  | 'UNKNOWN';

/** The state of the account on the Plex newsletter. */
export type MailingListStatus =
  /** Subscribed to the newsletter. */
  | 'ACTIVE'
  /** Removed from the mailing list. */
  | 'REMOVED'
  /** A value plex.tv sent that this API does not know yet. */
  | 'UNKNOWN'
  /** Unsubscribed from the newsletter. */
  | 'UNSUBSCRIBED';

/** Whose media reviews are shown. */
export type MediaReviewsVisibility =
  /** Critics only (plex.tv code 1). */
  | 'CRITICS_ONLY'
  /** No one (plex.tv code 0). */
  | 'NO_ONE'
  /** Plex users and critics (plex.tv code 3). */
  | 'PLEX_USERS_AND_CRITICS'
  /** Plex users only (plex.tv code 2). */
  | 'PLEX_USERS_ONLY'
  /** A value plex.tv sent that this API does not know yet. */
  | 'UNKNOWN';

/** The state of a Plex Pass subscription. */
export type PlexPassSubscriptionStatus =
  /** The subscription is active. */
  | 'ACTIVE'
  /** The subscription is not active. */
  | 'INACTIVE'
  /** A value plex.tv sent that this API does not know yet. */
  | 'UNKNOWN';

/** What a resource or device provides (plex.tv's `provides` list). */
export type ResourceCapability =
  /** A Plex client app. */
  | 'CLIENT'
  /** Can control players. */
  | 'CONTROLLER'
  /** Plays media (can be cast to). */
  | 'PLAYER'
  /** Plays media from online providers. */
  | 'PROVIDER_PLAYBACK'
  /** A player reached through Plex pub/sub. */
  | 'PUBSUB_PLAYER'
  /** A Plex Media Server. */
  | 'SERVER'
  /** Can hold downloaded (synced) media. */
  | 'SYNC_TARGET'
  /** A value plex.tv sent that this API does not know yet. */
  | 'UNKNOWN';

/** The content restrictions of a managed Home user. */
export type RestrictionProfile =
  /** Content for little kids. */
  | 'LITTLE_KID'
  /** Content for older kids. */
  | 'OLDER_KID'
  /** Content for teens. */
  | 'TEEN'
  /** A value plex.tv sent that this API does not know yet. */
  | 'UNKNOWN';

/** Why a device is not removed here. */
export type RevokeDeviceRefusal =
  /** The device of the request's own token: use signOut instead. */
  | 'CURRENT_DEVICE'
  /** A Plex Media Server: removing it de-authorizes the server. Remove servers in the Plex app. */
  | 'MEDIA_SERVER';

/** Whether a Plex service is reachable. */
export type ServiceStatus =
  /** The service is offline. */
  | 'OFFLINE'
  /** The service is online. */
  | 'ONLINE'
  /** A value plex.tv sent that this API does not know yet. */
  | 'UNKNOWN';

/** Credentials for a password sign-in. */
export type SignInInput = {
  /** The account email address or username. */
  login: string;
  /** The account password. */
  password: string;
  /** Ask plex.tv for a long-lived token (remembered for about 14 days). */
  rememberMe?: boolean | null | undefined;
  /** The 6-digit two-factor code, when the account has two-factor authentication on. */
  verificationCode?: string | null | undefined;
};

/** The lifecycle state of a subscription record. */
export type SubscriptionState =
  /** The subscription is running. */
  | 'ACTIVE'
  /** The subscription has ended. */
  | 'ENDED'
  /** A value plex.tv sent that this API does not know yet. */
  | 'UNKNOWN';

/** Preference for SDH (subtitles for the deaf and hard of hearing). */
export type SubtitleAccessibilityPreference =
  /** Only show non-SDH subtitles (plex.tv code 3). */
  | 'ONLY_NON_SDH'
  /** Only show SDH subtitles (plex.tv code 2). */
  | 'ONLY_SDH'
  /** Prefer non-SDH subtitles (plex.tv code 0). */
  | 'PREFER_NON_SDH'
  /** Prefer SDH subtitles (plex.tv code 1). */
  | 'PREFER_SDH'
  /** A value plex.tv sent that this API does not know yet. */
  | 'UNKNOWN';

/** The Home user to switch to, and its PIN when it has one. */
export type SwitchHomeUserInput = {
  /** The profile's 4-digit PIN. A secret, like a password. */
  pin?: string | null | undefined;
  /** The HomeUser's uuid. */
  uuid: string;
};

/** Where unwatched/watched indicators are shown. */
export type WatchedIndicator =
  /** Movies only (plex.tv code 2). */
  | 'MOVIES'
  /** Movies and TV shows (plex.tv code 1). */
  | 'MOVIES_AND_TV_SHOWS'
  /** Nowhere (plex.tv code 0). */
  | 'NONE'
  /** TV shows only (plex.tv code 3). */
  | 'TV_SHOWS'
  /** A value plex.tv sent that this API does not know yet. */
  | 'UNKNOWN';

export type ServersQueryVariables = Exact<{ [key: string]: never; }>;


export type ServersQuery = { viewer: { id: string, resources: Array<{ name: string, clientIdentifier: string, product: string, productVersion: string | null, owned: boolean, sourceTitle: string | null, presence: boolean, httpsRequired: boolean, accessToken: string | null, lastSeenAt: string | null, connections: Array<{ protocol: ConnectionProtocol, address: string, port: number, uri: string, local: boolean, relay: boolean, ipv6: boolean }> }> } | null };

export type ProfilesQueryVariables = Exact<{ [key: string]: never; }>;


export type ProfilesQuery = { viewer: { id: string, home: boolean | null, plexHome: { id: string, name: string, users: Array<{ id: string, uuid: string, title: string, username: string | null, thumb: string | null, admin: boolean, guest: boolean, restricted: boolean, restrictionProfile: RestrictionProfile | null, protected: boolean }> } | null } | null };

export type SwitchHomeUserMutationVariables = Exact<{
  input: SwitchHomeUserInput;
}>;


export type SwitchHomeUserMutation = { switchHomeUser:
    | { __typename: 'HomeUserNotFoundError', message: string }
    | { __typename: 'HomeUserPinInvalidError', pinSent: boolean, message: string }
    | { __typename: 'SignInSuccess', authToken: string, authTokenExpiresAt: string | null, user: { id: string, uuid: string, title: string | null, username: string | null, thumb: string | null } }
    | { __typename: 'SignInThrottledError', retryAfterSeconds: number | null, message: string }
   };

export type DevicesQueryVariables = Exact<{ [key: string]: never; }>;


export type DevicesQuery = { viewer: { id: string, devices: Array<{ id: string, name: string, product: string | null, productVersion: string | null, platform: string | null, device: string | null, clientIdentifier: string, provides: Array<ResourceCapability>, createdAt: string | null, lastSeenAt: string | null, current: boolean }> } | null };

export type RevokeDeviceMutationVariables = Exact<{
  id: string;
}>;


export type RevokeDeviceMutation = { revokeDevice:
    | { __typename: 'DeviceNotFoundError', message: string }
    | { __typename: 'RevokeDeviceRefusedError', reason: RevokeDeviceRefusal, message: string }
    | { __typename: 'RevokeDeviceSuccess', deviceId: string }
   };

export type RefreshAuthTokenMutationVariables = Exact<{
  refreshToken: string;
}>;


export type RefreshAuthTokenMutation = { refreshAuthToken:
    | { __typename: 'AuthTokenRefreshed', authToken: string, authTokenExpiresAt: string | null, refreshToken: string }
    | { __typename: 'DeviceRevokedError', message: string }
    | { __typename: 'RefreshTokenInvalidError', message: string }
    | { __typename: 'SignInThrottledError', retryAfterSeconds: number | null, message: string }
   };

export type SignOutMutationVariables = Exact<{ [key: string]: never; }>;


export type SignOutMutation = { signOut: { signedOut: boolean, tokenWasValid: boolean } };

export type CreateSignInPinMutationVariables = Exact<{
  input?: CreateSignInPinInput | null | undefined;
}>;


export type CreateSignInPinMutation = { createSignInPin: { id: string, code: string, expiresAt: string, authUrl: string, qr: string | null } };

type SignInPinStatusFields_SignInPinExpiredError_Fragment = { __typename: 'SignInPinExpiredError', id: string, message: string };

type SignInPinStatusFields_SignInPinPending_Fragment = { __typename: 'SignInPinPending', id: string, expiresAt: string };

type SignInPinStatusFields_SignInSuccess_Fragment = { __typename: 'SignInSuccess', authToken: string, authTokenExpiresAt: string | null, refreshToken: string | null, user: { id: string, username: string | null, friendlyName: string | null } };

export type SignInPinStatusFieldsFragment =
  | SignInPinStatusFields_SignInPinExpiredError_Fragment
  | SignInPinStatusFields_SignInPinPending_Fragment
  | SignInPinStatusFields_SignInSuccess_Fragment
;

export type SignInPinQueryVariables = Exact<{
  id: string;
  code: string;
}>;


export type SignInPinQuery = { signInPin:
    | { __typename: 'SignInPinExpiredError', id: string, message: string }
    | { __typename: 'SignInPinPending', id: string, expiresAt: string }
    | { __typename: 'SignInSuccess', authToken: string, authTokenExpiresAt: string | null, refreshToken: string | null, user: { id: string, username: string | null, friendlyName: string | null } }
   };

export type WatchSignInPinSubscriptionVariables = Exact<{
  id: string;
  code: string;
}>;


export type WatchSignInPinSubscription = { signInPin:
    | { __typename: 'SignInPinExpiredError', id: string, message: string }
    | { __typename: 'SignInPinPending', id: string, expiresAt: string }
    | { __typename: 'SignInSuccess', authToken: string, authTokenExpiresAt: string | null, refreshToken: string | null, user: { id: string, username: string | null, friendlyName: string | null } }
   };

export type SignInMutationVariables = Exact<{
  input: SignInInput;
}>;


export type SignInMutation = { signIn:
    | { __typename: 'InvalidCredentialsError', message: string }
    | { __typename: 'InvalidVerificationCodeError', message: string }
    | { __typename: 'SignInSuccess', authToken: string, user: { id: string, uuid: string, username: string | null, title: string | null, email: string | null, friendlyName: string | null, locale: string | null, confirmed: boolean | null, joinedAt: string | null, emailOnlyAuth: boolean | null, hasPassword: boolean | null, protected: boolean | null, thumb: string | null, mailingListStatus: MailingListStatus | null, mailingListActive: boolean | null, scrobbleTypes: string | null, country: string | null, subscriptionDescription: string | null, trials: Array<Record<string, unknown>> | null, restricted: boolean | null, anonymous: boolean | null, home: boolean | null, guest: boolean | null, homeSize: number | null, homeAdmin: boolean | null, maxHomeSize: number | null, rememberExpiresAt: string | null, entitlements: Array<string> | null, roles: Array<string> | null, pin: string | null, adsConsent: boolean | null, adsConsentSetAt: string | null, adsConsentReminderAt: string | null, experimentalFeatures: boolean | null, twoFactorEnabled: boolean | null, backupCodesCreated: boolean | null, attributionPartner: string | null, subscription: { active: boolean | null, subscribedAt: string | null, status: PlexPassSubscriptionStatus | null, paymentService: string | null, plan: string | null, features: Array<string> | null } | null, subscriptions: Array<{ id: string | null, active: boolean | null, subscribedAt: string | null, status: PlexPassSubscriptionStatus | null, paymentService: string | null, plan: string | null, features: Array<string> | null, mode: string | null, renewsAt: string | null, endsAt: string | null, type: string | null, transfer: string | null, state: SubscriptionState | null }> | null, pastSubscriptions: Array<{ id: string | null, mode: string | null, renewsAt: string | null, endsAt: string | null, canceled: boolean, gracePeriod: boolean, onHold: boolean, canReactivate: boolean, canUpgrade: boolean, canDowngrade: boolean, canConvert: boolean, type: string, transfer: string | null, state: SubscriptionState, billing: { internalPaymentMethod: Record<string, unknown>, paymentMethodId: string | null } }> | null, profile: { autoSelectAudio: boolean | null, defaultAudioLanguage: string | null, defaultAudioLanguages: Array<string> | null, defaultAudioAccessibility: AudioAccessibilityPreference | null, defaultSubtitleLanguage: string | null, defaultSubtitleLanguages: Array<string> | null, autoSelectSubtitle: AutoSelectSubtitleMode | null, defaultSubtitleAccessibility: SubtitleAccessibilityPreference | null, defaultSubtitleForced: ForcedSubtitlePreference | null, watchedIndicator: WatchedIndicator | null, mediaReviewsVisibility: MediaReviewsVisibility | null, mediaReviewsLanguages: Array<string> | null } | null, services: Array<{ identifier: string, endpoint: string | null, token: string | null, secret: string | null, status: ServiceStatus }> | null } }
    | { __typename: 'SignInThrottledError', retryAfterSeconds: number | null, message: string }
    | { __typename: 'TwoFactorRequiredError', message: string }
    | { __typename: 'ValidationError', message: string, issues: Array<{ path: Array<string>, message: string }> }
   };

export type FullUserFragment = { id: string, uuid: string, username: string | null, title: string | null, email: string | null, friendlyName: string | null, locale: string | null, confirmed: boolean | null, joinedAt: string | null, emailOnlyAuth: boolean | null, hasPassword: boolean | null, protected: boolean | null, thumb: string | null, mailingListStatus: MailingListStatus | null, mailingListActive: boolean | null, scrobbleTypes: string | null, country: string | null, subscriptionDescription: string | null, trials: Array<Record<string, unknown>> | null, restricted: boolean | null, anonymous: boolean | null, home: boolean | null, guest: boolean | null, homeSize: number | null, homeAdmin: boolean | null, maxHomeSize: number | null, rememberExpiresAt: string | null, entitlements: Array<string> | null, roles: Array<string> | null, pin: string | null, adsConsent: boolean | null, adsConsentSetAt: string | null, adsConsentReminderAt: string | null, experimentalFeatures: boolean | null, twoFactorEnabled: boolean | null, backupCodesCreated: boolean | null, attributionPartner: string | null, subscription: { active: boolean | null, subscribedAt: string | null, status: PlexPassSubscriptionStatus | null, paymentService: string | null, plan: string | null, features: Array<string> | null } | null, subscriptions: Array<{ id: string | null, active: boolean | null, subscribedAt: string | null, status: PlexPassSubscriptionStatus | null, paymentService: string | null, plan: string | null, features: Array<string> | null, mode: string | null, renewsAt: string | null, endsAt: string | null, type: string | null, transfer: string | null, state: SubscriptionState | null }> | null, pastSubscriptions: Array<{ id: string | null, mode: string | null, renewsAt: string | null, endsAt: string | null, canceled: boolean, gracePeriod: boolean, onHold: boolean, canReactivate: boolean, canUpgrade: boolean, canDowngrade: boolean, canConvert: boolean, type: string, transfer: string | null, state: SubscriptionState, billing: { internalPaymentMethod: Record<string, unknown>, paymentMethodId: string | null } }> | null, profile: { autoSelectAudio: boolean | null, defaultAudioLanguage: string | null, defaultAudioLanguages: Array<string> | null, defaultAudioAccessibility: AudioAccessibilityPreference | null, defaultSubtitleLanguage: string | null, defaultSubtitleLanguages: Array<string> | null, autoSelectSubtitle: AutoSelectSubtitleMode | null, defaultSubtitleAccessibility: SubtitleAccessibilityPreference | null, defaultSubtitleForced: ForcedSubtitlePreference | null, watchedIndicator: WatchedIndicator | null, mediaReviewsVisibility: MediaReviewsVisibility | null, mediaReviewsLanguages: Array<string> | null } | null, services: Array<{ identifier: string, endpoint: string | null, token: string | null, secret: string | null, status: ServiceStatus }> | null };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { id: string, uuid: string, username: string | null, title: string | null, email: string | null, friendlyName: string | null, locale: string | null, confirmed: boolean | null, joinedAt: string | null, emailOnlyAuth: boolean | null, hasPassword: boolean | null, protected: boolean | null, thumb: string | null, mailingListStatus: MailingListStatus | null, mailingListActive: boolean | null, scrobbleTypes: string | null, country: string | null, subscriptionDescription: string | null, trials: Array<Record<string, unknown>> | null, restricted: boolean | null, anonymous: boolean | null, home: boolean | null, guest: boolean | null, homeSize: number | null, homeAdmin: boolean | null, maxHomeSize: number | null, rememberExpiresAt: string | null, entitlements: Array<string> | null, roles: Array<string> | null, pin: string | null, adsConsent: boolean | null, adsConsentSetAt: string | null, adsConsentReminderAt: string | null, experimentalFeatures: boolean | null, twoFactorEnabled: boolean | null, backupCodesCreated: boolean | null, attributionPartner: string | null, subscription: { active: boolean | null, subscribedAt: string | null, status: PlexPassSubscriptionStatus | null, paymentService: string | null, plan: string | null, features: Array<string> | null } | null, subscriptions: Array<{ id: string | null, active: boolean | null, subscribedAt: string | null, status: PlexPassSubscriptionStatus | null, paymentService: string | null, plan: string | null, features: Array<string> | null, mode: string | null, renewsAt: string | null, endsAt: string | null, type: string | null, transfer: string | null, state: SubscriptionState | null }> | null, pastSubscriptions: Array<{ id: string | null, mode: string | null, renewsAt: string | null, endsAt: string | null, canceled: boolean, gracePeriod: boolean, onHold: boolean, canReactivate: boolean, canUpgrade: boolean, canDowngrade: boolean, canConvert: boolean, type: string, transfer: string | null, state: SubscriptionState, billing: { internalPaymentMethod: Record<string, unknown>, paymentMethodId: string | null } }> | null, profile: { autoSelectAudio: boolean | null, defaultAudioLanguage: string | null, defaultAudioLanguages: Array<string> | null, defaultAudioAccessibility: AudioAccessibilityPreference | null, defaultSubtitleLanguage: string | null, defaultSubtitleLanguages: Array<string> | null, autoSelectSubtitle: AutoSelectSubtitleMode | null, defaultSubtitleAccessibility: SubtitleAccessibilityPreference | null, defaultSubtitleForced: ForcedSubtitlePreference | null, watchedIndicator: WatchedIndicator | null, mediaReviewsVisibility: MediaReviewsVisibility | null, mediaReviewsLanguages: Array<string> | null } | null, services: Array<{ identifier: string, endpoint: string | null, token: string | null, secret: string | null, status: ServiceStatus }> | null } | null };

export type ViewerNameQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerNameQuery = { viewer: { id: string, username: string | null } | null };

export const SignInPinStatusFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SignInPinStatusFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SignInPinStatus"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SignInPinPending"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SignInSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"authToken"}},{"kind":"Field","name":{"kind":"Name","value":"authTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"friendlyName"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SignInPinExpiredError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<SignInPinStatusFieldsFragment, unknown>;
export const FullUserFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"FullUser"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"uuid"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"friendlyName"}},{"kind":"Field","name":{"kind":"Name","value":"locale"}},{"kind":"Field","name":{"kind":"Name","value":"confirmed"}},{"kind":"Field","name":{"kind":"Name","value":"joinedAt"}},{"kind":"Field","name":{"kind":"Name","value":"emailOnlyAuth"}},{"kind":"Field","name":{"kind":"Name","value":"hasPassword"}},{"kind":"Field","name":{"kind":"Name","value":"protected"}},{"kind":"Field","name":{"kind":"Name","value":"thumb"}},{"kind":"Field","name":{"kind":"Name","value":"mailingListStatus"}},{"kind":"Field","name":{"kind":"Name","value":"mailingListActive"}},{"kind":"Field","name":{"kind":"Name","value":"scrobbleTypes"}},{"kind":"Field","name":{"kind":"Name","value":"country"}},{"kind":"Field","name":{"kind":"Name","value":"subscription"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"subscribedAt"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"paymentService"}},{"kind":"Field","name":{"kind":"Name","value":"plan"}},{"kind":"Field","name":{"kind":"Name","value":"features"}}]}},{"kind":"Field","name":{"kind":"Name","value":"subscriptionDescription"}},{"kind":"Field","name":{"kind":"Name","value":"subscriptions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"subscribedAt"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"paymentService"}},{"kind":"Field","name":{"kind":"Name","value":"plan"}},{"kind":"Field","name":{"kind":"Name","value":"features"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"renewsAt"}},{"kind":"Field","name":{"kind":"Name","value":"endsAt"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"transfer"}},{"kind":"Field","name":{"kind":"Name","value":"state"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pastSubscriptions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"renewsAt"}},{"kind":"Field","name":{"kind":"Name","value":"endsAt"}},{"kind":"Field","name":{"kind":"Name","value":"billing"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"internalPaymentMethod"}},{"kind":"Field","name":{"kind":"Name","value":"paymentMethodId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"canceled"}},{"kind":"Field","name":{"kind":"Name","value":"gracePeriod"}},{"kind":"Field","name":{"kind":"Name","value":"onHold"}},{"kind":"Field","name":{"kind":"Name","value":"canReactivate"}},{"kind":"Field","name":{"kind":"Name","value":"canUpgrade"}},{"kind":"Field","name":{"kind":"Name","value":"canDowngrade"}},{"kind":"Field","name":{"kind":"Name","value":"canConvert"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"transfer"}},{"kind":"Field","name":{"kind":"Name","value":"state"}}]}},{"kind":"Field","name":{"kind":"Name","value":"trials"}},{"kind":"Field","name":{"kind":"Name","value":"restricted"}},{"kind":"Field","name":{"kind":"Name","value":"anonymous"}},{"kind":"Field","name":{"kind":"Name","value":"home"}},{"kind":"Field","name":{"kind":"Name","value":"guest"}},{"kind":"Field","name":{"kind":"Name","value":"homeSize"}},{"kind":"Field","name":{"kind":"Name","value":"homeAdmin"}},{"kind":"Field","name":{"kind":"Name","value":"maxHomeSize"}},{"kind":"Field","name":{"kind":"Name","value":"rememberExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"profile"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"autoSelectAudio"}},{"kind":"Field","name":{"kind":"Name","value":"defaultAudioLanguage"}},{"kind":"Field","name":{"kind":"Name","value":"defaultAudioLanguages"}},{"kind":"Field","name":{"kind":"Name","value":"defaultAudioAccessibility"}},{"kind":"Field","name":{"kind":"Name","value":"defaultSubtitleLanguage"}},{"kind":"Field","name":{"kind":"Name","value":"defaultSubtitleLanguages"}},{"kind":"Field","name":{"kind":"Name","value":"autoSelectSubtitle"}},{"kind":"Field","name":{"kind":"Name","value":"defaultSubtitleAccessibility"}},{"kind":"Field","name":{"kind":"Name","value":"defaultSubtitleForced"}},{"kind":"Field","name":{"kind":"Name","value":"watchedIndicator"}},{"kind":"Field","name":{"kind":"Name","value":"mediaReviewsVisibility"}},{"kind":"Field","name":{"kind":"Name","value":"mediaReviewsLanguages"}}]}},{"kind":"Field","name":{"kind":"Name","value":"entitlements"}},{"kind":"Field","name":{"kind":"Name","value":"roles"}},{"kind":"Field","name":{"kind":"Name","value":"pin"}},{"kind":"Field","name":{"kind":"Name","value":"services"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"identifier"}},{"kind":"Field","name":{"kind":"Name","value":"endpoint"}},{"kind":"Field","name":{"kind":"Name","value":"token"}},{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"adsConsent"}},{"kind":"Field","name":{"kind":"Name","value":"adsConsentSetAt"}},{"kind":"Field","name":{"kind":"Name","value":"adsConsentReminderAt"}},{"kind":"Field","name":{"kind":"Name","value":"experimentalFeatures"}},{"kind":"Field","name":{"kind":"Name","value":"twoFactorEnabled"}},{"kind":"Field","name":{"kind":"Name","value":"backupCodesCreated"}},{"kind":"Field","name":{"kind":"Name","value":"attributionPartner"}}]}}]} as unknown as DocumentNode<FullUserFragment, unknown>;
export const ServersDocument = {"__meta__":{"hash":"sha256:557ebd33f72423db652a49ac9286274fe7b95d4ce0fd2f4a39285b264ac8720a"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Servers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"resources"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"provides"},"value":{"kind":"ListValue","values":[{"kind":"EnumValue","value":"SERVER"}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"clientIdentifier"}},{"kind":"Field","name":{"kind":"Name","value":"product"}},{"kind":"Field","name":{"kind":"Name","value":"productVersion"}},{"kind":"Field","name":{"kind":"Name","value":"owned"}},{"kind":"Field","name":{"kind":"Name","value":"sourceTitle"}},{"kind":"Field","name":{"kind":"Name","value":"presence"}},{"kind":"Field","name":{"kind":"Name","value":"httpsRequired"}},{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeenAt"}},{"kind":"Field","name":{"kind":"Name","value":"connections"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"protocol"}},{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"port"}},{"kind":"Field","name":{"kind":"Name","value":"uri"}},{"kind":"Field","name":{"kind":"Name","value":"local"}},{"kind":"Field","name":{"kind":"Name","value":"relay"}},{"kind":"Field","name":{"kind":"Name","value":"ipv6"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ServersQuery, ServersQueryVariables>;
export const ProfilesDocument = {"__meta__":{"hash":"sha256:39240d43842801d5d50091744bc35e36a71e24619b35cdc5676bdf86645a58b2"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Profiles"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"home"}},{"kind":"Field","name":{"kind":"Name","value":"plexHome"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"users"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"uuid"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"thumb"}},{"kind":"Field","name":{"kind":"Name","value":"admin"}},{"kind":"Field","name":{"kind":"Name","value":"guest"}},{"kind":"Field","name":{"kind":"Name","value":"restricted"}},{"kind":"Field","name":{"kind":"Name","value":"restrictionProfile"}},{"kind":"Field","name":{"kind":"Name","value":"protected"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ProfilesQuery, ProfilesQueryVariables>;
export const SwitchHomeUserDocument = {"__meta__":{"hash":"sha256:b9dae2f873c00c53311d6d1569be94cc7374ecf8b004feaf9a65004565e32650"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SwitchHomeUser"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SwitchHomeUserInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"switchHomeUser"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SignInSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"authToken"}},{"kind":"Field","name":{"kind":"Name","value":"authTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"uuid"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"thumb"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"HomeUserPinInvalidError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pinSent"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SignInThrottledError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryAfterSeconds"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<SwitchHomeUserMutation, SwitchHomeUserMutationVariables>;
export const DevicesDocument = {"__meta__":{"hash":"sha256:49510338ed277433875b38ef49581add7e21bf6cfe9aae262fae23b907d463e9"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Devices"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"devices"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"product"}},{"kind":"Field","name":{"kind":"Name","value":"productVersion"}},{"kind":"Field","name":{"kind":"Name","value":"platform"}},{"kind":"Field","name":{"kind":"Name","value":"device"}},{"kind":"Field","name":{"kind":"Name","value":"clientIdentifier"}},{"kind":"Field","name":{"kind":"Name","value":"provides"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeenAt"}},{"kind":"Field","name":{"kind":"Name","value":"current"}}]}}]}}]}}]} as unknown as DocumentNode<DevicesQuery, DevicesQueryVariables>;
export const RevokeDeviceDocument = {"__meta__":{"hash":"sha256:dde50f38223b1b06834051a5623ae0ae54d19a55a5b9c9e947d58d68fd6477b6"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeDevice"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeDevice"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RevokeDeviceSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deviceId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RevokeDeviceRefusedError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<RevokeDeviceMutation, RevokeDeviceMutationVariables>;
export const RefreshAuthTokenDocument = {"__meta__":{"hash":"sha256:1e4c4542e96dcf4a841596c104ceabbea2434fe08001e9e282fc70f161591ec3"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RefreshAuthToken"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refreshAuthToken"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"refreshToken"},"value":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuthTokenRefreshed"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"authToken"}},{"kind":"Field","name":{"kind":"Name","value":"authTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SignInThrottledError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryAfterSeconds"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<RefreshAuthTokenMutation, RefreshAuthTokenMutationVariables>;
export const SignOutDocument = {"__meta__":{"hash":"sha256:de67aa11617346e125a9e0ae03c7d6ac18d05eafde918fb55d40db4a2a0ed850"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SignOut"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"signOut"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"signedOut"}},{"kind":"Field","name":{"kind":"Name","value":"tokenWasValid"}}]}}]}}]} as unknown as DocumentNode<SignOutMutation, SignOutMutationVariables>;
export const CreateSignInPinDocument = {"__meta__":{"hash":"sha256:c5eb0065cd025bf623c0bacf4dc7f2becc32ae7d32b3c76c73c2dab4982ce3bb"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateSignInPin"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateSignInPinInput"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createSignInPin"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"authUrl"}},{"kind":"Field","name":{"kind":"Name","value":"qr"}}]}}]}}]} as unknown as DocumentNode<CreateSignInPinMutation, CreateSignInPinMutationVariables>;
export const SignInPinDocument = {"__meta__":{"hash":"sha256:80f18fd2a99e475a86d963f9bd9b756d6879036bcf6007de2b969143c74b0c0c"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SignInPin"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"code"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"signInPin"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"code"},"value":{"kind":"Variable","name":{"kind":"Name","value":"code"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SignInPinStatusFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SignInPinStatusFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SignInPinStatus"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SignInPinPending"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SignInSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"authToken"}},{"kind":"Field","name":{"kind":"Name","value":"authTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"friendlyName"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SignInPinExpiredError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<SignInPinQuery, SignInPinQueryVariables>;
export const WatchSignInPinDocument = {"__meta__":{"hash":"sha256:c93a92d7291522dd30f1759161b7619a8883cddaeaf8b3eae13211aa278e6581"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"WatchSignInPin"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"code"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"signInPin"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"code"},"value":{"kind":"Variable","name":{"kind":"Name","value":"code"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SignInPinStatusFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SignInPinStatusFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SignInPinStatus"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SignInPinPending"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SignInSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"authToken"}},{"kind":"Field","name":{"kind":"Name","value":"authTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"friendlyName"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SignInPinExpiredError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<WatchSignInPinSubscription, WatchSignInPinSubscriptionVariables>;
export const SignInDocument = {"__meta__":{"hash":"sha256:f85a70403bebb5888021d5c16910a3fbfc592fa7b95371330bf53a999790d049"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SignIn"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SignInInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"signIn"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SignInSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"authToken"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"FullUser"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SignInThrottledError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryAfterSeconds"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"FullUser"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"uuid"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"friendlyName"}},{"kind":"Field","name":{"kind":"Name","value":"locale"}},{"kind":"Field","name":{"kind":"Name","value":"confirmed"}},{"kind":"Field","name":{"kind":"Name","value":"joinedAt"}},{"kind":"Field","name":{"kind":"Name","value":"emailOnlyAuth"}},{"kind":"Field","name":{"kind":"Name","value":"hasPassword"}},{"kind":"Field","name":{"kind":"Name","value":"protected"}},{"kind":"Field","name":{"kind":"Name","value":"thumb"}},{"kind":"Field","name":{"kind":"Name","value":"mailingListStatus"}},{"kind":"Field","name":{"kind":"Name","value":"mailingListActive"}},{"kind":"Field","name":{"kind":"Name","value":"scrobbleTypes"}},{"kind":"Field","name":{"kind":"Name","value":"country"}},{"kind":"Field","name":{"kind":"Name","value":"subscription"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"subscribedAt"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"paymentService"}},{"kind":"Field","name":{"kind":"Name","value":"plan"}},{"kind":"Field","name":{"kind":"Name","value":"features"}}]}},{"kind":"Field","name":{"kind":"Name","value":"subscriptionDescription"}},{"kind":"Field","name":{"kind":"Name","value":"subscriptions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"subscribedAt"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"paymentService"}},{"kind":"Field","name":{"kind":"Name","value":"plan"}},{"kind":"Field","name":{"kind":"Name","value":"features"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"renewsAt"}},{"kind":"Field","name":{"kind":"Name","value":"endsAt"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"transfer"}},{"kind":"Field","name":{"kind":"Name","value":"state"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pastSubscriptions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"renewsAt"}},{"kind":"Field","name":{"kind":"Name","value":"endsAt"}},{"kind":"Field","name":{"kind":"Name","value":"billing"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"internalPaymentMethod"}},{"kind":"Field","name":{"kind":"Name","value":"paymentMethodId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"canceled"}},{"kind":"Field","name":{"kind":"Name","value":"gracePeriod"}},{"kind":"Field","name":{"kind":"Name","value":"onHold"}},{"kind":"Field","name":{"kind":"Name","value":"canReactivate"}},{"kind":"Field","name":{"kind":"Name","value":"canUpgrade"}},{"kind":"Field","name":{"kind":"Name","value":"canDowngrade"}},{"kind":"Field","name":{"kind":"Name","value":"canConvert"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"transfer"}},{"kind":"Field","name":{"kind":"Name","value":"state"}}]}},{"kind":"Field","name":{"kind":"Name","value":"trials"}},{"kind":"Field","name":{"kind":"Name","value":"restricted"}},{"kind":"Field","name":{"kind":"Name","value":"anonymous"}},{"kind":"Field","name":{"kind":"Name","value":"home"}},{"kind":"Field","name":{"kind":"Name","value":"guest"}},{"kind":"Field","name":{"kind":"Name","value":"homeSize"}},{"kind":"Field","name":{"kind":"Name","value":"homeAdmin"}},{"kind":"Field","name":{"kind":"Name","value":"maxHomeSize"}},{"kind":"Field","name":{"kind":"Name","value":"rememberExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"profile"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"autoSelectAudio"}},{"kind":"Field","name":{"kind":"Name","value":"defaultAudioLanguage"}},{"kind":"Field","name":{"kind":"Name","value":"defaultAudioLanguages"}},{"kind":"Field","name":{"kind":"Name","value":"defaultAudioAccessibility"}},{"kind":"Field","name":{"kind":"Name","value":"defaultSubtitleLanguage"}},{"kind":"Field","name":{"kind":"Name","value":"defaultSubtitleLanguages"}},{"kind":"Field","name":{"kind":"Name","value":"autoSelectSubtitle"}},{"kind":"Field","name":{"kind":"Name","value":"defaultSubtitleAccessibility"}},{"kind":"Field","name":{"kind":"Name","value":"defaultSubtitleForced"}},{"kind":"Field","name":{"kind":"Name","value":"watchedIndicator"}},{"kind":"Field","name":{"kind":"Name","value":"mediaReviewsVisibility"}},{"kind":"Field","name":{"kind":"Name","value":"mediaReviewsLanguages"}}]}},{"kind":"Field","name":{"kind":"Name","value":"entitlements"}},{"kind":"Field","name":{"kind":"Name","value":"roles"}},{"kind":"Field","name":{"kind":"Name","value":"pin"}},{"kind":"Field","name":{"kind":"Name","value":"services"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"identifier"}},{"kind":"Field","name":{"kind":"Name","value":"endpoint"}},{"kind":"Field","name":{"kind":"Name","value":"token"}},{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"adsConsent"}},{"kind":"Field","name":{"kind":"Name","value":"adsConsentSetAt"}},{"kind":"Field","name":{"kind":"Name","value":"adsConsentReminderAt"}},{"kind":"Field","name":{"kind":"Name","value":"experimentalFeatures"}},{"kind":"Field","name":{"kind":"Name","value":"twoFactorEnabled"}},{"kind":"Field","name":{"kind":"Name","value":"backupCodesCreated"}},{"kind":"Field","name":{"kind":"Name","value":"attributionPartner"}}]}}]} as unknown as DocumentNode<SignInMutation, SignInMutationVariables>;
export const ViewerDocument = {"__meta__":{"hash":"sha256:4ba35de913f7a3dfd3b4c549aa60911aaa1c43c89cb043a5fde2a73e2d67abfc"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"FullUser"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"FullUser"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"uuid"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"friendlyName"}},{"kind":"Field","name":{"kind":"Name","value":"locale"}},{"kind":"Field","name":{"kind":"Name","value":"confirmed"}},{"kind":"Field","name":{"kind":"Name","value":"joinedAt"}},{"kind":"Field","name":{"kind":"Name","value":"emailOnlyAuth"}},{"kind":"Field","name":{"kind":"Name","value":"hasPassword"}},{"kind":"Field","name":{"kind":"Name","value":"protected"}},{"kind":"Field","name":{"kind":"Name","value":"thumb"}},{"kind":"Field","name":{"kind":"Name","value":"mailingListStatus"}},{"kind":"Field","name":{"kind":"Name","value":"mailingListActive"}},{"kind":"Field","name":{"kind":"Name","value":"scrobbleTypes"}},{"kind":"Field","name":{"kind":"Name","value":"country"}},{"kind":"Field","name":{"kind":"Name","value":"subscription"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"subscribedAt"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"paymentService"}},{"kind":"Field","name":{"kind":"Name","value":"plan"}},{"kind":"Field","name":{"kind":"Name","value":"features"}}]}},{"kind":"Field","name":{"kind":"Name","value":"subscriptionDescription"}},{"kind":"Field","name":{"kind":"Name","value":"subscriptions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"subscribedAt"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"paymentService"}},{"kind":"Field","name":{"kind":"Name","value":"plan"}},{"kind":"Field","name":{"kind":"Name","value":"features"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"renewsAt"}},{"kind":"Field","name":{"kind":"Name","value":"endsAt"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"transfer"}},{"kind":"Field","name":{"kind":"Name","value":"state"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pastSubscriptions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"renewsAt"}},{"kind":"Field","name":{"kind":"Name","value":"endsAt"}},{"kind":"Field","name":{"kind":"Name","value":"billing"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"internalPaymentMethod"}},{"kind":"Field","name":{"kind":"Name","value":"paymentMethodId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"canceled"}},{"kind":"Field","name":{"kind":"Name","value":"gracePeriod"}},{"kind":"Field","name":{"kind":"Name","value":"onHold"}},{"kind":"Field","name":{"kind":"Name","value":"canReactivate"}},{"kind":"Field","name":{"kind":"Name","value":"canUpgrade"}},{"kind":"Field","name":{"kind":"Name","value":"canDowngrade"}},{"kind":"Field","name":{"kind":"Name","value":"canConvert"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"transfer"}},{"kind":"Field","name":{"kind":"Name","value":"state"}}]}},{"kind":"Field","name":{"kind":"Name","value":"trials"}},{"kind":"Field","name":{"kind":"Name","value":"restricted"}},{"kind":"Field","name":{"kind":"Name","value":"anonymous"}},{"kind":"Field","name":{"kind":"Name","value":"home"}},{"kind":"Field","name":{"kind":"Name","value":"guest"}},{"kind":"Field","name":{"kind":"Name","value":"homeSize"}},{"kind":"Field","name":{"kind":"Name","value":"homeAdmin"}},{"kind":"Field","name":{"kind":"Name","value":"maxHomeSize"}},{"kind":"Field","name":{"kind":"Name","value":"rememberExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"profile"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"autoSelectAudio"}},{"kind":"Field","name":{"kind":"Name","value":"defaultAudioLanguage"}},{"kind":"Field","name":{"kind":"Name","value":"defaultAudioLanguages"}},{"kind":"Field","name":{"kind":"Name","value":"defaultAudioAccessibility"}},{"kind":"Field","name":{"kind":"Name","value":"defaultSubtitleLanguage"}},{"kind":"Field","name":{"kind":"Name","value":"defaultSubtitleLanguages"}},{"kind":"Field","name":{"kind":"Name","value":"autoSelectSubtitle"}},{"kind":"Field","name":{"kind":"Name","value":"defaultSubtitleAccessibility"}},{"kind":"Field","name":{"kind":"Name","value":"defaultSubtitleForced"}},{"kind":"Field","name":{"kind":"Name","value":"watchedIndicator"}},{"kind":"Field","name":{"kind":"Name","value":"mediaReviewsVisibility"}},{"kind":"Field","name":{"kind":"Name","value":"mediaReviewsLanguages"}}]}},{"kind":"Field","name":{"kind":"Name","value":"entitlements"}},{"kind":"Field","name":{"kind":"Name","value":"roles"}},{"kind":"Field","name":{"kind":"Name","value":"pin"}},{"kind":"Field","name":{"kind":"Name","value":"services"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"identifier"}},{"kind":"Field","name":{"kind":"Name","value":"endpoint"}},{"kind":"Field","name":{"kind":"Name","value":"token"}},{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"adsConsent"}},{"kind":"Field","name":{"kind":"Name","value":"adsConsentSetAt"}},{"kind":"Field","name":{"kind":"Name","value":"adsConsentReminderAt"}},{"kind":"Field","name":{"kind":"Name","value":"experimentalFeatures"}},{"kind":"Field","name":{"kind":"Name","value":"twoFactorEnabled"}},{"kind":"Field","name":{"kind":"Name","value":"backupCodesCreated"}},{"kind":"Field","name":{"kind":"Name","value":"attributionPartner"}}]}}]} as unknown as DocumentNode<ViewerQuery, ViewerQueryVariables>;
export const ViewerNameDocument = {"__meta__":{"hash":"sha256:b51dc55107f2283e7f677311a915372f4117214d33f4f071ce0e85778c0094a6"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ViewerName"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}}]}}]}}]} as unknown as DocumentNode<ViewerNameQuery, ViewerNameQueryVariables>;