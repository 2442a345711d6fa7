/**
 * The broker: subscriptions and event routing for one realm.
 *
 * Subscriptions are router-scope objects shared by every session subscribed to the same
 * (match policy, topic) pair, as the spec describes: a second subscriber gets the same
 * subscription ID. Topics and patterns live in a UriIndex (exact, prefix by string as Crossbar
 * and the spec's pubsub examples read it, wildcard); a session on several matching
 * subscriptions gets one EVENT per subscription, as the spec says. Receivers are filtered by
 * event-filter.ts (publisher exclusion, black/whitelists); events published with `retain`
 * are kept in a RetentionStore for later subscribers asking `get_retained`.
 *
 * The broker reports what changed (created/deleted) in its return values; the realm turns that
 * into meta events, so the broker knows nothing of the meta API.
 */
import { eventMessage, withPayload, type EventDetailsDict } from '../wamp/messages.js';
import { isPassthru, passthruKeys, supportsPassthru } from './passthru.js';
import type { RouterPeer } from './peer.js';
import { SharedMessage } from './outbound.js';
import type { IdSource } from './ids.js';
import { UriIndex, MatchPolicy, type UriMatch } from './uri-matcher.js';
import { publishFilter, isReceiver } from './event-filter.js';
import { RetentionStore, retainedEventMessage, type RetentionOptions } from './retention.js';
import { DEFAULT_SESSION_LIMITS, LimitErrorUri, type SessionLimits } from './limits.js';
import { GuardedDelivery } from './guarded-delivery.js';
import type { UriGuard } from './pattern-guard.js';

export type Args = unknown[];
export type Kwargs = Record<string, unknown>;

export interface BrokerSubscription {
  readonly id: number;
  readonly topic: string;
  readonly match: UriMatch;
  /** ISO 8601 time of creation (meta API). */
  readonly created: string;
  readonly subscribers: ReadonlySet<RouterPeer>;
}

export interface PublishRequest {
  topic: string;
  options: Record<string, unknown>;
  args?: Args;
  kwargs?: Kwargs;
  /** A passthru payload in Autobahn's form (passthru.ts), forwarded untouched. */
  payload?: Uint8Array | undefined;
  /** Disclose the publisher although it did not ask (authorization's disclose.publisher). */
  disclosePublisher?: boolean;
}

export interface SubscribeOutcome {
  readonly ok: true;
  readonly subscription: BrokerSubscription;
  /** True when this call created the subscription (its first subscriber). */
  readonly created: boolean;
}

/** A SUBSCRIBE the broker refuses (a per-session limit): the ERROR to answer it with. */
export interface SubscribeRefused {
  readonly ok: false;
  readonly error: string;
  readonly message: string;
}

/** A subscriber leaving a subscription; `deleted` when it was the last one. */
export interface Unsubscribed {
  readonly id: number;
  readonly deleted: boolean;
}

/** The broker contract the router session relies on; a backplane would implement it too. */
export interface Broker {
  /**
   * `guard`: the authorizer could not prove that every topic of this pattern is allowed to the
   * session's role, so each event is delivered to it only if the guard allows its topic.
   */
  subscribe(peer: RouterPeer, topic: string, match: UriMatch, guard?: UriGuard): SubscribeOutcome | SubscribeRefused;
  /** Null when `peer` holds no subscription with that ID. */
  unsubscribe(peer: RouterPeer, subscriptionId: number): Unsubscribed | null;
  /** Delivers EVENTs and returns the publication ID; `peer` null publishes as the router. */
  publish(peer: RouterPeer | null, request: PublishRequest): number;
  /** Sends `peer` the retained events its new subscription asked for (`get_retained`). */
  sendRetained(peer: RouterPeer, subscription: BrokerSubscription): void;
  /** Drops every subscription of a session that left. */
  detach(peer: RouterPeer): Unsubscribed[];
  subscriptionCount(): number;
  subscriptions(): Iterable<BrokerSubscription>;
  subscription(id: number): BrokerSubscription | undefined;
  lookup(topic: string, match: UriMatch): BrokerSubscription | undefined;
  match(topic: string): BrokerSubscription[];
}

interface Sub extends BrokerSubscription {
  readonly subscribers: Set<RouterPeer>;
  /** Subscribers whose events must pass a pattern guard; null (the usual case) when none. */
  guards: Map<RouterPeer, UriGuard> | null;
}

export class LocalBroker implements Broker {
  readonly #ids: IdSource;
  readonly #index = new UriIndex<Sub>();
  readonly #byId = new Map<number, Sub>();
  /** Subscriptions per session, so detach does not scan the realm. */
  readonly #ofPeer = new Map<RouterPeer, Set<number>>();
  readonly #retention: RetentionStore;
  readonly #maxSubscriptions: number;
  readonly #guarded = new GuardedDelivery();

  constructor(ids: IdSource, retention: RetentionOptions = {}, limits: Pick<SessionLimits, 'maxSubscriptions'> = DEFAULT_SESSION_LIMITS) {
    this.#ids = ids;
    this.#retention = new RetentionStore(retention);
    this.#maxSubscriptions = limits.maxSubscriptions;
  }

