/**
 * The registry bucket: a JetStream key-value bucket (history 1) that every node writes its
 * part of and watches whole. What the registry needs of it, and nothing more:
 *
 * - compare-and-set (`create` when absent, `update` at a revision, `delete` at a revision),
 *   failing with KvConflict when another node wrote first, so a registration's ID and policy
 *   are decided once for the cluster;
 * - one watch over every key, which first delivers every existing entry and then every change
 *   in the bucket's order (a node joining late starts with everything), with `barrier()`: wait
 *   until the watch has applied everything the bucket held when it was called (the meta API's
 *   read-after-write across nodes).
 *
 * Operations other than the compare-and-set failing are retried (a JetStream leader election
 * takes seconds) within RETRY_BUDGET_MS; a retried write may have succeeded the first time, so
 * callers make their decisions idempotent (their own entry already there is success).
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { KV } from '@nats-io/kv';
import { logger } from '../../log.js';

const log = logger('router:cluster');

/** JetStream's API error code for "wrong last sequence": a compare-and-set lost. */
const WRONG_LAST_SEQUENCE = 10071;
const RETRY_BUDGET_MS = 10_000;
const RETRY_FIRST_MS = 50;
const RETRY_MAX_MS = 500;
const BARRIER_TIMEOUT_MS = 5000;
/**
 * A barrier still waiting after this long restarts the watch from the last applied revision:
 * the watch's consumer lives on the bucket's stream leader, and when that NATS server dies the
 * client notices only after missing two 5 s idle heartbeats, while the bucket (replicated)
 * serves on at once.
 */
const WATCH_STALL_MS = 1500;
const REWATCH_MS = 100;

/** A compare-and-set that lost: the entry changed (or exists, or is gone) since it was read. */
export class KvConflict extends Error {
  constructor(key: string) {
    super(`the registry entry ${key} changed meanwhile`);
    this.name = 'KvConflict';
  }
}

export interface KvChange {
  readonly key: string;
  /** Null when the key was deleted. */
  readonly value: Uint8Array | null;
  readonly revision: number;
}

export interface KvLink {
  get(key: string): Promise<{ value: Uint8Array; revision: number } | null>;
  /** Creates `key`; KvConflict when it exists. Returns the new revision. */
  create(key: string, value: Uint8Array): Promise<number>;
  /** Replaces `key` at `revision`; KvConflict when it is at another one. */
  update(key: string, value: Uint8Array, revision: number): Promise<number>;
  put(key: string, value: Uint8Array): Promise<number>;
  /** Deletes `key` (at `revision` when given: KvConflict when it moved on). */
  delete(key: string, revision?: number): Promise<void>;
  /** Starts the one watch; resolves once the entries that existed are applied. */
  watch(onChange: (change: KvChange) => void): Promise<void>;
  /** Resolves once the watch applied everything the bucket held when called. */
  barrier(): Promise<void>;
  stop(): void;
}

type KvModule = typeof import('@nats-io/kv');

/** How long opening the bucket may keep failing while JetStream comes up (a NATS cluster electing its leader). */
const OPEN_BUDGET_MS = 15_000;

export async function openKv(mod: KvModule, nc: NatsConnection, bucket: string, replicas: number): Promise<KvLink> {
  const kvm = new mod.Kvm(nc);
  const deadline = Date.now() + OPEN_BUDGET_MS;
  for (let wait = RETRY_FIRST_MS; ; wait = Math.min(wait * 2, RETRY_MAX_MS)) {
    try {
      return new Bucket(await kvm.create(bucket, { history: 1, replicas }));
    } catch (error) {
      if (Date.now() + wait > deadline) throw error;
      log.debug(() => `opening the registry bucket failed, retrying in ${wait} ms: ${(error as Error).message}`);
      await sleep(wait);
    }
  }
}

