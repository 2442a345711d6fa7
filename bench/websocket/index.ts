/**
 * WebSocket bench: wampkit's server + client against ws's server + client (ws with bufferutil
 * and utf-8-validate), in the same run, on loopback. Prints echo throughput (100 messages in
 * flight) for 16 B, 1 KiB, 64 KiB and 1 MiB, text and binary; 16 B round-trip latency p50/p99;
 * and server-side memory per idle connection (5,000 connections), each with the ratio ours/ws.
 *
 *   npx tsx bench/websocket/index.ts [--quick] [--source] [--rounds N] [--json out.json]
 *                                    [--sizes 64KiB,1MiB,16MiB] [--only echo,latency,idle]
 *                                    [--baseline REF]
 *
 * `--baseline REF` adds our engine as it was at git revision REF ('base', compiled the same
 * way) to the echo rows, for a before/after comparison in the same run: ours, base and ws
 * alternate within each round. 16 MiB messages are echoed with 4 in flight (100 would hold
 * 1.6 GB per process).
 *
 * Besides msg/s, each echo row gives the CPU time per message of the server process and of the
 * client process (the least over the rounds): on a shared, loaded box msg/s swings with what
 * else runs, CPU time per message much less.
 *
 * Our engine is measured as tsc compiles it (see engine.ts); --source measures it under tsx.
 *
 * Every loop is bounded in count and time. Each implementation's server and its echo client run
 * in child processes of their own (./server-child.ts, ./client-child.ts): no shared heaps.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { baselineRef, compileBaseline, compileRuntime, loadEngine } from './engine.js';
import { measureIdleMemory, type IdleMemoryResult } from './idle-memory.js';
import type { EchoJob, EchoReply } from './client-child.js';
import { measureLatency, openClient, payloadOf, type Impl, type LatencyResult, type ThroughputResult } from './throughput.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const fromSource = args.includes('--source');
const jsonAt = args.indexOf('--json');
const jsonPath = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
const roundsAt = args.indexOf('--rounds');
const roundsArg = roundsAt >= 0 ? Number(args[roundsAt + 1]) : undefined;
if (roundsArg !== undefined && (!Number.isInteger(roundsArg) || roundsArg < 1 || roundsArg > 20)) {
  throw new Error(`--rounds must be an integer in 1..20, got ${String(args[roundsAt + 1])}`);
}

/** A comma-separated option's values, or null when the option is absent. */
function listOption(name: string, allowed: readonly string[]): Set<string> | null {
  const at = args.indexOf(name);
  if (at < 0) return null;
  const values = String(args[at + 1] ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
  const bad = values.filter((v) => !allowed.includes(v));
  if (values.length === 0 || bad.length > 0) throw new Error(`${name} takes a comma-separated list of ${allowed.join(', ')}; got ${String(args[at + 1])}`);
  return new Set(values);
}

const IMPLS: Impl[] = ['ours', 'ws'];
/** Who runs the echo rows: our engine, ws, and with --baseline our engine at REF ('base'). */
type Contender = Impl | 'base';
const WINDOW = 100;
/** Messages in flight for sizes from 16 MiB. */
const LARGE_WINDOW = 4;
const MEASURE_MS = quick ? 500 : 1_500;
const WARMUP_MS = quick ? 150 : 400;
const ALL_SIZES: [label: string, bytes: number, maxMessages: number][] = [
  ['16 B', 16, 500_000],
  ['1 KiB', 1024, 300_000],
  ['64 KiB', 64 * 1024, 20_000],
  ['1 MiB', 1024 * 1024, 1_000],
  ['16 MiB', 16 * 1024 * 1024, 100],
];
const sizeFilter = listOption('--sizes', ALL_SIZES.map(([label]) => label.replace(' ', '')));
const SIZES = ALL_SIZES.filter(([label]) => sizeFilter === null || sizeFilter.has(label.replace(' ', '')));
const only = listOption('--only', ['echo', 'latency', 'idle']);
const runs = (part: string): boolean => only === null || only.has(part);
const IDLE_CONNECTIONS = quick ? 1_000 : 5_000;
// The box is shared: each figure is the best of several alternating rounds (ours, ws, ours, ...).
const ROUNDS = roundsArg ?? (quick ? 1 : 3);

const SERVER_CHILD = fileURLToPath(new URL('./server-child.ts', import.meta.url));
const CLIENT_CHILD = fileURLToPath(new URL('./client-child.ts', import.meta.url));
const engineDir = fromSource ? null : compileRuntime();
const engine = await loadEngine(engineDir);
const ref = baselineRef(args);
const baseDir = ref === null ? null : compileBaseline(ref);
const CONTENDERS: Contender[] = baseDir === null ? ['ours', 'ws'] : ['ours', 'base', 'ws'];
const implOf = (c: Contender): Impl => (c === 'base' ? 'ours' : c);
const dirOf = (c: Contender): string => (c === 'base' ? baseDir! : engineDir ?? '-');

interface Server {
  child: ChildProcess;
  port: number;
  ask(): Promise<{ memory: { heapUsed: number; external: number; rss: number }; baseline: { heapUsed: number; external: number; rss: number }; connections: number }>;
  /** The server process's CPU time so far (user + system), in µs. */
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

function startServer(contender: Contender, mode: 'echo' | 'idle'): Promise<Server> {
  const impl = contender;
  const child = fork(SERVER_CHILD, [implOf(contender), mode, dirOf(contender)], {
    execArgv: ['--conditions=@wampkit/source', '--import', 'tsx', ...(mode === 'idle' ? ['--expose-gc'] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${impl} server did not start within 20 s`));
    }, 20_000);
    child.once('exit', (code) => reject(new Error(`${impl} server exited with ${String(code)}`)));
    child.once('message', (msg: { port: number }) => {
      clearTimeout(timer);
      resolve({
        child,
        port: msg.port,
        ask: () =>
          new Promise((res, rej) => {
            const t = setTimeout(() => rej(new Error('server did not answer measure')), 20_000);
            child.once('message', (m: Awaited<ReturnType<Server['ask']>>) => {
              clearTimeout(t);
              res(m);
            });
            child.send({ cmd: 'measure' });
          }),
        cpu: () =>
          new Promise((res, rej) => {
            const t = setTimeout(() => rej(new Error('server did not answer cpu')), 20_000);
            child.once('message', (m: { cpu: NodeJS.CpuUsage }) => {
              clearTimeout(t);
              res(m.cpu.user + m.cpu.system);
            });
            child.send({ cmd: 'cpu' });
          }),
        stop: () =>
          new Promise<void>((res) => {
            if (child.exitCode !== null) return res();
            const t = setTimeout(() => {
              child.kill('SIGKILL');
              res();
            }, 5_000);
            child.removeAllListeners('exit');
            child.once('exit', () => {
              clearTimeout(t);
              res();
            });
            child.send({ cmd: 'exit' });
          }),
      });
    });
  });
}

interface ClientProcess {
  /** Warms up, calls `betweenPhases` (then the measured part starts), and measures. */
  echo(job: EchoJob, betweenPhases: () => Promise<void>): Promise<EchoReply>;
  stop(): void;
}

/** A client process for one implementation (./client-child.ts). */
function startClient(contender: Contender): Promise<ClientProcess> {
  const impl = contender;
  const child = fork(CLIENT_CHILD, [implOf(contender), dirOf(contender)], {
    execArgv: ['--conditions=@wampkit/source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${impl} client did not start within 20 s`));
    }, 20_000);
    child.once('message', () => {
      clearTimeout(timer);
      resolve({
        echo: (job, betweenPhases) =>
          new Promise((res, rej) => {
            const limit = job.measureMs + job.warmupMs + 30_000;
            const t = setTimeout(() => rej(new Error(`${impl} client did not answer within ${limit} ms`)), limit);
            const onMessage = (m: EchoReply | { warmed: true } | { error: string }): void => {
              if ('warmed' in m) {
                betweenPhases().then(() => child.send({ cmd: 'go' }), rej);
                return;
              }
              clearTimeout(t);
              child.off('message', onMessage);
              if ('error' in m) rej(new Error(`${impl} client: ${m.error}`));
              else res(m);
            };
            child.on('message', onMessage);
            child.send({ cmd: 'echo', ...job });
          }),
        stop: () => {
          if (child.exitCode === null) child.send({ cmd: 'exit' });
        },
      });
    });
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length === 0 ? 0 : sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (a: number, b: number): string => (b === 0 ? 'n/a' : `${(a / b).toFixed(2)}x`);

/** CPU time per echoed message (µs), server process and client process, best round. */
interface CpuPerMessage {
  server: number;
  client: number;
}

interface Row {
  size: string;
  kind: string;
  /** The best round of each contender. */
  results: Partial<Record<Contender, ThroughputResult>> & Record<Impl, ThroughputResult>;
  /** msg/s of every round, per contender. */
  rates: Partial<Record<Contender, number[]>> & Record<Impl, number[]>;
  cpu: Partial<Record<Contender, CpuPerMessage>> & Record<Impl, CpuPerMessage>;
}

async function throughputRows(): Promise<Row[]> {
  const servers = {} as Record<Contender, Server>;
  const clients = {} as Record<Contender, ClientProcess>;
  for (const impl of CONTENDERS) servers[impl] = await startServer(impl, 'echo');
  for (const impl of CONTENDERS) clients[impl] = await startClient(impl);
  const rows: Row[] = [];
  try {
    for (const [label, bytes, maxMessages] of SIZES) {
      for (const binary of [false, true]) {
        const results = {} as Row['results'];
        const rates = { ours: [], ws: [], base: [] } as unknown as Row['rates'];
        const cpu = {} as Row['cpu'];
        const window = bytes >= 16 * 1024 * 1024 ? LARGE_WINDOW : WINDOW;
        for (let round = 0; round < ROUNDS; round++) {
          for (const impl of CONTENDERS) {
            let serverBefore = 0;
            const job = { port: servers[impl].port, bytes, binary, window, maxMessages, warmupMs: WARMUP_MS, measureMs: MEASURE_MS };
            const { result: r, cpu: clientUsed } = await clients[impl].echo(job, async () => {
              serverBefore = await servers[impl].cpu();
            });
            const serverUsed = (await servers[impl].cpu()) - serverBefore;
            rates[impl]!.push(r.messagesPerSecond);
            const best = results[impl];
            if (best === undefined || r.messagesPerSecond > best.messagesPerSecond) results[impl] = r;
            // Each side's least CPU per message over the rounds: the least disturbed by other load.
            const c = { server: serverUsed / r.messages, client: clientUsed / r.messages };
            const least = cpu[impl];
            cpu[impl] = least === undefined ? c : { server: Math.min(least.server, c.server), client: Math.min(least.client, c.client) };
          }
        }
        rows.push({ size: label, kind: binary ? 'binary' : 'text', results, rates, cpu });
        const o = results.ours;
        const w = results.ws;
        const b = results.base;
        console.log(
          `echo ${label.padStart(6)} ${(binary ? 'binary' : 'text').padEnd(6)}  ours ${fmt(o.messagesPerSecond).padStart(9)} msg/s ${fmt(o.megabytesPerSecond, 1).padStart(8)} MB/s` +
            `  ws ${fmt(w.messagesPerSecond).padStart(9)} msg/s ${fmt(w.megabytesPerSecond, 1).padStart(8)} MB/s  ratio ${ratio(o.messagesPerSecond, w.messagesPerSecond)}` +
            ` (medians ${ratio(median(rates.ours), median(rates.ws))})` +
            (b === undefined ? '' : `  base ${fmt(b.messagesPerSecond)} msg/s, ours/base medians ${ratio(median(rates.ours), median(rates.base!))}`) +
            `  CPU µs/msg server ${fmt(cpu.ours.server, 2)} vs ${fmt(cpu.ws.server, 2)} (${ratio(cpu.ws.server, cpu.ours.server)})` +
            ` client ${fmt(cpu.ours.client, 2)} vs ${fmt(cpu.ws.client, 2)} (${ratio(cpu.ws.client, cpu.ours.client)})`,
        );
      }
    }
  } finally {
    for (const impl of CONTENDERS) clients[impl]?.stop();
    for (const impl of CONTENDERS) await servers[impl].stop();
  }
  return rows;
}

async function latencies(): Promise<Record<Impl, LatencyResult>> {
  const out = {} as Record<Impl, LatencyResult>;
  for (let round = 0; round < ROUNDS; round++) {
    for (const impl of IMPLS) {
      const server = await startServer(impl, 'echo');
      const client = await openClient(impl, server.port, engine.client);
      try {
        const payload = payloadOf(16, false);
        await measureLatency(client, payload, 2_000, WARMUP_MS);
        const r = await measureLatency(client, payload, 20_000, MEASURE_MS);
        if (out[impl] === undefined || r.p50Micros < out[impl].p50Micros) out[impl] = r;
      } finally {
        client.close();
        await server.stop();
      }
    }
  }
  console.log(
    `latency 16 B round trip  ours p50 ${fmt(out.ours.p50Micros, 1)} µs p99 ${fmt(out.ours.p99Micros, 1)} µs` +
      `  ws p50 ${fmt(out.ws.p50Micros, 1)} µs p99 ${fmt(out.ws.p99Micros, 1)} µs  ratio p50 ${ratio(out.ours.p50Micros, out.ws.p50Micros)} p99 ${ratio(out.ours.p99Micros, out.ws.p99Micros)} (lower is better)`,
  );
  return out;
}

async function idleMemory(): Promise<Record<Impl, IdleMemoryResult>> {
  const out = {} as Record<Impl, IdleMemoryResult>;
  for (const impl of IMPLS) {
    const server = await startServer(impl, 'idle');
    try {
      out[impl] = await measureIdleMemory(server.port, server.ask, IDLE_CONNECTIONS, 120_000);
    } finally {
      await server.stop();
    }
  }
  const kib = (n: number): string => `${(n / 1024).toFixed(2)} KiB`;
  console.log(
    `idle memory per connection (${IDLE_CONNECTIONS}, server side)  ours heap+external ${kib(out.ours.heapPlusExternalPerConnection)} RSS ${kib(out.ours.rssPerConnection)}` +
      `  ws heap+external ${kib(out.ws.heapPlusExternalPerConnection)} RSS ${kib(out.ws.rssPerConnection)}` +
      `  ratio heap+external ${ratio(out.ours.heapPlusExternalPerConnection, out.ws.heapPlusExternalPerConnection)} RSS ${ratio(out.ours.rssPerConnection, out.ws.rssPerConnection)} (lower is better)`,
  );
  return out;
}

console.log(
  `wampkit WebSocket bench: node ${process.version}, window ${WINDOW} (${LARGE_WINDOW} from 16 MiB), best of ${ROUNDS} x ${MEASURE_MS} ms, ours ${engineDir === null ? 'from TypeScript sources (tsx)' : 'compiled by tsc'}${ref === null ? '' : `, base = ${ref}`}${quick ? ' (quick)' : ''}`,
);
const rows = runs('echo') ? await throughputRows() : [];
const latency = runs('latency') ? await latencies() : null;
const memory = runs('idle') ? await idleMemory() : null;
// CPU ratios are ws/ours, so above 1.00x means ours needs less CPU per message, like msg/s.
if (rows.length > 0) {
  console.log(
    `\n| size | kind | ours msg/s | ws msg/s | ours/ws | ours/ws, medians of ${ROUNDS} | server CPU µs/msg ours / ws | ws/ours | client CPU µs/msg ours / ws | ws/ours |\n` +
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
}
for (const r of rows) {
  const o = r.results.ours;
  const w = r.results.ws;
  const c = r.cpu;
  console.log(
    `| ${r.size} | ${r.kind} | ${fmt(o.messagesPerSecond)} | ${fmt(w.messagesPerSecond)} | ${ratio(o.messagesPerSecond, w.messagesPerSecond)} | ${ratio(median(r.rates.ours), median(r.rates.ws))} ` +
      `| ${fmt(c.ours.server, 2)} / ${fmt(c.ws.server, 2)} | ${ratio(c.ws.server, c.ours.server)} | ${fmt(c.ours.client, 2)} / ${fmt(c.ws.client, 2)} | ${ratio(c.ws.client, c.ours.client)} |`,
  );
}
// Before/after: our engine against itself at REF, same rounds, same machine, same time.
if (baseDir !== null && rows.length > 0) {
  console.log(
    `\n| size | kind | ours msg/s | base msg/s | ours/base, medians of ${ROUNDS} | server CPU µs/msg ours / base | base/ours | client CPU µs/msg ours / base | base/ours |\n` +
      '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const r of rows) {
    const o = r.results.ours;
    const b = r.results.base!;
    const c = r.cpu;
    console.log(
      `| ${r.size} | ${r.kind} | ${fmt(o.messagesPerSecond)} | ${fmt(b.messagesPerSecond)} | ${ratio(median(r.rates.ours), median(r.rates.base!))} ` +
        `| ${fmt(c.ours.server, 2)} / ${fmt(c.base!.server, 2)} | ${ratio(c.base!.server, c.ours.server)} | ${fmt(c.ours.client, 2)} / ${fmt(c.base!.client, 2)} | ${ratio(c.base!.client, c.ours.client)} |`,
    );
  }
}
for (const dir of [engineDir, baseDir]) if (dir !== null) rmSync(dir, { recursive: true, force: true });
if (jsonPath !== undefined) writeFileSync(jsonPath, JSON.stringify({ node: process.version, window: WINDOW, measureMs: MEASURE_MS, rows, latency, memory }, null, 2));
