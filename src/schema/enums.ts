import { builder } from './builder.js';

interface Member {
  readonly plex: string | number;
  readonly description: string;
}

const UNKNOWN = 'UNKNOWN';

/**
 * plex.tv's enums are open: it adds values without notice. Each enum gets an UNKNOWN member, and a value this API
 * does not know maps to it instead of failing the request.
 */
export function openEnum<const M extends Record<string, Member>>(name: string, description: string, members: M) {
  const byPlexValue = new Map<string | number, keyof M & string>();
  for (const [member, { plex }] of Object.entries(members)) {
    byPlexValue.set(typeof plex === 'string' ? plex.toLowerCase() : plex, member as keyof M & string);
  }
  const values: Record<string, { value: string; description: string }> = {};
  for (const [member, { description: memberDescription }] of Object.entries(members)) {
    values[member] = { value: member, description: memberDescription };
  }
  values[UNKNOWN] = { value: UNKNOWN, description: 'A value plex.tv sent that this API does not know yet.' };
  const ref = builder.enumType(name, { description, values });
  function fromPlex(value: string | number): string;
  function fromPlex(value: string | number | null | undefined): string | null;
  function fromPlex(value: string | number | null | undefined): string | null {
    if (value === null || value === undefined) return null;
    return byPlexValue.get(typeof value === 'string' ? value.toLowerCase() : value) ?? UNKNOWN;
  }
  return { ref, fromPlex };
}

export const MailingListStatus = openEnum('MailingListStatus', 'The state of the account on the Plex newsletter.', {
  ACTIVE: { plex: 'active', description: 'Subscribed to the newsletter.' },
  UNSUBSCRIBED: { plex: 'unsubscribed', description: 'Unsubscribed from the newsletter.' },
  REMOVED: { plex: 'removed', description: 'Removed from the mailing list.' },
});

export const PlexPassSubscriptionStatus = openEnum('PlexPassSubscriptionStatus', 'The state of a Plex Pass subscription.', {
  ACTIVE: { plex: 'Active', description: 'The subscription is active.' },
  INACTIVE: { plex: 'Inactive', description: 'The subscription is not active.' },
});

export const ServiceStatus = openEnum('ServiceStatus', 'Whether a Plex service is reachable.', {
  ONLINE: { plex: 'online', description: 'The service is online.' },
  OFFLINE: { plex: 'offline', description: 'The service is offline.' },
});

export const SubscriptionState = openEnum('SubscriptionState', 'The lifecycle state of a subscription record.', {
  ACTIVE: { plex: 'active', description: 'The subscription is running.' },
  ENDED: { plex: 'ended', description: 'The subscription has ended.' },
});

export const AutoSelectSubtitleMode = openEnum('AutoSelectSubtitleMode', 'When subtitles are selected automatically.', {
  MANUALLY_SELECTED: { plex: 0, description: 'Only when selected by hand (plex.tv code 0).' },
  SHOWN_WITH_FOREIGN_AUDIO: { plex: 1, description: 'Shown with foreign audio (plex.tv code 1).' },
  ALWAYS_ENABLED: { plex: 2, description: 'Always enabled (plex.tv code 2).' },
});

export const SubtitleAccessibilityPreference = openEnum(
  'SubtitleAccessibilityPreference',
  'Preference for SDH (subtitles for the deaf and hard of hearing).',
  {
    PREFER_NON_SDH: { plex: 0, description: 'Prefer non-SDH subtitles (plex.tv code 0).' },
    PREFER_SDH: { plex: 1, description: 'Prefer SDH subtitles (plex.tv code 1).' },
    ONLY_SDH: { plex: 2, description: 'Only show SDH subtitles (plex.tv code 2).' },
    ONLY_NON_SDH: { plex: 3, description: 'Only show non-SDH subtitles (plex.tv code 3).' },
  },
);

export const ForcedSubtitlePreference = openEnum('ForcedSubtitlePreference', 'Preference for forced subtitles.', {
  PREFER_NON_FORCED: { plex: 0, description: 'Prefer non-forced subtitles (plex.tv code 0).' },
  PREFER_FORCED: { plex: 1, description: 'Prefer forced subtitles (plex.tv code 1).' },
  ONLY_FORCED: { plex: 2, description: 'Only show forced subtitles (plex.tv code 2).' },
  ONLY_NON_FORCED: { plex: 3, description: 'Only show non-forced subtitles (plex.tv code 3).' },
});

export const WatchedIndicator = openEnum('WatchedIndicator', 'Where unwatched/watched indicators are shown.', {
  NONE: { plex: 0, description: 'Nowhere (plex.tv code 0).' },
  MOVIES_AND_TV_SHOWS: { plex: 1, description: 'Movies and TV shows (plex.tv code 1).' },
  MOVIES: { plex: 2, description: 'Movies only (plex.tv code 2).' },
  TV_SHOWS: { plex: 3, description: 'TV shows only (plex.tv code 3).' },
});

export const MediaReviewsVisibility = openEnum('MediaReviewsVisibility', 'Whose media reviews are shown.', {
  NO_ONE: { plex: 0, description: 'No one (plex.tv code 0).' },
  CRITICS_ONLY: { plex: 1, description: 'Critics only (plex.tv code 1).' },
  PLEX_USERS_ONLY: { plex: 2, description: 'Plex users only (plex.tv code 2).' },
  PLEX_USERS_AND_CRITICS: { plex: 3, description: 'Plex users and critics (plex.tv code 3).' },
});

// plex.tv documents this code as 0-3 without meanings; these mirror the subtitle accessibility codes.
export const AudioAccessibilityPreference = openEnum(
  'AudioAccessibilityPreference',
  'Preference for audio description tracks. plex.tv documents the codes 0-3 without naming them; the names below mirror the subtitle accessibility codes.',
  {
    PREFER_NON_ACCESSIBLE: { plex: 0, description: 'Prefer tracks without audio description (plex.tv code 0).' },
    PREFER_ACCESSIBLE: { plex: 1, description: 'Prefer audio-described tracks (plex.tv code 1).' },
    ONLY_ACCESSIBLE: { plex: 2, description: 'Only audio-described tracks (plex.tv code 2).' },
    ONLY_NON_ACCESSIBLE: { plex: 3, description: 'Only tracks without audio description (plex.tv code 3).' },
  },
);
