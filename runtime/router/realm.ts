/**
 * A realm: a routing and administrative domain with its own broker, dealer and sessions.
 *
 * The router session talks to the routing core only through `RoutingCore` (join, leave,
 * broker, dealer), so a realm backed by a backplane (sessions spread over router processes)
 * can replace `LocalRealm` without touching session handling.
 */
import { LocalBroker, type Broker } from './broker.js';
import { LocalDealer, type Dealer } from './dealer.js';
import type { RouterPeer } from './peer.js';
import type { IdSource } from './ids.js';

export interface RoutingCore {
  readonly name: string;
  readonly broker: Broker;
  readonly dealer: Dealer;
  join(peer: RouterPeer): void;
  /** Removes the session and everything it held (subscriptions, registrations, calls). */
  leave(peer: RouterPeer): void;
  readonly sessionCount: number;
  session(id: number): RouterPeer | undefined;
}

export class LocalRealm implements RoutingCore {
  readonly name: string;
  readonly broker: Broker;
  readonly dealer: Dealer;
  readonly #sessions = new Map<number, RouterPeer>();

  constructor(name: string, ids: IdSource) {
    this.name = name;
    this.broker = new LocalBroker(ids);
    this.dealer = new LocalDealer(ids);
  }

  join(peer: RouterPeer): void {
    this.#sessions.set(peer.sessionId, peer);
  }

  leave(peer: RouterPeer): void {
    if (this.#sessions.get(peer.sessionId) !== peer) return;
    this.#sessions.delete(peer.sessionId);
    this.broker.detach(peer);
    this.dealer.detach(peer);
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
}
