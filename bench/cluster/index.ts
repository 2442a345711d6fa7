/**
 * Cluster bench: one logical router on several nodes over NATS, against a single router, in the
 * same run. Not a test.
 *
 *   npm run bench:cluster -- [--rounds N] [--seconds S] [--dead-after-ms MS] [--source]
 *
 * Processes (each a child of its own; ../wamp/ipc.ts): one nats-server with JetStream, a single
 * router, and four clusters on that NATS (named apart, so an idle one gets no traffic): one
 * node, two nodes, three nodes for the throughput rows, and two nodes for the failover row.
 * Client sessions live in four client processes (./client-child.ts).
 *
 * Liveness: the throughput rows saturate their nodes on purpose. A node's heartbeats go from a
 * thread and a NATS connection of their own (runtime/router/cluster/heartbeats.ts), so every
 * cluster runs with the router's default liveness (deadAfterMs 1250 ms). Should a saturated node
 * still be counted dead on some machine (the run then ends: its sessions close), the throughput
 * clusters can be given a wider window, `--dead-after-ms MS` (`isolateAfterMs` 1 s below it);
 * the failover cluster always keeps the default, so its figure is what a default deployment gets.
 *
 * Rows, every configuration of a row in each round before the next round (a disturbance of the
 * shared box hits all alike); figures are medians over rounds:
 *   latency   one call at a time, RTT p50/p99: single router; two-node cluster, caller and callee on
 *             one node; caller and callee on different nodes
 *   rpc       calls/s, two callers with 100 calls in flight each, each to its own callee: single router;
 *             one-node cluster; two nodes with each caller beside its callee; two nodes with every
 *             call crossing to the other node
 *   events    events/s delivered to 100 subscribers from two publishers (100 publishes in flight each):
 *             single router; two nodes with half the subscribers and one publisher on each
 *   fan-out   events/s delivered to 1,000 subscribers from one publisher: single router; three nodes
 *             with a third of the subscribers on each
 *   failover  ms from SIGKILL of a callee's node to the ERROR of a call in flight to it (a node of the
 *             failover cluster, default liveness, plus a node started for the purpose, each round)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BenchChild, whenReady } from '../wamp/ipc.js';
import { compileWampRuntime, removeWampRuntime } from '../wamp/runtime.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const EXEC = ['--conditions=@wampkit/source', '--import', 'tsx'];
const SERIALIZER = 'json';
const GLOBAL_LIMIT_MS = 30 * 60_000;
const REQUEST_MS = 120_000;

const { values } = parseArgs({ options: { rounds: { type: 'string' }, seconds: { type: 'string' }, 'dead-after-ms': { type: 'string' }, source: { type: 'boolean' } } });
const ROUNDS = Number(values.rounds ?? 3);
/** Liveness window of the throughput clusters (see above): the default unless --dead-after-ms; the failover cluster keeps the default. */
const THROUGHPUT_DEAD_AFTER_MS = values['dead-after-ms'] === undefined ? null : Number(values['dead-after-ms']);
const THROUGHPUT_LIVENESS: Record<string, number> = THROUGHPUT_DEAD_AFTER_MS === null ? {} : { deadAfterMs: THROUGHPUT_DEAD_AFTER_MS, isolateAfterMs: THROUGHPUT_DEAD_AFTER_MS - 1000 };
const MEASURE_MS = Number(values.seconds ?? 3) * 1000;
const WARMUP_MS = 1000;
const MAX_OPS = 5_000_000;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function startNats(): Promise<{ url: string; child: ChildProcess; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'wk-bench-nats-'));
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', '-1', '-js', '-sd', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`nats-server did not start: ${seen}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString();
      const m = /Listening for client connections on [\d.]+:(\d+)/.exec(seen);
      if (m !== null) {
        clearTimeout(timer);
        resolve(`nats://127.0.0.1:${m[1]}`);
      }
    });
  });
  return { url, child, dir };
}

const engineDir = values.source === true ? null : compileWampRuntime();
const engineArg = engineDir ?? '-';
const children: BenchChild[] = [];

async function router(name: string, options: Record<string, unknown>): Promise<{ child: BenchChild; url: string }> {
  const child = new BenchChild(name, join(HERE, 'node-child.ts'), [engineArg, JSON.stringify(options)], EXEC);
  children.push(child);
  const { url } = await whenReady<{ url: string }>(child, 60_000);
  return { child, url };
}

