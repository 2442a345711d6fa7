/**
 * A realm: a routing and administrative domain with its own broker, dealer, sessions, meta API
 * and (when configured) authorizer.
 *
 * The router session talks to the routing core only through `RoutingCore`, so a realm backed
 * by a backplane (sessions spread over router processes) can replace `LocalRealm` without
 * touching session handling. Lifecycle changes are reported here (`subscribed`, `registered`,
 * ...) after the session has answered the request, which is the order meta events must follow.
 */
import { MessageType } from '../wamp/message-types.js';
import { LocalBroker, type Broker, type SubscribeOutcome, type Unsubscribed } from './broker.js';
import { LocalDealer, type Dealer, type Unregistered } from './dealer.js';
import type { RouterPeer } from './peer.js';
import type { IdSource } from './ids.js';
import type { RetentionOptions } from './retention.js';
import type { SessionLimits } from './limits.js';
import { MetaApi, MUTATING_META_PROCEDURES, type MetaApiConfig } from './meta-api.js';
import { ErrorUri } from '../wamp/uris.js';
import { metaView, sessionInfo, registrationInfo, subscriptionInfo } from './realm-meta.js';
import { Authorizer, AuthorizeAction, type AuthorizationConfig, type AuthorizationDecision } from './authorizer.js';
import { dealerCall } from '../auth/router/dealer-call.js';
import type { DealerRegistration } from './dealer.js';

const ALLOW: AuthorizationDecision = Object.freeze({ allow: true, disclose: false, cache: false });

const DENY_MUTATING_META = (procedure: string): AuthorizationDecision => ({
  allow: false, disclose: false, cache: false, error: ErrorUri.NOT_AUTHORIZED,
  reason: `${procedure} ends other sessions: allowed only to roles in the realm's metaApi.mutating or granted by its authorization table`,
});

export interface RoutingCore {
  readonly name: string;
  readonly broker: Broker;
  readonly dealer: Dealer;
  readonly meta: MetaApi;
  join(peer: RouterPeer): void;
  /** Removes the session and everything it held; `quiet`: no testaments, no meta events. */
  leave(peer: RouterPeer, quiet?: boolean): void;
  readonly sessionCount: number;
  session(id: number): RouterPeer | undefined;
  /** May `peer` do `action` on `uri`? Synchronous unless a dynamic authorizer must be asked. */
  authorize(peer: RouterPeer, uri: string, action: AuthorizeAction, options: Readonly<Record<string, unknown>>): AuthorizationDecision | Promise<AuthorizationDecision>;
  subscribed(peer: RouterPeer, outcome: SubscribeOutcome): void;
  unsubscribed(session: number, changes: readonly Unsubscribed[]): void;
  registered(peer: RouterPeer, registration: DealerRegistration, created: boolean): void;
  unregistered(changes: readonly Unregistered[]): void;
  /** Revokes a registration (all callees, or one session's), with meta events. */
  revokeRegistration(id: number, reason: string, session?: number): number;
  /** Revokes a subscription (all subscribers, or one session's), with meta events. */
  revokeSubscription(id: number, reason: string, session?: number): number;
}

export interface LocalRealmOptions {
  retention?: RetentionOptions;
  /** Per-session limits (registrations, subscriptions, pending calls and invocations). Default DEFAULT_SESSION_LIMITS. */
  limits?: SessionLimits;
  authorization?: AuthorizationConfig;
  metaApi?: MetaApiConfig;
}

export class LocalRealm implements RoutingCore {
  readonly name: string;
  readonly broker: Broker;
  readonly dealer: Dealer;
  readonly meta: MetaApi;
  readonly #authorizer: Authorizer | null;
  /** Roles granted the mutating meta procedures by `metaApi.mutating`. */
  readonly #metaMutating: ReadonlySet<string>;
  readonly #sessions = new Map<number, RouterPeer>();

