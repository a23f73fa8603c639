// Demo accounts served by the plex.tv simulator. All data is fake.

export interface PlexSubscription {
  active: boolean;
  /** ISO-8601 in JSON, unlike the other timestamps which are unix seconds. */
  subscribedAt: string | null;
  status: string;
  paymentService: string | null;
  plan: string | null;
  features: string[];
}

/** `subscriptions[]` items: the shape is disputed (docs/plex-api.md §5); this follows the pastSubscriptions-like variant. */
export interface PlexSubscriptionItem {
  id: number;
  mode: string | null;
  renewsAt: number | null;
  endsAt: number | null;
  type: string;
  transfer: string | null;
  state: string;
}

export interface PlexPastSubscription {
  id: string | null;
  mode: string | null;
  renewsAt: number | null;
  endsAt: number | null;
  billing: { paymentMethodId: number | null; internalPaymentMethod: Record<string, unknown> };
  canceled: boolean;
  gracePeriod: boolean;
  onHold: boolean;
  canReactivate: boolean;
  canUpgrade: boolean;
  canDowngrade: boolean;
  canConvert: boolean;
  type: string;
  transfer: string | null;
  state: string;
}

export interface PlexService {
  identifier: string;
  endpoint: string;
  token: string | null;
  secret: string | null;
  status: string;
}

/** Language lists were arrays until July 2026 and are comma-separated strings ("en,sv") since. */
export type LanguageList = string[] | string | null;

export interface PlexProfile {
  autoSelectAudio: boolean;
  defaultAudioLanguage: string | null;
  defaultAudioLanguages?: LanguageList;
  defaultAudioAccessibility?: number;
  defaultSubtitleLanguage: string | null;
  defaultSubtitleLanguages?: LanguageList;
  autoSelectSubtitle: number;
  defaultSubtitleAccessibility: number;
  defaultSubtitleForced: number;
  watchedIndicator: number;
  mediaReviewsVisibility: number;
  mediaReviewsLanguages?: LanguageList;
}

/**
 * The sign-in 201 body without `authToken` (the simulator inserts a token per response). The optional fields are those
 * a managed Home user's body lacks; `username` and `email` are null for them.
 */
export interface PlexUserBody {
  id: number;
  uuid: string;
  username: string | null;
  title: string;
  email: string | null;
  friendlyName: string | null;
  locale: string | null;
  confirmed: boolean;
  joinedAt: number;
  emailOnlyAuth: boolean;
  hasPassword: boolean;
  protected: boolean;
  pin?: string;
  thumb: string;
  mailingListStatus?: string;
  mailingListActive: boolean;
  scrobbleTypes: string;
  country: string;
  subscription?: PlexSubscription;
  subscriptionDescription?: string | null;
  restricted: boolean;
  anonymous: boolean | null;
  home: boolean;
  guest: boolean;
  homeSize: number;
  homeAdmin: boolean;
  maxHomeSize: number;
  rememberExpiresAt?: number;
  profile: PlexProfile;
  entitlements?: string[];
  roles?: string[];
  subscriptions?: PlexSubscriptionItem[];
  /** Sign-in only: /user does not declare it (docs/plex-api.md §4). */
  pastSubscriptions?: PlexPastSubscription[];
  /** Sign-in only; items are opaque. */
  trials?: Record<string, unknown>[];
  services?: PlexService[];
  adsConsent?: boolean | null;
  adsConsentSetAt?: number | null;
  adsConsentReminderAt?: number | null;
  experimentalFeatures?: boolean;
  twoFactorEnabled: boolean;
  backupCodesCreated: boolean;
  attributionPartner: string | null;
}

export interface DemoAccount {
  /** Every value here names the account (case-insensitively); with a password, each also signs in. */
  login: string[];
  /** Null for a managed Home user: it has no password and never signs in with one. */
  password: string | null;
  /** When set the account has two-factor authentication and this is the only valid code. */
  verificationCode?: string;
  body: PlexUserBody;
  /** The body keys only the sign-in answer carries; GET /user leaves them out. */
  signInOnly: (keyof PlexUserBody)[];
}

/** What GET /user leaves out of the sign-in body: the sign-in-only arrays (docs/plex-api.md §4). */
const SIGN_IN_ONLY: (keyof PlexUserBody)[] = ['pastSubscriptions', 'trials'];
/** Since 2026 GET /user also leaves out mailingListStatus and rememberExpiresAt (docs/plex-api.md, "The shape drifts"). */
export const SIGN_IN_ONLY_2026: (keyof PlexUserBody)[] = [...SIGN_IN_ONLY, 'mailingListStatus', 'rememberExpiresAt'];

