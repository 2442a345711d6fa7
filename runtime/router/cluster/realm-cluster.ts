/**
 * One realm's part of the cluster: the backplane the realm (realm.ts) runs on, and the
 * receiving end of what other nodes send about this realm.
 *
 * - As RealmBackplane: the ClusterBroker and ClusterDealer, the replicated testaments, this
 *   node's sessions recorded in the registry as they join and removed as they leave (with the
 *   news broadcast first: other nodes settle calls in flight to a departed callee at once), and
 *   the registry barrier before meta answers.
 * - Inbound: publications, messages for this node's sessions (INVOCATIONs relayed under the
 *   callee's own request IDs), relayed answers for this node's callers, kills and revocations
 *   of this node's sessions, other nodes' departed sessions; and the registry's entries.
 */
import { MessageType } from '../../wamp/message-types.js';
import { interruptMessage, invocationMessage, parseMessage, toWire } from '../../wamp/messages.js';
import { ErrorUri } from '../../wamp/uris.js';
import type { RouterPeer } from '../peer.js';
import type { BackplaneRealm, RealmBackplane } from '../backplane.js';
import { LocalBroker } from '../broker.js';
import { LocalDealer } from '../dealer.js';
import type { RetentionOptions } from '../retention.js';
import { DEFAULT_SESSION_LIMITS, type SessionLimits } from '../limits.js';
import { ClusterBroker } from './cluster-broker.js';
import { ClusterDealer } from './cluster-dealer.js';
import { ClusterIds, type RealmContext } from './context.js';
import { KeyKind, Keys } from './keys.js';
import { ReplicatedTestaments } from './testaments.js';
import { RemotePeer, sessionRecord, type RemotePort, type SessionRecord } from './remote-peer.js';
import { SessionDirectory, decodeSessionRecord, encodeSessionRecord } from './session-directory.js';
import { WireKind, encodeValue } from './wire.js';
import { logger } from '../../log.js';

const log = logger('router:cluster');

/** What a realm's cluster part needs of its node (cluster-node.ts). */
export interface NodePort {
  readonly node: string;
  readonly incarnation: string;
  sendTo(node: string, kind: WireKind, realm: string, fields: readonly unknown[]): boolean;
  publishAll(realmKey: string, kind: WireKind, realm: string, fields: readonly unknown[]): boolean;
  isDead(node: string, incarnation: string): boolean;
  /** A session record named this incarnation: its liveness is now watched too. */
  sawIncarnation(node: string, incarnation: string): void;
}

export interface RealmClusterOptions {
  readonly retention?: RetentionOptions;
  readonly limits?: SessionLimits;
}

export class RealmCluster implements RealmBackplane {
  readonly name: string;
  readonly ctx: RealmContext;
  readonly broker: ClusterBroker;
  readonly dealer: ClusterDealer;
  readonly testaments: ReplicatedTestaments;
  readonly directory: SessionDirectory;
  /** Every session entry of the realm in the registry, also of dead nodes (the cleanup reads them). */
  readonly records = new Map<number, SessionRecord>();
  readonly #port: NodePort;
  #realm: BackplaneRealm | null = null;

  constructor(name: string, port: NodePort, ctx: RealmContext, options: RealmClusterOptions = {}) {
    this.name = name;
    this.#port = port;
    this.ctx = ctx;
    const ids = new ClusterIds(() => ctx.newId());
    const limits = options.limits ?? DEFAULT_SESSION_LIMITS;
    this.broker = new ClusterBroker(ctx, ids, new LocalBroker(ids, options.retention, limits), limits.maxSubscriptions);
    this.dealer = new ClusterDealer(ctx, ids, new LocalDealer(ids, limits), limits.maxRegistrations);
    this.testaments = new ReplicatedTestaments(ctx);
    const remotePort: RemotePort = {
      forward: (peer, message) => port.sendTo(peer.node, WireKind.TO_SESSION, name, [peer.sessionId, toWire(message)]),
      kill: (peer, reason, message, quiet) => void port.sendTo(peer.node, WireKind.KILL, name, [peer.sessionId, reason, message ?? null, quiet]),
    };
    this.directory = new SessionDirectory(port.node, remotePort, {
      join: (peer) => this.#realm?.join(peer, true),
      leave: (peer) => this.#realm?.leave(peer, true),
      isDead: (node, incarnation) => port.isDead(node, incarnation),
    });
  }

