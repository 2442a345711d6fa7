/**
 * The dealer: registrations and call routing for one realm.
 *
 * A registration maps (match policy, procedure) to its callees: one for 'single', several for
 * the shared-registration policies (roundrobin, random, first, last), all registered with the
 * same policy. `#lookup` resolves a called URI as the spec orders it (exact, longest prefix,
 * most specific wildcard) and `#pickCallee` chooses among a registration's callees.
 *
 * Each call in flight is one `Invocation`, indexed by (caller, CALL.Request) and by
 * (callee, INVOCATION.Request), so RESULT routing, cancel and the cleanup after either side
 * leaves are lookups, not scans.
 */
import { MessageType } from '../wamp/message-types.js';
import { ErrorUri } from '../wamp/uris.js';
import type { RouterPeer } from './peer.js';
import type { IdSource } from './ids.js';
import type { Args, Kwargs } from './broker.js';
import { compareRanks, matchesComponentPrefix, matchesWildcard, wildcardComponents, wildcardRank } from './uri-match.js';

export interface DealerRegistration {
  readonly id: number;
  readonly procedure: string;
  readonly match: string;
  readonly callees: readonly RouterPeer[];
}

export interface CallRequest {
  request: number;
  procedure: string;
  options: Record<string, unknown>;
  args?: Args;
  kwargs?: Kwargs;
}

export interface YieldRequest {
  request: number;
  options: Record<string, unknown>;
  args?: Args;
  kwargs?: Kwargs;
}

export interface InvocationErrorRequest {
  request: number;
  details: Record<string, unknown>;
  error: string;
  args?: Args;
  kwargs?: Kwargs;
}

export type RegisterOutcome = { ok: true; registration: DealerRegistration } | { ok: false; error: string };

/** The dealer contract the router session relies on; a backplane would implement it too. */
export interface Dealer {
  register(peer: RouterPeer, procedure: string, match: string, invoke: string): RegisterOutcome;
  /** False when `peer` holds no registration with that ID. */
  unregister(peer: RouterPeer, registrationId: number): boolean;
  /** Routes a CALL: an INVOCATION to the callee, or an ERROR back to the caller. */
  call(caller: RouterPeer, call: CallRequest): void;
  /** True when the caller has a call in flight with this request ID. */
  hasCall(caller: RouterPeer, request: number): boolean;
  cancel(caller: RouterPeer, request: number, mode: string): void;
  /** Routes a YIELD; false when the invocation is unknown to the dealer. */
  yield(callee: RouterPeer, reply: YieldRequest): boolean;
  /** Routes an ERROR for an INVOCATION; false when the invocation is unknown. */
  invocationError(callee: RouterPeer, reply: InvocationErrorRequest): boolean;
  /** Drops a departed session's registrations and settles its calls in flight. */
  detach(peer: RouterPeer): void;
  registrationCount(): number;
}

interface Registration {
  id: number;
  procedure: string;
  match: string;
  invoke: string;
  callees: RouterPeer[];
  /** Round robin position. */
  next: number;
  /** Wildcard registrations: components and specificity rank. */
  components?: string[];
  rank?: number[];
}

const MATCH_POLICIES: ReadonlySet<string> = new Set(['exact', 'prefix', 'wildcard']);
const INVOKE_POLICIES: ReadonlySet<string> = new Set(['single', 'roundrobin', 'random', 'first', 'last']);

interface Invocation {
  caller: RouterPeer;
  callRequest: number;
  callee: RouterPeer;
  invocationRequest: number;
  receiveProgress: boolean;
  /** Set by a 'kill' cancel: the caller gets ERROR canceled when the callee answers. */
  canceled: boolean;
}

function key(match: string, procedure: string): string {
  return `${match}\u0000${procedure}`;
}

function withPayload(message: unknown[], args: Args | undefined, kwargs: Kwargs | undefined): unknown[] {
  if (kwargs !== undefined && Object.keys(kwargs).length > 0) message.push(args ?? [], kwargs);
  else if (args !== undefined && args.length > 0) message.push(args);
  return message;
}

export class LocalDealer implements Dealer {
  readonly #ids: IdSource;
  readonly #byKey = new Map<string, Registration>();
  readonly #byId = new Map<number, Registration>();
  readonly #prefix = new Set<Registration>();
  readonly #wildcard = new Set<Registration>();
  readonly #ofPeer = new Map<RouterPeer, Set<number>>();
  readonly #calls = new Map<RouterPeer, Map<number, Invocation>>();
  readonly #invocations = new Map<RouterPeer, Map<number, Invocation>>();

