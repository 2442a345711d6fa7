/**
 * The dealer of a realm spanning the cluster. Its LocalDealer holds every registration of the
 * cluster, with this node's sessions as callees and RemotePeers for the others, so calls are
 * routed by the single-node code: pattern precedence, invocation policies, progressive results
 * and invocations, cancellation, timeouts, caller disclosure, limits. Remote callees get their
 * INVOCATIONs through their RemotePeer; this node's callees answer relayed invocations
 * (relay.ts) back to the caller's node.
 *
 * Registrations are decided in the registry: one entry per (match, procedure) holds the ID,
 * the invocation policy and the callees in registration order, written by compare-and-set
 * (claims.ts), so `single` is single in the whole cluster and every node has the same ID and
 * order. The local replica follows the entry (`applyEntry`), from this node's own writes at once
 * and from the registry watch for everyone's.
 */
import { ErrorUri } from '../../wamp/uris.js';
import { interruptMessage, unregisteredMessage } from '../../wamp/messages.js';
import type { RouterPeer } from '../peer.js';
import { PeerHoldings } from './peer-holdings.js';
import {
  LocalDealer, type CallRequest, type Dealer, type DealerRegistration, type InvocationErrorRequest, type RegisterOptions,
  type RegisterOutcome, type Unregistered, type YieldRequest,
} from '../dealer.js';
import { isMatchPolicy, type UriMatch } from '../uri-matcher.js';
import { isInvokePolicy, InvokePolicy, SharedRegistrationError } from '../invoke-policy.js';
import { casLoop, type CasStep, type Current } from './claims.js';
import { LimitErrorUri } from '../limits.js';
import type { UriGuard } from '../pattern-guard.js';
import { Keys } from './keys.js';
import { ClusterIds, type RealmContext } from './context.js';
import { InvocationRelay } from './relay.js';
import { WireKind } from './wire.js';
import { logger } from '../../log.js';

const log = logger('router:cluster');
const REREGISTERED = 'wamp.reason.reregistered';
/** How often a REGISTER refused because of another node's callees looks again while that node is unconfirmed. */
const HOLDER_RECHECK_MS = 50;

/** A registration entry: [id, uri, match, invoke, created, forwardTimeout, [[session, "node/incarnation"], ...]]. */
interface Claim {
  readonly id: number;
  readonly uri: string;
  readonly match: UriMatch;
  readonly invoke: InvokePolicy;
  readonly created: string;
  readonly forwardTimeout: boolean;
  readonly callees: ReadonlyArray<readonly [number, string]>;
}

function encodeClaim(c: Claim): unknown[] {
  return [c.id, c.uri, c.match, c.invoke, c.created, c.forwardTimeout, c.callees.map(([s, n]) => [s, n])];
}

export function decodeRegistrationClaim(v: readonly unknown[]): Claim | null {
  const [id, uri, match, invoke, created, forwardTimeout, callees] = v;
  if (typeof id !== 'number' || typeof uri !== 'string' || !isMatchPolicy(match) || !isInvokePolicy(invoke) || typeof created !== 'string' || !Array.isArray(callees)) return null;
  const list = callees.filter((c): c is [number, string] => Array.isArray(c) && typeof c[0] === 'number' && typeof c[1] === 'string');
  return { id, uri, match, invoke, created, forwardTimeout: forwardTimeout === true, callees: list };
}

function failure(error: unknown): RegisterOutcome {
  return { ok: false, error: ErrorUri.NETWORK_FAILURE, message: `the cluster registry is unavailable: ${(error as Error).message}` };
}

export class ClusterDealer implements Dealer {
  readonly local: LocalDealer;
  readonly relay = new InvocationRelay();
  readonly #ctx: RealmContext;
  readonly #ids: ClusterIds;
  /** Registrations this node's sessions hold: peer -> id -> (uri, match), for their departure. */
  readonly #held = new PeerHoldings();
  /** Last applied revision per registry key: an older entry arriving late changes nothing. */
  readonly #revisions = new Map<string, number>();
  /** Each registry entry as last applied (the cleanup after a dead node reads its callees there). */
  readonly #applied = new Map<string, Claim>();
  /** Pattern guards of this node's callees (authorization), per registry key. */
  readonly #guards = new Map<RouterPeer, Map<string, UriGuard>>();
  readonly #maxRegistrations: number;

