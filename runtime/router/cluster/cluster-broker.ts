/**
 * The broker of a realm spanning the cluster. Delivery: its LocalBroker holds this node's
 * subscribers only; a PUBLISH is delivered there and sent once to every other node
 * (`deliverRemote` there: matching, exclusion, black/whitelists and disclosure applied by the
 * subscriber's node from the publisher's identity carried along). One NATS connection per node
 * keeps one publisher's events in order everywhere.
 *
 * Identity: one registry entry per (match, topic) holds the subscription's ID and the nodes that
 * have subscribers (compare-and-set, claims.ts), so the ID is the same everywhere and the node
 * that created or emptied the entry publishes on_create / on_delete, once. Each subscriber also
 * has an entry (m.<realm>.<subscription>.<session>), from which every node knows the cluster's
 * subscribers for the meta API. Retained events are registry entries too (retained.ts).
 */
import type { RouterPeer } from '../peer.js';
import { PeerHoldings } from './peer-holdings.js';
import {
  LocalBroker, type Broker, type BrokerSubscription, type PublishRequest, type SubscribeOutcome, type SubscribeRefused, type Unsubscribed,
} from '../broker.js';
import { LimitErrorUri } from '../limits.js';
import type { UriGuard } from '../pattern-guard.js';
import { UriIndex, isMatchPolicy, type UriMatch } from '../uri-matcher.js';
import { casLoop, type CasStep } from './claims.js';
import { Keys } from './keys.js';
import { ClusterIds, type RealmContext } from './context.js';
import { WireKind, encodeValue } from './wire.js';
import { decodeRetained, encodeRetained } from './retained.js';
import { RemotePeer } from './remote-peer.js';
import { logger } from '../../log.js';

const log = logger('router:cluster');

/** A subscription entry: [id, uri, match, created, nodes ("name/incarnation" of each node with subscribers)]. */
interface Claim {
  readonly id: number;
  readonly uri: string;
  readonly match: UriMatch;
  readonly created: string;
  readonly nodes: readonly string[];
}

function encodeClaim(c: Claim): unknown[] {
  return [c.id, c.uri, c.match, c.created, [...c.nodes]];
}

export function decodeSubscriptionClaim(v: readonly unknown[]): Claim | null {
  const [id, uri, match, created, nodes] = v;
  if (typeof id !== 'number' || typeof uri !== 'string' || !isMatchPolicy(match) || typeof created !== 'string' || !Array.isArray(nodes)) return null;
  return { id, uri, match, created, nodes: nodes.filter((n): n is string => typeof n === 'string') };
}

/** A subscription as the cluster has it (meta API): its subscribers on every node. */
class ReplicaSubscription implements BrokerSubscription {
  readonly id: number;
  readonly topic: string;
  readonly match: UriMatch;
  readonly created: string;
  readonly sessions = new Set<number>();
  readonly #peer: (session: number) => RouterPeer | undefined;

  constructor(claim: Claim, peer: (session: number) => RouterPeer | undefined) {
    this.id = claim.id;
    this.topic = claim.uri;
    this.match = claim.match;
    this.created = claim.created;
    this.#peer = peer;
  }

  get subscribers(): ReadonlySet<RouterPeer> {
    const out = new Set<RouterPeer>();
    for (const s of this.sessions) {
      const p = this.#peer(s);
      if (p !== undefined) out.add(p);
    }
    return out;
  }
}

/** Where a remote publisher that this node does not know (yet) is represented. */
const NOWHERE = { forward: () => false, kill: () => {} };

