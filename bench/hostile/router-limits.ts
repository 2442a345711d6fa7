/**
 * Hostile floods against the router's per-session limits and retention budget (issue 11), at
 * full size, each against a fresh router child process, printing the child's peak RSS:
 *
 *   registrations  one session sends 1,000,000 REGISTERs (distinct procedures)
 *   subscriptions  one session sends 1,000,000 SUBSCRIBEs (distinct topics)
 *   calls          one session sends 1,000,000 CALLs to a callee that never answers
 *   retention      one session publishes 300 retained 4 MB events (router heap capped at 1 GB)
 *
 *   npx tsx bench/hostile/router-limits.ts [--root DIR] [--only a,b] [--scale F]
 *
 * `--root DIR` runs the router from another source tree, e.g. main's code for a before/after:
 *
 *   mkdir /tmp/wampkit-main && git archive main | tar -x -C /tmp/wampkit-main
 *   ln -s "$PWD/node_modules" /tmp/wampkit-main/node_modules
 *   npx tsx bench/hostile/router-limits.ts --root /tmp/wampkit-main
 *
 * `--scale 0.1` divides every flood's count by ten (a quick run). The flooding client is `ws`
 * speaking wamp.2.json, so it is the same whatever router code is measured. Peak RSS is the
 * child's VmHWM (Linux /proc); a child that dies (out of memory) is reported with how far the
 * flood got. Figures from a loaded machine are noisy: compare before and after from one run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import WebSocket from 'ws';

const M = { HELLO: 1, WELCOME: 2, ABORT: 3, ERROR: 8, PUBLISH: 16, PUBLISHED: 17, SUBSCRIBE: 32, SUBSCRIBED: 33, CALL: 48, RESULT: 50, REGISTER: 64, REGISTERED: 65, INVOCATION: 68 } as const;
const MiB = 1024 * 1024;
/** Requests in flight per flooding session (replies counted against it). */
const WINDOW = 5000;
/** Pause sending while this much is buffered on the flooding socket. */
const HIGH_WATER = 4 * MiB;
/** Per flood: give up after this long (a router that stopped answering). */
const FLOOD_DEADLINE_MS = 15 * 60_000;
/** The calls flood: how many calls may go unanswered before the caller waits for answers... */
const UNANSWERED_CALLS = 20_000;
/** ... and for how long, per batch of 1000. */
const CALL_PACE_MS = 50;
/** Heap cap of the retention flood's router, as in the issue. */
const RETENTION_HEAP_MB = 1024;

// ---------------------------------------------------------------- child: the router under test

async function runChild(root: string): Promise<void> {
  const { Router } = (await import(pathToFileURL(resolve(root, 'runtime/router/router.ts')).href)) as typeof import('../../runtime/router/router.js');
  const router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', host: '127.0.0.1', port: 0 }] });
  const [address] = await router.start();
  process.send?.({ address });
  process.on('disconnect', () => void router.close(0).finally(() => process.exit(0)));
}

// ---------------------------------------------------------------- parent: floods and figures

interface Child {
  readonly process: ChildProcess;
  readonly address: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly dead: boolean;
}