  constructor(ids: IdSource) {
    this.#ids = ids;
  }

  register(peer: RouterPeer, procedure: string, match: string, invoke: string): RegisterOutcome {
    if (!MATCH_POLICIES.has(match) || !INVOKE_POLICIES.has(invoke)) return { ok: false, error: ErrorUri.INVALID_ARGUMENT };
    const k = key(match, procedure);
    let reg = this.#byKey.get(k);
    if (reg !== undefined) {
      // Joining a shared registration needs the same (non-single) policy, once per session.
      if (invoke === 'single' || reg.invoke !== invoke || reg.callees.includes(peer)) {
        return { ok: false, error: ErrorUri.PROCEDURE_ALREADY_EXISTS };
      }
      reg.callees.push(peer);
    } else {
      reg = { id: this.#ids.routerId(), procedure, match, invoke, callees: [peer], next: 0 };
      if (match === 'wildcard') {
        reg.components = wildcardComponents(procedure);
        reg.rank = wildcardRank(reg.components);
        this.#wildcard.add(reg);
      } else if (match === 'prefix') {
        this.#prefix.add(reg);
      }
      this.#byKey.set(k, reg);
      this.#byId.set(reg.id, reg);
    }
    let mine = this.#ofPeer.get(peer);
    if (mine === undefined) this.#ofPeer.set(peer, (mine = new Set()));
    mine.add(reg.id);
    return { ok: true, registration: reg };
  }

  unregister(peer: RouterPeer, registrationId: number): boolean {
    const reg = this.#byId.get(registrationId);
    if (reg === undefined || !reg.callees.includes(peer)) return false;
    this.#removeCallee(reg, peer);
    this.#ofPeer.get(peer)?.delete(registrationId);
    return true;
  }

  call(caller: RouterPeer, call: CallRequest): void {
    const reg = this.#lookup(call.procedure);
    const callee = reg === undefined ? undefined : this.#pickCallee(reg);
    if (reg === undefined || callee === undefined) {
      caller.send([MessageType.ERROR, MessageType.CALL, call.request, {}, ErrorUri.NO_SUCH_PROCEDURE,
        [`no callee registered for procedure '${call.procedure}'`]]);
      return;
    }
    const invocationRequest = callee.nextRequestId();
    const receiveProgress = call.options['receive_progress'] === true && callee.hasFeature('callee', 'progressive_call_results');
    const inv: Invocation = { caller, callRequest: call.request, callee, invocationRequest, receiveProgress, canceled: false };
    this.#index(this.#calls, caller).set(call.request, inv);
    this.#index(this.#invocations, callee).set(invocationRequest, inv);
    const details: Record<string, unknown> = {};
    if (reg.match !== 'exact') details['procedure'] = call.procedure;
    if (receiveProgress) details['receive_progress'] = true;
    if (call.options['disclose_me'] === true) {
      details['caller'] = caller.sessionId;
      details['caller_authid'] = caller.authid;
      details['caller_authrole'] = caller.authrole;
    }
    callee.send(withPayload([MessageType.INVOCATION, invocationRequest, reg.id, details], call.args, call.kwargs));
  }

  hasCall(caller: RouterPeer, request: number): boolean {
    return this.#calls.get(caller)?.has(request) === true;
  }

  cancel(caller: RouterPeer, request: number, mode: string): void {
    const inv = this.#calls.get(caller)?.get(request);
    // A CANCEL for a call already answered crossed the RESULT on the wire: nothing to do.
    if (inv === undefined || inv.canceled) return;
    const interruptible = inv.callee.hasFeature('callee', 'call_canceling');
    const effective = mode === 'kill' && !interruptible ? 'skip' : mode;
    if (effective !== 'skip' && interruptible) {
      inv.callee.send([MessageType.INTERRUPT, inv.invocationRequest, { mode: effective }]);
    }
    if (effective === 'kill') {
      inv.canceled = true;
      return;
    }
    this.#forget(inv);
    caller.send([MessageType.ERROR, MessageType.CALL, inv.callRequest, {}, ErrorUri.CANCELED, ['call canceled by caller']]);
  }

  yield(callee: RouterPeer, reply: YieldRequest): boolean {
    const inv = this.#invocations.get(callee)?.get(reply.request);
    if (inv === undefined) return false;
    const progress = reply.options['progress'] === true;
    if (inv.canceled) {
      if (progress) return true;
      this.#forget(inv);
      inv.caller.send([MessageType.ERROR, MessageType.CALL, inv.callRequest, {}, ErrorUri.CANCELED, ['call canceled by caller']]);
      return true;
    }
    if (progress) {
      // A progressive YIELD for a caller that did not ask for progress is dropped, as
      // Crossbar does, rather than ending the call early.
      if (inv.receiveProgress) {
        inv.caller.send(withPayload([MessageType.RESULT, inv.callRequest, { progress: true }], reply.args, reply.kwargs));
      }
      return true;
    }
    this.#forget(inv);
    inv.caller.send(withPayload([MessageType.RESULT, inv.callRequest, {}], reply.args, reply.kwargs));
    return true;
  }

  invocationError(callee: RouterPeer, reply: InvocationErrorRequest): boolean {
    const inv = this.#invocations.get(callee)?.get(reply.request);
    if (inv === undefined) return false;
    this.#forget(inv);
    const error = inv.canceled ? ErrorUri.CANCELED : reply.error;
    inv.caller.send(withPayload([MessageType.ERROR, MessageType.CALL, inv.callRequest, {}, error], reply.args, reply.kwargs));
    return true;
  }

  detach(peer: RouterPeer): void {
    const mine = this.#ofPeer.get(peer);
    if (mine !== undefined) {
      this.#ofPeer.delete(peer);
      for (const id of mine) {
        const reg = this.#byId.get(id);
        if (reg !== undefined) this.#removeCallee(reg, peer);
      }
    }
    // Calls this session made: the callee's answer has nobody to go to; tell the callee if it can hear it.
    const calls = this.#calls.get(peer);
    if (calls !== undefined) {
      this.#calls.delete(peer);
      for (const inv of calls.values()) {
        this.#invocations.get(inv.callee)?.delete(inv.invocationRequest);
        if (inv.callee !== peer && inv.callee.hasFeature('callee', 'call_canceling')) {
          inv.callee.send([MessageType.INTERRUPT, inv.invocationRequest, { mode: 'killnowait' }]);
        }
      }
    }
    // Invocations this session was serving: their callers get ERROR canceled (basic profile, callee leaving).
    const invocations = this.#invocations.get(peer);
    if (invocations !== undefined) {
      this.#invocations.delete(peer);
      for (const inv of invocations.values()) {
        this.#calls.get(inv.caller)?.delete(inv.callRequest);
        if (inv.caller !== peer) {
          inv.caller.send([MessageType.ERROR, MessageType.CALL, inv.callRequest, {}, ErrorUri.CANCELED,
            ['callee left before answering the call']]);
        }
      }
    }
  }

  registrationCount(): number {
    return this.#byId.size;
  }

  #lookup(procedure: string): Registration | undefined {
    const exact = this.#byKey.get(key('exact', procedure));
    if (exact !== undefined) return exact;
    let best: Registration | undefined;
    for (const reg of this.#prefix) {
      if (matchesComponentPrefix(reg.procedure, procedure) && (best === undefined || reg.procedure.length > best.procedure.length)) best = reg;
    }
    if (best !== undefined) return best;
    for (const reg of this.#wildcard) {
      if (matchesWildcard(reg.components ?? [], procedure) && (best === undefined || compareRanks(reg.rank ?? [], best.rank ?? []) > 0)) best = reg;
    }
    return best;
  }