async function client(name: string): Promise<BenchChild> {
  const child = new BenchChild(name, join(HERE, 'client-child.ts'), [engineArg], EXEC);
  children.push(child);
  await whenReady(child, 60_000);
  return child;
}

const nats = await startNats();
const node = (cluster: string, name: string, liveness: Record<string, number> = THROUGHPUT_LIVENESS): Promise<{ child: BenchChild; url: string }> =>
  router(`${cluster}/${name}`, { cluster: { servers: [nats.url], node: name, name: cluster, ...liveness } });
const DEFAULT_LIVENESS = {};
const single = await router('single', {});
const one = [await node('one', 'n1')];
const two = await Promise.all([node('two', 't1'), node('two', 't2')]);
const three = await Promise.all([node('three', 'h1'), node('three', 'h2'), node('three', 'h3')]);
const failCaller = await node('fail', 'f0', DEFAULT_LIVENESS);
const clients = await Promise.all([0, 1, 2, 3].map((i) => client(`client${i}`)));
const req = <T>(c: BenchChild, cmd: string, fields: Record<string, unknown> = {}): Promise<T> => c.request<T>({ cmd, ...fields }, REQUEST_MS);
const measure = { warmupMs: WARMUP_MS, measureMs: MEASURE_MS, maxOps: MAX_OPS };
const closeAll = (): Promise<unknown> => Promise.all(clients.map((c) => req(c, 'closeAll')));

type Rows = Map<string, Map<string, number[]>>;
const results: Rows = new Map();
const loads: number[] = [];
const record = (row: string, cell: string, value: number): void => {
  if (!results.has(row)) results.set(row, new Map());
  const r = results.get(row)!;
  if (!r.has(cell)) r.set(cell, []);
  r.get(cell)!.push(value);
};

async function latency(cell: string, callerUrl: string, calleeUrl: string): Promise<void> {
  await req(clients[0]!, 'open', { name: 'callee', url: calleeUrl, serializer: SERIALIZER });
  await req(clients[0]!, 'register', { name: 'callee', procedure: 'bench.lat' });
  await req(clients[1]!, 'open', { name: 'caller', url: callerUrl, serializer: SERIALIZER });
  const r = await req<{ p50: number; p99: number }>(clients[1]!, 'latency', { name: 'caller', procedure: 'bench.lat', warmupMs: WARMUP_MS, measureMs: MEASURE_MS, maxSamples: MAX_OPS });
  record('latency p50 (µs)', cell, r.p50);
  record('latency p99 (µs)', cell, r.p99);
  await closeAll();
}

/** Two callers, each with its own callee: [callerUrl, calleeUrl] per pair. */
async function rpc(cell: string, pairs: Array<[string, string]>): Promise<void> {
  for (let i = 0; i < pairs.length; i++) {
    const [callerUrl, calleeUrl] = pairs[i]!;
    await req(clients[i]!, 'open', { name: 'callee', url: calleeUrl, serializer: SERIALIZER });
    await req(clients[i]!, 'register', { name: 'callee', procedure: `bench.rpc${i}` });
    await req(clients[i + 2]!, 'open', { name: 'caller', url: callerUrl, serializer: SERIALIZER });
  }
  const done = await Promise.all(pairs.map((_, i) => req<{ ops: number; seconds: number }>(clients[i + 2]!, 'rpc', { name: 'caller', procedure: `bench.rpc${i}`, window: 100, ...measure })));
  record('rpc calls/s', cell, done.reduce((n, d) => n + d.ops / d.seconds, 0));
  await closeAll();
}

/** Subscribers split over `subscriberUrls` (one client process each), publishers at `publisherUrls`. */
async function events(row: string, cell: string, topic: string, subscribers: number, subscriberUrls: string[], publisherUrls: string[]): Promise<void> {
  const hosts = clients.slice(0, subscriberUrls.length);
  await Promise.all(subscriberUrls.map((url, i) => req(hosts[i]!, 'subscribers', { url, serializer: SERIALIZER, topic, count: Math.round(subscribers / subscriberUrls.length) })));
  const pubs = publisherUrls.map((_, i) => clients[(subscriberUrls.length + i) % clients.length]!);
  for (let i = 0; i < publisherUrls.length; i++) await req(pubs[i]!, 'open', { name: `pub${i}`, url: publisherUrls[i], serializer: SERIALIZER });
  const counted = async (): Promise<number> => (await Promise.all(hosts.map((h) => req<{ delivered: number }>(h, 'count')))).reduce((n, c) => n + c.delivered, 0);
  let before = 0;
  let start = 0;
  await Promise.all(publisherUrls.map((_, i) => pubs[i]!.request({ cmd: 'publish', name: `pub${i}`, topic, window: 100, ...measure }, REQUEST_MS, async () => {
    // Every publisher warmed: the measured window starts at the first one to be released.
    if (start === 0) {
      start = performance.now();
      before = await counted();
    }
  })));
  const seconds = (performance.now() - start) / 1000;
  record(row, cell, (await counted() - before) / seconds);
  await closeAll();
}

