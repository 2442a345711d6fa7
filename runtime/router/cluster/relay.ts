/**
 * Invocations relayed to this node's callees for callers on other nodes. The caller's node picks
 * the INVOCATION's request ID from its own sequence for that callee (RemotePeer.nextRequestId),
 * so two nodes calling one callee would collide; the callee's node therefore gives each relayed
 * invocation an ID from the callee session's own sequence and maps the callee's YIELD, ERROR
 * (and the caller's INTERRUPT) between the two.
 *
 * An entry lives until the callee's final YIELD or ERROR, an INTERRUPT `killnowait` (the
 * caller's node has forgotten the call: a late answer is dropped, as on one router), the
 * callee leaving, or the caller's node dying (its callers are gone: the callee is interrupted).
 */
import type { RouterPeer } from '../peer.js';

export interface Relayed {
  readonly node: string;
  readonly incarnation: string;
  /** The request ID the caller's node knows the invocation by. */
  readonly remote: number;
  /** The request ID the callee got. */
  readonly local: number;
}

interface CalleeRelays {
  readonly byLocal: Map<number, Relayed>;
  /** `${node}/${remote}` -> local */
  readonly byRemote: Map<string, number>;
}

export class InvocationRelay {
  readonly #callees = new Map<RouterPeer, CalleeRelays>();

  /** The callee's request ID for an invocation from `node` (a new one for a new invocation, the same for a progressive one's next chunk). */
  localFor(callee: RouterPeer, node: string, incarnation: string, remote: number): number {
    let relays = this.#callees.get(callee);
    if (relays === undefined) this.#callees.set(callee, (relays = { byLocal: new Map(), byRemote: new Map() }));
    const key = `${node}/${remote}`;
    const known = relays.byRemote.get(key);
    if (known !== undefined) return known;
    const local = callee.nextRequestId();
    relays.byRemote.set(key, local);
    relays.byLocal.set(local, { node, incarnation, remote, local });
    return local;
  }

  /** The callee's request ID for an INTERRUPT from `node`, if the invocation is still relayed; `forget` ends the entry. */
  interrupted(callee: RouterPeer, node: string, remote: number, forget: boolean): number | undefined {
    const relays = this.#callees.get(callee);
    const local = relays?.byRemote.get(`${node}/${remote}`);
    if (relays === undefined || local === undefined) return undefined;
    if (forget) this.#forget(callee, relays, local);
    return local;
  }

  /** Whether the callee's answer with this request ID belongs to a relayed invocation. */
  isRelayed(callee: RouterPeer, local: number): boolean {
    return this.#callees.get(callee)?.byLocal.has(local) === true;
  }

  /** Where the callee's answer goes; `final` ends the entry. */
  answer(callee: RouterPeer, local: number, final: boolean): Relayed | undefined {
    const relays = this.#callees.get(callee);
    const relayed = relays?.byLocal.get(local);
    if (relays === undefined || relayed === undefined) return undefined;
    if (final) this.#forget(callee, relays, local);
    return relayed;
  }

  /** Forgets one invocation (it could not be delivered). */
  drop(callee: RouterPeer, local: number): void {
    const relays = this.#callees.get(callee);
    if (relays !== undefined) this.#forget(callee, relays, local);
  }

  /** Forgets a callee that left: its callers' nodes learn that from its departure. */
  dropCallee(callee: RouterPeer): void {
    this.#callees.delete(callee);
  }

  /** Forgets every invocation from a dead node's incarnation; returns them, to interrupt. */
  dropNode(node: string, incarnation: string): Array<{ callee: RouterPeer; local: number }> {
    const out: Array<{ callee: RouterPeer; local: number }> = [];
    for (const [callee, relays] of this.#callees) {
      for (const r of [...relays.byLocal.values()]) {
        if (r.node !== node || r.incarnation !== incarnation) continue;
        out.push({ callee, local: r.local });
        this.#forget(callee, relays, r.local);
      }
    }
    return out;
  }

  get size(): number {
    let n = 0;
    for (const relays of this.#callees.values()) n += relays.byLocal.size;
    return n;
  }

  #forget(callee: RouterPeer, relays: CalleeRelays, local: number): void {
    const r = relays.byLocal.get(local);
    if (r === undefined) return;
    relays.byLocal.delete(local);
    relays.byRemote.delete(`${r.node}/${r.remote}`);
    if (relays.byLocal.size === 0) this.#callees.delete(callee);
  }
}