  constructor(name: string, ids: IdSource, options: LocalRealmOptions = {}) {
    this.name = name;
    this.broker = new LocalBroker(ids, options.retention, options.limits);
    this.dealer = new LocalDealer(ids, options.limits);
    const realm = this;
    this.meta = new MetaApi(metaView({
      broker: this.broker,
      dealer: this.dealer,
      sessions: () => realm.#sessions.values(),
      session: (id) => realm.#sessions.get(id),
    }));
    this.#metaMutating = new Set(options.metaApi?.mutating ?? []);
    const ask = dealerCall(this.dealer);
    this.#authorizer = options.authorization === undefined ? null : new Authorizer(options.authorization, {
      // A dynamic authorizer is a procedure on this realm, called as Crossbar calls it.
      procedureHook: (procedure) => (s, uri, action, opts) => ask(procedure, [{
        session: s.sessionId, authid: s.authid, authrole: s.authrole,
        ...(s.authmethod === undefined ? {} : { authmethod: s.authmethod }),
        ...(s.authprovider === undefined ? {} : { authprovider: s.authprovider }),
      }, uri, action, opts]) as Promise<boolean>,
    });
  }

  join(peer: RouterPeer): void {
    this.#sessions.set(peer.sessionId, peer);
    this.meta.sessionJoined(sessionInfo(peer));
  }

  leave(peer: RouterPeer, quiet = false): void {
    if (this.#sessions.get(peer.sessionId) !== peer) return;
    this.#sessions.delete(peer.sessionId);
    this.#authorizer?.forget(peer.sessionId);
    const subs = this.broker.detach(peer);
    const regs = this.dealer.detach(peer);
    if (quiet) {
      this.meta.testaments.take(peer.sessionId);
      return;
    }
    this.unsubscribed(peer.sessionId, subs);
    this.unregistered(regs);
    this.meta.sessionLeft(sessionInfo(peer));
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  session(id: number): RouterPeer | undefined {
    return this.#sessions.get(id);
  }

  sessions(): IterableIterator<RouterPeer> {
    return this.#sessions.values();
  }

  authorize(peer: RouterPeer, uri: string, action: AuthorizeAction, options: Readonly<Record<string, unknown>>): AuthorizationDecision | Promise<AuthorizationDecision> {
    // Killing other sessions needs a grant even where everything else is open (secure default).
    if (action === AuthorizeAction.CALL && MUTATING_META_PROCEDURES.has(uri)) {
      if (this.#metaMutating.has(peer.authrole)) return ALLOW;
      if (this.#authorizer === null) return DENY_MUTATING_META(uri);
    }
    if (this.#authorizer === null) return ALLOW;
    return this.#authorizer.authorize(peer, uri, action, options);
  }

  subscribed(peer: RouterPeer, outcome: SubscribeOutcome): void {
    if (outcome.created) this.meta.subscriptionCreated(peer.sessionId, subscriptionInfo(outcome.subscription));
    this.meta.subscriberAdded(peer.sessionId, outcome.subscription.id);
  }

  unsubscribed(session: number, changes: readonly Unsubscribed[]): void {
    for (const c of changes) {
      this.meta.subscriberRemoved(session, c.id);
      if (c.deleted) this.meta.subscriptionDeleted(session, c.id);
    }
  }

  registered(peer: RouterPeer, registration: DealerRegistration, created: boolean): void {
    if (created) this.meta.registrationCreated(peer.sessionId, registrationInfo(registration));
    this.meta.calleeAdded(peer.sessionId, registration.id);
  }

  unregistered(changes: readonly Unregistered[]): void {
    for (const c of changes) {
      this.meta.calleeRemoved(c.session, c.id);
      if (c.deleted) this.meta.registrationDeleted(c.session, c.id);
    }
  }

  revokeRegistration(id: number, reason: string, session?: number): number {
    const changes = this.dealer.revoke(id, reason, session);
    this.unregistered(changes);
    return changes.length;
  }

  revokeSubscription(id: number, reason: string, session?: number): number {
    let n = 0;
    // Copied: unsubscribing while iterating the live set would skip subscribers.
    for (const peer of [...(this.broker.subscription(id)?.subscribers ?? [])]) {
      if (session !== undefined && peer.sessionId !== session) continue;
      const change = this.broker.unsubscribe(peer, id);
      if (change === null) continue;
      n++;
      // Spec: a subscriber that did not announce subscription_revocation must not get UNSUBSCRIBED.
      if (peer.hasFeature('subscriber', 'subscription_revocation')) peer.send([MessageType.UNSUBSCRIBED, 0, { subscription: id, reason }]);
      this.unsubscribed(peer.sessionId, [change]);
    }
    return n;
  }
}