  subscribe(peer: RouterPeer, topic: string, match: UriMatch, guard?: UriGuard): SubscribeOutcome | SubscribeRefused {
    let sub = this.#index.get(topic, match);
    const held = this.#ofPeer.get(peer);
    if (held !== undefined && held.size >= this.#maxSubscriptions && (sub === undefined || !held.has(sub.id))) {
      return { ok: false, error: LimitErrorUri.MAX_SUBSCRIPTIONS, message: `this session already holds ${held.size} subscriptions (limit maxSubscriptions)` };
    }
    let created = false;
    if (sub === undefined) {
      sub = { id: this.#ids.routerId(), topic, match, created: new Date().toISOString(), subscribers: new Set(), guards: null };
      this.#index.set(topic, match, sub);
      this.#byId.set(sub.id, sub);
      created = true;
    }
    sub.subscribers.add(peer);
    if (guard !== undefined) (sub.guards ??= new Map()).set(peer, guard);
    else unguard(sub, peer);
    let mine = this.#ofPeer.get(peer);
    if (mine === undefined) this.#ofPeer.set(peer, (mine = new Set()));
    mine.add(sub.id);
    return { ok: true, subscription: sub, created };
  }

  unsubscribe(peer: RouterPeer, subscriptionId: number): Unsubscribed | null {
    const sub = this.#byId.get(subscriptionId);
    if (sub === undefined || !sub.subscribers.delete(peer)) return null;
    unguard(sub, peer);
    this.#ofPeer.get(peer)?.delete(subscriptionId);
    const deleted = sub.subscribers.size === 0;
    if (deleted) this.#drop(sub);
    return { id: sub.id, deleted };
  }

  publish(peer: RouterPeer | null, request: PublishRequest): number {
    const publication = this.#ids.globalId();
    const { options } = request;
    const filter = publishFilter(options);
    const publisher = peer === null ? null : peer.sessionId;
    const disclosed: EventDetailsDict = {};
    if (peer !== null && (options['disclose_me'] === true || request.disclosePublisher === true)) {
      disclosed['publisher'] = peer.sessionId;
      disclosed['publisher_authid'] = peer.authid;
      disclosed['publisher_authrole'] = peer.authrole;
    }
    // Payload passthru: the keys travel with the payload, which only announcing subscribers get.
    const passthru = passthruKeys(options);
    if (passthru !== undefined) Object.assign(disclosed, passthru);
    for (const { value: sub } of this.#index.matches(request.topic)) {
      const details = sub.match === MatchPolicy.EXACT ? disclosed : { ...disclosed, topic: request.topic };
      // One message for every receiver of this subscription: the EVENT is identical for all. A
      // receiver that cannot take it misses it (logged by the outbound path); the rest get it.
      const event = new SharedMessage(withPayload(eventMessage(sub.id, publication, details, request.args, request.kwargs), request.payload));
      const guards = sub.guards;
      // The usual case (no guarded subscriber here, no events waiting anywhere) sends directly.
      const direct = guards === null && this.#guarded.holding === 0;
      for (const receiver of sub.subscribers) {
        if (!isReceiver(filter, publisher, receiver)) continue;
        if (passthru !== undefined && !supportsPassthru(receiver, 'subscriber')) continue;
        if (direct) receiver.sendShared(event);
        else this.#guarded.deliver(receiver, sub, event, guards?.get(receiver), request.topic);
      }
    }
    if (options['retain'] === true) {
      this.#retention.retain({
        topic: request.topic, publication, publisher, filter, details: disclosed,
        ...(request.args === undefined ? {} : { args: request.args }),
        ...(request.kwargs === undefined ? {} : { kwargs: request.kwargs }),
        ...(request.payload === undefined ? {} : { payload: request.payload }),
      });
    }
    return publication;
  }

  sendRetained(peer: RouterPeer, subscription: BrokerSubscription): void {
    const pattern = subscription.match !== MatchPolicy.EXACT;
    const sub = this.#byId.get(subscription.id);
    if (sub === undefined) return;
    const guard = sub.guards?.get(peer);
    // One the subscriber cannot receive is skipped (and logged); the others still go out.
    for (const ev of this.#retention.forSubscription(subscription.topic, subscription.match, peer)) {
      if (isPassthru(ev.details) && !supportsPassthru(peer, 'subscriber')) continue;
      this.#guarded.deliver(peer, sub, retainedEventMessage(subscription.id, ev, pattern), guard, ev.topic);
    }
  }

  detach(peer: RouterPeer): Unsubscribed[] {
    const mine = this.#ofPeer.get(peer);
    this.#guarded.forget(peer);
    if (mine === undefined) return [];
    this.#ofPeer.delete(peer);
    const out: Unsubscribed[] = [];
    for (const id of mine) {
      const sub = this.#byId.get(id);
      if (sub === undefined) continue;
      sub.subscribers.delete(peer);
      unguard(sub, peer);
      const deleted = sub.subscribers.size === 0;
      if (deleted) this.#drop(sub);
      out.push({ id, deleted });
    }
    return out;
  }

  subscriptionCount(): number {
    return this.#byId.size;
  }

  subscriptions(): Iterable<BrokerSubscription> {
    return this.#byId.values();
  }

  subscription(id: number): BrokerSubscription | undefined {
    return this.#byId.get(id);
  }

  lookup(topic: string, match: UriMatch): BrokerSubscription | undefined {
    return this.#index.get(topic, match);
  }

  match(topic: string): BrokerSubscription[] {
    return this.#index.matches(topic).map((e) => e.value);
  }

  #drop(sub: Sub): void {
    sub.guards = null;
    this.#byId.delete(sub.id);
    this.#index.delete(sub.topic, sub.match);
  }
}

function unguard(sub: Sub, peer: RouterPeer): void {
  if (sub.guards === null) return;
  sub.guards.delete(peer);
  if (sub.guards.size === 0) sub.guards = null;
}
