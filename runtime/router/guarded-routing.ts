/**
 * Call routing when the best registration for a procedure has guarded callees (pattern-guard.ts):
 * a callee whose role may not register the procedure must not receive calls to it through a
 * pattern registration. For that callee the registration does not cover the procedure, so
 * routing goes on as if it were not there: another callee of the same registration (by its
 * invocation policy), else the next registration in precedence order (exact, longest prefix,
 * most specific wildcard), else no_such_procedure.
 *
 * Only reached when the best match is guarded; every other call takes the dealer's direct path.
 */
import type { RouterPeer } from './peer.js';
import type { CalleeList } from './invoke-policy.js';
import type { UriGuard } from './pattern-guard.js';

export interface GuardedRegistration {
  readonly list: CalleeList<RouterPeer>;
  /** Callees whose calls must pass a pattern guard; null when none. */
  readonly guards: ReadonlyMap<RouterPeer, UriGuard> | null;
}

export type CalleeChoice<R> =
  | { readonly kind: 'callee'; readonly registration: R; readonly callee: RouterPeer }
  /** A registration covers the procedure for some callee, but each is at its invocation limit. */
  | { readonly kind: 'busy'; readonly registration: R }
  | { readonly kind: 'none' }
  /** A dynamic authorizer is being asked about a callee: choose again once this settles. */
  | { readonly kind: 'wait'; readonly answers: Promise<unknown> };

/**
 * The first registration (in precedence order) with a callee allowed `procedure`, and the
 * callee its policy picks among those allowed and able to take one more call. With `mayWait`
 * false, an unanswered guard counts as a denial (the second pass, after waiting once).
 */
export function chooseCallee<R extends GuardedRegistration>(
  candidates: readonly R[],
  procedure: string,
  canTake: (callee: RouterPeer) => boolean,
  mayWait: boolean,
): CalleeChoice<R> {
  const waiting: Array<Promise<boolean>> = [];
  for (const reg of candidates) {
    if (reg.list.size === 0) continue;
    const guards = reg.guards;
    let allowed: ReadonlySet<RouterPeer> | null = null;
    if (guards !== null) {
      allowed = new Set(reg.list.callees.filter((callee) => {
        const verdict = guards.get(callee)?.(procedure) ?? true;
        if (typeof verdict === 'boolean') return verdict;
        waiting.push(verdict);
        return false;
      }));
      if (waiting.length > 0 && mayWait) return { kind: 'wait', answers: Promise.allSettled(waiting) };
      if (allowed.size === 0) continue;
    }
    const admitted = allowed === null ? undefined : (callee: RouterPeer) => allowed.has(callee);
    let callee = reg.list.pick(admitted);
    if (callee !== undefined && !canTake(callee)) callee = reg.list.pick((c) => (admitted === undefined || admitted(c)) && canTake(c));
    return callee === undefined ? { kind: 'busy', registration: reg } : { kind: 'callee', registration: reg, callee };
  }
  return { kind: 'none' };
}
