/**
 * The dealer: registrations and call routing for one realm.
 *
 * A registration maps (match policy, procedure) to its callees, a CalleeList: one for
 * 'single', several for the shared-registration policies (roundrobin, random, first, last).
 * Procedures and patterns live in a UriIndex, so a call resolves as the spec orders it (exact,
 * longest prefix, most specific wildcard). Prefixes match on component boundaries here (the
 * spec's precedence example: `a1.b2.c3` does not match `a1.b2.c33.d4`).
 *
 * Calls in flight live in a CallTable. Beyond the basic profile: progressive call results and
 * invocations, call canceling (skip/kill/killnowait), dealer-side call timeouts, caller
 * disclosure, and registration revocation (UNREGISTERED with request 0).
 *
 * Like the broker, the dealer reports registration changes in return values; the realm turns
 * them into meta events.
 */
import { MessageType } from '../wamp/message-types.js';
import {
  errorMessage, interruptMessage, invocationMessage, resultMessage, unregisteredMessage, withPayload, type ErrorMessage, type InvocationDetailsDict,
} from '../wamp/messages.js';
import { ErrorUri } from '../wamp/uris.js';
import type { RouterPeer } from './peer.js';
import type { IdSource } from './ids.js';
import type { Args, Kwargs } from './broker.js';
import { UriIndex, isMatchPolicy, type UriMatch } from './uri-matcher.js';
import { CalleeList, isInvokePolicy, type InvokePolicy } from './invoke-policy.js';
import { CallTable, type Invocation } from './call-table.js';
import { passthruKeys, supportsPassthru } from './passthru.js';
import { setLongTimeout } from '../long-timeout.js';
import { DEFAULT_SESSION_LIMITS, LimitErrorUri, type SessionLimits } from './limits.js';
import { chooseCallee } from './guarded-routing.js';
import type { UriGuard } from './pattern-guard.js';

export interface DealerRegistration {
  readonly id: number;
  readonly procedure: string;
  readonly match: UriMatch;
  readonly invoke: InvokePolicy;
  /** ISO 8601 time of creation (meta API). */
  readonly created: string;
  readonly callees: readonly RouterPeer[];
}

export interface CallRequest {
  request: number;
  procedure: string;
  options: Record<string, unknown>;
  args?: Args;
  kwargs?: Kwargs;
  /** A passthru payload in Autobahn's form (passthru.ts), forwarded untouched. */
  payload?: Uint8Array | undefined;
  /** Disclose the caller although it did not ask (authorization's disclose.caller). */
  discloseCaller?: boolean;
}

export interface YieldRequest {
  request: number;
  options: Record<string, unknown>;
  args?: Args;
  kwargs?: Kwargs;
  payload?: Uint8Array | undefined;
}

export interface InvocationErrorRequest {
  request: number;
  details: Record<string, unknown>;
  error: string;
  args?: Args;
  kwargs?: Kwargs;
  payload?: Uint8Array | undefined;
}

/** A callee leaving a registration; `deleted` when it was the last one. */
export interface Unregistered {
  readonly session: number;
  readonly id: number;
  readonly deleted: boolean;
}

export interface RegisterOptions {
  /** REGISTER.Options.forward_timeout: the callee handles CALL.Options.timeout itself. */
  forwardTimeout?: boolean;
  /** REGISTER.Options.force_reregister: revoke the current callees and take the procedure over. */
  force?: boolean;
  /**
   * The authorizer could not prove that the callee's role may register every procedure this
   * pattern matches: a call reaches this callee only if the guard allows its procedure.
   */
  guard?: UriGuard;
}

export type RegisterOutcome =
  | { ok: true; registration: DealerRegistration; created: boolean; revoked: Unregistered[] }
  | { ok: false; error: string; message: string };

