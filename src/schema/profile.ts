import type { PlexProfile } from '../plex/schemas.js';
import { builder } from './builder.js';
import {
  AudioAccessibilityPreference,
  AutoSelectSubtitleMode,
  ForcedSubtitlePreference,
  MediaReviewsVisibility,
  SubtitleAccessibilityPreference,
  WatchedIndicator,
} from './enums.js';
import { nullWhen } from './scalars.js';

// plex.tv sent these lists as arrays until July 2026 and as comma-separated strings since; both arrive here as lists.
const LANGUAGES = (description: string) => `${description} A list whichever form plex.tv sends (an array, or a comma-separated string since 2026).`;

export const UserProfile = builder.objectRef<PlexProfile>('UserProfile').implement({
  description: "The account's playback and display preferences.",
  fields: (t) => ({
    autoSelectAudio: t.exposeBoolean('autoSelectAudio', {
      nullable: true,
      description: nullWhen('If the audio track is selected automatically.', 'when plex.tv leaves it out'),
    }),
    defaultAudioLanguage: t.exposeString('defaultAudioLanguage', {
      nullable: true,
      description: nullWhen('The preferred audio language (ISO 639 code).', 'when none is set'),
    }),
    defaultAudioLanguages: t.exposeStringList('defaultAudioLanguages', {
      nullable: true,
      description: nullWhen(LANGUAGES('The preferred audio languages, in order.'), 'when none are set'),
    }),
    defaultAudioAccessibility: t.field({
      type: AudioAccessibilityPreference.ref,
      nullable: true,
      description: nullWhen('The preference for audio description tracks.', 'when none is set'),
      resolve: (profile) => AudioAccessibilityPreference.fromPlex(profile.defaultAudioAccessibility),
    }),
    defaultSubtitleLanguage: t.exposeString('defaultSubtitleLanguage', {
      nullable: true,
      description: nullWhen('The preferred subtitle language (ISO 639 code).', 'when none is set'),
    }),
    defaultSubtitleLanguages: t.exposeStringList('defaultSubtitleLanguages', {
      nullable: true,
      description: nullWhen(LANGUAGES('The preferred subtitle languages, in order.'), 'when none are set'),
    }),
    autoSelectSubtitle: t.field({
      type: AutoSelectSubtitleMode.ref,
      nullable: true,
      description: nullWhen('When subtitles are selected automatically.', 'when plex.tv leaves it out'),
      resolve: (profile) => AutoSelectSubtitleMode.fromPlex(profile.autoSelectSubtitle),
    }),
    defaultSubtitleAccessibility: t.field({
      type: SubtitleAccessibilityPreference.ref,
      nullable: true,
      description: nullWhen('The preference for SDH subtitles.', 'when plex.tv leaves it out'),
      resolve: (profile) => SubtitleAccessibilityPreference.fromPlex(profile.defaultSubtitleAccessibility),
    }),
    defaultSubtitleForced: t.field({
      type: ForcedSubtitlePreference.ref,
      nullable: true,
      description: nullWhen('The preference for forced subtitles.', 'when plex.tv leaves it out'),
      resolve: (profile) => ForcedSubtitlePreference.fromPlex(profile.defaultSubtitleForced),
    }),
    watchedIndicator: t.field({
      type: WatchedIndicator.ref,
      nullable: true,
      description: nullWhen('Where watched indicators are shown.', 'when plex.tv leaves it out'),
      resolve: (profile) => WatchedIndicator.fromPlex(profile.watchedIndicator),
    }),
    mediaReviewsVisibility: t.field({
      type: MediaReviewsVisibility.ref,
      nullable: true,
      description: nullWhen('Whose media reviews are shown.', 'when plex.tv leaves it out'),
      resolve: (profile) => MediaReviewsVisibility.fromPlex(profile.mediaReviewsVisibility),
    }),
    mediaReviewsLanguages: t.exposeStringList('mediaReviewsLanguages', {
      nullable: true,
      description: nullWhen(LANGUAGES('The languages of the media reviews shown.'), 'when none are set'),
    }),
  }),
});
