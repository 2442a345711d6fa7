/**
 * Summarises the profiles that `npm run bench:wamp -- --profile cpu|heap --profile-dir DIR`
 * writes: top self-time functions (share of busy samples, source file:line through the compiled
 * runtime's source maps), self time by area (engine, serializers, message parse/validate,
 * session, router, promise plumbing, GC, ...), the heaviest runtime functions including their
 * callees, and with the sidecar JSON the cost per operation and socket writes per operation.
 * For heap profiles: the allocation sites and bytes allocated per operation.
 *
 *   npx tsx bench/wamp/profile-summary.ts DIR/ours.wampkit.json.rpc.router.r0.cpuprofile [--top 20]
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface CpuNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: CpuNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}
interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}
interface Sidecar {
  row: string;
  role: string;
  ops: number;
  seconds: number;
  /** The process's CPU µs over the profiled part (process.cpuUsage). */
  cpu: number;
  /** `reads` is absent in sidecars written before reads were counted. */
  writes: { single: number; vectored: number; reads?: number };
}

const maps = new Map<string, SourceMap | null>();
function sourceMapOf(path: string): SourceMap | null {
  if (!maps.has(path)) {
    const at = `${path}.map`;
    maps.set(path, existsSync(at) ? new SourceMap(JSON.parse(readFileSync(at, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]) : null);
  }
  return maps.get(path)!;
}

/** Where a frame is, as a repository path (runtime/x.ts:12), a package path or node:internal. */
export function locate(frame: CallFrame): string {
  const { url, lineNumber, columnNumber } = frame;
  if (url === '') return '(native)';
  if (!url.startsWith('file://')) return `${url}:${lineNumber + 1}`;
  const path = fileURLToPath(url);
  const map = sourceMapOf(path);
  if (map !== null) {
    const entry = map.findEntry(lineNumber, columnNumber) as { originalSource?: string; originalLine?: number };
    if (entry.originalSource !== undefined && entry.originalLine !== undefined) {
      const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(dirname(path), entry.originalSource);
      const rel = relative(ROOT, source);
      // The compiled dir mirrors the repository: runtime/x.ts in it is runtime/x.ts here.
      const repo = rel.includes('runtime/') ? rel.slice(rel.indexOf('runtime/')) : rel;
      return `${repo}:${entry.originalLine + 1}`;
    }
  }
  const rel = relative(ROOT, path);
  const shown = rel.includes('node_modules/') ? rel.slice(rel.lastIndexOf('node_modules/')) : rel.includes('runtime/') ? rel.slice(rel.indexOf('runtime/')) : rel;
  return `${shown}:${lineNumber + 1}`;
}

/** Areas, first match wins: what each sample's own function belongs to. */
const AREAS: Array<[name: string, match: (fn: string, where: string) => boolean]> = [
  ['idle (waiting for I/O)', (fn) => fn === '(idle)'],
  ['garbage collector', (fn) => fn === '(garbage collector)'],
  ['V8/native, unattributed (program)', (fn) => fn === '(program)'],
  ['socket writes (native write syscalls)', (fn, where) => where === '(native)' && /^write(Buffer|v|Utf8String|Latin1String)$/.test(fn)],
  ['JSON.stringify / JSON.parse (builtins)', (fn, where) => where === '(native)' && (fn === 'stringify' || fn === 'parse')],
  ['promise and microtask plumbing', (fn, where) => where.startsWith('node:internal/process/task_queues') || where.startsWith('node:internal/async_hooks') || fn === 'runMicrotasks'],
  ['Node net and streams', (_, where) => /^node:(internal\/streams|net|internal\/stream_base_commons|stream)/.test(where)],
  ['other Node internals', (_, where) => where.startsWith('node:')],
  ['WebSocket engine (runtime/websocket)', (_, where) => where.startsWith('runtime/websocket/')],
  ['accelerator (runtime/accel)', (_, where) => where.startsWith('runtime/accel/')],
  ['serializers (runtime/serializers)', (_, where) => where.startsWith('runtime/serializers/')],
  ['WAMP messages: parse, check, encode', (_, where) => /^runtime\/wamp\/(messages|message-)/.test(where)],
  ['client session (runtime/wamp)', (_, where) => where.startsWith('runtime/wamp/')],
  ['transports (runtime/transports)', (_, where) => where.startsWith('runtime/transports/')],
  ['router (runtime/router)', (_, where) => where.startsWith('runtime/router/')],
  ['other runtime/', (_, where) => where.startsWith('runtime/')],
  ['bench harness (bench/)', (_, where) => where.startsWith('bench/')],
  ['npm packages (node_modules)', (_, where) => where.startsWith('node_modules/')],
  ['other native and builtins', () => true],
];
const areaOf = (fn: string, where: string): string => AREAS.find(([, match]) => match(fn, where))![0];

const pct = (n: number, of: number): string => `${((n / Math.max(1, of)) * 100).toFixed(1)}%`;
const fmt = (n: number, digits = 2): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const label = (frame: CallFrame): string => frame.functionName === '' ? '(anonymous)' : frame.functionName;

function sidecarOf(file: string): Sidecar | null {
  const at = file.replace(/\.(cpuprofile|heapprofile)$/, '.json');
  return existsSync(at) ? (JSON.parse(readFileSync(at, 'utf8')) as Sidecar) : null;
}

function summariseCpu(file: string, top: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const where = new Map(profile.nodes.map((n) => [n.id, locate(n.callFrame)]));
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples) {
    const node = byId.get(id)!;
    const fn = node.callFrame.functionName;
    const area = areaOf(fn, where.get(id)!);
    areas.set(area, (areas.get(area) ?? 0) + 1);
    if (fn === '(idle)') continue;
    busy++;
    const key = `${label(node.callFrame)}  ${where.get(id)}`;
    self.set(key, (self.get(key) ?? 0) + 1);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const w = where.get(at)!;
      if (!w.startsWith('runtime/')) continue;
      const k = `${label(byId.get(at)!.callFrame)}  ${w}`;
      if (!seen.has(k)) {
        seen.add(k);
        inclusive.set(k, (inclusive.get(k) ?? 0) + 1);
      }
    }
  }
  const side = sidecarOf(file);
  console.log(`\n## ${relative(process.cwd(), file)}`);
  console.log(`${profile.samples.length} samples over ${fmt((profile.endTime - profile.startTime) / 1e6)} s, ${pct(busy, profile.samples.length)} busy`);
  if (side !== null) {
    const w = side.writes;
    console.log(
      `${side.row} ${side.role}: ${side.ops.toLocaleString('en-US')} operations in ${fmt(side.seconds)} s; CPU ${fmt(side.cpu / side.ops)} µs/op (process.cpuUsage); ` +
        `socket writes ${fmt((w.single + w.vectored) / side.ops, 3)}/op (${w.vectored.toLocaleString('en-US')} vectored, ${w.single.toLocaleString('en-US')} single), ` +
        `socket reads ${w.reads === undefined ? 'not counted' : `${fmt(w.reads / side.ops, 3)}/op`}`,
    );
  }
  // Samples are taken on wall time, so on a loaded box busy samples include time the process
  // was descheduled: µs/op below is each area's share of the measured CPU time per operation.
  const perOp = (samples: number): string => (side === null || side.ops === 0 ? '' : ` | ${fmt(((samples / Math.max(1, busy)) * side.cpu) / side.ops, 3)}`);
  console.log(`\n| area (self time) | share of busy samples${side === null ? '' : ' | µs/op'} |\n|---|---:${side === null ? '' : '|---:'}|`);
  for (const [name, n] of [...areas].filter(([a]) => a !== AREAS[0]![0]).sort((a, b) => b[1] - a[1])) console.log(`| ${name} | ${pct(n, busy)}${perOp(n)} |`);
  console.log(`\n| top self time | share of busy samples | function  file:line |\n|---:|---:|---|`);
  [...self].sort((a, b) => b[1] - a[1]).slice(0, top).forEach(([k, n], i) => console.log(`| ${i + 1} | ${pct(n, busy)} | ${k.replace('  ', ' — ')} |`));
  console.log(`\n| runtime/ functions, self + callees | share of busy samples | function  file:line |\n|---:|---:|---|`);
  [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top).forEach(([k, n], i) => console.log(`| ${i + 1} | ${pct(n, busy)} | ${k.replace('  ', ' — ')} |`));
}

