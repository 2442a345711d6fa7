/**
 * Session testaments: events a session leaves with the router, published when it goes away
 * (`wamp.session.add_testament`, `wamp.session.flush_testaments`).
 *
 * Two buckets per session, `detached` and `destroyed`, kept apart even though this router has no
 * session resumption (the spec requires that so flush_testaments works per scope). On leave,
 * `take` hands back detached testaments first, then destroyed ones, each in the order added,
 * and forgets them. Bounded per session so a client cannot park unlimited data on the router.
 */
export const TestamentScope = {
  DETACHED: 'detached',
  DESTROYED: 'destroyed',
} as const;
export type TestamentScope = (typeof TestamentScope)[keyof typeof TestamentScope];

export function isTestamentScope(value: unknown): value is TestamentScope {
  return value === TestamentScope.DETACHED || value === TestamentScope.DESTROYED;
}

export interface Testament {
  readonly topic: string;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
  /** PUBLISH.Options to publish with; the glue ignores ones without meaning here (acknowledge). */
  readonly options: Readonly<Record<string, unknown>>;
}

interface Buckets {
  detached: Testament[];
  destroyed: Testament[];
}

export class TestamentStore {
  readonly #sessions = new Map<number, Buckets>();
  readonly #maxPerSession: number;

  constructor(maxPerSession = 64) {
    if (!(Number.isInteger(maxPerSession) && maxPerSession > 0)) {
      throw new RangeError(`maxPerSession must be a positive integer, got ${JSON.stringify(maxPerSession)}`);
    }
    this.#maxPerSession = maxPerSession;
  }

  /** Adds a testament; false when the session already holds the maximum. */
  add(sessionId: number, scope: TestamentScope, testament: Testament): boolean {
    let buckets = this.#sessions.get(sessionId);
    if (buckets === undefined) this.#sessions.set(sessionId, (buckets = { detached: [], destroyed: [] }));
    if (buckets.detached.length + buckets.destroyed.length >= this.#maxPerSession) return false;
    buckets[scope].push(testament);
    return true;
  }

  /** Removes a session's testaments of one scope; returns how many there were. */
  flush(sessionId: number, scope: TestamentScope): number {
    const buckets = this.#sessions.get(sessionId);
    if (buckets === undefined) return 0;
    const n = buckets[scope].length;
    buckets[scope] = [];
    if (buckets.detached.length === 0 && buckets.destroyed.length === 0) this.#sessions.delete(sessionId);
    return n;
  }

  /** The testaments to publish for a session that left (detached, then destroyed), forgetting them. */
  take(sessionId: number): Testament[] {
    const buckets = this.#sessions.get(sessionId);
    if (buckets === undefined) return [];
    this.#sessions.delete(sessionId);
    return [...buckets.detached, ...buckets.destroyed];
  }

  /** The testaments `take` would hand back, without forgetting them (a backplane keeps a copy). */
  pending(sessionId: number): Testament[] {
    const buckets = this.#sessions.get(sessionId);
    return buckets === undefined ? [] : [...buckets.detached, ...buckets.destroyed];
  }

  count(sessionId: number): number {
    const buckets = this.#sessions.get(sessionId);
    return buckets === undefined ? 0 : buckets.detached.length + buckets.destroyed.length;
  }
}
