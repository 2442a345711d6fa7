/**
 * The meta API's view of a local realm (MetaRealmView): sessions, registrations and
 * subscriptions as the meta procedures report them, session kill, and publishing as the
 * router (meta events, testaments). Kept apart from realm.ts so the realm stays about routing.
 */
import type { MetaRealmView, MetaRegistrationInfo, MetaSessionInfo, MetaSubscriptionInfo } from './meta-api.js';
import type { Broker, BrokerSubscription } from './broker.js';
import type { Dealer, DealerRegistration } from './dealer.js';
import type { RouterPeer } from './peer.js';

export function sessionInfo(peer: RouterPeer): MetaSessionInfo {
  return {
    session: peer.sessionId,
    authid: peer.authid,
    authrole: peer.authrole,
    ...(peer.authmethod === undefined ? {} : { authmethod: peer.authmethod }),
    ...(peer.authprovider === undefined ? {} : { authprovider: peer.authprovider }),
    ...(peer.transportInfo === undefined ? {} : { transport: peer.transportInfo }),
  };
}

export function registrationInfo(r: DealerRegistration): MetaRegistrationInfo {
  return { id: r.id, uri: r.procedure, match: r.match, created: r.created, invoke: r.invoke, callees: r.callees.map((c) => c.sessionId) };
}

export function subscriptionInfo(s: BrokerSubscription): MetaSubscriptionInfo {
  return { id: s.id, uri: s.topic, match: s.match, created: s.created, subscribers: [...s.subscribers].map((p) => p.sessionId) };
}

export interface RealmTables {
  readonly broker: Broker;
  readonly dealer: Dealer;
  sessions(): Iterable<RouterPeer>;
  session(id: number): RouterPeer | undefined;
}

export function metaView(realm: RealmTables): MetaRealmView {
  const optional = <T, U>(value: T | undefined, f: (v: T) => U): U | undefined => (value === undefined ? undefined : f(value));
  return {
    *sessions() {
      for (const p of realm.sessions()) yield sessionInfo(p);
    },
    session: (id) => optional(realm.session(id), sessionInfo),
    kill(id, reason, message, quiet) {
      const peer = realm.session(id);
      if (peer?.kill === undefined) return false;
      peer.kill(reason, message, quiet);
      return true;
    },
    *registrations() {
      for (const r of realm.dealer.registrations()) yield registrationInfo(r);
    },
    registration: (id) => optional(realm.dealer.registration(id), registrationInfo),
    lookupRegistration: (uri, match) => optional(realm.dealer.lookup(uri, match), registrationInfo),
    matchRegistration: (uri) => optional(realm.dealer.match(uri), registrationInfo),
    *subscriptions() {
      for (const s of realm.broker.subscriptions()) yield subscriptionInfo(s);
    },
    subscription: (id) => optional(realm.broker.subscription(id), subscriptionInfo),
    lookupSubscription: (uri, match) => optional(realm.broker.lookup(uri, match), subscriptionInfo),
    matchSubscriptions: (uri) => realm.broker.match(uri).map(subscriptionInfo),
    publish(topic, args, kwargs, options) {
      realm.broker.publish(null, { topic, options: { ...options }, args, ...(kwargs === undefined ? {} : { kwargs }) });
    },
  };
}
