/**
 * The parent/child plumbing of the WAMP bench: every router and every client workload runs in a
 * child process of its own, driven over Node's IPC channel with numbered requests.
 *
 * A request is `{ id, cmd, ...fields }`. The child answers `{ id, result }` or `{ id, error }`;
 * a measured request first answers `{ id, warmed: true }` after its warmup and waits for
 * `{ cmd: 'go', id }`, so the parent can read the other processes' CPU clocks between the two.
 *
 * Every child is registered in one table and killed by its PID when the bench ends, however it
 * ends (normal exit, an exception, SIGINT/SIGTERM); each child also exits on its own when the
 * IPC channel closes or its hard deadline passes, so none outlives the bench.
 */
import { fork, type ChildProcess } from 'node:child_process';

export interface Reply {
  id: number;
  warmed?: true;
  result?: unknown;
  error?: string;
}

export interface Request {
  cmd: string;
  [field: string]: unknown;
}

const live = new Set<ChildProcess>();

function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  live.clear();
}

let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

/** PIDs of every child the bench started, for the smoke test's no-orphans check. */
export const startedPids: number[] = [];

export class BenchChild {
  readonly name: string;
  readonly child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; onWarmed?: () => Promise<void> }>();
  #nextId = 1;
  #exited = false;
  readonly #exitPromise: Promise<void>;

  constructor(name: string, file: string, args: string[], execArgv: string[], env: NodeJS.ProcessEnv = process.env) {
    hookExit();
    this.name = name;
    this.child = fork(file, args, { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    live.add(this.child);
    if (this.child.pid !== undefined) startedPids.push(this.child.pid);
    this.#exitPromise = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.#exited = true;
        live.delete(this.child);
        for (const p of this.#pending.values()) p.reject(new Error(`${name} exited (${String(code ?? signal)})`));
        this.#pending.clear();
        resolve();
      });
    });
    this.child.on('message', (m: Reply) => this.#onReply(m));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  #onReply(m: Reply): void {
    const p = this.#pending.get(m.id);
    if (p === undefined) return;
    if (m.warmed === true) {
      const go = p.onWarmed ?? (async () => {});
      go().then(
        () => this.#send({ cmd: 'go', id: m.id }),
        (error: unknown) => p.reject(error instanceof Error ? error : new Error(String(error))),
      );
      return;
    }
    this.#pending.delete(m.id);
    if (m.error !== undefined) p.reject(new Error(`${this.name}: ${m.error}`));
    else p.resolve(m.result);
  }

  #send(message: object): void {
    if (!this.#exited && this.child.connected) this.child.send(message);
  }

  /** Sends one request; `onWarmed` runs between the warmup and the measured part. */
  request<T>(request: Request, timeoutMs: number, onWarmed?: () => Promise<void>): Promise<T> {
    if (this.#exited) return Promise.reject(new Error(`${this.name} has exited`));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${this.name} did not answer ${request.cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
        ...(onWarmed === undefined ? {} : { onWarmed }),
      });
      this.#send({ ...request, id });
    });
  }

  /** The child's CPU time so far (user + system), µs. */
  async cpu(): Promise<number> {
    const used = await this.request<NodeJS.CpuUsage>({ cmd: 'cpu' }, 20_000);
    return used.user + used.system;
  }

  /** Asks the child to exit, then kills it by PID after a grace period. */
  async stop(graceMs = 3_000): Promise<void> {
    if (this.#exited) return;
    this.#send({ cmd: 'exit', id: 0 });
    const timer = setTimeout(() => {
      if (!this.#exited && this.child.pid !== undefined) {
        try {
          process.kill(this.child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }, graceMs);
    await this.#exitPromise;
    clearTimeout(timer);
  }
}

/** Waits for a child's first message, `{ ready: ... }`, within `timeoutMs`. */
export function whenReady<T>(bench: BenchChild, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${bench.name} did not start within ${timeoutMs} ms`)), timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      reject(new Error(`${bench.name} exited before it was ready`));
    };
    bench.child.once('exit', onExit);
    const onMessage = (m: { ready?: T }): void => {
      if (m.ready === undefined) return;
      clearTimeout(timer);
      bench.child.off('exit', onExit);
      bench.child.off('message', onMessage);
      resolve(m.ready);
    };
    bench.child.on('message', onMessage);
  });
}

// ---- child side ----

export interface Phase {
  /** Call after the warmup: resolves when the parent says go. */
  warmed(): Promise<void>;
}

export type Handler = (request: Request, phase: Phase) => Promise<unknown>;

/** Set in a child's environment by the parent: count socket writes (./profiling.ts). */
export const COUNT_WRITES_ENV = 'WAMPKIT_BENCH_COUNT_WRITES';

/**
 * Serves the parent's requests in a child. Built in: `cpu`, `exit`, and the profiling requests
 * of ./profiling.ts (`profile-start`, `profile-stop`, `writes`). The parent never overlaps two
 * measured requests on one child.
 */
export function serveParent(handlers: Record<string, Handler>, ready: unknown, hardLimitMs: number): void {
  const gates = new Map<number, () => void>();
  const builtIns: Record<string, Handler> = {
    cpu: async () => process.cpuUsage(),
    'profile-start': async (request) => (await import('./profiling.js')).startProfile(request),
    'profile-stop': async (request) => (await import('./profiling.js')).stopProfile(request),
    writes: async () => (await import('./profiling.js')).socketWrites(),
  };
  if (process.env[COUNT_WRITES_ENV] === '1') void import('./profiling.js').then((p) => p.countSocketWrites());
  process.on('message', (m: Request & { id: number }) => {
    if (m.cmd === 'exit') process.exit(0);
    if (m.cmd === 'go') {
      gates.get(m.id)?.();
      gates.delete(m.id);
      return;
    }
    const handler = handlers[m.cmd] ?? builtIns[m.cmd];
    if (handler === undefined) {
      process.send?.({ id: m.id, error: `unknown command ${m.cmd}` });
      return;
    }
    const phase: Phase = {
      warmed: () =>
        new Promise<void>((resolve) => {
          gates.set(m.id, resolve);
          process.send?.({ id: m.id, warmed: true });
        }),
    };
    handler(m, phase).then(
      (result) => process.send?.({ id: m.id, result }),
      (error: unknown) => process.send?.({ id: m.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  // Never outlive the parent, whatever happens to it.
  process.on('disconnect', () => process.exit(0));
  setTimeout(() => process.exit(0), hardLimitMs).unref();
  process.send?.({ ready });
}