export class ClusterBroker implements Broker {
  readonly local: LocalBroker;
  readonly #ctx: RealmContext;
  readonly #ids: ClusterIds;
  readonly #byKey = new Map<string, ReplicaSubscription>();
  readonly #byId = new Map<number, ReplicaSubscription>();
  readonly #index = new UriIndex<ReplicaSubscription>();
  /** Subscribers per subscription ID, kept apart: a member entry may outlive or precede its subscription's. */
  readonly #members = new Map<number, Set<number>>();
  readonly #revisions = new Map<string, number>();
  /** The nodes with subscribers per subscription entry, as last applied. */
  readonly #nodes = new Map<string, readonly string[]>();
  /** Subscriptions this node's sessions hold: peer -> id -> (uri, match). */
  readonly #held = new PeerHoldings();

  readonly #maxSubscriptions: number;

  constructor(ctx: RealmContext, ids: ClusterIds, local: LocalBroker, maxSubscriptions: number) {
    this.#ctx = ctx;
    this.#ids = ids;
    this.local = local;
    this.#maxSubscriptions = maxSubscriptions;
  }

  subscribe(peer: RouterPeer, topic: string, match: UriMatch, guard?: UriGuard): Promise<SubscribeOutcome | SubscribeRefused> {
    const key = Keys.subscription(this.#ctx.key, topic, match);
    return this.#ctx.serial.run([key, `s${peer.sessionId}`], async (): Promise<SubscribeOutcome | SubscribeRefused> => {
      const mine = this.#held.of(peer);
      const here = this.local.lookup(topic, match);
      if (mine !== undefined && mine.size >= this.#maxSubscriptions && (here === undefined || !mine.has(here.id))) {
        return { ok: false, error: LimitErrorUri.MAX_SUBSCRIPTIONS, message: `this session already holds ${mine.size} subscriptions (limit maxSubscriptions)` };
      }
      let created = false;
      let id: number;
      if (here !== undefined) {
        id = here.id;
        this.local.subscribe(peer, topic, match, guard);
      } else {
        const outcome = await casLoop(this.#ctx.kv, key, (current): CasStep<number> => {
          const claim = current === null ? null : decodeSubscriptionClaim(current.value);
          if (claim === null) {
            created = true;
            const fresh: Claim = { id: this.#ctx.newId(), uri: topic, match, created: new Date().toISOString(), nodes: [this.#ctx.member] };
            return { write: 'put', value: encodeClaim(fresh), result: fresh.id };
          }
          created = false;
          if (claim.nodes.includes(this.#ctx.member)) return { write: 'none', result: claim.id };
          return { write: 'put', value: encodeClaim({ ...claim, nodes: [...claim.nodes, this.#ctx.member] }), result: claim.id };
        });
        id = outcome.result;
        this.#applyClaim(key, outcome.value, outcome.revision);
        this.#ids.withRouterId(id, () => this.local.subscribe(peer, topic, match, guard));
      }
      this.#held.hold(peer, id, topic, match);
      this.#addMember(id, peer.sessionId);
      await this.#ctx.kv.put(Keys.member(this.#ctx.key, id, peer.sessionId), encodeValue([this.#ctx.member]));
      const subscription = this.#byId.get(id) ?? this.local.subscription(id)!;
      // Left while the registry was written: its leave did not see this subscription, so undo it here.
      if (!this.#ctx.joined(peer)) {
        this.#held.release(peer, id);
        const change = this.local.unsubscribe(peer, id);
        await this.#leaveSubscription(peer.sessionId, id, topic, match, change?.deleted ?? false).catch(() => false);
      }
      return { ok: true, subscription, created };
    });
  }

  unsubscribe(peer: RouterPeer, subscriptionId: number): Promise<Unsubscribed | null> | null {
    const held = this.#held.of(peer)?.get(subscriptionId);
    if (held === undefined) return null;
    return this.#ctx.serial.run([Keys.subscription(this.#ctx.key, held.uri, held.match), `s${peer.sessionId}`], async () => {
      this.#held.release(peer, subscriptionId);
      const change = this.local.unsubscribe(peer, subscriptionId);
      if (change === null) return null;
      const deleted = await this.#leaveSubscription(peer.sessionId, subscriptionId, held.uri, held.match, change.deleted);
      return { id: subscriptionId, deleted };
    });
  }

  publish(peer: RouterPeer | null, request: PublishRequest): number | Promise<number> {
    const publication = this.local.publish(peer, request);
    const { options } = request;
    this.#ctx.broadcast(WireKind.PUBLISH, publication, request.topic, options, peer?.sessionId ?? 0, peer?.authid ?? null,
      peer?.authrole ?? null, request.disclosePublisher === true, request.args ?? null, request.kwargs ?? null);
    if (options['retain'] === true) {
      const topic = request.topic;
      return this.#ctx.kv.put(Keys.retained(this.#ctx.key, topic), encodeValue(encodeRetained(topic, this.local.retainedSlot(topic))))
        .then(() => publication, (error: unknown) => {
          log.warn(() => `retained event of ${topic} not shared with the cluster: ${(error as Error).message}`);
          return publication;
        });
    }
    return publication;
  }

  /** A publication from another node, delivered to this node's subscribers under its own ID. */
  deliverRemote(fields: readonly unknown[]): void {
    const [publication, topic, options, publisher, authid, authrole, disclose, args, kwargs] = fields;
    if (typeof publication !== 'number' || typeof topic !== 'string' || typeof options !== 'object' || options === null) return;
    let from: RouterPeer | null = null;
    if (typeof publisher === 'number' && publisher !== 0) {
      from = this.#ctx.peer(publisher) ?? new RemotePeer({
        session: publisher, node: '', incarnation: '', authid: String(authid), authrole: String(authrole), features: [],
      }, NOWHERE);
    }
    // Retention is the registry's: the publisher's node shares the topic's retained events there.
    const { retain: _retain, acknowledge: _ack, ...rest } = options as Record<string, unknown>;
    const request: PublishRequest = { topic, options: rest, disclosePublisher: disclose === true };
    if (Array.isArray(args)) request.args = args;
    if (typeof kwargs === 'object' && kwargs !== null) request.kwargs = kwargs as Record<string, unknown>;
    this.#ids.withGlobalId(publication, () => this.local.publish(from, request));
  }

