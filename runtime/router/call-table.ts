/**
 * The calls in flight of one dealer. Each is one `Invocation`, indexed by (caller,
 * CALL.Request) and by (callee, INVOCATION.Request), so RESULT routing, cancel, progressive
 * CALL continuations and the cleanup after either side leaves are lookups, not scans.
 */
import type { RouterPeer } from './peer.js';
import type { LongTimeout } from '../long-timeout.js';

export interface Invocation {
  readonly caller: RouterPeer;
  readonly callRequest: number;
  readonly callee: RouterPeer;
  readonly invocationRequest: number;
  readonly registrationId: number;
  readonly receiveProgress: boolean;
  /** The caller is still sending progressive CALLs (progressive call invocations). */
  progressIn: boolean;
  /** Set by a 'kill' cancel: the caller gets ERROR canceled when the callee answers. */
  canceled: boolean;
  /** The dealer's call timeout timer, if CALL.Options.timeout asked for one. */
  timer: LongTimeout | null;
}

export class CallTable {
  readonly #calls = new Map<RouterPeer, Map<number, Invocation>>();
  readonly #invocations = new Map<RouterPeer, Map<number, Invocation>>();

  add(inv: Invocation): void {
    CallTable.#of(this.#calls, inv.caller).set(inv.callRequest, inv);
    CallTable.#of(this.#invocations, inv.callee).set(inv.invocationRequest, inv);
  }

  byCall(caller: RouterPeer, request: number): Invocation | undefined {
    return this.#calls.get(caller)?.get(request);
  }

  byInvocation(callee: RouterPeer, request: number): Invocation | undefined {
    return this.#invocations.get(callee)?.get(request);
  }

  /** Calls `caller` has in flight (the per-session maxPendingCalls limit). */
  callsOf(caller: RouterPeer): number {
    return this.#calls.get(caller)?.size ?? 0;
  }

  /** Invocations in flight at `callee` (the per-session maxPendingInvocations limit). */
  invocationsOf(callee: RouterPeer): number {
    return this.#invocations.get(callee)?.size ?? 0;
  }

  /** Removes a settled call and stops its timer. */
  forget(inv: Invocation): void {
    inv.timer?.clear();
    inv.timer = null;
    this.#calls.get(inv.caller)?.delete(inv.callRequest);
    this.#invocations.get(inv.callee)?.delete(inv.invocationRequest);
  }

  /** Removes and returns every call `peer` made. */
  takeCalls(peer: RouterPeer): Invocation[] {
    const calls = this.#calls.get(peer);
    this.#calls.delete(peer);
    const out = calls === undefined ? [] : [...calls.values()];
    for (const inv of out) this.forget(inv);
    return out;
  }

  /** Removes and returns every invocation `peer` was serving. */
  takeInvocations(peer: RouterPeer): Invocation[] {
    const invocations = this.#invocations.get(peer);
    this.#invocations.delete(peer);
    const out = invocations === undefined ? [] : [...invocations.values()];
    for (const inv of out) this.forget(inv);
    return out;
  }

  static #of(table: Map<RouterPeer, Map<number, Invocation>>, peer: RouterPeer): Map<number, Invocation> {
    let map = table.get(peer);
    if (map === undefined) table.set(peer, (map = new Map()));
    return map;
  }
}
