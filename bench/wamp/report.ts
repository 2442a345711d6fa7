/**
 * The WAMP bench's tables: medians over rounds, ratios within the run, the reasons for every
 * cell that could not be measured, and which side was busy in each row.
 *
 * Every ratio reads "how many times better ours is": rates ours/theirs, times theirs/ours, CPU
 * per operation theirs/ours. Above 1.00x means ours is ahead.
 */
import type { Config, Sample, SideCost } from './environment.js';
import type { BenchOptions } from './options.js';
import { SERIALIZERS_OF, type ClientLib, type SerializerName } from './peer-types.js';

export interface Cell {
  samples: Sample[];
  error?: string;
}
export type Results = Map<string, { config: Config; cells: Map<string, Cell> }>;

/** The rows a run measures, in order: 'rpc', 'latency', 'events:N'. */
export function rowIds(options: BenchOptions): string[] {
  const out: string[] = [];
  if (options.rows.has('rpc')) out.push('rpc');
  if (options.rows.has('latency')) out.push('latency');
  if (options.rows.has('events')) for (const n of options.subscribers) out.push(`events:${n}`);
  return out;
}

export function rowLabel(row: string): string {
  if (row === 'rpc') return 'RPC calls/s, 100 in flight';
  if (row === 'latency') return 'RPC calls/s, 1 in flight';
  const n = Number(row.slice('events:'.length));
  return `events/s delivered, ${n.toLocaleString('en-US')} subscriber${n === 1 ? '' : 's'}`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length === 0 ? 0 : sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Summary {
  rate: number;
  p50: number;
  p99: number;
  /** The least CPU µs per operation over the rounds (the least disturbed), and the median utilisation. */
  router: SideCost;
  driver: SideCost;
  peers: SideCost;
  routedRate: number;
  busiestPeer: number;
  load: number;
}

function side(samples: Sample[], pick: (s: Sample) => SideCost): SideCost {
  return { perOp: Math.min(...samples.map((s) => pick(s).perOp)), utilisation: median(samples.map((s) => pick(s).utilisation)) };
}

export function summarise(cell: Cell | undefined): Summary | string {
  if (cell === undefined) return 'not run';
  if (cell.error !== undefined) return cell.error;
  if (cell.samples.length === 0) return 'no sample';
  const s = cell.samples;
  return {
    rate: median(s.map((x) => x.rate)),
    p50: median(s.map((x) => x.p50 ?? 0)),
    p99: median(s.map((x) => x.p99 ?? 0)),
    router: side(s, (x) => x.router),
    driver: side(s, (x) => x.driver),
    peers: side(s, (x) => x.peers),
    routedRate: median(s.map((x) => x.routedRate ?? 0)),
    busiestPeer: median(s.map((x) => x.busiestPeer ?? x.peers.utilisation)),
    load: median(s.map((x) => x.load)),
  };
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (a: number, b: number): string => (b === 0 || a === 0 ? 'n/a' : `${(a / b).toFixed(2)}x`);

/** Footnotes for cells that hold a reason instead of a figure. */
class Notes {
  readonly #notes: string[] = [];
  ref(text: string): string {
    let i = this.#notes.indexOf(text);
    if (i < 0) i = this.#notes.push(text) - 1;
    return `n/a [${i + 1}]`;
  }
  print(): void {
    this.#notes.forEach((n, i) => console.log(`[${i + 1}] ${n}`));
  }
}

type Metric = 'rate' | 'p50' | 'p99';
const METRICS: Record<Metric, { suffix: string; lowerIsBetter: boolean; digits: number }> = {
  rate: { suffix: '', lowerIsBetter: false, digits: 0 },
  p50: { suffix: ' (RTT p50 µs)', lowerIsBetter: true, digits: 1 },
  p99: { suffix: ' (RTT p99 µs)', lowerIsBetter: true, digits: 1 },
};

/** A row's metric lines: the latency row also gives RTT p50 and p99. */
const metricsOf = (row: string): Metric[] => (row === 'latency' ? ['rate', 'p50', 'p99'] : ['rate']);

function value(s: Summary | string, metric: Metric, notes: Notes): string {
  return typeof s === 'string' ? notes.ref(s) : fmt(s[metric], METRICS[metric].digits);
}

/** "ours ahead by": rates ours/theirs, times and CPU theirs/ours. */
function ahead(ours: Summary | string, theirs: Summary | string, metric: Metric): string {
  if (typeof ours === 'string' || typeof theirs === 'string') return '–';
  return METRICS[metric].lowerIsBetter ? ratio(theirs[metric], ours[metric]) : ratio(ours[metric], theirs[metric]);
}

const clientCpu = (s: Summary): number => s.driver.perOp + s.peers.perOp;

function find(results: Results, router: string, client: string, serializer: SerializerName): Map<string, Cell> | undefined {
  return results.get(`${router}/${client}/${serializer}`)?.cells;
}

function routerTable(options: BenchOptions, results: Results, notes: Notes): void {
  if (!options.routers.includes('ours') || !options.routers.includes('fox')) return;
  console.log('\n### Routers: ours against fox-wamp, the same client on both\n');
  console.log('| row | serializer | client | ours | fox-wamp | ours ahead | router CPU µs/op ours / fox-wamp | ours ahead |');
  console.log('|---|---|---|---:|---:|---:|---:|---:|');
  for (const serializer of options.serializers) {
    if (!SERIALIZERS_OF.fox.includes(serializer)) {
      console.log(`| all | ${serializer} | all | | ${notes.ref(`fox-wamp speaks only JSON (wamp.2.json) over WebSocket: no ${serializer} comparison`)} | | | |`);
      continue;
    }
    for (const row of rowIds(options)) {
      for (const client of options.routerClients) {
        const ours = summarise(find(results, 'ours', client, serializer)?.get(row));
        const fox = summarise(find(results, 'fox', client, serializer)?.get(row));
        for (const metric of metricsOf(row)) {
          const cpu = metric === 'rate' && typeof ours !== 'string' && typeof fox !== 'string';
          console.log(
            `| ${rowLabel(row)}${METRICS[metric].suffix} | ${serializer} | ${client} | ${value(ours, metric, notes)} | ${value(fox, metric, notes)} | ${ahead(ours, fox, metric)} ` +
              `| ${cpu ? `${fmt(ours.router.perOp, 2)} / ${fmt(fox.router.perOp, 2)}` : ''} | ${cpu ? ratio(fox.router.perOp, ours.router.perOp) : ''} |`,
          );
        }
      }
    }
  }
}

function clientTable(options: BenchOptions, results: Results, notes: Notes): void {
  if (!options.routers.includes('ours') || !options.clients.includes('wampkit')) return;
  const others = options.clients.filter((c): c is Exclude<ClientLib, 'wire' | 'wampkit'> => c !== 'wampkit');
  console.log(`\n### Clients through our router: wampkit${others.length === 0 ? '' : ` against ${others.join(' and ')}`}\n`);
  console.log(
    `| row | serializer | wampkit | ${others.join(' | ')} | ${others.map((o) => `ahead of ${o}`).join(' | ')} | client CPU µs/op wampkit / ${others.join(' / ')} |`,
  );
  console.log(`|---|---|---:|${others.map(() => '---:|').join('')}${others.map(() => '---:|').join('')}---:|`);
  for (const serializer of options.serializers) {
    for (const row of rowIds(options)) {
      const ours = summarise(find(results, 'ours', 'wampkit', serializer)?.get(row));
      const theirs = others.map((o) => summarise(find(results, 'ours', o, serializer)?.get(row)));
      for (const metric of metricsOf(row)) {
        const cpu = metric === 'rate' ? [ours, ...theirs].map((s) => (typeof s === 'string' ? '–' : fmt(clientCpu(s), 2))).join(' / ') : '';
        console.log(
          `| ${rowLabel(row)}${METRICS[metric].suffix} | ${serializer} | ${value(ours, metric, notes)} | ${theirs.map((t) => value(t, metric, notes)).join(' | ')} ` +
            `| ${theirs.map((t) => ahead(ours, t, metric)).join(' | ')} | ${cpu} |`,
        );
      }
    }
  }
}

function wireTable(options: BenchOptions, results: Results, notes: Notes): void {
  if (!options.wire || !options.routers.includes('ours') || !options.clients.includes('wampkit')) return;
  console.log('\n### How close WAMP is to the wire: wampkit through our router against the same bytes forwarded by a bare WebSocket server\n');
  console.log('| row | serializer | wire | wampkit + our router | WAMP / wire | server CPU µs/op wire / our router |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const serializer of options.serializers) {
    for (const row of rowIds(options)) {
      const wire = summarise(find(results, 'wire', 'wire', serializer)?.get(row));
      const ours = summarise(find(results, 'ours', 'wampkit', serializer)?.get(row));
      for (const metric of metricsOf(row)) {
        const both = typeof wire !== 'string' && typeof ours !== 'string';
        // Rates: the share of the wire's rate WAMP reaches; times: how many times the wire's.
        const share = both ? ratio(ours[metric], wire[metric]) : '–';
        console.log(
          `| ${rowLabel(row)}${METRICS[metric].suffix} | ${serializer} | ${value(wire, metric, notes)} | ${value(ours, metric, notes)} | ${share} ` +
            `| ${both && metric === 'rate' ? `${fmt(wire.router.perOp, 2)} / ${fmt(ours.router.perOp, 2)}` : ''} |`,
        );
      }
    }
  }
}

/** Which process was busiest: a side at 85% of a core or more limits the row. */
function limit(s: Summary, row: string): string {
  const events = row.startsWith('events');
  const sides: Array<[string, number]> = [
    ['router', s.router.utilisation],
    [events ? 'publisher' : 'caller', s.driver.utilisation],
    [events ? 'a subscriber process' : 'callee', s.busiestPeer],
  ];
  const total = s.router.utilisation + s.driver.utilisation + s.peers.utilisation;
  const [name, top] = sides.reduce((a, b) => (b[1] > a[1] ? b : a));
  if (row === 'latency') return 'round trips (one call at a time)';
  if (top >= 0.85) return name;
  if (total >= 1.7) return 'both cores (all processes together)';
  return `none saturated (busiest: ${name})`;
}

function limitsTable(options: BenchOptions, results: Results): void {
  console.log('\n### Which side limits each row: CPU busy during the measured part, % of one core (median over rounds)\n');
  console.log('A process at 85% of a core or more limits its row; the machine has 2 cores, and a load average above 2 means other work was queueing for them too.\n');
  console.log('| row | serializer | router + client | router | caller / publisher | callee / subscriber processes (all; busiest) | limited by | machine load (1 min) |');
  console.log('|---|---|---|---:|---:|---:|---|---:|');
  for (const serializer of options.serializers) {
    for (const row of rowIds(options)) {
      for (const { config, cells } of results.values()) {
        if (config.serializer !== serializer) continue;
        const s = summarise(cells.get(row));
        if (typeof s === 'string') continue;
        const pct = (u: number): string => `${fmt(u * 100)}%`;
        console.log(
          `| ${rowLabel(row)} | ${serializer} | ${config.router} + ${config.client} | ${pct(s.router.utilisation)} | ${pct(s.driver.utilisation)} | ${pct(s.peers.utilisation)}${row.startsWith('events') ? `; ${pct(s.busiestPeer)}` : ''} | ${limit(s, row)} | ${fmt(s.load, 1)} |`,
        );
      }
    }
  }
}

export function printReport(options: BenchOptions, results: Results): void {
  const notes = new Notes();
  routerTable(options, results, notes);
  clientTable(options, results, notes);
  wireTable(options, results, notes);
  console.log('');
  notes.print();
  limitsTable(options, results);
}