async function failover(round: number): Promise<void> {
  const doomed = await node('fail', `f${round}`, DEFAULT_LIVENESS);
  await req(clients[0]!, 'hang', { url: doomed.url, procedure: `bench.hang${round}` });
  const pending = req<{ at: number }>(clients[1]!, 'callUntilError', { url: failCaller.url, procedure: `bench.hang${round}` });
  await new Promise((r) => setTimeout(r, 300));
  const killedAt = Date.now();
  if (doomed.child.pid !== undefined) process.kill(doomed.child.pid, 'SIGKILL');
  const { at } = await pending;
  if (at > 0) record('failover: SIGKILL to ERROR (ms)', 'two-node cluster, default liveness', at - killedAt);
  await closeAll();
}

const deadline = Date.now() + GLOBAL_LIMIT_MS;
try {
  for (let round = 1; round <= ROUNDS && Date.now() < deadline; round++) {
    loads.push(loadavg()[0]!);
    await latency('single router', single.url, single.url);
    await latency('cluster, same node', two[0]!.url, two[0]!.url);
    await latency('cluster, across nodes', two[0]!.url, two[1]!.url);
    await rpc('single router', [[single.url, single.url], [single.url, single.url]]);
    await rpc('one-node cluster', [[one[0]!.url, one[0]!.url], [one[0]!.url, one[0]!.url]]);
    await rpc('two nodes, each pair on one node', [[two[0]!.url, two[0]!.url], [two[1]!.url, two[1]!.url]]);
    await rpc('two nodes, every call crossing', [[two[0]!.url, two[1]!.url], [two[1]!.url, two[0]!.url]]);
    await events('events/s delivered (100 subscribers)', 'single router', `bench.ev${round}`, 100, [single.url, single.url], [single.url, single.url]);
    await events('events/s delivered (100 subscribers)', 'two nodes', `bench.ev${round}`, 100, [two[0]!.url, two[1]!.url], [two[0]!.url, two[1]!.url]);
    await events('fan-out: events/s delivered (1,000 subscribers)', 'single router', `bench.fan${round}`, 1000, [single.url, single.url, single.url], [single.url]);
    await events('fan-out: events/s delivered (1,000 subscribers)', 'three nodes', `bench.fan${round}`, 1000, three.map((n) => n.url), [three[0]!.url]);
    // A failed failover round is reported and leaves its row without that round; the others go on.
    await failover(round).catch(async (error: unknown) => {
      process.stderr.write(`failover round ${round} failed: ${(error as Error).message}\n`);
      await closeAll();
    });
    loads.push(loadavg()[0]!);
    process.stderr.write(`round ${round} done\n`);
  }
  console.log(`\ncluster bench: ${ROUNDS} rounds of ${MEASURE_MS / 1000} s per cell, medians; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average (1 min) over the run ${fmt(Math.min(...loads), 1)}-${fmt(Math.max(...loads), 1)}; ${SERIALIZER}, our client; throughput clusters with ${THROUGHPUT_DEAD_AFTER_MS === null ? 'the default liveness' : `deadAfterMs ${THROUGHPUT_DEAD_AFTER_MS} ms`}, failover cluster with the default\n`);
  for (const [row, cells] of results) {
    console.log(`| ${row} | ${[...cells.keys()].join(' | ')} |`);
    console.log(`| --- |${[...cells.keys()].map(() => ' ---: |').join('')}`);
    console.log(`| median | ${[...cells.values()].map((v) => fmt(median(v), row.includes('µs') || row.includes('ms') ? 0 : 0)).join(' | ')} |`);
    console.log(`| rounds | ${[...cells.values()].map((v) => v.map((x) => fmt(x)).join(', ')).join(' | ')} |\n`);
  }
} finally {
  await Promise.all(children.map((c) => c.stop().catch(() => {})));
  nats.child.kill('SIGKILL');
  rmSync(nats.dir, { recursive: true, force: true });
  if (engineDir !== null) removeWampRuntime(engineDir);
}
