import type { PlexBilling, PlexPassSubscription as PlexPass, PlexPastSubscription, PlexSubscriptionEntry } from '../plex/schemas.js';
import { builder } from './builder.js';
import { PlexPassSubscriptionStatus, SubscriptionState } from './enums.js';
import { nullWhen } from './scalars.js';

export const PlexPassSubscription = builder.objectRef<PlexPass>('PlexPassSubscription').implement({
  description: "The account's current Plex Pass subscription.",
  fields: (t) => ({
    active: t.exposeBoolean('active', { nullable: true, description: nullWhen("If the account's Plex Pass subscription is active.") }),
    subscribedAt: t.expose('subscribedAt', {
      type: 'DateTime',
      nullable: true,
      description: nullWhen('When the subscription started.', 'when the account never subscribed'),
    }),
    status: t.field({
      type: PlexPassSubscriptionStatus.ref,
      nullable: true,
      description: nullWhen('The subscription status.', 'when plex.tv leaves it out'),
      resolve: (subscription) => PlexPassSubscriptionStatus.fromPlex(subscription.status),
    }),
    paymentService: t.exposeString('paymentService', {
      nullable: true,
      description: nullWhen('The payment service used, e.g. "braintree".', 'when there is none'),
    }),
    plan: t.exposeString('plan', { nullable: true, description: nullWhen('The plan, e.g. "monthly", "yearly" or "lifetime".', 'when there is none') }),
    features: t.exposeStringList('features', {
      nullable: true,
      description: nullWhen('The Plex Pass features the subscription unlocks, e.g. "hardware_transcoding".'),
    }),
  }),
});

export const AccountSubscription = builder.objectRef<PlexSubscriptionEntry>('AccountSubscription').implement({
  description:
    'One entry of the account\'s subscription list. plex.tv\'s shape for these entries is not documented consistently (some clients see Plex Pass subscriptions, others records like past subscriptions), so every known field is here and all are nullable.',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: true, description: 'The subscription id.' }),
    active: t.exposeBoolean('active', { nullable: true, description: 'If the subscription is active.' }),
    subscribedAt: t.expose('subscribedAt', { type: 'DateTime', nullable: true, description: 'When the subscription started.' }),
    status: t.field({
      type: PlexPassSubscriptionStatus.ref,
      nullable: true,
      description: 'The subscription status.',
      resolve: (entry) => PlexPassSubscriptionStatus.fromPlex(entry.status),
    }),
    paymentService: t.exposeString('paymentService', { nullable: true, description: 'The payment service used.' }),
    plan: t.exposeString('plan', { nullable: true, description: 'The plan.' }),
    features: t.exposeStringList('features', { nullable: true, description: 'The features the subscription unlocks.' }),
    mode: t.exposeString('mode', { nullable: true, description: 'The billing mode, e.g. "monthly" or "yearly".' }),
    renewsAt: t.expose('renewsAt', { type: 'DateTime', nullable: true, description: 'When the subscription renews.' }),
    endsAt: t.expose('endsAt', { type: 'DateTime', nullable: true, description: 'When the subscription ends.' }),
    type: t.exposeString('type', { nullable: true, description: 'The subscription type, e.g. "plexpass".' }),
    transfer: t.exposeString('transfer', { nullable: true, description: 'Transfer information, when the subscription was transferred.' }),
    state: t.field({
      type: SubscriptionState.ref,
      nullable: true,
      description: 'The lifecycle state of the subscription.',
      resolve: (entry) => SubscriptionState.fromPlex(entry.state),
    }),
  }),
});

export const Billing = builder.objectRef<PlexBilling>('Billing').implement({
  description: 'How a past subscription was paid.',
  fields: (t) => ({
    internalPaymentMethod: t.expose('internalPaymentMethod', {
      type: 'JSONObject',
      description: 'The internal payment method, as plex.tv sends it (usually empty).',
    }),
    paymentMethodId: t.exposeID('paymentMethodId', { nullable: true, description: 'The payment method id.' }),
  }),
});

export const PastSubscription = builder.objectRef<PlexPastSubscription>('PastSubscription').implement({
  description: 'A subscription the account held before.',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: true, description: 'The subscription id.' }),
    mode: t.exposeString('mode', { nullable: true, description: 'The billing mode, e.g. "monthly".' }),
    renewsAt: t.expose('renewsAt', { type: 'DateTime', nullable: true, description: 'When the subscription renewed or would renew.' }),
    endsAt: t.expose('endsAt', { type: 'DateTime', nullable: true, description: 'When the subscription ended.' }),
    billing: t.field({ type: Billing, description: 'How the subscription was paid.', resolve: (past) => past.billing }),
    canceled: t.exposeBoolean('canceled', { description: 'If the subscription was canceled.' }),
    gracePeriod: t.exposeBoolean('gracePeriod', { description: 'If the subscription is in its grace period.' }),
    onHold: t.exposeBoolean('onHold', { description: 'If the subscription is on hold.' }),
    canReactivate: t.exposeBoolean('canReactivate', { description: 'If the subscription can be reactivated.' }),
    canUpgrade: t.exposeBoolean('canUpgrade', { description: 'If the subscription can be upgraded.' }),
    canDowngrade: t.exposeBoolean('canDowngrade', { description: 'If the subscription can be downgraded.' }),
    canConvert: t.exposeBoolean('canConvert', { description: 'If the subscription can be converted to another plan.' }),
    type: t.exposeString('type', { description: 'The subscription type, e.g. "plexpass".' }),
    transfer: t.exposeString('transfer', { nullable: true, description: 'Transfer information, when the subscription was transferred.' }),
    state: t.field({
      type: SubscriptionState.ref,
      description: 'The lifecycle state of the subscription.',
      resolve: (past) => SubscriptionState.fromPlex(past.state),
    }),
  }),
});