async function startChild(root: string, heapMb?: number): Promise<Child> {
  const self = fileURLToPath(import.meta.url);
  const execArgv = ['--conditions=@wampkit/source', '--import', 'tsx', ...(heapMb === undefined ? [] : [`--max-old-space-size=${heapMb}`])];
  const proc = fork(self, ['--child', root], { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const state = { dead: false };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => proc.once('exit', (code, signal) => {
    state.dead = true;
    resolveExit({ code, signal });
  }));
  const address = await new Promise<string>((ok, fail) => {
    proc.once('message', (m: { address?: string }) => (m.address === undefined ? fail(new Error('no address')) : ok(m.address)));
    proc.once('exit', (code) => fail(new Error(`router child exited (${code}) before listening: ${stderr}`)));
  });
  return {
    process: proc, address, exited,
    get dead() {
      return state.dead;
    },
  };
}

function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** One WAMP session over `ws`: sequential request IDs, replies counted by type (and ERROR URI). */
class Session {
  readonly ws: WebSocket;
  #request = 0;
  readonly counts = new Map<string, number>();
  #waiters: Array<() => void> = [];
  #onMessage: ((m: unknown[]) => void) | null = null;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as unknown[];
      const key = m[0] === M.ERROR ? `ERROR ${String(m[4])}` : String(m[0]);
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      this.#onMessage?.(m);
      this.#wake();
    });
    ws.on('close', () => this.#wake());
  }

  /** Every session opened, closed after each flood. */
  static readonly opened: Session[] = [];

  static async open(address: string): Promise<Session> {
    const ws = new WebSocket(address, ['wamp.2.json']);
    await new Promise<void>((ok, fail) => {
      ws.once('open', () => ok());
      ws.once('error', fail);
    });
    const s = new Session(ws);
    Session.opened.push(s);
    const welcome = s.next((m) => m[0] === M.WELCOME || m[0] === M.ABORT);
    s.send([M.HELLO, 'realm1', { roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} } }]);
    const w = await welcome;
    if (w[0] !== M.WELCOME) throw new Error(`not welcomed: ${JSON.stringify(w)}`);
    return s;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  nextRequest(): number {
    return ++this.#request;
  }

  send(message: unknown[]): void {
    this.ws.send(JSON.stringify(message));
  }

  /** The next message matching `pred` (one wait at a time). */
  next(pred: (m: unknown[]) => boolean): Promise<unknown[]> {
    return new Promise((ok, fail) => {
      const closed = (): void => fail(new Error('closed'));
      this.ws.once('close', closed);
      this.#onMessage = (m) => {
        if (!pred(m)) return;
        this.#onMessage = null;
        this.ws.off('close', closed);
        ok(m);
      };
    });
  }

  replies(...types: string[]): number {
    let n = 0;
    for (const [k, v] of this.counts) if (types.some((t) => k === t || k.startsWith(`${t} `))) n += v;
    return n;
  }

  /** Waits until `cond` holds, the socket closes, or the deadline passes. */
  async until(cond: () => boolean, deadline: number): Promise<void> {
    while (!cond() && this.open && Date.now() < deadline) {
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, 200);
        this.#waiters.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }

  async drained(): Promise<void> {
    for (let i = 0; i < 100_000 && this.open && this.ws.bufferedAmount > HIGH_WATER; i++) await new Promise((r) => setTimeout(r, 5));
  }

  close(): void {
    this.ws.terminate();
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }
}

interface Outcome {
  sent: number;
  answers: Record<string, number>;
}

/** Sends `count` requests made by `make`, at most WINDOW unanswered (`answered` counts replies). */
async function pipeline(s: Session, count: number, make: (i: number, request: number) => unknown[], answered: () => number): Promise<number> {
  const deadline = Date.now() + FLOOD_DEADLINE_MS;
  let sent = 0;
  while (sent < count && s.open && Date.now() < deadline) {
    await s.until(() => sent - answered() < WINDOW, deadline);
    const batch = Math.min(count - sent, WINDOW - (sent - answered()));
    for (let i = 0; i < batch; i++, sent++) s.send(make(sent, s.nextRequest()));
    await s.drained();
    await new Promise((r) => setImmediate(r));
  }
  await s.until(() => answered() >= sent, deadline);
  return sent;
}

const FLOODS: Record<string, { count: number; heapMb?: number; run(address: string, count: number): Promise<Outcome> }> = {
  registrations: {
    count: 1_000_000,
    async run(address, count) {
      const s = await Session.open(address);
      const answered = (): number => s.replies(String(M.REGISTERED), 'ERROR');
      const sent = await pipeline(s, count, (i, r) => [M.REGISTER, r, {}, `com.flood.procedure${i}`], answered);
      return { sent, answers: Object.fromEntries(s.counts) };
    },
  },
  subscriptions: {
    count: 1_000_000,
    async run(address, count) {
      const s = await Session.open(address);
      const answered = (): number => s.replies(String(M.SUBSCRIBED), 'ERROR');
      const sent = await pipeline(s, count, (i, r) => [M.SUBSCRIBE, r, {}, `com.flood.topic${i}`], answered);
      return { sent, answers: Object.fromEntries(s.counts) };
    },
  },
  calls: {
    count: 1_000_000,
    async run(address, count) {
      const callee = await Session.open(address);
      const reg = callee.next((m) => m[0] === M.REGISTERED);
      callee.send([M.REGISTER, callee.nextRequest(), {}, 'com.flood.sink']);
      await reg;
      const caller = await Session.open(address);
      // The callee never answers. The caller goes on while at most UNANSWERED_CALLS calls are
      // unanswered, else it waits up to CALL_PACE_MS for answers (ERRORs once a limit refuses
      // calls; on a router without one none come, and it sends on after the wait): so the
      // figure is what the router keeps for pending calls, not answers left unread in its
      // socket (a slow consumer, a flood of its own). A meta call at the end is answered once
      // the router has handled every CALL before it.
      const deadline = Date.now() + FLOOD_DEADLINE_MS;
      const answered = (): number => caller.replies('ERROR', String(M.RESULT));
      let sent = 0;
      while (sent < count && caller.open && Date.now() < deadline) {
        const batch = Math.min(count - sent, 1000);
        for (let i = 0; i < batch; i++, sent++) caller.send([M.CALL, caller.nextRequest(), {}, 'com.flood.sink', [sent]]);
        await caller.drained();
        await new Promise((r) => setImmediate(r));
        await caller.until(() => sent - answered() < UNANSWERED_CALLS, Date.now() + CALL_PACE_MS);
      }
      const last = caller.nextRequest();
      const done = caller.next((m) => m[0] === M.RESULT && m[1] === last);
      caller.send([M.CALL, last, {}, 'wamp.session.count', []]);
      await Promise.race([done, new Promise((r) => setTimeout(r, FLOOD_DEADLINE_MS))]).catch(() => {});
      await new Promise((r) => setTimeout(r, 1000)); // the last INVOCATIONs reach the callee
      return { sent, answers: { ...Object.fromEntries(caller.counts), [`callee ${M.INVOCATION}`]: callee.counts.get(String(M.INVOCATION)) ?? 0 } };
    },
  },
  retention: {
    count: 300,
    heapMb: RETENTION_HEAP_MB,
    async run(address, count) {
      const s = await Session.open(address);
      const payload = 'r'.repeat(4 * 1000 * 1000);
      let sent = 0;
      for (; sent < count && s.open; sent++) {
        const r = s.nextRequest();
        const ack = s.next((m) => (m[0] === M.PUBLISHED || m[0] === M.ERROR) && (m[1] === r || m[2] === r));
        s.send([M.PUBLISH, r, { retain: true, acknowledge: true }, `com.flood.retained${sent}`, [payload]]);
        try {
          await ack;
        } catch {
          break;
        }
      }
      return { sent, answers: Object.fromEntries(s.counts) };
    },
  },
};

