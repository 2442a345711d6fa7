/**
 * Idle memory only: server-side memory per idle connection, ours and ws in alternating rounds
 * (ours, ws, ours, ws, ...), each in a fresh server process. The full bench (index.ts) takes a
 * minute of echo rows first; this is the quick loop for working on memory.
 *
 *   npx tsx bench/websocket/idle-only.ts [--rounds N] [--connections N] [--source]
 *                                        [--engine label=dir ...]
 *
 * `--engine label=dir` (repeatable) measures an already compiled engine directory (as
 * engine.ts's compileRuntime() leaves it: dir/runtime/websocket/server.js) under that label
 * instead of compiling the working tree: two builds, before and after a change, then run in the
 * same rounds against the same ws.
 */
import { fork } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileRuntime } from './engine.js';
import { measureIdleMemory, type IdleMemoryResult } from './idle-memory.js';

interface Variant {
  label: string;
  impl: 'ours' | 'ws';
  /** Compiled engine dir, or '-' for the sources (tsx). */
  dir: string;
}

interface Memory {
  heapUsed: number;
  external: number;
  rss: number;
}

const args = process.argv.slice(2);
const valueOf = (flag: string): string | undefined => {
  const at = args.indexOf(flag);
  return at >= 0 ? args[at + 1] : undefined;
};
const intArg = (flag: string, fallback: number, min: number, max: number): number => {
  const raw = valueOf(flag);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${flag} must be an integer in ${min}..${max}, got ${raw}`);
  return n;
};
const ROUNDS = intArg('--rounds', 3, 1, 20);
const CONNECTIONS = intArg('--connections', 5_000, 100, 20_000);
const SERVER_CHILD = fileURLToPath(new URL('./server-child.ts', import.meta.url));

const engines: Variant[] = [];
args.forEach((a, i) => {
  if (a !== '--engine') return;
  const spec = args[i + 1] ?? '';
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new Error(`--engine wants label=dir, got ${JSON.stringify(spec)}`);
  engines.push({ label: spec.slice(0, eq), impl: 'ours', dir: spec.slice(eq + 1) });
});
let compiled: string | null = null;
if (engines.length === 0) {
  const dir = args.includes('--source') ? '-' : (compiled = compileRuntime());
  engines.push({ label: 'ours', impl: 'ours', dir });
}
const variants: Variant[] = [...engines, { label: 'ws', impl: 'ws', dir: '-' }];

/** One server process in idle mode; measures, then exits. */
async function measureOnce(v: Variant): Promise<IdleMemoryResult> {
  const child = fork(SERVER_CHILD, [v.impl, 'idle', v.dir], {
    execArgv: ['--conditions=source', '--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>(what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${v.label} server: no ${what} within 20 s`)), 20_000);
      child.once('message', (m: T) => {
        clearTimeout(t);
        resolve(m);
      });
    });
  try {
    const { port } = await next<{ port: number }>('port');
    const ask = (): Promise<{ memory: Memory; baseline: Memory; connections: number }> => {
      const answer = next<{ memory: Memory; baseline: Memory; connections: number }>('measure answer');
      child.send({ cmd: 'measure' });
      return answer;
    };
    return await measureIdleMemory(port, ask, CONNECTIONS, 120_000);
  } finally {
    if (child.exitCode === null) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ cmd: 'exit' });
      const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(t);
    }
  }
}

const kib = (n: number): string => `${(n / 1024).toFixed(2)} KiB`;
const results = new Map<string, IdleMemoryResult[]>(variants.map((v) => [v.label, []]));
console.log(`idle memory per connection, server side: ${CONNECTIONS} connections, ${ROUNDS} alternating rounds, node ${process.version}`);
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const v of variants) {
      const r = await measureOnce(v);
      results.get(v.label)!.push(r);
      console.log(`round ${round} ${v.label.padEnd(10)} heap+external ${kib(r.heapPlusExternalPerConnection)}  RSS ${kib(r.rssPerConnection)}`);
    }
  }
} finally {
  if (compiled !== null) rmSync(compiled, { recursive: true, force: true });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const ws = results.get('ws')!;
const wsHeap = median(ws.map((r) => r.heapPlusExternalPerConnection));
const wsRss = median(ws.map((r) => r.rssPerConnection));
console.log('\nmedians (ratio against ws; lower is better)');
for (const v of variants) {
  const rs = results.get(v.label)!;
  const heap = median(rs.map((r) => r.heapPlusExternalPerConnection));
  const rss = median(rs.map((r) => r.rssPerConnection));
  console.log(
    `${v.label.padEnd(10)} heap+external ${kib(heap)} (${(heap / wsHeap).toFixed(2)}x)  RSS ${kib(rss)} (${(rss / wsRss).toFixed(2)}x)`,
  );
}