  sendRetained(peer: RouterPeer, subscription: BrokerSubscription): void {
    this.local.sendRetained(peer, subscription);
  }

  detach(peer: RouterPeer): Unsubscribed[] | Promise<Unsubscribed[]> {
    // A remote session's subscriptions are its node's (or its cleaner's) to remove from the
    // registry; the meta view lists only joined sessions, so it is gone from there already.
    if (this.#ctx.remote(peer) !== undefined) return [];
    this.local.detach(peer);
    const held = this.#held.take(peer);
    if (held === undefined || this.#ctx.abandoning) return [];
    return this.#ctx.serial.run([`s${peer.sessionId}`], () => Promise.all([...held].map(async ([id, { uri, match }]) => {
      const lastHere = this.local.subscription(id) === undefined;
      const deleted = await this.#leaveSubscription(peer.sessionId, id, uri, match, lastHere).catch((error: unknown) => {
        log.warn(() => `removing a departed subscriber of ${uri} from the registry failed: ${(error as Error).message}`);
        return false;
      });
      return { id, deleted };
    })));
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

  /** Registry entries of this realm's subscriptions, members and retained events. */
  applyClaim(key: string, value: readonly unknown[] | null, revision: number): void {
    this.#applyClaim(key, value, revision);
  }

  applyMember(subscription: number, session: number, present: boolean): void {
    if (present) this.#addMember(subscription, session);
    else {
      this.#members.get(subscription)?.delete(session);
      this.#byId.get(subscription)?.sessions.delete(session);
    }
  }

  applyRetained(value: readonly unknown[] | null): void {
    if (value === null) return;
    const slot = decodeRetained(value);
    if (slot !== null) this.local.restoreRetained(slot.topic, slot.events);
  }

  /**
   * Removes subscriber `session` (of this node, or of a dead node incarnation `node` ("name/incarnation") when cleaning up after it)
   * from subscription `id`: its member entry, and, when it was that node's last subscriber
   * there, the node from the subscription's entry. True when that deleted the subscription.
   */
  async removeSubscriber(session: number, node: string, id: number, uri: string, match: UriMatch, lastOfNode: boolean): Promise<boolean> {
    await this.#ctx.kv.delete(Keys.member(this.#ctx.key, id, session));
    this.applyMember(id, session, false);
    if (!lastOfNode) return false;
    const key = Keys.subscription(this.#ctx.key, uri, match);
    const outcome = await casLoop(this.#ctx.kv, key, (current): CasStep<boolean> => {
      const claim = current === null ? null : decodeSubscriptionClaim(current.value);
      if (claim === null || claim.id !== id || !claim.nodes.includes(node)) return { write: 'none', result: false };
      const nodes = claim.nodes.filter((n) => n !== node);
      return nodes.length === 0 ? { write: 'delete', result: true } : { write: 'put', value: encodeClaim({ ...claim, nodes }), result: false };
    });
    this.#applyClaim(key, outcome.value, outcome.revision);
    return outcome.result;
  }

  /** The subscriptions (ID, topic, match) session `session` is a member of in the registry (the cleanup of a dead node reads them). */
  subscriptionsOf(session: number): Array<{ id: number; uri: string; match: UriMatch; members: ReadonlySet<number> }> {
    const out: Array<{ id: number; uri: string; match: UriMatch; members: ReadonlySet<number> }> = [];
    for (const [id, members] of this.#members) {
      if (!members.has(session)) continue;
      const sub = this.#byId.get(id);
      if (sub !== undefined) out.push({ id, uri: sub.topic, match: sub.match, members });
    }
    return out;
  }

  /** Subscription entries that still list node incarnation `member` among the nodes with subscribers. */
  claimsListing(member: string): Array<{ id: number; uri: string; match: UriMatch }> {
    const out: Array<{ id: number; uri: string; match: UriMatch }> = [];
    for (const [key, sub] of this.#byKey) if (this.#nodes.get(key)?.includes(member) === true) out.push({ id: sub.id, uri: sub.topic, match: sub.match });
    return out;
  }

  #leaveSubscription(session: number, id: number, uri: string, match: UriMatch, lastHere: boolean): Promise<boolean> {
    return this.removeSubscriber(session, this.#ctx.member, id, uri, match, lastHere);
  }

  #addMember(id: number, session: number): void {
    let set = this.#members.get(id);
    if (set === undefined) this.#members.set(id, (set = new Set()));
    set.add(session);
    this.#byId.get(id)?.sessions.add(session);
  }



  #applyClaim(key: string, value: readonly unknown[] | null, revision: number): void {
    if (revision !== 0) {
      if ((this.#revisions.get(key) ?? 0) >= revision) return;
      this.#revisions.set(key, revision);
    }
    const claim = value === null ? null : decodeSubscriptionClaim(value);
    const old = this.#byKey.get(key);
    if (old !== undefined && (claim === null || claim.id !== old.id)) {
      this.#byKey.delete(key);
      this.#byId.delete(old.id);
      this.#index.delete(old.topic, old.match);
      this.#members.delete(old.id);
    }
    if (claim === null) {
      this.#revisions.delete(key);
      this.#nodes.delete(key);
      return;
    }
    this.#nodes.set(key, claim.nodes);
    if (this.#byKey.get(key)?.id === claim.id) return;
    const sub = new ReplicaSubscription(claim, (s) => this.#ctx.peer(s));
    for (const s of this.#members.get(claim.id) ?? []) sub.sessions.add(s);
    this.#byKey.set(key, sub);
    this.#byId.set(sub.id, sub);
    try {
      this.#index.set(sub.topic, sub.match, sub);
    } catch (error) {
      log.warn(() => `subscription ${sub.id} has a pattern this node cannot index: ${(error as Error).message}`);
    }
  }
}