function isConflict(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === WRONG_LAST_SEQUENCE;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class Bucket implements KvLink {
  readonly #kv: KV;
  #applied = 0;
  #waiters: Array<{ revision: number; resolve: () => void }> = [];
  #stopped = false;
  #onChange: ((change: KvChange) => void) | null = null;
  #iterator: { stop(): void } | null = null;

  constructor(kv: KV) {
    this.#kv = kv;
  }

  get(key: string): Promise<{ value: Uint8Array; revision: number } | null> {
    return this.#retry(`get ${key}`, async () => {
      const e = await this.#kv.get(key);
      return e === null || e.operation !== 'PUT' ? null : { value: e.value, revision: e.revision };
    });
  }

  create(key: string, value: Uint8Array): Promise<number> {
    return this.#retry(`create ${key}`, () => this.#cas(key, () => this.#kv.create(key, value)));
  }

  update(key: string, value: Uint8Array, revision: number): Promise<number> {
    return this.#retry(`update ${key}`, () => this.#cas(key, () => this.#kv.update(key, value, revision)));
  }

  put(key: string, value: Uint8Array): Promise<number> {
    return this.#retry(`put ${key}`, () => this.#kv.put(key, value));
  }

  delete(key: string, revision?: number): Promise<void> {
    return this.#retry(`delete ${key}`, () => this.#cas(key, () => this.#kv.delete(key, revision === undefined ? {} : { previousSeq: revision })));
  }

  async watch(onChange: (change: KvChange) => void): Promise<void> {
    this.#onChange = onChange;
    const last = await this.#lastRevision();
    void this.#run(0);
    await this.#reach(last);
  }

  async barrier(): Promise<void> {
    await this.#reach(await this.#lastRevision());
  }

  stop(): void {
    this.#stopped = true;
    this.#iterator?.stop();
    for (const w of this.#waiters) w.resolve();
    this.#waiters = [];
  }

  async #lastRevision(): Promise<number> {
    return this.#retry('status', async () => (await this.#kv.status()).streamInfo.state.last_seq);
  }

  /** The watch loop; restarted after the last applied revision if the iterator ends. */
  async #run(after: number): Promise<void> {
    while (!this.#stopped) {
      try {
        const it = await this.#kv.watch(after > 0 ? { key: '>', resumeFromRevision: after + 1 } : { key: '>' });
        this.#iterator = it;
        for await (const e of it) {
          if (e.revision <= this.#applied) continue;
          this.#applied = e.revision;
          try {
            this.#onChange?.({ key: e.key, value: e.operation === 'PUT' ? e.value : null, revision: e.revision });
          } catch (error) {
            log.warn(() => `applying registry entry ${e.key} failed: ${(error as Error).message}`);
          }
          this.#release();
        }
      } catch (error) {
        if (this.#stopped) return;
        log.warn(() => `registry watch failed, resuming after revision ${this.#applied}: ${(error as Error).message}`);
      }
      after = this.#applied;
      if (!this.#stopped) await sleep(REWATCH_MS);
    }
  }

  #reach(revision: number): Promise<void> {
    if (this.#applied >= revision || this.#stopped) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        clearTimeout(stall);
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        reject(new Error(`the registry watch did not reach revision ${revision} within ${BARRIER_TIMEOUT_MS} ms (at ${this.#applied})`));
      }, BARRIER_TIMEOUT_MS);
      const stall = setTimeout(() => this.#rewatch(revision), WATCH_STALL_MS);
      const done = (): void => {
        clearTimeout(timer);
        clearTimeout(stall);
        resolve();
      };
      this.#waiters.push({ revision, resolve: done });
    });
  }

  /** The watch is stuck short of `revision`: end its iterator, so #run resumes after the last applied revision. */
  #rewatch(revision: number): void {
    if (this.#applied >= revision || this.#stopped || this.#iterator === null) return;
    log.warn(() => `registry watch stalled at revision ${this.#applied} (the bucket is at ${revision} or later): watching again from there`);
    const it = this.#iterator;
    this.#iterator = null;
    it.stop();
  }

  #release(): void {
    if (this.#waiters.length === 0) return;
    const ready = this.#waiters.filter((w) => w.revision <= this.#applied);
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => w.revision > this.#applied);
    for (const w of ready) w.resolve();
  }

  async #cas<T>(key: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      if (isConflict(error)) throw new KvConflict(key);
      throw error;
    }
  }

  /** Runs `op`, retrying failures other than KvConflict until RETRY_BUDGET_MS has passed. */
  async #retry<T>(what: string, op: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + RETRY_BUDGET_MS;
    for (let wait = RETRY_FIRST_MS; ; wait = Math.min(wait * 2, RETRY_MAX_MS)) {
      try {
        return await op();
      } catch (error) {
        if (error instanceof KvConflict || this.#stopped || Date.now() + wait > deadline) throw error;
        log.debug(() => `registry ${what} failed, retrying in ${wait} ms: ${(error as Error).message}`);
        await sleep(wait);
      }
    }
  }
}
