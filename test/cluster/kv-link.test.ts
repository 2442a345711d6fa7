// The registry bucket's watch and barrier (runtime/router/cluster/kv-link.ts) on a fake
// JetStream KV whose first watch stalls after the existing entries, as a watch does when the
// NATS server holding its consumer dies: a barrier that finds the watch stuck restarts it from
// the last applied revision, and resolves once the new watch caught up. No nats-server needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openKv, type KvChange } from '../../runtime/router/cluster/kv-link.js';

interface FakeEntry { key: string; value: Uint8Array; revision: number; operation: 'PUT' | 'DEL' }

/** A watch's iterator: yields what is pushed, ends on stop(). */
class FakeWatch implements AsyncIterable<FakeEntry> {
  readonly #queue: FakeEntry[] = [];
  #wake: (() => void) | null = null;
  stopped = false;

  push(e: FakeEntry): void {
    this.#queue.push(e);
    this.#wake?.();
  }

  stop(): void {
    this.stopped = true;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<FakeEntry> {
    for (;;) {
      if (this.#queue.length > 0) {
        yield this.#queue.shift()!;
        continue;
      }
      if (this.stopped) return;
      await new Promise<void>((r) => (this.#wake = r));
      this.#wake = null;
    }
  }
}

test('a barrier that finds the watch stalled restarts it after the last applied revision and resolves once caught up', async () => {
  const entries: FakeEntry[] = [1, 2, 3].map((revision) => ({ key: `k${revision}`, value: new Uint8Array([revision]), revision, operation: 'PUT' }));
  let bucketAt = 1;
  const watches: Array<{ from: number; watch: FakeWatch }> = [];
  const kv = {
    status: async () => ({ streamInfo: { state: { last_seq: bucketAt } } }),
    watch: async (opts: { resumeFromRevision?: number }) => {
      const from = opts.resumeFromRevision ?? 1;
      const watch = new FakeWatch();
      watches.push({ from, watch });
      // The first watch delivers what existed, then nothing more (its consumer's server died).
      for (const e of entries.filter((x) => x.revision >= from && x.revision <= bucketAt)) watch.push(e);
      return watch;
    },
  };
  const mod = { Kvm: class { create = async () => kv } };
  const link = await openKv(mod as never, {} as never, 'b', 1);
  const applied: KvChange[] = [];
  await link.watch((c) => applied.push(c));
  assert.deepEqual(applied.map((c) => c.revision), [1]);
  // Two entries written (by other nodes) that the stalled watch never delivers.
  bucketAt = 3;
  await link.barrier();
  assert.deepEqual(applied.map((c) => c.revision), [1, 2, 3], 'the barrier resolved with everything applied, once each');
  assert.equal(watches.length, 2, 'the watch was restarted once');
  assert.equal(watches[0]!.watch.stopped, true, 'the stalled watch was ended');
  assert.equal(watches[1]!.from, 2, 'the new watch starts after the last applied revision');
  link.stop();
});