function mb(bytes: number): string {
  return `${(bytes / MiB).toFixed(0)} MB`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const at = args.indexOf(name);
    return at < 0 ? undefined : args[at + 1];
  };
  const root = resolve(option('--root') ?? fileURLToPath(new URL('../..', import.meta.url)));
  const only = option('--only')?.split(',') ?? Object.keys(FLOODS);
  const scale = Number(option('--scale') ?? '1');
  if (!(scale > 0 && scale <= 1)) throw new Error(`--scale must be in (0, 1], got ${option('--scale')}`);
  console.log(`router code: ${root}`);
  console.log('flood          count      sent       answers                                             router RSS at start  peak RSS   peak - start  router');
  for (const name of only) {
    const flood = FLOODS[name];
    if (flood === undefined) throw new Error(`unknown flood ${name}; known: ${Object.keys(FLOODS).join(', ')}`);
    const count = Math.max(1, Math.round(flood.count * scale));
    const child = await startChild(root, flood.heapMb);
    const start = memoryOf(child.process.pid!);
    let peak = start.peak;
    // A dead (zombie) child has no VmHWM: keep the last figure read.
    const sample = (): void => {
      const now = child.dead ? NaN : memoryOf(child.process.pid!).peak;
      if (Number.isFinite(now)) peak = Math.max(peak, now);
    };
    const sampler = setInterval(sample, 250);
    let outcome: Outcome | Error;
    try {
      outcome = await flood.run(child.address, count);
    } catch (error) {
      outcome = error as Error;
    }
    clearInterval(sampler);
    sample();
    // A router that ran out of memory closes the flooding socket as it dies: give it a moment.
    await Promise.race([child.exited, new Promise((r) => setTimeout(r, 2000))]);
    const status = child.dead ? `DIED ${JSON.stringify(await child.exited)}` : 'alive';
    const answers = outcome instanceof Error ? `error: ${outcome.message}` : JSON.stringify(outcome.answers);
    const sent = outcome instanceof Error ? '-' : String(outcome.sent);
    console.log(`${name.padEnd(14)} ${String(count).padEnd(10)} ${sent.padEnd(10)} ${answers.padEnd(51)} ${mb(start.rss).padEnd(20)} ${mb(peak).padEnd(10)} ${mb(peak - start.rss).padEnd(13)} ${status}${flood.heapMb === undefined ? '' : ` (heap capped at ${flood.heapMb} MB)`}`);
    for (const s of Session.opened.splice(0)) s.close();
    if (child.process.connected) child.process.disconnect();
    const stop = setTimeout(() => child.process.kill('SIGKILL'), 5000);
    await child.exited;
    clearTimeout(stop);
  }
}

if (process.argv[2] === '--child') {
  void runChild(process.argv[3]!);
} else {
  main().then(() => process.exit(0), (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
