/**
 * The sessions of one realm on other nodes, as RemotePeers joined (quietly) into this node's
 * realm, so the meta API, the dealer and the broker see them like local ones.
 *
 * Fed by the registry's session entries and by the owning node's SESSION_LEFT news (which is
 * faster than the registry and ordered after that node's relayed answers). A session that left
 * is remembered for a while, so its entry arriving late through the registry (the news overtook
 * it) does not bring it back; entries of a node already counted dead are ignored.
 */
import { RemotePeer, type RemotePort, type SessionRecord } from './remote-peer.js';

/** How many departed sessions are remembered (their late registry entries are ignored). */
const TOMBSTONES = 10_000;

export interface DirectoryHooks {
  join(peer: RemotePeer): void;
  leave(peer: RemotePeer): void;
  /** True for a node incarnation counted dead (or stopped). */
  isDead(node: string, incarnation: string): boolean;
}

export function encodeSessionRecord(r: SessionRecord): unknown[] {
  return [r.session, r.node, r.incarnation, r.authid, r.authrole, r.authmethod ?? null, r.authprovider ?? null, replicatedTransport(r.transport), r.features];
}

/**
 * The transport details other nodes report for a session: without `outbound`, the budget's
 * live counters, which only the session's own node knows (a copy from the join would be stale).
 */
function replicatedTransport(transport: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> | null {
  if (transport === undefined) return null;
  const { outbound: _live, ...rest } = transport;
  return rest;
}

export function decodeSessionRecord(v: readonly unknown[]): SessionRecord | null {
  const [session, node, incarnation, authid, authrole, authmethod, authprovider, transport, features] = v;
  if (typeof session !== 'number' || typeof node !== 'string' || typeof incarnation !== 'string' || typeof authid !== 'string' ||
    typeof authrole !== 'string' || !Array.isArray(features)) return null;
  return {
    session, node, incarnation, authid, authrole,
    ...(typeof authmethod === 'string' ? { authmethod } : {}),
    ...(typeof authprovider === 'string' ? { authprovider } : {}),
    ...(typeof transport === 'object' && transport !== null ? { transport: transport as Record<string, unknown> } : {}),
    features: features.filter((f): f is string => typeof f === 'string'),
  };
}

export class SessionDirectory {
  readonly #self: string;
  readonly #port: RemotePort;
  readonly #hooks: DirectoryHooks;
  readonly #remote = new Map<number, RemotePeer>();
  readonly #gone = new Set<number>();

  constructor(self: string, port: RemotePort, hooks: DirectoryHooks) {
    this.#self = self;
    this.#port = port;
    this.#hooks = hooks;
  }

  get(session: number): RemotePeer | undefined {
    return this.#remote.get(session);
  }

  get size(): number {
    return this.#remote.size;
  }

  /** A session entry from the registry (null: deleted). */
  apply(session: number, record: SessionRecord | null): void {
    if (record === null) {
      this.left(session);
      return;
    }
    if (record.node === this.#self || this.#gone.has(session) || this.#hooks.isDead(record.node, record.incarnation)) return;
    if (this.#remote.has(session)) return;
    const peer = new RemotePeer(record, this.#port);
    this.#remote.set(session, peer);
    this.#hooks.join(peer);
  }

  /** The session left (its node said so, or its entry is gone). */
  left(session: number): void {
    this.#remember(session);
    const peer = this.#remote.get(session);
    if (peer === undefined) return;
    this.#remote.delete(session);
    this.#hooks.leave(peer);
  }

  /** Every session of a node's incarnation leaves (it died); returns them. */
  dropIncarnation(node: string, incarnation: string): RemotePeer[] {
    const out = [...this.#remote.values()].filter((p) => p.node === node && p.incarnation === incarnation);
    for (const peer of out) this.left(peer.sessionId);
    return out;
  }

  #remember(session: number): void {
    this.#gone.add(session);
    if (this.#gone.size > TOMBSTONES) {
      const oldest = this.#gone.values().next();
      if (oldest.done !== true) this.#gone.delete(oldest.value);
    }
  }
}