/** The dealer contract the router session relies on; a backplane would implement it too. */
export interface Dealer {
  register(peer: RouterPeer, procedure: string, match: string, invoke: string, options?: RegisterOptions): RegisterOutcome;
  /** Null when `peer` holds no registration with that ID. */
  unregister(peer: RouterPeer, registrationId: number): Unregistered | null;
  /**
   * Routes a CALL (or a progressive CALL's continuation): an INVOCATION, or an ERROR back to the
   * caller. A Promise while a dynamic authorizer decides whether a guarded callee may take it
   * (the session holds its later requests until then, so they stay in order).
   */
  call(caller: RouterPeer, call: CallRequest): void | Promise<void>;
  /** True when the caller has a call in flight with this request ID. */
  hasCall(caller: RouterPeer, request: number): boolean;
  cancel(caller: RouterPeer, request: number, mode: string): void;
  /** Routes a YIELD; false when the invocation is unknown to the dealer. */
  yield(callee: RouterPeer, reply: YieldRequest): boolean;
  /** Routes an ERROR for an INVOCATION; false when the invocation is unknown. */
  invocationError(callee: RouterPeer, reply: InvocationErrorRequest): boolean;
  /** Removes callees from a registration (all, or one session), telling those that can hear it. */
  revoke(registrationId: number, reason: string, session?: number): Unregistered[];
  /** Drops a departed session's registrations and settles its calls in flight. */
  detach(peer: RouterPeer): Unregistered[];
  registrationCount(): number;
  registrations(): Iterable<DealerRegistration>;
  registration(id: number): DealerRegistration | undefined;
  lookup(procedure: string, match: UriMatch): DealerRegistration | undefined;
  match(procedure: string): DealerRegistration | undefined;
}

interface Registration {
  readonly id: number;
  readonly procedure: string;
  readonly match: UriMatch;
  readonly created: string;
  readonly list: CalleeList<RouterPeer>;
  forwardTimeout: boolean;
  /** Callees whose calls must pass a pattern guard; null (the usual case) when none. */
  guards: Map<RouterPeer, UriGuard> | null;
}

function view(reg: Registration): DealerRegistration {
  return { id: reg.id, procedure: reg.procedure, match: reg.match, invoke: reg.list.policy, created: reg.created, callees: reg.list.callees };
}

function callError(inv: Invocation, error: string, message: string): ErrorMessage {
  return errorMessage(MessageType.CALL, inv.callRequest, {}, error, [message]);
}

/** The answer a caller gets when its call's arguments could not be encoded for the callee. */
const UNDELIVERABLE_CALL = 'the call could not be encoded for the callee';

export class LocalDealer implements Dealer {
  readonly #ids: IdSource;
  readonly #index = new UriIndex<Registration>({ prefixBoundary: 'component' });
  readonly #byId = new Map<number, Registration>();
  readonly #ofPeer = new Map<RouterPeer, Set<number>>();
  readonly #calls = new CallTable();
  readonly #limits: SessionLimits;
  /** Whether a callee can take one more invocation (maxPendingInvocations); made once, not per call. */
  readonly #canTake: (callee: RouterPeer) => boolean;
  /** Calls waiting for a dynamic authorizer's verdict on a guarded callee, per caller. */
  readonly #waiting = new Map<RouterPeer, Set<object>>();

  constructor(ids: IdSource, limits: SessionLimits = DEFAULT_SESSION_LIMITS) {
    this.#ids = ids;
    this.#limits = limits;
    this.#canTake = (callee) => this.#calls.invocationsOf(callee) < limits.maxPendingInvocations;
  }

