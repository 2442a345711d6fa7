/**
 * Testaments of this node's sessions, kept in the registry too (t.<realm>.<session>), so that
 * if this node dies the node cleaning up after it publishes them (cleanup.ts). On a session's
 * normal departure this node publishes them as one router does and removes the entry.
 */
import { TestamentStore, type Testament, type TestamentScope } from '../testament.js';
import type { RealmContext } from './context.js';
import { Keys } from './keys.js';
import { encodeValue } from './wire.js';
import { logger } from '../../log.js';

const log = logger('router:cluster');

export function encodeTestaments(list: readonly Testament[]): unknown[] {
  return list.map((t) => [t.topic, t.args, t.kwargs, t.options]);
}

export function decodeTestaments(v: readonly unknown[]): Testament[] {
  const out: Testament[] = [];
  for (const item of v) {
    if (!Array.isArray(item)) continue;
    const [topic, args, kwargs, options] = item;
    if (typeof topic !== 'string' || !Array.isArray(args)) continue;
    out.push({
      topic, args,
      kwargs: typeof kwargs === 'object' && kwargs !== null ? kwargs as Record<string, unknown> : {},
      options: typeof options === 'object' && options !== null ? options as Record<string, unknown> : {},
    });
  }
  return out;
}

export class ReplicatedTestaments extends TestamentStore {
  readonly #ctx: RealmContext;

  constructor(ctx: RealmContext) {
    super();
    this.#ctx = ctx;
  }

  override add(sessionId: number, scope: TestamentScope, testament: Testament): boolean {
    const added = super.add(sessionId, scope, testament);
    if (added) this.#write(sessionId);
    return added;
  }

  override flush(sessionId: number, scope: TestamentScope): number {
    const n = super.flush(sessionId, scope);
    if (n > 0) this.#write(sessionId);
    return n;
  }

  override take(sessionId: number): Testament[] {
    const list = super.take(sessionId);
    // Given up (this node is counted dead): the node cleaning up publishes them from the registry.
    if (list.length > 0 && !this.#ctx.abandoning) void this.#ctx.kv.delete(Keys.testaments(this.#ctx.key, sessionId)).catch(() => {});
    return list;
  }

  #write(sessionId: number): void {
    const key = Keys.testaments(this.#ctx.key, sessionId);
    const list = this.pending(sessionId);
    const done = list.length === 0 ? this.#ctx.kv.delete(key) : this.#ctx.kv.put(key, encodeValue(encodeTestaments(list)));
    void done.catch((error: unknown) => log.warn(() => `testaments of session ${sessionId} not shared with the cluster: ${(error as Error).message}`));
  }
}
