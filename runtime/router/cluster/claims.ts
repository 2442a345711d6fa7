/**
 * Compare-and-set over one registry entry, and the serialisation of this node's own writes.
 *
 * `casLoop` reads an entry, lets `decide` say what it should become (create, update, delete,
 * or nothing), and writes it at the revision it read; when another node wrote in between
 * (KvConflict) it reads again and decides again. So a decision is made on the entry as it is,
 * once for the cluster.
 *
 * `Serial` runs this node's operations one after another per key (a claim, a session): two local
 * sessions subscribing to the same new topic must not race each other for the same entry, and
 * a session's leave must come after its pending subscribe, not beside it.
 */
import type { KvLink } from './kv-link.js';
import { KvConflict } from './kv-link.js';
import { decodeValue, encodeValue } from './wire.js';

/** Attempts before a compare-and-set gives up (each lost one means another node got there first). */
const MAX_CAS_ATTEMPTS = 64;

export interface Current {
  readonly value: unknown[];
  readonly revision: number;
}

export type CasStep<T> =
  | { readonly write: 'none'; readonly result: T }
  | { readonly write: 'put'; readonly value: unknown[]; readonly result: T }
  | { readonly write: 'delete'; readonly result: T };

export interface CasOutcome<T> {
  readonly result: T;
  /** What the entry holds now (null: absent), and at which revision (0 when nothing was written). */
  readonly value: unknown[] | null;
  readonly revision: number;
}

export async function casLoop<T>(kv: KvLink, key: string, decide: (current: Current | null) => CasStep<T>): Promise<CasOutcome<T>> {
  for (let attempt = 1; ; attempt++) {
    const got = await kv.get(key);
    const value = got === null ? null : decodeValue(got.value);
    const current = got === null || value === null ? null : { value, revision: got.revision };
    const step = decide(current);
    try {
      if (step.write === 'none') return { result: step.result, value: current?.value ?? null, revision: current?.revision ?? 0 };
      if (step.write === 'delete') {
        if (current !== null) await kv.delete(key, current.revision);
        return { result: step.result, value: null, revision: 0 };
      }
      const bytes = encodeValue(step.value);
      const revision = current === null ? await kv.create(key, bytes) : await kv.update(key, bytes, current.revision);
      return { result: step.result, value: step.value, revision };
    } catch (error) {
      if (!(error instanceof KvConflict) || attempt >= MAX_CAS_ATTEMPTS) throw error;
    }
  }
}

export class Serial {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `op` after every earlier operation on any of `keys` has settled. */
  run<T>(keys: readonly string[], op: () => Promise<T>): Promise<T> {
    const before: Promise<void>[] = [];
    for (const k of keys) {
      const t = this.#tails.get(k);
      if (t !== undefined) before.push(t);
    }
    const result = before.length === 0 ? op() : Promise.all(before).then(op);
    const tail = result.then(() => undefined, () => undefined);
    for (const k of keys) this.#tails.set(k, tail);
    void tail.then(() => {
      for (const k of keys) if (this.#tails.get(k) === tail) this.#tails.delete(k);
    });
    return result;
  }

  /** Resolves once every operation started so far has settled. */
  async idle(): Promise<void> {
    while (this.#tails.size > 0) await Promise.all([...this.#tails.values()]);
  }
}
