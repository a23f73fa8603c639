export {
  createPlexSimulator,
  type Fault,
  type PlexSimulator,
  type PlexSimulatorOptions,
  type RecordedRequest,
  type Route,
  type SimulatorMount,
} from './server.js';
export { JWT_ERRORS, type JwtSimulatorOptions } from './jwt.js';
export {
  DEMO_ACCOUNTS,
  createDemoAccounts,
  type DemoAccount,
  type PlexPastSubscription,
  type PlexProfile,
  type PlexService,
  type PlexSubscription,
  type PlexSubscriptionItem,
  type PlexUserBody,
} from './accounts.js';
export { DEMO_HOME, SWITCH_BODY_2026, type AccountApiOptions, type AccountRoute } from './account-api.js';
