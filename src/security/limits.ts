/**
 * Abuse limits an operator has no reason to change: named constants, each with its reason. In-process tests override
 * them through the server factories (`ServerDeps.limits.abuse`), never through the environment.
 */
export const ABUSE_LIMITS = {
  /**
   * What a read of a PIN plex.tv does not know (404) costs in the address's budget of PIN reads (twice
   * the checks of one PIN a minute, 120 by default): only guessing sends unknown ids.
   */
  unknownPinReadCost: 4,
  /** `signOut` calls to plex.tv per client address a minute: a user signs out once, not 30 times a minute. */
  signOutsPerMinute: 30,
  /** PINs one address follows at once (`Subscription.signInPin`): a sign-in page follows one, a few tabs a few. */
  watchedPinsPerAddress: 5,
  /**
   * PIN polls per second to plex.tv from this instance, for every watched PIN together. More due polls wait their turn
   * (polling slows for everyone) instead of new subscribers being refused, so a flood can neither lock a user out nor
   * make this service hammer plex.tv.
   */
  pinPollsPerSecond: 50,
  /**
   * A watched PIN is polled every poll interval (1 s) for its first minutes (a user approves within a minute or two),
   * then less often, up to this many intervals apart (plex.tv PINs live 15 minutes).
   */
  pinPollBackoffAfterMs: 2 * 60_000,
  pinPollMaxIntervals: 5,
  /** How long an address that signed in to a login stays exempt from that login's limit across addresses. */
  knownAddressDays: 30,
  /**
   * jwt mode without Redis: the pending sign-ins (a device waiting for its PIN's approval) kept in memory per client
   * address, and the addresses kept. An address creates at most PIN_CREATIONS_PER_MINUTE PINs and a person needs one;
   * one address's PINs only push out its own.
   */
  pendingSignInsPerAddress: 10,
  pendingSignInAddresses: 10_000,
  /** Pending devices this instance keeps unsealed, a cache in front of the fair store above. */
  openedDevices: 1_000,
  /**
   * Wrong Home PINs (a 1041 to a switch that sent a PIN). A PIN is 4 digits: 10 guesses an hour per Home user (every
   * instance and address together) leave a script 1 chance in 1000 an hour; 20 an hour per address stops one address
   * from sweeping a whole Home.
   */
  homePinFailuresPerUserPerHour: 10,
  homePinFailuresPerAddressPerHour: 20,
  /** A superseded refresh token still refreshes this long after its successor was issued: two tabs refreshing at once. */
  refreshGraceMs: 30_000,
  /** A refresh token not used for this long expires. */
  refreshIdleMs: 90 * 24 * 60 * 60_000,
  /** A refresh chain ends this long after its sign-in, however often it was refreshed. */
  refreshAbsoluteMs: 365 * 24 * 60 * 60_000,
  /** A request body must be complete this long after its headers, else 408: trickled bodies cannot hold a socket. */
  bodyTimeoutMs: 10_000,
};
