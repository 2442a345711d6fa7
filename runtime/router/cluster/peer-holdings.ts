/**
 * What each local session holds in a cluster-wide table (its subscriptions in the cluster's
 * broker, its registrations in the cluster's dealer): ID → URI and match, per session, so that
 * the limits can count them and a leaving session's share can be given back in the registry.
 */
import type { RouterPeer } from '../peer.js';
import type { UriMatch } from '../uri-matcher.js';

export interface Holding {
  uri: string;
  match: UriMatch;
}

export class PeerHoldings {
  readonly #byPeer = new Map<RouterPeer, Map<number, Holding>>();

  /** The session's holdings (undefined while it holds nothing). */
  of(peer: RouterPeer): ReadonlyMap<number, Holding> | undefined {
    return this.#byPeer.get(peer);
  }

  hold(peer: RouterPeer, id: number, uri: string, match: UriMatch): void {
    let mine = this.#byPeer.get(peer);
    if (mine === undefined) this.#byPeer.set(peer, (mine = new Map()));
    mine.set(id, { uri, match });
  }

  release(peer: RouterPeer, id: number): void {
    const mine = this.#byPeer.get(peer);
    if (mine === undefined) return;
    mine.delete(id);
    if (mine.size === 0) this.#byPeer.delete(peer);
  }

  /** Everything the session held, forgotten here (it left). */
  take(peer: RouterPeer): ReadonlyMap<number, Holding> | undefined {
    const mine = this.#byPeer.get(peer);
    this.#byPeer.delete(peer);
    return mine;
  }
}