export const DEMO_ACCOUNTS: {
  plain: { login: string; username: string; password: string };
  twoFactor: { login: string; username: string; password: string; verificationCode: string };
  /** Served in plex.tv's 2026 shape: comma-separated language lists, GET /user without the sign-in-only fields. */
  current: { login: string; username: string; password: string };
  /** A managed Home user of the plain account's Home: no username, email or password; `login` names it for tokens and PINs. */
  managed: { login: string; title: string };
} = Object.freeze({
  plain: Object.freeze({ login: 'demo@example.com', username: 'demo', password: 'demo-password' }),
  twoFactor: Object.freeze({
    login: '2fa@example.com',
    username: 'demo2fa',
    password: 'demo-password',
    verificationCode: '123456',
  }),
  current: Object.freeze({ login: 'current@example.com', username: 'demo2026', password: 'demo-password' }),
  managed: Object.freeze({ login: 'kid', title: 'Kid' }),
});

interface Identity {
  id: number;
  uuid: string;
  username: string;
  email: string;
  friendlyName: string;
  pin: string;
  twoFactorEnabled: boolean;
  /** In a Plex Home (the plain account is the admin of the simulator's demo Home; the 2FA account has none). */
  home: boolean;
}

// Key order follows the captured plex.tv body; `pin` and `roles` (absent from captures) sit where
// the spec lists them next to their neighbours.
function userBody(who: Identity): PlexUserBody {
  return {
    id: who.id,
    uuid: who.uuid,
    username: who.username,
    title: who.username,
    email: who.email,
    friendlyName: who.friendlyName,
    locale: 'en',
    confirmed: true,
    joinedAt: 1552593531,
    emailOnlyAuth: false,
    hasPassword: true,
    protected: false,
    pin: who.pin,
    thumb: `https://plex.tv/users/${who.uuid}/avatar?c=1724402119`,
    mailingListStatus: 'active',
    mailingListActive: true,
    scrobbleTypes: '',
    country: 'US',
    subscription: {
      active: true,
      subscribedAt: '2021-04-12T18:21:12Z',
      status: 'Active',
      paymentService: 'braintree',
      plan: 'yearly',
      features: [
        'adaptive_bitrate',
        'allow_dvr',
        'camera_upload',
        'collections',
        'companions_sonos',
        'content_filter',
        'downloads-gating',
        'dvr',
        'hardware_transcoding',
        'home',
        'hwtranscode',
        'item_clusters',
        'livetv',
        'lyrics',
        'music_videos',
        'pass',
        'premium_music_metadata',
        'session_bandwidth_restrictions',
        'session_kick',
        'sync',
        'trailers',
        'tuner-sharing',
        'two-factor-authentication',
        'webhooks',
      ],
    },
    subscriptionDescription: 'Yearly Plex Pass',
    restricted: false,
    anonymous: false,
    home: who.home,
    guest: false,
    homeSize: who.home ? 4 : 1,
    homeAdmin: who.home,
    maxHomeSize: 15,
    rememberExpiresAt: 1725611719,
    profile: {
      autoSelectAudio: true,
      defaultAudioLanguage: 'en',
      defaultAudioLanguages: ['en', 'ja'],
      defaultAudioAccessibility: 0,
      defaultSubtitleLanguage: 'en',
      defaultSubtitleLanguages: ['en'],
      autoSelectSubtitle: 1,
      defaultSubtitleAccessibility: 0,
      defaultSubtitleForced: 1,
      watchedIndicator: 1,
      mediaReviewsVisibility: 3,
      mediaReviewsLanguages: ['en'],
    },
    entitlements: ['all'],
    roles: ['plexpass'],
    subscriptions: [
      {
        id: 87654321,
        mode: 'yearly',
        renewsAt: 1744482072,
        endsAt: null,
        type: 'plexpass',
        transfer: null,
        state: 'active',
      },
    ],
    pastSubscriptions: [
      {
        id: '5c3e9a71d2b84f06',
        mode: 'monthly',
        renewsAt: null,
        endsAt: 1556281940,
        billing: { paymentMethodId: 1234567, internalPaymentMethod: {} },
        canceled: true,
        gracePeriod: false,
        onHold: false,
        canReactivate: false,
        canUpgrade: false,
        canDowngrade: false,
        canConvert: false,
        type: 'plexpass',
        transfer: null,
        state: 'ended',
      },
    ],
    trials: [{ id: 'trial-0001', mode: 'trial', type: 'plexpass', state: 'ended', endsAt: 1553198331 }],
    services: [
      {
        identifier: 'epg',
        endpoint: 'https://epg.provider.plex.tv',
        token: 'EXAMPLEsvcTOKENepg01',
        secret: null,
        status: 'online',
      },
      {
        identifier: 'metadata',
        endpoint: 'https://metadata.provider.plex.tv',
        token: 'EXAMPLEsvcTOKENmeta1',
        secret: null,
        status: 'online',
      },
      {
        identifier: 'lyricfind',
        endpoint: 'https://lyricfind.plex.tv/',
        token: 'EXAMPLEsvcTOKENlyric',
        secret: 'EXAMPLEsvcSECRETlyr1',
        status: 'online',
      },
      {
        identifier: 'eyeq-channel-icons',
        endpoint: 'http://akamai-b.cdn.cddbp.net/cds/2.0/image',
        token: null,
        secret: null,
        status: 'online',
      },
      {
        identifier: 'tvdb',
        endpoint: 'https://api4.thetvdb.com/',
        token: 'EXAMPLEsvcTOKENtvdb1',
        secret: null,
        status: 'offline',
      },
    ],
    adsConsent: false,
    adsConsentSetAt: 1700000000,
    adsConsentReminderAt: 1731536000,
    experimentalFeatures: false,
    twoFactorEnabled: who.twoFactorEnabled,
    backupCodesCreated: who.twoFactorEnabled,
    attributionPartner: null,
  };
}