  #pickCallee(reg: Registration): RouterPeer | undefined {
    const n = reg.callees.length;
    if (n <= 1 || reg.invoke === 'single' || reg.invoke === 'first') return reg.callees[0];
    if (reg.invoke === 'last') return reg.callees[n - 1];
    if (reg.invoke === 'random') return reg.callees[Math.floor(Math.random() * n)];
    const callee = reg.callees[reg.next % n];
    reg.next = (reg.next + 1) % n;
    return callee;
  }

  #removeCallee(reg: Registration, peer: RouterPeer): void {
    const at = reg.callees.indexOf(peer);
    if (at >= 0) {
      reg.callees.splice(at, 1);
      if (at < reg.next) reg.next--;
    }
    if (reg.callees.length === 0) {
      this.#byId.delete(reg.id);
      this.#byKey.delete(key(reg.match, reg.procedure));
      this.#prefix.delete(reg);
      this.#wildcard.delete(reg);
    }
  }

  #index(table: Map<RouterPeer, Map<number, Invocation>>, peer: RouterPeer): Map<number, Invocation> {
    let map = table.get(peer);
    if (map === undefined) table.set(peer, (map = new Map()));
    return map;
  }

  #forget(inv: Invocation): void {
    this.#calls.get(inv.caller)?.delete(inv.callRequest);
    this.#invocations.get(inv.callee)?.delete(inv.invocationRequest);
  }
}