  constructor(ctx: RealmContext, ids: ClusterIds, local: LocalDealer, maxRegistrations: number) {
    this.#ctx = ctx;
    this.#ids = ids;
    this.local = local;
    this.#maxRegistrations = maxRegistrations;
  }

  register(peer: RouterPeer, procedure: string, match: string, invoke: string, options: RegisterOptions = {}): Promise<RegisterOutcome> | RegisterOutcome {
    if (!isMatchPolicy(match)) return { ok: false, error: ErrorUri.INVALID_ARGUMENT, message: `match policy '${match}' is not supported` };
    if (!isInvokePolicy(invoke)) return { ok: false, error: ErrorUri.INVALID_ARGUMENT, message: `invocation policy '${invoke}' is not supported` };
    const key = Keys.registration(this.#ctx.key, procedure, match);
    return this.#ctx.serial.run([key, `s${peer.sessionId}`], async (): Promise<RegisterOutcome> => {
      const held = this.#held.of(peer);
      if (held !== undefined && held.size >= this.#maxRegistrations) {
        return { ok: false, error: LimitErrorUri.MAX_REGISTRATIONS, message: `this session already holds ${held.size} registrations (limit maxRegistrations)` };
      }
      if (options.guard !== undefined) this.#guard(peer, key, options.guard);
      let revoked: Claim['callees'] = [];
      let created = false;
      let oldId = 0;
      let outcome;
      // Refused because of callees on other nodes: first make sure those nodes are alive (heard
      // from since this REGISTER arrived). A client that lost its node re-registers here before
      // the cluster counted that node dead; once it is, its callees are gone and this one succeeds.
      const arrived = Date.now();
      const deadline = arrived + this.#ctx.settleMs;
      try {
        for (;;) {
          let holders: readonly string[] = [];
          outcome = await casLoop(this.#ctx.kv, key, (current): CasStep<RegisterOutcome | null> => {
            const decided = this.#decideRegister(current, peer, procedure, match, invoke, options);
            if ('error' in decided) {
              holders = decided.holders;
              return { write: 'none', result: decided.error };
            }
            revoked = decided.revoked;
            created = decided.created;
            oldId = decided.oldId;
            return { write: 'put', value: encodeClaim(decided.claim), result: null };
          });
          const confirmed = holders.every((m) => this.#ctx.heardSince(m, arrived));
          if (outcome.result === null || confirmed || Date.now() > deadline) break;
          await new Promise((r) => setTimeout(r, HOLDER_RECHECK_MS));
        }
      } catch (error) {
        this.#unguard(peer, key);
        return failure(error);
      }
      if (outcome.result !== null) {
        this.#unguard(peer, key);
        return outcome.result;
      }
      // The session may have left while the registry was written: undo rather than leave a dead callee.
      if (!this.#ctx.joined(peer)) {
        this.#applyValue(key, outcome.value, outcome.revision);
        void this.#removeCallee(peer, procedure, match).catch(() => {});
        return { ok: false, error: ErrorUri.CANCELED, message: 'the session left' };
      }
      this.#applyValue(key, outcome.value, outcome.revision);
      const reg = this.local.lookup(procedure, match);
      if (reg === undefined || !reg.callees.includes(peer)) return failure(new Error('the registration did not apply'));
      this.#held.hold(peer, reg.id, procedure, match);
      return { ok: true, registration: reg, created, revoked: this.#revoke(oldId, revoked) };
    });
  }

