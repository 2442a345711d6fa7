/**
 * Shared registrations: the callees of one registration and the invocation policy that picks
 * one of them per call (single, roundrobin, random, first, last).
 *
 * The first REGISTER fixes the policy. With 'single' nobody else may join; with any other
 * policy, a later REGISTER must name the same policy. Callees are kept in registration order,
 * which 'first', 'last' and 'roundrobin' are defined over. Round robin keeps a cursor that
 * survives callees leaving (the callee after the one that left is next), so a departure does
 * not make one callee take two calls in a row.
 */
import { ErrorUri } from '../wamp/uris.js';

export const InvokePolicy = {
  SINGLE: 'single',
  ROUNDROBIN: 'roundrobin',
  RANDOM: 'random',
  FIRST: 'first',
  LAST: 'last',
} as const;
export type InvokePolicy = (typeof InvokePolicy)[keyof typeof InvokePolicy];

const POLICIES: ReadonlySet<string> = new Set(Object.values(InvokePolicy));

/** True when `value` names one of the spec's invocation policies. */
export function isInvokePolicy(value: unknown): value is InvokePolicy {
  return typeof value === 'string' && POLICIES.has(value);
}

/**
 * Error URIs a REGISTER joining a shared registration is refused with. The policy conflict URI
 * is not in the spec's URI list; Autobahn, Crossbar and Bondy use it, so clients know it.
 */
export const SharedRegistrationError = {
  ALREADY_EXISTS: ErrorUri.PROCEDURE_ALREADY_EXISTS,
  POLICY_CONFLICT: 'wamp.error.procedure_exists_with_different_invocation_policy',
  INVALID_POLICY: ErrorUri.INVALID_ARGUMENT,
} as const;
export type SharedRegistrationError = (typeof SharedRegistrationError)[keyof typeof SharedRegistrationError];

export type AdmitOutcome = { ok: true } | { ok: false; error: SharedRegistrationError; message: string };

/** A source of numbers in [0, 1), replaceable so tests of 'random' are deterministic. */
export type RandomSource = () => number;

type Picker = <C>(list: CalleeList<C>, eligible: ((callee: C) => boolean) | undefined) => C | undefined;

export class CalleeList<C> {
  readonly policy: InvokePolicy;
  readonly #callees: C[] = [];
  readonly #random: RandomSource;
  /** Index of the callee round robin tries next. */
  #cursor = 0;

  constructor(policy: InvokePolicy, random: RandomSource = Math.random) {
    if (!isInvokePolicy(policy)) throw new TypeError(`invocation policy must be one of ${[...POLICIES].join(', ')}, got ${JSON.stringify(policy)}`);
    this.policy = policy;
    this.#random = random;
  }

  get size(): number {
    return this.#callees.length;
  }

  /** The callees in registration order. */
  get callees(): readonly C[] {
    return this.#callees;
  }

  has(callee: C): boolean {
    return this.#callees.includes(callee);
  }

  /** Whether `callee` may join with `policy` (the value of its REGISTER.Options.invoke). */
  admits(callee: C, policy: unknown): AdmitOutcome {
    if (!isInvokePolicy(policy)) {
      return { ok: false, error: SharedRegistrationError.INVALID_POLICY, message: `unknown invocation policy ${JSON.stringify(policy)}` };
    }
    if (this.#callees.length === 0) return { ok: true };
    if (this.#callees.includes(callee)) {
      return { ok: false, error: SharedRegistrationError.ALREADY_EXISTS, message: 'this session already registered the procedure' };
    }
    if (this.policy === InvokePolicy.SINGLE) {
      return { ok: false, error: SharedRegistrationError.ALREADY_EXISTS, message: 'the procedure is registered with invocation policy single' };
    }
    if (policy !== this.policy) {
      return {
        ok: false,
        error: SharedRegistrationError.POLICY_CONFLICT,
        message: `the procedure is registered with invocation policy ${this.policy}, not ${policy}`,
      };
    }
    return { ok: true };
  }

  /** Adds `callee` after checking `admits`; returns that check's outcome. */
  add(callee: C, policy: unknown = this.policy): AdmitOutcome {
    const outcome = this.admits(callee, policy);
    if (outcome.ok) this.#callees.push(callee);
    return outcome;
  }

  /** Removes `callee`; false when it was not on the list. */
  remove(callee: C): boolean {
    const at = this.#callees.indexOf(callee);
    if (at < 0) return false;
    this.#callees.splice(at, 1);
    // Keep the cursor on the same next callee: entries after `at` moved one place left.
    if (at < this.#cursor) this.#cursor--;
    if (this.#cursor >= this.#callees.length) this.#cursor = 0;
    return true;
  }

  /**
   * The callee the next call goes to, or undefined when none is eligible. `eligible` lets the
   * dealer skip callees that cannot take a call now (a concurrency limit reached); 'first' and
   * 'last' then fall back along the list, the hot stand-by behaviour.
   */
  pick(eligible?: (callee: C) => boolean): C | undefined {
    if (this.#callees.length === 0) return undefined;
    return CalleeList.#PICKERS[this.policy](this, eligible);
  }

  /** Dispatch by policy. 'single' has one callee, so 'first' serves it. */
  static readonly #PICKERS: Readonly<Record<InvokePolicy, Picker>> = {
    single: (list, eligible) => CalleeList.#pickFirst(list, eligible),
    first: (list, eligible) => CalleeList.#pickFirst(list, eligible),
    last: (list, eligible) => CalleeList.#pickLast(list, eligible),
    roundrobin: (list, eligible) => CalleeList.#pickRoundRobin(list, eligible),
    random: (list, eligible) => CalleeList.#pickRandom(list, eligible),
  };

  static #pickFirst<C>(list: CalleeList<C>, eligible: ((callee: C) => boolean) | undefined): C | undefined {
    return eligible === undefined ? list.#callees[0] : list.#callees.find(eligible);
  }

  static #pickLast<C>(list: CalleeList<C>, eligible: ((callee: C) => boolean) | undefined): C | undefined {
    return eligible === undefined ? list.#callees.at(-1) : list.#callees.findLast(eligible);
  }

  static #pickRoundRobin<C>(list: CalleeList<C>, eligible: ((callee: C) => boolean) | undefined): C | undefined {
    const callees = list.#callees;
    for (let tried = 0; tried < callees.length; tried++) {
      const at = (list.#cursor + tried) % callees.length;
      const callee = callees[at]!;
      if (eligible === undefined || eligible(callee)) {
        list.#cursor = (at + 1) % callees.length;
        return callee;
      }
    }
    return undefined;
  }

  static #pickRandom<C>(list: CalleeList<C>, eligible: ((callee: C) => boolean) | undefined): C | undefined {
    const pool = eligible === undefined ? list.#callees : list.#callees.filter(eligible);
    if (pool.length === 0) return undefined;
    const at = Math.min(pool.length - 1, Math.floor(list.#random() * pool.length));
    return pool[at];
  }
}
