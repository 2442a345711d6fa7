/**
 * What a realm's cluster parts (broker, dealer, testaments, cleanup) share: the realm's names,
 * this node's identity, the registry, the serial queues, and ways to reach peers and nodes.
 * One per realm, made by realm-cluster.ts.
 */
import type { RouterPeer } from '../peer.js';
import type { KvLink } from './kv-link.js';
import type { Serial } from './claims.js';
import type { WireKind } from './wire.js';
import type { RemotePeer } from './remote-peer.js';

/** IDs of the objects the registry decides: set just before the local broker or dealer asks for one. */
export class ClusterIds {
  #router: number | null = null;
  #global: number | null = null;
  readonly #random: () => number;

  constructor(random: () => number) {
    this.#random = random;
  }

  /** Runs `f` with `id` as the router-scope ID any object it creates gets. */
  withRouterId<T>(id: number, f: () => T): T {
    this.#router = id;
    try {
      return f();
    } finally {
      this.#router = null;
    }
  }

  /** Runs `f` with `id` as the publication ID (a publication delivered on behalf of another node). */
  withGlobalId<T>(id: number, f: () => T): T {
    this.#global = id;
    try {
      return f();
    } finally {
      this.#global = null;
    }
  }

  routerId(): number {
    const id = this.#router;
    this.#router = null;
    // Registrations and subscriptions are created only under withRouterId: their ID is the registry's.
    if (id === null) throw new Error('a registration or subscription ID must come from the cluster registry');
    return id;
  }

  globalId(): number {
    const id = this.#global;
    this.#global = null;
    return id ?? this.#random();
  }
}

export interface RealmContext {
  readonly realm: string;
  /** The realm's name as a key part (base64url). */
  readonly key: string;
  readonly node: string;
  readonly incarnation: string;
  /** "node/incarnation": how subscription entries name the nodes that have subscribers. */
  readonly member: string;
  /**
   * True while this node gives its sessions up because the cluster counts it dead (cut off,
   * stalled): their registry entries, testaments and meta events are left to the node that
   * cleans up after it, so nothing is removed twice or published twice.
   */
  readonly abandoning: boolean;
  readonly kv: KvLink;
  readonly serial: Serial;
  /** The largest message NATS carries. */
  readonly maxPayload: number;
  /** A joined session of the realm, local or remote. */
  peer(session: number): RouterPeer | undefined;
  /** The remote proxy, when `peer` is one. */
  remote(peer: RouterPeer): RemotePeer | undefined;
  /** True while `peer` is joined to the realm. */
  joined(peer: RouterPeer): boolean;
  /** Sends a node-to-node message (fields after the realm); false when it could not be sent. */
  send(node: string, kind: WireKind, ...fields: unknown[]): boolean;
  /** Sends a publication to every other node. */
  broadcast(kind: WireKind, ...fields: unknown[]): boolean;
  /** A fresh random ID for a registry object (registration, subscription). */
  newId(): number;
  /** True when node incarnation `member` ("name/incarnation") was heard from after time `since` (ms). */
  heardSince(member: string, since: number): boolean;
  /** How long a silent node may take to be counted dead and cleaned up after (ms). */
  readonly settleMs: number;
}
