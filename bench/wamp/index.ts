/**
 * WAMP bench: routers and clients side by side in one run, with the wire as the reference.
 * Not a test (test/bench/wamp-harness.test.ts only checks that it still measures).
 *
 *   npm run bench:wamp -- [--quick] [--rounds N] [--seconds S] [--only rpc,latency,events] ...
 *   (all options: ./options.ts; what limits each row and the latest figures: docs/performance.md)
 *
 * Configurations (router x client x serializer), each in processes of its own (./environment.ts):
 *   routers   ours against fox-wamp, the same client on both (JSON: fox-wamp speaks only that)
 *   clients   wampkit against Autobahn|JS and wampy, all through our router, every serializer
 *   wire      the same bytes through a bare WebSocket server of our engine (./wire.ts)
 * Rows: RPC calls/s with 100 in flight; one call at a time (calls/s, RTT p50/p99); events/s
 * delivered to 1, 100, 1,000 subscribers (sessions spread over subscriber processes); and each
 * row's CPU time per operation of the router, the driving client and the peers.
 *
 * Every round runs every configuration of a row before the next round (a disturbance from the
 * shared box hits all alike); figures are medians over rounds, CPU per operation the least.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Environment, configKey, type Config, type Sample } from './environment.js';
import { startedPids } from './ipc.js';
import { compileWampRuntime, removeWampRuntime } from './runtime.js';
import { parseOptions, type BenchOptions } from './options.js';
import { SERIALIZERS_OF, type SerializerName } from './peer-types.js';
import { printReport, rowIds, rowLabel, type Cell, type Results } from './report.js';

/** However the options are set, the whole run ends by then. */
const GLOBAL_LIMIT_MS = 30 * 60_000;

/** The configurations of one serializer, in a stable order. */
function plan(options: BenchOptions, serializer: SerializerName): Config[] {
  const out = new Map<string, Config>();
  const add = (c: Config): void => {
    if (SERIALIZERS_OF[c.router].includes(serializer) && SERIALIZERS_OF[c.client].includes(serializer)) out.set(configKey(c), c);
  };
  for (const client of options.clients) if (options.routers.includes('ours')) add({ router: 'ours', client, serializer });
  for (const client of options.routerClients) for (const router of options.routers) add({ router, client, serializer });
  if (options.wire) add({ router: 'wire', client: 'wire', serializer });
  return [...out.values()];
}

async function measure(env: Environment, row: string): Promise<Sample> {
  if (row === 'rpc') return env.rpc();
  if (row === 'latency') return env.latency();
  return env.events(Number(row.slice('events:'.length)));
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function runSerializer(options: BenchOptions, engineDir: string | null, serializer: SerializerName, results: Results, deadline: number): Promise<void> {
  const configs = plan(options, serializer);
  const rows = rowIds(options);
  const maxSubscribers = options.rows.has('events') ? Math.max(...options.subscribers) : 0;
  const envs = new Map<string, Environment>();
  const cells = (c: Config): Map<string, Cell> => {
    const key = configKey(c);
    if (!results.has(key)) results.set(key, { config: c, cells: new Map() });
    return results.get(key)!.cells;
  };
  try {
    // Two at a time: starting one configuration is mostly one process busy at a time (booting,
    // then joining sessions), so two use both cores; a dozen at once would only thrash them.
    const queue = [...configs];
    const starter = async (): Promise<void> => {
      for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
        const started = Date.now();
        try {
          envs.set(configKey(c), await Environment.start(c, options, engineDir, maxSubscribers));
          console.log(`started ${configKey(c)} in ${fmt((Date.now() - started) / 1000, 1)} s`);
        } catch (error) {
          console.log(`could not start ${configKey(c)}: ${String(error)}`);
          for (const row of rows) cells(c).set(row, { samples: [], error: `start failed: ${firstLine(error)}` });
        }
      }
    };
    await Promise.all([starter(), starter()]);
    for (const row of rows) {
      for (let round = 0; round < options.rounds; round++) {
        for (const c of configs) {
          const env = envs.get(configKey(c));
          const cell = cells(c).get(row) ?? { samples: [] };
          cells(c).set(row, cell);
          if (env === undefined || cell.error !== undefined) continue;
          if (Date.now() > deadline) {
            // Report what was measured rather than nothing.
            if (cell.samples.length === 0) cell.error = `not measured: the run reached its limit of ${GLOBAL_LIMIT_MS / 60_000} minutes`;
            continue;
          }
          try {
            const s = await measure(env, row);
            cell.samples.push(s);
            console.log(
              `${serializer.padEnd(7)} ${rowLabel(row).padEnd(34)} ${`${c.router}+${c.client}`.padEnd(16)} round ${round + 1}: ${fmt(s.rate).padStart(10)}/s` +
                (s.p50 === undefined ? '' : `  p50 ${fmt(s.p50, 1)} µs p99 ${fmt(s.p99 ?? 0, 1)} µs`) +
                `  CPU µs/op router ${fmt(s.router.perOp, 2)} driver ${fmt(s.driver.perOp, 2)} peers ${fmt(s.peers.perOp, 2)}` +
                `  busy ${fmt(s.router.utilisation * 100)}% / ${fmt(s.driver.utilisation * 100)}% / ${fmt(s.peers.utilisation * 100)}%`,
            );
          } catch (error) {
            cell.error = firstLine(error);
            console.log(`${serializer} ${rowLabel(row)} ${configKey(c)}: ${cell.error}`);
          }
        }
      }
    }
  } finally {
    for (const env of envs.values()) await env.stop();
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const began = Date.now();
  const deadline = began + GLOBAL_LIMIT_MS;
  // Profiling keeps the compiled runtime (with its source maps) beside the profiles.
  if (options.profileDir !== undefined) mkdirSync(options.profileDir, { recursive: true });
  const keepBuild = options.profileDir !== undefined ? join(options.profileDir, 'build') : undefined;
  const engineDir = options.fromSource ? null : compileWampRuntime(keepBuild);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `wampkit WAMP bench: node ${process.version}, ${cpus().length} x ${cpu}, ${options.rounds} round(s) x ${options.measureMs} ms (warmup ${options.warmupMs} ms), ` +
      `ours ${engineDir === null ? 'from TypeScript sources (tsx)' : 'compiled by tsc'}${options.quick ? ' (quick)' : ''}`,
  );
  const results: Results = new Map();
  try {
    for (const serializer of options.serializers) await runSerializer(options, engineDir, serializer, results, deadline);
  } finally {
    if (engineDir !== null && keepBuild === undefined) removeWampRuntime(engineDir);
  }
  printReport(options, results);
  console.log(`\ntook ${fmt((Date.now() - began) / 1000)} s`);
  if (options.jsonPath !== undefined) {
    const out = [...results.values()].map((r) => ({ config: r.config, cells: Object.fromEntries(r.cells) }));
    writeFileSync(options.jsonPath, JSON.stringify({ node: process.version, cpu, date: new Date().toISOString(), options: { ...options, rows: [...options.rows] }, results: out, pids: startedPids }, null, 2));
  }
}

await main();