  register(peer: RouterPeer, procedure: string, match: string, invoke: string, options: RegisterOptions = {}): RegisterOutcome {
    if (!isMatchPolicy(match)) return { ok: false, error: ErrorUri.INVALID_ARGUMENT, message: `match policy '${match}' is not supported` };
    if (!isInvokePolicy(invoke)) return { ok: false, error: ErrorUri.INVALID_ARGUMENT, message: `invocation policy '${invoke}' is not supported` };
    let reg = this.#index.get(procedure, match);
    const held = this.#ofPeer.get(peer);
    if (held !== undefined && held.size >= this.#limits.maxRegistrations && (reg === undefined || !held.has(reg.id))) {
      return { ok: false, error: LimitErrorUri.MAX_REGISTRATIONS, message: `this session already holds ${held.size} registrations (limit maxRegistrations)` };
    }
    let revoked: Unregistered[] = [];
    if (reg !== undefined && options.force === true && !reg.list.has(peer)) {
      revoked = this.revoke(reg.id, 'wamp.reason.reregistered');
      reg = undefined;
    }
    let created = false;
    if (reg !== undefined) {
      const r = reg.list.add(peer, invoke);
      if (!r.ok) return { ok: false, error: r.error, message: r.message };
    } else {
      reg = { id: this.#ids.routerId(), procedure, match, created: new Date().toISOString(), list: new CalleeList(invoke), forwardTimeout: options.forwardTimeout === true, guards: null };
      reg.list.add(peer);
      this.#index.set(procedure, match, reg);
      this.#byId.set(reg.id, reg);
      created = true;
    }
    if (options.guard !== undefined) (reg.guards ??= new Map()).set(peer, options.guard);
    let mine = this.#ofPeer.get(peer);
    if (mine === undefined) this.#ofPeer.set(peer, (mine = new Set()));
    mine.add(reg.id);
    return { ok: true, registration: view(reg), created, revoked };
  }

  unregister(peer: RouterPeer, registrationId: number): Unregistered | null {
    const reg = this.#byId.get(registrationId);
    if (reg === undefined || !reg.list.has(peer)) return null;
    this.#ofPeer.get(peer)?.delete(registrationId);
    return this.#removeCallee(reg, peer);
  }

  call(caller: RouterPeer, call: CallRequest): void | Promise<void> {
    const progress = call.options['progress'] === true;
    const ongoing = this.#calls.byCall(caller, call.request);
    if (ongoing !== undefined) {
      // A CALL continuing a progressive call goes to the callee that got the first one; any
      // other CALL reusing a request ID in flight is discarded, as the spec requires.
      if (ongoing.progressIn && !ongoing.canceled) this.#continueCall(ongoing, call, progress);
      return;
    }
    return this.#route(caller, call, progress, true);
  }

  /** A new CALL: picks the callee (through guards where the best registration has any) and invokes it. */
  #route(caller: RouterPeer, call: CallRequest, progress: boolean, mayWait: boolean): void | Promise<void> {
    if (this.#calls.callsOf(caller) >= this.#limits.maxPendingCalls) {
      caller.send(errorMessage(MessageType.CALL, call.request, {}, LimitErrorUri.MAX_PENDING_CALLS,
        [`this session already has ${this.#limits.maxPendingCalls} calls pending (limit maxPendingCalls)`]));
      return;
    }
    let found = this.#index.best(call.procedure)?.value;
    let callee: RouterPeer | undefined;
    if (found !== undefined && found.guards !== null) {
      const choice = chooseCallee(this.#index.matches(call.procedure).map((e) => e.value), call.procedure, this.#canTake, mayWait);
      if (choice.kind === 'wait') return this.#afterVerdicts(caller, choice.answers, () => this.#route(caller, call, progress, false));
      found = choice.kind === 'none' ? undefined : choice.registration;
      callee = choice.kind === 'callee' ? choice.callee : undefined;
    } else {
      // Picked as usual; only a callee at its limit makes the policy look for another one.
      callee = found?.list.pick();
      if (callee !== undefined && !this.#canTake(callee)) callee = found!.list.pick(this.#canTake);
    }
    if (found === undefined || callee === undefined) {
      const busy = found !== undefined && found.list.size > 0;
      caller.send(busy
        ? errorMessage(MessageType.CALL, call.request, {}, LimitErrorUri.MAX_CONCURRENCY,
          [`every callee of '${call.procedure}' has ${this.#limits.maxPendingInvocations} invocations pending (limit maxPendingInvocations)`])
        : errorMessage(MessageType.CALL, call.request, {}, ErrorUri.NO_SUCH_PROCEDURE, [`no callee registered for procedure '${call.procedure}'`]));
      return;
    }
    if (progress && !(callee.hasFeature('callee', 'progressive_call_invocations') && callee.hasFeature('callee', 'call_canceling'))) {
      caller.send(errorMessage(MessageType.CALL, call.request, {}, ErrorUri.FEATURE_NOT_SUPPORTED, ['the callee does not support progressive call invocations']));
      return;
    }
    const passthru = passthruKeys(call.options);
    if (passthru !== undefined && !supportsPassthru(callee, 'callee')) {
      caller.send(errorMessage(MessageType.CALL, call.request, {}, ErrorUri.FEATURE_NOT_SUPPORTED, ['the callee does not support payload passthru mode']));
      return;
    }
    const invocationRequest = callee.nextRequestId();
    const receiveProgress = call.options['receive_progress'] === true && callee.hasFeature('callee', 'progressive_call_results');
    const inv: Invocation = {
      caller, callRequest: call.request, callee, invocationRequest, registrationId: found.id,
      receiveProgress, progressIn: progress, canceled: false, timer: null,
    };
    this.#calls.add(inv);
    const details: InvocationDetailsDict = passthru ?? {};
    if (found.match !== 'exact') details.procedure = call.procedure;
    if (receiveProgress) details.receive_progress = true;
    if (progress) details.progress = true;
    if (call.options['disclose_me'] === true || call.discloseCaller === true) {
      details.caller = caller.sessionId;
      details.caller_authid = caller.authid;
      details.caller_authrole = caller.authrole;
    }
    const timeout = call.options['timeout'];
    const forward = typeof timeout === 'number' && Number.isInteger(timeout) && timeout > 0 && found.forwardTimeout && callee.hasFeature('callee', 'call_timeout');
    if (forward) details.timeout = timeout;
    if (!callee.send(withPayload(invocationMessage(invocationRequest, found.id, details, call.args, call.kwargs), call.payload))) {
      this.#calls.forget(inv);
      caller.send(callError(inv, ErrorUri.INVALID_PAYLOAD, UNDELIVERABLE_CALL));
      return;
    }
    // Chained: a timeout above 2^31-1 ms would fire after 1 ms as one setTimeout.
    if (!forward && typeof timeout === 'number' && Number.isInteger(timeout) && timeout > 0) inv.timer = setLongTimeout(() => this.#timedOut(inv), timeout);
  }

  /** Runs `then` once the verdicts are in, unless the caller left meanwhile. */
  async #afterVerdicts(caller: RouterPeer, answers: Promise<unknown>, then: () => void | Promise<void>): Promise<void> {
    const token = {};
    let mine = this.#waiting.get(caller);
    if (mine === undefined) this.#waiting.set(caller, (mine = new Set()));
    mine.add(token);
    await answers;
    if (this.#waiting.get(caller)?.delete(token) !== true) return;
    if (mine.size === 0) this.#waiting.delete(caller);
    await then();
  }

  hasCall(caller: RouterPeer, request: number): boolean {
    return this.#calls.byCall(caller, request) !== undefined;
  }

  cancel(caller: RouterPeer, request: number, mode: string): void {
    const inv = this.#calls.byCall(caller, request);
    // A CANCEL for a call already answered crossed the RESULT on the wire: nothing to do.
    if (inv === undefined || inv.canceled) return;
    const interruptible = inv.callee.hasFeature('callee', 'call_canceling');
    const effective = mode === 'kill' && !interruptible ? 'skip' : mode;
    if (effective !== 'skip' && interruptible) {
      inv.callee.send(interruptMessage(inv.invocationRequest, { mode: effective === 'killnowait' ? 'killnowait' : 'kill' }));
    }
    if (effective === 'kill') {
      inv.canceled = true;
      return;
    }
    this.#calls.forget(inv);
    caller.send(callError(inv, ErrorUri.CANCELED, 'call canceled by caller'));
  }

  yield(callee: RouterPeer, reply: YieldRequest): boolean {
    const inv = this.#calls.byInvocation(callee, reply.request);
    // A YIELD after a skip/killnowait cancel or a timeout finds nothing: dropped.
    if (inv === undefined) return false;
    const progress = reply.options['progress'] === true;
    if (inv.canceled) {
      if (progress) return true;
      this.#calls.forget(inv);
      inv.caller.send(callError(inv, ErrorUri.CANCELED, 'call canceled by caller'));
      return true;
    }
    const passthru = passthruKeys(reply.options);
    if (passthru !== undefined && !supportsPassthru(inv.caller, 'caller')) {
      // The caller could not read it: it gets the error, and the callee stops (passthru.ts).
      this.#calls.forget(inv);
      if (progress) this.#stopCallee(inv, 'killnowait');
      inv.caller.send(callError(inv, ErrorUri.FEATURE_NOT_SUPPORTED, 'the callee answered in payload passthru mode, which the caller does not support'));
      return true;
    }
    if (progress) {
      // A progressive YIELD for a caller that did not ask for progress is dropped, as
      // Crossbar does, rather than ending the call early. One the caller cannot receive ends
      // the call: the caller got ERROR invalid_payload instead (outbound.ts); the callee stops.
      const result = withPayload(resultMessage(inv.callRequest, passthru === undefined ? { progress: true } : { ...passthru, progress: true }, reply.args, reply.kwargs), reply.payload);
      if (inv.receiveProgress && !inv.caller.send(result)) {
        this.#calls.forget(inv);
        this.#stopCallee(inv, 'killnowait');
      }
      return true;
    }
    this.#calls.forget(inv);
    // A result the caller cannot receive reaches it as ERROR invalid_payload (outbound.ts).
    inv.caller.send(withPayload(resultMessage(inv.callRequest, passthru ?? {}, reply.args, reply.kwargs), reply.payload));
    return true;
  }

  invocationError(callee: RouterPeer, reply: InvocationErrorRequest): boolean {
    const inv = this.#calls.byInvocation(callee, reply.request);
    if (inv === undefined) return false;
    this.#calls.forget(inv);
    const error = inv.canceled ? ErrorUri.CANCELED : reply.error;
    const passthru = passthruKeys(reply.details);
    if (passthru !== undefined && !supportsPassthru(inv.caller, 'caller')) {
      inv.caller.send(callError(inv, ErrorUri.FEATURE_NOT_SUPPORTED, 'the callee answered in payload passthru mode, which the caller does not support'));
      return true;
    }
    inv.caller.send(withPayload(errorMessage(MessageType.CALL, inv.callRequest, passthru ?? {}, error, reply.args, reply.kwargs), reply.payload));
    return true;
  }

  revoke(registrationId: number, reason: string, session?: number): Unregistered[] {
    const reg = this.#byId.get(registrationId);
    if (reg === undefined) return [];
    const victims = reg.list.callees.filter((c) => session === undefined || c.sessionId === session);
    const out: Unregistered[] = [];
    for (const callee of victims) {
      this.#ofPeer.get(callee)?.delete(reg.id);
      out.push(this.#removeCallee(reg, callee));
      // Spec: a callee that did not announce registration_revocation must not get UNREGISTERED.
      if (callee.hasFeature('callee', 'registration_revocation')) callee.send(unregisteredMessage(0, { registration: reg.id, reason }));
    }
    return out;
  }

  detach(peer: RouterPeer): Unregistered[] {
    this.#waiting.delete(peer);
    const out: Unregistered[] = [];
    const mine = this.#ofPeer.get(peer);
    if (mine !== undefined) {
      this.#ofPeer.delete(peer);
      for (const id of mine) {
        const reg = this.#byId.get(id);
        if (reg !== undefined) out.push(this.#removeCallee(reg, peer));
      }
    }
    // Calls this session made: the callee's answer has nobody to go to; tell the callee if it can hear it.
    for (const inv of this.#calls.takeCalls(peer)) {
      if (inv.callee !== peer) this.#stopCallee(inv, 'killnowait');
    }
    // Invocations this session was serving: their callers get ERROR canceled (basic profile, callee leaving).
    for (const inv of this.#calls.takeInvocations(peer)) {
      if (inv.caller !== peer) inv.caller.send(callError(inv, ErrorUri.CANCELED, 'callee left before answering the call'));
    }
    return out;
  }

  registrationCount(): number {
    return this.#byId.size;
  }

  *registrations(): Iterable<DealerRegistration> {
    for (const reg of this.#byId.values()) yield view(reg);
  }

  registration(id: number): DealerRegistration | undefined {
    const reg = this.#byId.get(id);
    return reg === undefined ? undefined : view(reg);
  }

  lookup(procedure: string, match: UriMatch): DealerRegistration | undefined {
    const reg = this.#index.get(procedure, match);
    return reg === undefined ? undefined : view(reg);
  }

  match(procedure: string): DealerRegistration | undefined {
    const reg = this.#index.best(procedure)?.value;
    return reg === undefined ? undefined : view(reg);
  }

  #continueCall(inv: Invocation, call: CallRequest, progress: boolean): void {
    inv.progressIn = progress;
    const details: InvocationDetailsDict = passthruKeys(call.options) ?? {};
    if (progress) details.progress = true;
    if (inv.callee.send(withPayload(invocationMessage(inv.invocationRequest, inv.registrationId, details, call.args, call.kwargs), call.payload))) return;
    // A chunk the callee cannot receive ends the call: it must not wait for the rest.
    this.#calls.forget(inv);
    this.#stopCallee(inv, 'killnowait');
    inv.caller.send(callError(inv, ErrorUri.INVALID_PAYLOAD, UNDELIVERABLE_CALL));
  }

  /** Interrupts the callee of a call the dealer has given up, if it can hear INTERRUPT. */
  #stopCallee(inv: Invocation, mode: 'kill' | 'killnowait', reason?: string): void {
    if (!inv.callee.hasFeature('callee', 'call_canceling')) return;
    inv.callee.send(interruptMessage(inv.invocationRequest, reason === undefined ? { mode } : { mode, reason }));
  }

  /** Dealer-initiated timeout: killnowait for a callee that can be interrupted, else skip. */
  #timedOut(inv: Invocation): void {
    inv.timer = null;
    if (this.#calls.byCall(inv.caller, inv.callRequest) !== inv) return;
    this.#calls.forget(inv);
    this.#stopCallee(inv, 'killnowait', ErrorUri.TIMEOUT);
    inv.caller.send(callError(inv, ErrorUri.TIMEOUT, 'the call timed out'));
  }

  #removeCallee(reg: Registration, peer: RouterPeer): Unregistered {
    reg.list.remove(peer);
    if (reg.guards !== null && reg.guards.delete(peer) && reg.guards.size === 0) reg.guards = null;
    const deleted = reg.list.size === 0;
    if (deleted) {
      this.#byId.delete(reg.id);
      this.#index.delete(reg.procedure, reg.match);
    }
    return { session: peer.sessionId, id: reg.id, deleted };
  }
}
