/**
 * The broker: subscriptions and event routing for one realm.
 *
 * Subscriptions are router-scope objects shared by every session subscribed to the same
 * (match policy, topic) pair, as the spec describes: a second subscriber gets the same
 * subscription ID. Matching is exact (a map lookup), prefix or wildcard (pattern-based
 * subscriptions: a scan of the pattern subscriptions); `#matches` is the one place that finds
 * the subscriptions of a published topic. A session on several matching subscriptions gets
 * one EVENT per subscription, as the spec says.
 */
import { MessageType } from '../wamp/message-types.js';
import type { RouterPeer } from './peer.js';
import type { IdSource } from './ids.js';
import { matchesPrefix, matchesWildcard, wildcardComponents } from './uri-match.js';

export type Args = unknown[];
export type Kwargs = Record<string, unknown>;

export interface BrokerSubscription {
  readonly id: number;
  readonly topic: string;
  readonly match: string;
  readonly subscribers: ReadonlySet<RouterPeer>;
}

export interface PublishRequest {
  topic: string;
  options: Record<string, unknown>;
  args?: Args;
  kwargs?: Kwargs;
}

export interface SubscribeOutcome {
  readonly subscription: BrokerSubscription;
  /** True when this call created the subscription (its first subscriber). */
  readonly created: boolean;
}

/** The broker contract the router session relies on; a backplane would implement it too. */
export interface Broker {
  subscribe(peer: RouterPeer, topic: string, match: string): SubscribeOutcome;
  /** False when `peer` holds no subscription with that ID. */
  unsubscribe(peer: RouterPeer, subscriptionId: number): boolean;
  /** Delivers EVENTs and returns the publication ID. */
  publish(peer: RouterPeer, request: PublishRequest): number;
  /** Drops every subscription of a session that left. */
  detach(peer: RouterPeer): void;
  subscriptionCount(): number;
}

interface Sub {
  id: number;
  topic: string;
  match: string;
  subscribers: Set<RouterPeer>;
  /** Wildcard subscriptions: the topic's components. */
  components?: string[];
}

function key(match: string, topic: string): string {
  return `${match}\u0000${topic}`;
}

function idList(value: unknown): ReadonlySet<unknown> | null {
  return Array.isArray(value) ? new Set(value) : null;
}

export class LocalBroker implements Broker {
  readonly #ids: IdSource;
  readonly #byKey = new Map<string, Sub>();
  readonly #byId = new Map<number, Sub>();
  /** Pattern subscriptions, scanned per publication. */
  readonly #patterns = new Set<Sub>();
  /** Subscriptions per session, so detach does not scan the realm. */
  readonly #ofPeer = new Map<RouterPeer, Set<number>>();

  constructor(ids: IdSource) {
    this.#ids = ids;
  }

  subscribe(peer: RouterPeer, topic: string, match: string): SubscribeOutcome {
    const k = key(match, topic);
    let sub = this.#byKey.get(k);
    let created = false;
    if (sub === undefined) {
      sub = { id: this.#ids.routerId(), topic, match, subscribers: new Set() };
      if (match === 'wildcard') sub.components = wildcardComponents(topic);
      if (match !== 'exact') this.#patterns.add(sub);
      this.#byKey.set(k, sub);
      this.#byId.set(sub.id, sub);
      created = true;
    }
    sub.subscribers.add(peer);
    let mine = this.#ofPeer.get(peer);
    if (mine === undefined) this.#ofPeer.set(peer, (mine = new Set()));
    mine.add(sub.id);
    return { subscription: sub, created };
  }

  unsubscribe(peer: RouterPeer, subscriptionId: number): boolean {
    const sub = this.#byId.get(subscriptionId);
    if (sub === undefined || !sub.subscribers.delete(peer)) return false;
    this.#ofPeer.get(peer)?.delete(subscriptionId);
    if (sub.subscribers.size === 0) this.#drop(sub);
    return true;
  }

  publish(peer: RouterPeer, request: PublishRequest): number {
    const publication = this.#ids.globalId();
    const { options } = request;
    const excludeMe = options['exclude_me'] !== false;
    const exclude = idList(options['exclude']);
    const excludeAuthid = idList(options['exclude_authid']);
    const excludeAuthrole = idList(options['exclude_authrole']);
    const eligible = idList(options['eligible']);
    const eligibleAuthid = idList(options['eligible_authid']);
    const eligibleAuthrole = idList(options['eligible_authrole']);
    const filtered = exclude !== null || excludeAuthid !== null || excludeAuthrole !== null ||
      eligible !== null || eligibleAuthid !== null || eligibleAuthrole !== null;
    const disclosed: Record<string, unknown> = {};
    if (options['disclose_me'] === true) {
      disclosed['publisher'] = peer.sessionId;
      disclosed['publisher_authid'] = peer.authid;
      disclosed['publisher_authrole'] = peer.authrole;
    }
    for (const sub of this.#matches(request.topic)) {
      const details = sub.match === 'exact' ? disclosed : { ...disclosed, topic: request.topic };
      // One array for every receiver of this subscription: the EVENT is identical for all.
      const event: unknown[] = [MessageType.EVENT, sub.id, publication, details];
      if (request.kwargs !== undefined && Object.keys(request.kwargs).length > 0) event.push(request.args ?? [], request.kwargs);
      else if (request.args !== undefined && request.args.length > 0) event.push(request.args);
      const cache = new Map<string, Uint8Array | string>();
      for (const receiver of sub.subscribers) {
        if (receiver === peer && excludeMe) continue;
        if (filtered) {
          if (exclude?.has(receiver.sessionId) === true) continue;
          if (excludeAuthid?.has(receiver.authid) === true) continue;
          if (excludeAuthrole?.has(receiver.authrole) === true) continue;
          if (eligible !== null && !eligible.has(receiver.sessionId)) continue;
          if (eligibleAuthid !== null && !eligibleAuthid.has(receiver.authid)) continue;
          if (eligibleAuthrole !== null && !eligibleAuthrole.has(receiver.authrole)) continue;
        }
        receiver.sendShared(event, cache);
      }
    }
    return publication;
  }

  detach(peer: RouterPeer): void {
    const mine = this.#ofPeer.get(peer);
    if (mine === undefined) return;
    this.#ofPeer.delete(peer);
    for (const id of mine) {
      const sub = this.#byId.get(id);
      if (sub === undefined) continue;
      sub.subscribers.delete(peer);
      if (sub.subscribers.size === 0) this.#drop(sub);
    }
  }

  subscriptionCount(): number {
    return this.#byId.size;
  }

  #drop(sub: Sub): void {
    this.#byId.delete(sub.id);
    this.#byKey.delete(key(sub.match, sub.topic));
    this.#patterns.delete(sub);
  }

  /** The subscriptions a publication to `topic` reaches. */
  #matches(topic: string): Sub[] {
    const exact = this.#byKey.get(key('exact', topic));
    const found = exact === undefined ? [] : [exact];
    if (this.#patterns.size === 0) return found;
    for (const sub of this.#patterns) {
      const hit = sub.match === 'prefix' ? matchesPrefix(sub.topic, topic) : matchesWildcard(sub.components ?? [], topic);
      if (hit) found.push(sub);
    }
    return found;
  }
}