  /** Connects the realm this is the backplane of. */
  attach(realm: BackplaneRealm): void {
    this.#realm = realm;
  }

  get realm(): BackplaneRealm | null {
    return this.#realm;
  }

  // ---- RealmBackplane ----

  isRemote(peer: RouterPeer): boolean {
    return peer instanceof RemotePeer;
  }

  joined(peer: RouterPeer): void {
    if (peer instanceof RemotePeer) return;
    const record = sessionRecord(peer, this.#port.node, this.#port.incarnation);
    this.records.set(peer.sessionId, record);
    void this.ctx.serial.run([`s${peer.sessionId}`], () => this.ctx.kv.put(Keys.session(this.ctx.key, peer.sessionId), encodeValue(encodeSessionRecord(record))))
      .catch((error: unknown) => log.warn(() => `session ${peer.sessionId} not recorded in the cluster registry: ${(error as Error).message}`));
  }

  left(peer: RouterPeer): void {
    if (peer instanceof RemotePeer) return;
    this.records.delete(peer.sessionId);
    if (this.ctx.abandoning) return;
    // First the news (ordered after any answer this node relayed for the session), then the registry.
    this.#port.publishAll(this.ctx.key, WireKind.SESSION_LEFT, this.name, [peer.sessionId]);
    this.records.delete(peer.sessionId);
    const id = peer.sessionId;
    void this.ctx.serial.run([`s${id}`], () => this.ctx.kv.delete(Keys.session(this.ctx.key, id)))
      .catch((error: unknown) => log.warn(() => `session ${id} not removed from the cluster registry: ${(error as Error).message}`));
  }

  revokeRemote(peer: RouterPeer, subscription: number, reason: string): boolean {
    if (!(peer instanceof RemotePeer)) return false;
    return this.#port.sendTo(peer.node, WireKind.REVOKE, this.name, ['s', subscription, reason, peer.sessionId]);
  }

  caughtUp(): Promise<void> {
    return this.ctx.kv.barrier();
  }

  // ---- inbound ----

  /** A message about this realm from node `from` (fields after the realm name). */
  receive(kind: number, from: string, incarnation: string, f: readonly unknown[]): void {
    switch (kind) {
      case WireKind.PUBLISH: return this.broker.deliverRemote(f);
      case WireKind.TO_SESSION: return this.#toSession(from, incarnation, f[0], f[1]);
      case WireKind.YIELD: {
        const [callee, request, options, args, kwargs] = f;
        const peer = this.#remoteCallee(callee);
        if (peer === undefined || typeof request !== 'number' || !isDict(options)) return;
        this.dealer.local.yield(peer, { request, options, ...(Array.isArray(args) ? { args } : {}), ...(isDict(kwargs) ? { kwargs } : {}) });
        return;
      }
      case WireKind.INVOCATION_ERROR: {
        const [callee, request, details, error, args, kwargs] = f;
        const peer = this.#remoteCallee(callee);
        if (peer === undefined || typeof request !== 'number' || !isDict(details) || typeof error !== 'string') return;
        this.dealer.local.invocationError(peer, { request, details, error, ...(Array.isArray(args) ? { args } : {}), ...(isDict(kwargs) ? { kwargs } : {}) });
        return;
      }
      case WireKind.INVOKE_FAILED: {
        const [callee, request, error, message] = f;
        const peer = this.#remoteCallee(callee);
        if (peer === undefined || typeof request !== 'number' || typeof error !== 'string') return;
        this.dealer.local.invocationError(peer, { request, details: {}, error, args: [String(message)] });
        return;
      }
      case WireKind.KILL: {
        const [session, reason, message, quiet] = f;
        const peer = this.#localSession(session);
        if (peer === undefined || typeof reason !== 'string') return;
        peer.kill?.(reason, typeof message === 'string' ? message : undefined, quiet === true);
        return;
      }
      case WireKind.SESSION_LEFT:
        if (typeof f[0] === 'number') this.directory.left(f[0]);
        return;
      case WireKind.REVOKE: {
        const [what, id, reason, session] = f;
        if (typeof id !== 'number' || typeof reason !== 'string' || typeof session !== 'number' || this.#localSession(session) === undefined) return;
        if (what === 'r') this.#realm?.revokeRegistration(id, reason, session);
        else if (what === 's') this.#realm?.revokeSubscription(id, reason, session);
        return;
      }
      default:
        log.debug(() => `realm ${this.name}: unknown message kind ${kind} from ${from}`);
    }
  }

  /** A registry entry of this realm (`parts`: the key after kind and realm; value null: deleted). */
  applyEntry(kind: string, key: string, parts: readonly string[], value: readonly unknown[] | null, revision: number): void {
    switch (kind) {
      case KeyKind.SESSION: {
        const session = Number(parts[0]);
        const record = value === null ? null : decodeSessionRecord(value);
        if (record !== null) {
          this.records.set(session, record);
          this.#port.sawIncarnation(record.node, record.incarnation);
        } else this.records.delete(session);
        this.directory.apply(session, record);
        return;
      }
      case KeyKind.REGISTRATION: return this.dealer.applyEntry(key, value, revision);
      case KeyKind.SUBSCRIPTION: return this.broker.applyClaim(key, value, revision);
      case KeyKind.MEMBER: return this.broker.applyMember(Number(parts[0]), Number(parts[1]), value !== null);
      case KeyKind.RETAINED: return this.broker.applyRetained(value);
      default:
    }
  }

  /** A node incarnation died: its sessions leave here at once, its callers' invocations at our callees end. */
  dropNode(node: string, incarnation: string): void {
    this.directory.dropIncarnation(node, incarnation);
    for (const { callee, local } of this.dealer.relay.dropNode(node, incarnation)) {
      if (callee.hasFeature('callee', 'call_canceling')) callee.send(interruptMessage(local, { mode: 'killnowait' }));
    }
  }

  #toSession(from: string, incarnation: string, session: unknown, wire: unknown): void {
    let msg;
    try {
      msg = parseMessage(wire);
    } catch (error) {
      log.warn(() => `realm ${this.name}: a malformed message for session ${String(session)} from node ${from}: ${(error as Error).message}`);
      return;
    }
    const peer = this.#localSession(session);
    if (msg.type === MessageType.INVOCATION) {
      if (peer === undefined) {
        this.ctx.send(from, WireKind.INVOKE_FAILED, session, msg.request, ErrorUri.CANCELED, 'callee left before the call reached it');
        return;
      }
      const deliver = (): void => {
        const local = this.dealer.relay.localFor(peer, from, incarnation, msg.request);
        if (!peer.send(invocationMessage(local, msg.registration, msg.details, msg.args, msg.kwargs))) {
          this.dealer.relay.drop(peer, local);
          this.ctx.send(from, WireKind.INVOKE_FAILED, session, msg.request, ErrorUri.INVALID_PAYLOAD, 'the call could not be encoded for the callee');
        }
      };
      // A pattern registration that authorization guards: the caller's node could not check it.
      const guard = msg.details.procedure === undefined ? undefined : this.dealer.guardOf(peer, msg.registration);
      const verdict = guard === undefined || typeof msg.details.procedure !== 'string' ? true : guard(msg.details.procedure);
      const refuse = (): void => void this.ctx.send(from, WireKind.INVOKE_FAILED, session, msg.request, ErrorUri.NO_SUCH_PROCEDURE,
        `the callee may not be called as '${String(msg.details.procedure)}'`);
      if (verdict instanceof Promise) void verdict.then((ok) => (ok ? deliver() : refuse()), refuse);
      else if (verdict) deliver();
      else refuse();
      return;
    }
    if (peer === undefined) return;
    if (msg.type === MessageType.INTERRUPT) {
      const local = this.dealer.relay.interrupted(peer, from, msg.request, msg.options.mode === 'killnowait');
      if (local !== undefined) peer.send(interruptMessage(local, msg.options));
      return;
    }
    peer.send(msg);
  }

  #localSession(session: unknown): RouterPeer | undefined {
    if (typeof session !== 'number') return undefined;
    const peer = this.#realm?.session(session);
    return peer === undefined || peer instanceof RemotePeer ? undefined : peer;
  }

  #remoteCallee(session: unknown): RemotePeer | undefined {
    return typeof session === 'number' ? this.directory.get(session) : undefined;
  }
}

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
