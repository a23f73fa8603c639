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

export const UserProfile = builder.objectRef<PlexProfile>('UserProfile').implement({
  description: "The account's playback and display preferences.",
  fields: (t) => ({
    autoSelectAudio: t.exposeBoolean('autoSelectAudio', { description: 'If the audio track is selected automatically.' }),
    defaultAudioLanguage: t.exposeString('defaultAudioLanguage', { nullable: true, description: 'The preferred audio language (ISO 639 code).' }),
    defaultAudioLanguages: t.exposeStringList('defaultAudioLanguages', { nullable: true, description: 'The preferred audio languages, in order.' }),
    defaultAudioAccessibility: t.field({
      type: AudioAccessibilityPreference.ref,
      nullable: true,
      description: 'The preference for audio description tracks.',
      resolve: (profile) => AudioAccessibilityPreference.fromPlex(profile.defaultAudioAccessibility),
    }),
    defaultSubtitleLanguage: t.exposeString('defaultSubtitleLanguage', { nullable: true, description: 'The preferred subtitle language (ISO 639 code).' }),
    defaultSubtitleLanguages: t.exposeStringList('defaultSubtitleLanguages', { nullable: true, description: 'The preferred subtitle languages, in order.' }),
    autoSelectSubtitle: t.field({
      type: AutoSelectSubtitleMode.ref,
      description: 'When subtitles are selected automatically.',
      resolve: (profile) => AutoSelectSubtitleMode.fromPlex(profile.autoSelectSubtitle),
    }),
    defaultSubtitleAccessibility: t.field({
      type: SubtitleAccessibilityPreference.ref,
      description: 'The preference for SDH subtitles.',
      resolve: (profile) => SubtitleAccessibilityPreference.fromPlex(profile.defaultSubtitleAccessibility),
    }),
    defaultSubtitleForced: t.field({
      type: ForcedSubtitlePreference.ref,
      description: 'The preference for forced subtitles.',
      resolve: (profile) => ForcedSubtitlePreference.fromPlex(profile.defaultSubtitleForced),
    }),
    watchedIndicator: t.field({
      type: WatchedIndicator.ref,
      description: 'Where watched indicators are shown.',
      resolve: (profile) => WatchedIndicator.fromPlex(profile.watchedIndicator),
    }),
    mediaReviewsVisibility: t.field({
      type: MediaReviewsVisibility.ref,
      description: 'Whose media reviews are shown.',
      resolve: (profile) => MediaReviewsVisibility.fromPlex(profile.mediaReviewsVisibility),
    }),
    mediaReviewsLanguages: t.exposeStringList('mediaReviewsLanguages', { nullable: true, description: 'The languages of the media reviews shown.' }),
  }),
});