/** plex.tv's 2026 shape of the same account: language lists as comma-separated strings. */
function userBody2026(who: Identity): PlexUserBody {
  const body = userBody(who);
  body.profile = { ...body.profile, defaultAudioLanguages: 'en,sv', defaultSubtitleLanguages: 'en,sv', mediaReviewsLanguages: null };
  return body;
}

/**
 * A managed Home user's account body: what plex.tv answers for a Home switch or GET /user with that user's token
 * (docs/plex-api.md, "The shape drifts"). No login of its own, no Plex Pass of its own, 2026-shaped preferences.
 */
function managedUserBody(): PlexUserBody {
  const uuid = '19860c4bdfbf24d5';
  return {
    id: 33542084,
    uuid,
    username: null,
    title: DEMO_ACCOUNTS.managed.title,
    email: null,
    friendlyName: null,
    locale: null,
    confirmed: false,
    joinedAt: 1592234475,
    emailOnlyAuth: false,
    hasPassword: false,
    protected: false,
    thumb: `https://plex.tv/users/${uuid}/avatar?c=1592234475`,
    mailingListActive: false,
    scrobbleTypes: '',
    country: 'US',
    restricted: true,
    anonymous: false,
    home: true,
    guest: false,
    homeSize: 3,
    homeAdmin: false,
    maxHomeSize: 15,
    profile: {
      autoSelectAudio: true,
      defaultAudioAccessibility: 0,
      defaultAudioLanguage: 'en',
      defaultAudioLanguages: 'en',
      defaultSubtitleLanguage: 'en',
      defaultSubtitleLanguages: 'en',
      autoSelectSubtitle: 1,
      defaultSubtitleAccessibility: 0,
      defaultSubtitleForced: 1,
      watchedIndicator: 1,
      mediaReviewsVisibility: 0,
      mediaReviewsLanguages: null,
    },
    twoFactorEnabled: false,
    backupCodesCreated: false,
    attributionPartner: null,
  };
}

/** Fresh, independent copies of the demo accounts: plain (approves PINs by default), 2FA, 2026-shaped, managed. */
export function createDemoAccounts(): DemoAccount[] {
  const { plain, twoFactor, current, managed } = DEMO_ACCOUNTS;
  return [
    {
      login: [plain.login, plain.username],
      password: plain.password,
      body: userBody({
        id: 31415926,
        uuid: 'a1b2c3d4e5f60718',
        username: plain.username,
        email: plain.login,
        friendlyName: 'Demo User',
        pin: '3f2b9c1d7e6a5f4b8c0d1e2f3a4b5c6d7e8f9a0b',
        twoFactorEnabled: false,
        home: true,
      }),
      signInOnly: SIGN_IN_ONLY,
    },
    {
      login: [twoFactor.login, twoFactor.username],
      password: twoFactor.password,
      verificationCode: twoFactor.verificationCode,
      body: userBody({
        id: 27182818,
        uuid: '9e8d7c6b5a493827',
        username: twoFactor.username,
        email: twoFactor.login,
        friendlyName: 'Demo Two-Factor User',
        pin: 'c0ffee00d15ea5e5b01dfacef00dcafe12345678',
        twoFactorEnabled: true,
        home: false,
      }),
      signInOnly: SIGN_IN_ONLY,
    },
    {
      login: [current.login, current.username],
      password: current.password,
      body: userBody2026({
        id: 16180339,
        uuid: '5f4e3d2c1b0a9988',
        username: current.username,
        email: current.login,
        friendlyName: 'Demo 2026 User',
        pin: '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567',
        twoFactorEnabled: false,
        home: false,
      }),
      signInOnly: SIGN_IN_ONLY_2026,
    },
    { login: [managed.login], password: null, body: managedUserBody(), signInOnly: SIGN_IN_ONLY_2026 },
  ];
}