  unregister(peer: RouterPeer, registrationId: number): Promise<Unregistered | null> | null {
    const reg = this.local.registration(registrationId);
    if (reg === undefined || !reg.callees.includes(peer) || this.#ctx.remote(peer) !== undefined) return null;
    const { procedure, match } = reg;
    return this.#ctx.serial.run([Keys.registration(this.#ctx.key, procedure, match), `s${peer.sessionId}`], async () => {
      this.#held.release(peer, registrationId);
      const deleted = await this.#removeCallee(peer, procedure, match).catch((error: unknown) => {
        log.warn(() => `unregister ${procedure}: ${(error as Error).message}`);
        // Leave the local replica consistent with the caller's wish; the registry entry is fixed when the session goes.
        this.local.unregister(peer, registrationId);
        return false;
      });
      return { session: peer.sessionId, id: registrationId, deleted };
    });
  }

  call(caller: RouterPeer, call: CallRequest): void | Promise<void> {
    if (this.local.hasCall(caller, call.request) || this.local.match(call.procedure) !== undefined) return this.local.call(caller, call);
    // No callee in this node's replica: a registration acknowledged on another node before this
    // CALL arrived may still be on its way through the registry watch, so catch up before
    // answering no_such_procedure. The caller's later requests wait behind this one (as behind
    // an authorization), so its calls keep their order.
    return this.#ctx.kv.barrier().catch(() => {}).then(() => {
      if (this.#ctx.joined(caller)) return this.local.call(caller, call);
    });
  }

  hasCall(caller: RouterPeer, request: number): boolean {
    return this.local.hasCall(caller, request);
  }

  cancel(caller: RouterPeer, request: number, mode: string): void {
    this.local.cancel(caller, request, mode);
  }

  yield(callee: RouterPeer, reply: YieldRequest): boolean {
    if (!this.relay.isRelayed(callee, reply.request)) return this.local.yield(callee, reply);
    const final = reply.options['progress'] !== true;
    const to = this.relay.answer(callee, reply.request, final)!;
    if (!this.#ctx.send(to.node, WireKind.YIELD, callee.sessionId, to.remote, reply.options, reply.args ?? null, reply.kwargs ?? null)) {
      // Too large (or not encodable) for NATS: the caller must hear of it rather than wait.
      this.#ctx.send(to.node, WireKind.INVOKE_FAILED, callee.sessionId, to.remote, ErrorUri.PAYLOAD_SIZE_EXCEEDED, 'the result could not be sent between router nodes');
      if (!final) {
        // The call is over for the caller: the callee should stop, as on one router.
        this.relay.drop(callee, reply.request);
        if (callee.hasFeature('callee', 'call_canceling')) callee.send(interruptMessage(reply.request, { mode: 'killnowait' }));
      }
    }
    return true;
  }

  invocationError(callee: RouterPeer, reply: InvocationErrorRequest): boolean {
    if (!this.relay.isRelayed(callee, reply.request)) return this.local.invocationError(callee, reply);
    const to = this.relay.answer(callee, reply.request, true)!;
    if (!this.#ctx.send(to.node, WireKind.INVOCATION_ERROR, callee.sessionId, to.remote, reply.details, reply.error, reply.args ?? null, reply.kwargs ?? null)) {
      this.#ctx.send(to.node, WireKind.INVOKE_FAILED, callee.sessionId, to.remote, ErrorUri.PAYLOAD_SIZE_EXCEEDED, 'the error could not be sent between router nodes');
    }
    return true;
  }

  revoke(registrationId: number, reason: string, session?: number): Promise<Unregistered[]> | Unregistered[] {
    const reg = this.local.registration(registrationId);
    if (reg === undefined) return [];
    const victims = reg.callees.filter((c) => session === undefined || c.sessionId === session);
    const mine: RouterPeer[] = [];
    for (const callee of victims) {
      const remote = this.#ctx.remote(callee);
      // A remote callee is revoked by its own node: UNREGISTERED, the registry and the meta events from there.
      if (remote !== undefined) this.#ctx.send(remote.node, WireKind.REVOKE, 'r', registrationId, reason, callee.sessionId);
      else mine.push(callee);
    }
    if (mine.length === 0) return [];
    return Promise.all(mine.map(async (callee) => {
      const change = await this.unregister(callee, registrationId);
      if (change !== null && callee.hasFeature('callee', 'registration_revocation')) callee.send(unregisteredMessage(0, { registration: registrationId, reason }));
      return change;
    })).then((changes) => changes.filter((c): c is Unregistered => c !== null));
  }

  detach(peer: RouterPeer): Unregistered[] | Promise<Unregistered[]> {
    this.relay.dropCallee(peer);
    // At once: calls in flight to and from the session are settled as on one router.
    this.local.detach(peer);
    const held = this.#held.take(peer);
    this.#guards.delete(peer);
    if (held === undefined || this.#ctx.remote(peer) !== undefined || this.#ctx.abandoning) return [];
    return this.#ctx.serial.run([`s${peer.sessionId}`], () => Promise.all([...held].map(async ([id, { uri, match }]) => {
      const deleted = await this.#removeCallee(peer, uri, match).catch((error: unknown) => {
        log.warn(() => `removing a departed callee of ${uri} from the registry failed: ${(error as Error).message}`);
        return false;
      });
      return { session: peer.sessionId, id, deleted };
    })));
  }

  registrationCount(): number {
    return this.local.registrationCount();
  }

  registrations(): Iterable<DealerRegistration> {
    return this.local.registrations();
  }

  registration(id: number): DealerRegistration | undefined {
    return this.local.registration(id);
  }

  lookup(procedure: string, match: UriMatch): DealerRegistration | undefined {
    return this.local.lookup(procedure, match);
  }

  match(procedure: string): DealerRegistration | undefined {
    return this.local.match(procedure);
  }

  /**
   * The authorization guard of this node's callee `peer` on registration `id`, if its pattern
   * needs one: a caller's node elsewhere routed the call without it, so it is checked here.
   */
  guardOf(peer: RouterPeer, id: number): UriGuard | undefined {
    const reg = this.local.registration(id);
    return reg === undefined ? undefined : this.#guards.get(peer)?.get(Keys.registration(this.#ctx.key, reg.procedure, reg.match));
  }

  /** A registration entry from the registry watch (null: deleted). */
  applyEntry(key: string, value: readonly unknown[] | null, revision: number): void {
    this.#applyValue(key, value, revision);
  }

  /** The registrations whose registry entry lists a callee of node incarnation `member` ("name/incarnation"). */
  registrationsOf(member: string): Array<{ id: number; uri: string; match: UriMatch; sessions: number[] }> {
    const out: Array<{ id: number; uri: string; match: UriMatch; sessions: number[] }> = [];
    for (const c of this.#applied.values()) {
      const sessions = c.callees.filter(([, m]) => m === member).map(([s]) => s);
      if (sessions.length > 0) out.push({ id: c.id, uri: c.uri, match: c.match, sessions });
    }
    return out;
  }

  /** Removes `session` (of this node, or of a dead one: `node`) from the entry of (uri, match); true when that deleted the registration. */
  async removeCallee(session: number, node: string, uri: string, match: UriMatch): Promise<boolean> {
    const key = Keys.registration(this.#ctx.key, uri, match);
    const outcome = await casLoop(this.#ctx.kv, key, (current): CasStep<boolean> => {
      const claim = current === null ? null : decodeRegistrationClaim(current.value);
      if (claim === null || !claim.callees.some(([s, n]) => s === session && n === node)) return { write: 'none', result: false };
      const callees = claim.callees.filter(([s]) => s !== session);
      return callees.length === 0 ? { write: 'delete', result: true } : { write: 'put', value: encodeClaim({ ...claim, callees }), result: false };
    });
    this.#applyValue(key, outcome.value, outcome.revision);
    return outcome.result;
  }

  #removeCallee(peer: RouterPeer, uri: string, match: UriMatch): Promise<boolean> {
    return this.removeCallee(peer.sessionId, this.#ctx.member, uri, match);
  }

  #decideRegister(
    current: Current | null, peer: RouterPeer, uri: string, match: UriMatch, invoke: InvokePolicy, options: RegisterOptions,
  ): { claim: Claim; created: boolean; revoked: Claim['callees']; oldId: number } | { error: RegisterOutcome; holders: readonly string[] } {
    const me: readonly [number, string] = [peer.sessionId, this.#ctx.member];
    const fresh = (): Claim => ({
      id: this.#ctx.newId(), uri, match, invoke, created: new Date().toISOString(), forwardTimeout: options.forwardTimeout === true, callees: [me],
    });
    const claim = current === null ? null : decodeRegistrationClaim(current.value);
    if (claim === null) return { claim: fresh(), created: true, revoked: [], oldId: 0 };
    // Holders on this node are known alive; those elsewhere are checked before the refusal stands.
    const holders = claim.callees.map(([, m]) => m).filter((m) => m !== this.#ctx.member);
    const refuse = (error: string, message: string): { error: RegisterOutcome; holders: readonly string[] } => ({ error: { ok: false, error, message }, holders });
    if (claim.callees.some(([s]) => s === peer.sessionId)) return refuse(SharedRegistrationError.ALREADY_EXISTS, 'this session already registered the procedure');
    if (options.force === true) return { claim: fresh(), created: true, revoked: claim.callees, oldId: claim.id };
    if (claim.invoke === InvokePolicy.SINGLE) return refuse(SharedRegistrationError.ALREADY_EXISTS, 'the procedure is registered with invocation policy single');
    if (claim.invoke !== invoke) {
      return refuse(SharedRegistrationError.POLICY_CONFLICT, `the procedure is registered with invocation policy ${claim.invoke}, not ${invoke}`);
    }
    return { claim: { ...claim, callees: [...claim.callees, me] }, created: false, revoked: [], oldId: 0 };
  }

  /** The callees a forced registration took the procedure from: told (by their node), and reported for meta events. */
  #revoke(oldId: number, revoked: Claim['callees']): Unregistered[] {
    return revoked.map(([session, node], i) => {
      const peer = this.#ctx.peer(session);
      if (node === this.#ctx.member && peer !== undefined) {
        this.#held.release(peer, oldId);
        if (peer.hasFeature('callee', 'registration_revocation')) peer.send(unregisteredMessage(0, { registration: oldId, reason: REREGISTERED }));
      } else if (peer !== undefined) {
        // Its node forgets the registration from the registry; the session hears it through its proxy.
        if (peer.hasFeature('callee', 'registration_revocation')) peer.send(unregisteredMessage(0, { registration: oldId, reason: REREGISTERED }));
      }
      return { session, id: oldId, deleted: i === revoked.length - 1 };
    });
  }

  #guard(peer: RouterPeer, key: string, guard: UriGuard): void {
    let mine = this.#guards.get(peer);
    if (mine === undefined) this.#guards.set(peer, (mine = new Map()));
    mine.set(key, guard);
  }

  #unguard(peer: RouterPeer, key: string): void {
    const mine = this.#guards.get(peer);
    mine?.delete(key);
    if (mine?.size === 0) this.#guards.delete(peer);
  }



  /** Removes a callee from the local replica only (the registry already says so). */
  #drop(callee: RouterPeer, id: number): void {
    const reg = this.local.registration(id);
    this.local.unregister(callee, id);
    this.#held.release(callee, id);
    if (reg !== undefined) this.#unguard(callee, Keys.registration(this.#ctx.key, reg.procedure, reg.match));
  }

  /** Makes the local replica of one registration what the registry entry says. */
  #applyValue(key: string, value: readonly unknown[] | null, revision: number): void {
    if (revision !== 0) {
      if ((this.#revisions.get(key) ?? 0) >= revision) return;
      this.#revisions.set(key, revision);
    }
    const claim = value === null ? null : decodeRegistrationClaim(value);
    if (claim === null) {
      const was = this.#applied.get(key);
      this.#revisions.delete(key);
      this.#applied.delete(key);
      const gone = was === undefined ? undefined : this.local.lookup(was.uri, was.match);
      if (gone !== undefined) for (const c of [...gone.callees]) this.#drop(c, gone.id);
      return;
    }
    this.#applied.set(key, claim);
    let current = this.local.lookup(claim.uri, claim.match);
    if (current !== undefined && current.id !== claim.id) {
      for (const c of [...current.callees]) this.#drop(c, current.id);
      current = undefined;
    }
    const wanted = claim.callees.map(([s]) => this.#ctx.peer(s)).filter((p): p is RouterPeer => p !== undefined);
    for (const c of current?.callees ?? []) if (!wanted.includes(c)) this.#drop(c, claim.id);
    const have = new Set(this.local.lookup(claim.uri, claim.match)?.callees ?? []);
    for (const p of wanted) {
      if (have.has(p)) continue;
      const guard = this.#guards.get(p)?.get(key);
      const r = this.#ids.withRouterId(claim.id, () => this.local.register(p, claim.uri, claim.match, claim.invoke, {
        forwardTimeout: claim.forwardTimeout, ...(guard === undefined ? {} : { guard }),
      }));
      if (!r.ok) log.warn(() => `registration ${claim.id} (${claim.uri}) could not take callee ${p.sessionId}: ${r.message}`);
    }
  }
}
