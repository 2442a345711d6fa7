/**
 * How a node's heartbeats travel: from a thread of their own (heartbeat-worker.ts) on a NATS
 * connection of their own, on `<prefix>.beat`. The node's traffic (a flood of events backing up
 * its NATS socket) and its main event loop (busy for a second with that traffic) then no longer
 * decide whether the others hear it; a process that is stopped or killed still falls silent.
 *
 * If the thread cannot run (it failed to start or died), heartbeats fall back to the main
 * thread and the node's main NATS connection, on the same subject: liveness then works as
 * before, only less robust to saturation (logged).
 */
import { Worker } from 'node:worker_threads';
import { logger } from '../../log.js';
import type { NatsLink, LinkSubscription } from './nats-link.js';
import { WireKind, decodeWire, encodeWire } from './wire.js';

const log = logger('router:cluster');

/** A main thread silent this long (in heartbeats' deadAfterMs) is stuck, not busy: no longer vouched for. */
const STALL_LIMIT_WINDOWS = 8;
/** ...and never less than this. */
const MIN_STALL_LIMIT_MS = 10_000;
/** How long the thread may take to connect before the node falls back to main-thread heartbeats. */
const READY_TIMEOUT_MS = 10_000;

export interface HeartbeatWorkerData {
  readonly servers: readonly string[];
  readonly connectionName: string;
  readonly subject: string;
  readonly node: string;
  readonly heartbeatMs: number;
  readonly stallLimitMs: number;
}

export type ToHeartbeat =
  | { type: 'start'; incarnation: string }
  | { type: 'stop' }
  | { type: 'alive' }
  | { type: 'close' };

export type FromHeartbeat =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'heard'; node: string; incarnation: string; at: number };

export interface HeartbeatOptions {
  readonly servers: readonly string[];
  readonly connectionName: string;
  readonly subject: string;
  readonly node: string;
  readonly heartbeatMs: number;
  readonly deadAfterMs: number;
  /** A heartbeat of another incarnation arrived at `at` (this process's Date.now()). */
  readonly heard: (node: string, incarnation: string, at: number) => void;
}

/** The main-thread stall past which a node is let be counted dead although its heartbeat thread runs. */
export function stallLimitMs(deadAfterMs: number): number {
  return Math.max(MIN_STALL_LIMIT_MS, deadAfterMs * STALL_LIMIT_WINDOWS);
}

/**
 * The worker's module beside this one, and its Node options. The build runs heartbeat-worker.js
 * as it is. The TypeScript sources (the tests, the dev CLI) run under tsx, whose hooks Node 20
 * does not carry into a worker thread (tsx registers them in the main thread only): the worker
 * first registers them itself, through tsx's own API, resolved from here.
 */
function workerSpec(): { url: URL; execArgv?: string[] } {
  if (!import.meta.url.endsWith('.ts')) return { url: new URL('./heartbeat-worker.js', import.meta.url) };
  const api = import.meta.resolve('tsx/esm/api');
  const boot = `data:text/javascript,${encodeURIComponent(`import { register } from ${JSON.stringify(api)}; register();`)}`;
  return { url: new URL('./heartbeat-worker.ts', import.meta.url), execArgv: ['--import', boot, ...process.execArgv] };
}

export class Heartbeats {
  readonly #options: HeartbeatOptions;
  readonly #link: NatsLink;
  #worker: Worker | null = null;
  #fallback: LinkSubscription | null = null;
  #incarnation: string | null = null;
  #seq = 0;
  #closed = false;

  private constructor(options: HeartbeatOptions, link: NatsLink) {
    this.#options = options;
    this.#link = link;
  }

  /** Starts the heartbeat thread (or, failing that, main-thread heartbeats on `link`). */
  static async open(options: HeartbeatOptions, link: NatsLink): Promise<Heartbeats> {
    const heartbeats = new Heartbeats(options, link);
    await heartbeats.#spawn();
    return heartbeats;
  }

  /** Beats for `incarnation` from now on (again after stop()). */
  start(incarnation: string): void {
    this.#incarnation = incarnation;
    if (this.#worker !== null) this.#post({ type: 'start', incarnation });
    else this.#beatHere();
  }

  /** This node stops saying it is alive (cut off, counted dead, or leaving). */
  stop(): void {
    this.#incarnation = null;
    this.#post({ type: 'stop' });
  }

  /** The main thread's liveness tick: proof to the thread that this node still runs (fallback: the beat itself). */
  tick(): void {
    if (this.#worker !== null) this.#post({ type: 'alive' });
    else this.#beatHere();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#incarnation = null;
    this.#fallback?.unsubscribe();
    const worker = this.#worker;
    this.#worker = null;
    if (worker === null) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'close' } satisfies ToHeartbeat);
    // The thread drains its connection and ends; one that does not is ended.
    const timer = setTimeout(() => void worker.terminate(), READY_TIMEOUT_MS / 2);
    await exited;
    clearTimeout(timer);
  }

  async #spawn(): Promise<void> {
    const o = this.#options;
    const data: HeartbeatWorkerData = {
      servers: o.servers, connectionName: `${o.connectionName} heartbeats`, subject: o.subject, node: o.node,
      heartbeatMs: o.heartbeatMs, stallLimitMs: stallLimitMs(o.deadAfterMs),
    };
    let worker: Worker;
    try {
      const spec = workerSpec();
      worker = new Worker(spec.url, { workerData: data, ...(spec.execArgv === undefined ? {} : { execArgv: spec.execArgv }) });
    } catch (error) {
      this.#fallBack(`the heartbeat thread could not be started: ${(error as Error).message}`);
      return;
    }
    // The thread never keeps the process alive on its own.
    worker.unref();
    const ready = await new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => resolve(`no answer within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
      worker.on('message', (message: FromHeartbeat) => {
        if (message.type === 'heard') o.heard(message.node, message.incarnation, message.at);
        else {
          clearTimeout(timer);
          resolve(message.type === 'ready' ? null : message.message);
        }
      });
      worker.on('error', (error) => {
        clearTimeout(timer);
        log.warn(() => `the heartbeat thread: ${error.message}`);
        resolve(error.message);
      });
    });
    if (ready !== null) {
      void worker.terminate();
      this.#fallBack(`the heartbeat thread failed: ${ready}`);
      return;
    }
    worker.once('exit', (code) => {
      if (this.#closed || this.#worker !== worker) return;
      this.#worker = null;
      this.#fallBack(`the heartbeat thread ended (exit code ${code})`);
    });
    this.#worker = worker;
  }

  #fallBack(why: string): void {
    if (this.#closed) return;
    log.warn(() => `${why}; heartbeats go from the main thread on the node's NATS connection (less robust to saturation)`);
    this.#fallback ??= this.#link.subscribe(this.#options.subject, (bytes) => {
      const wire = decodeWire(bytes);
      if (wire === null || wire[0] !== WireKind.HEARTBEAT) return;
      this.#options.heard(wire[1] as string, wire[2] as string, Date.now());
    });
    this.#beatHere();
  }

  #beatHere(): void {
    if (this.#incarnation === null || this.#closed) return;
    this.#link.publish(this.#options.subject, encodeWire(WireKind.HEARTBEAT, { node: this.#options.node, incarnation: this.#incarnation }, ++this.#seq));
  }

  #post(message: ToHeartbeat): void {
    this.#worker?.postMessage(message);
  }
}
