/**
 * WAMP IDs: integers in 1..2^53 (basic profile "IDs" section), and generators for the three
 * scopes. 2^53 itself is a valid ID although it is not a "safe" integer in JavaScript: it is
 * exactly representable, the spec includes it, and so do we.
 */

/** The largest ID, 2^53 (9007199254740992). */
export const MAX_ID = 2 ** 53;
/** The smallest ID. Zero is never an ID (except UNSUBSCRIBED/UNREGISTERED revocation, see messages). */
export const MIN_ID = 1;

export function isValidId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= MIN_ID && value <= MAX_ID;
}

const POOL_WORDS = 512;
const TWO_32 = 2 ** 32;

/**
 * Global scope (sessions, publications): drawn uniformly at random over [1, 2^53], as the spec
 * requires. Random words are fetched from the platform CSPRNG in batches, because one
 * `getRandomValues` call per publication is measurably slower on hot paths.
 */
export class GlobalIdGenerator {
  #pool = new Uint32Array(POOL_WORDS);
  #next = POOL_WORDS;

  next(): number {
    if (this.#next + 2 > POOL_WORDS) {
      globalThis.crypto.getRandomValues(this.#pool);
      this.#next = 0;
    }
    // 21 high bits + 32 low bits = uniform over [0, 2^53); shift by one into [1, 2^53].
    const hi = (this.#pool[this.#next++] as number) & 0x1fffff;
    const lo = this.#pool[this.#next++] as number;
    return hi * TWO_32 + lo + 1;
  }
}

/**
 * Session scope (request IDs): 1, 2, 3, ... wrapping to 1 after 2^53, one generator per direction.
 */
export class SessionIdGenerator {
  #last: number;
  /** What `#last` was before the latest `next()`, for `giveBack`. */
  #before: number;

  /** `last`: the ID to continue after (0: start at 1). */
  constructor(last = 0) {
    this.#last = last;
    this.#before = last;
  }

  next(): number {
    this.#before = this.#last;
    this.#last = this.peek();
    return this.#last;
  }

  /** The ID `next()` will hand out, without using it. */
  peek(): number {
    return this.#last >= MAX_ID ? MIN_ID : this.#last + 1;
  }

  /** Takes back the last ID handed out (its message was never sent); any other ID is ignored. */
  giveBack(id: number): void {
    if (id === this.#last) this.#last = this.#before;
  }

  /** The last ID handed out (0 before the first). */
  get last(): number {
    return this.#last;
  }
}

/**
 * Router scope (subscriptions, registrations): the router may choose freely. We count up like
 * the session scope but skip IDs the caller reports as still in use, so a wrap never reuses a
 * live subscription or registration.
 */
export class RouterIdGenerator {
  #last = 0;

  next(inUse?: (id: number) => boolean): number {
    // Bounded: after MAX_ID attempts every ID would be in use, which cannot happen in memory.
    for (let attempts = 0; attempts < MAX_ID; attempts++) {
      this.#last = this.#last >= MAX_ID ? MIN_ID : this.#last + 1;
      if (inUse === undefined || !inUse(this.#last)) return this.#last;
    }
    throw new RangeError('no free router-scope ID');
  }
}

/** One-off global-scope ID from a shared generator. */
const shared = new GlobalIdGenerator();
export function randomGlobalId(): number {
  return shared.next();
}