function summariseHeap(file: string, top: number): void {
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
  const sites = new Map<string, number>();
  let total = 0;
  const walk = (node: HeapNode): void => {
    if (node.selfSize > 0) {
      const key = `${label(node.callFrame)}  ${locate(node.callFrame)}`;
      sites.set(key, (sites.get(key) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
    for (const c of node.children) walk(c);
  };
  walk(head);
  const side = sidecarOf(file);
  console.log(`\n## ${relative(process.cwd(), file)}`);
  console.log(`${fmt(total / 1e6)} MB allocated (sampled estimate, collected objects included)` + (side === null ? '' : `; ${side.ops.toLocaleString('en-US')} operations: ${fmt(total / side.ops, 0)} bytes/op`));
  console.log(`\n| top allocation sites | share of bytes${side === null ? '' : ' | bytes/op'} | function  file:line |\n|---:|---:|${side === null ? '' : '---:|'}---|`);
  [...sites].sort((a, b) => b[1] - a[1]).slice(0, top).forEach(([k, n], i) => {
    console.log(`| ${i + 1} | ${pct(n, total)}${side === null ? '' : ` | ${fmt(n / side.ops, 0)}`} | ${k.replace('  ', ' — ')} |`);
  });
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args[topAt + 1]) : 20;
if (!Number.isInteger(top) || top < 1 || top > 500) throw new Error(`--top must be an integer in 1..500, got ${String(args[topAt + 1])}`);
const files = args.filter((a, i) => !a.startsWith('--') && (topAt < 0 || i !== topAt + 1));
if (files.length === 0) throw new Error('usage: profile-summary.ts FILE.cpuprofile|FILE.heapprofile ... [--top N]');
for (const file of files) (file.endsWith('.heapprofile') ? summariseHeap : summariseCpu)(file, top);
