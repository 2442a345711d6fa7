/**
 * Idle memory only: server-side memory per idle connection, ours and ws in alternating rounds
 * (ours, ws, ours, ws, ...), each in a fresh server process. The full bench (index.ts) takes a
 * minute of echo rows first; this is the quick loop for working on memory.
 *
 *   npx tsx bench/websocket/idle-only.ts [--rounds N] [--connections N] [--source] [--gc]
 *                                        [--engine label=dir ...]
 *
 * `--engine label=dir` (repeatable) measures an already compiled engine directory (as
 * engine.ts's compileRuntime() leaves it: dir/runtime/websocket/server.js) under that label
 * instead of compiling the working tree: two builds, before and after a change, then run in the
 * same rounds against the same ws.
 *
 * `--gc` runs each server with --trace-gc-nvp and adds, for the 5,000 handshakes, the number of
 * young-generation collections (scavenges), the young-generation allocation per connection and
 * the bytes per connection that survived a scavenge (copied or promoted). Idle RSS above heap +
 * external is mostly young-generation pages touched during the handshakes, so these say why
 * RSS moved when heap + external did not.
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

interface GcStats {
  scavenges: number;
  youngAllocatedPerConnection: number;
  survivedPerConnection: number;
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
const GC_STATS = args.includes('--gc');
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

/**
 * The collections between the last two measurements in a --trace-gc-nvp log. Each measurement
 * is three forced mark-compacts in a row (server-child's measure()), so the handshakes lie
 * between the last two such triples.
 */
function gcStats(log: string, connections: number): GcStats | null {
  const gcs = log
    .split('\n')
    .filter((line) => line.includes(' gc='))
    .map((line) => {
      const field = (name: string): number => Number(new RegExp(`\\b${name}=(\\d+)`).exec(line)?.[1] ?? 0);
      // "allocated" is unsigned: a slightly negative count shows up as a huge number.
      const allocated = field('allocated');
      return {
        kind: /\bgc=(\w+)/.exec(line)?.[1] ?? '',
        allocated: allocated > Number.MAX_SAFE_INTEGER / 2 ? 0 : allocated,
        survived: field('new_space_survived') + field('promoted'),
      };
    });
  const triples: number[] = [];
  for (let i = 0; i + 2 < gcs.length; i++) {
    if (gcs[i]!.kind === 'mc' && gcs[i + 1]!.kind === 'mc' && gcs[i + 2]!.kind === 'mc') {
      triples.push(i);
      i += 2;
    }
  }
  if (triples.length < 2) return null;
  const from = triples[triples.length - 2]! + 3;
  const to = triples[triples.length - 1]!;
  let scavenges = 0;
  let allocated = gcs[to]!.allocated;
  let survived = 0;
  for (let i = from; i < to; i++) {
    const gc = gcs[i]!;
    allocated += gc.allocated;
    if (gc.kind !== 's') continue;
    scavenges++;
    survived += gc.survived;
  }
  return { scavenges, youngAllocatedPerConnection: allocated / connections, survivedPerConnection: survived / connections };
}

/** One server process in idle mode; measures, then exits. */
async function measureOnce(v: Variant): Promise<IdleMemoryResult & { gc: GcStats | null }> {
  const child = fork(SERVER_CHILD, [v.impl, 'idle', v.dir], {
    execArgv: ['--conditions=@wampkit/source', '--import', 'tsx', '--expose-gc', ...(GC_STATS ? ['--trace-gc-nvp'] : [])],
    stdio: ['ignore', GC_STATS ? 'pipe' : 'inherit', 'inherit', 'ipc'],
  });
  let log = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => {
    log += text;
  });
  const next = <T>(what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${v.label} server: no ${what} within 20 s`)), 20_000);
      child.once('message', (m: T) => {
        clearTimeout(t);
        resolve(m);
      });
    });
  let result: IdleMemoryResult;
  try {
    const { port } = await next<{ port: number }>('port');
    const ask = (): Promise<{ memory: Memory; baseline: Memory; connections: number }> => {
      const answer = next<{ memory: Memory; baseline: Memory; connections: number }>('measure answer');
      child.send({ cmd: 'measure' });
      return answer;
    };
    result = await measureIdleMemory(port, ask, CONNECTIONS, 120_000);
  } finally {
    if (child.exitCode === null) {
      // 'close' (not 'exit'): the child's stdout, the GC log, has ended too.
      const gone = new Promise<void>((resolve) => child.once('close', () => resolve()));
      child.send({ cmd: 'exit' });
      const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(t);
    }
  }
  return { ...result, gc: GC_STATS ? gcStats(log, CONNECTIONS) : null };
}

const kib = (n: number): string => `${(n / 1024).toFixed(2)} KiB`;
const results = new Map<string, (IdleMemoryResult & { gc: GcStats | null })[]>(variants.map((v) => [v.label, []]));
const gcText = (gc: GcStats | null): string =>
  gc === null
    ? ''
    : `  scavenges ${gc.scavenges}  young alloc ${kib(gc.youngAllocatedPerConnection)}  survived ${kib(gc.survivedPerConnection)}`;
console.log(`idle memory per connection, server side: ${CONNECTIONS} connections, ${ROUNDS} alternating rounds, node ${process.version}`);
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const v of variants) {
      const r = await measureOnce(v);
      results.get(v.label)!.push(r);
      console.log(`round ${round} ${v.label.padEnd(10)} heap+external ${kib(r.heapPlusExternalPerConnection)}  RSS ${kib(r.rssPerConnection)}${gcText(r.gc)}`);
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
  const gcs = rs.flatMap((r) => (r.gc === null ? [] : [r.gc]));
  const gc: GcStats | null =
    gcs.length === 0
      ? null
      : {
          scavenges: median(gcs.map((g) => g.scavenges)),
          youngAllocatedPerConnection: median(gcs.map((g) => g.youngAllocatedPerConnection)),
          survivedPerConnection: median(gcs.map((g) => g.survivedPerConnection)),
        };
  console.log(
    `${v.label.padEnd(10)} heap+external ${kib(heap)} (${(heap / wsHeap).toFixed(2)}x)  RSS ${kib(rss)} (${(rss / wsRss).toFixed(2)}x)${gcText(gc)}`,
  );
}
