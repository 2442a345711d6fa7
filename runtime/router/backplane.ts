/**
 * What a realm needs from a backplane that spans router processes (runtime/router/cluster),
 * so the realm's policy (reserved URIs, authorization, answers, meta events) stays in one place,
 * realm.ts, whether the realm is on one node or many. Without a backplane (a single router) the
 * realm uses its LocalBroker and LocalDealer directly and none of this is called.
 */
import type { Broker } from './broker.js';
import type { Dealer } from './dealer.js';
import type { RouterPeer } from './peer.js';
import type { TestamentStore } from './testament.js';
import type { MetaApi } from './meta-api.js';

export interface RealmBackplane {
  /** The broker and dealer spanning the cluster (their changes may settle asynchronously). */
  readonly broker: Broker;
  readonly dealer: Dealer;
  /** Testaments kept where another node can publish them if this one dies. */
  readonly testaments: TestamentStore;
  /** True for a session of another node: it is joined quietly, and its node publishes its meta events. */
  isRemote(peer: RouterPeer): boolean;
  /** A session of this node joined. */
  joined(peer: RouterPeer): void;
  /** A session of this node left (before the realm removes what it held). */
  left(peer: RouterPeer): void;
  /** Revokes a remote subscriber's subscription at its node (which tells it and publishes the meta events); false for a local subscriber. */
  revokeRemote(peer: RouterPeer, subscription: number, reason: string): boolean;
  /**
   * Resolves once this node's view of the cluster holds everything the cluster's registry held
   * when called: before answering what reads it (meta procedures, retained events).
   */
  caughtUp(): Promise<void>;
}

/** The realm as its backplane sees it. */
export interface BackplaneRealm {
  readonly name: string;
  readonly meta: MetaApi;
  join(peer: RouterPeer, quiet?: boolean): void;
  leave(peer: RouterPeer, quiet?: boolean): void;
  session(id: number): RouterPeer | undefined;
  revokeSubscription(id: number, reason: string, session?: number): number;
  revokeRegistration(id: number, reason: string, session?: number): number;
}
