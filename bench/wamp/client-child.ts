/**
 * One client process of the WAMP bench: it holds sessions of one library and runs the
 * workloads on them, driven by the parent over IPC (./ipc.ts).
 * argv: <wampkit|autobahn|wampy|wire> <compiled runtime dir, or '-' for the sources>.
 *
 * Requests:
 *   callee / caller / publisher {url, serializer}   open (and for callee register) one session
 *   subscribers {url, serializer, offset, count, groups}
 *       open `count` sessions, global indices offset.. ; session i subscribes to topicFor(N)
 *       for every N in `groups` with i < N; every delivery counts in one counter
 *   rpc {window, warmupMs, measureMs, maxOps}       calls with `window` in flight
 *   latency {warmupMs, measureMs, maxSamples}        one call at a time: RTT samples
 *   publish {topic, window, warmupMs, measureMs, maxOps}  acknowledged publishes in flight
 *   count        deliveries so far, this process's CPU µs, and sessions lost (ended unasked)
 * Measured requests warm up, report warmed, wait for go, then measure (CPU µs of this process
 * over the measured part is in the answer). Every loop is bounded in count and in time.
 */
import { serveParent, type Request } from './ipc.js';
import { engineDirArg, loadClient, loadSerializers, loadWebSocket } from './runtime.js';
import { PROCEDURE, topicFor, type BenchPeer, type BenchSession, type ClientLib, type SerializerName } from './peer-types.js';

const lib = process.argv[2] as ClientLib;
const engineDir = engineDirArg(process.argv[3]);

async function loadPeer(): Promise<BenchPeer> {
  if (lib === 'wampkit') return (await import('./peer-wampkit.js')).wampkitPeer(await loadClient(engineDir));
  if (lib === 'autobahn') return (await import('./peer-autobahn.js')).autobahnPeer();
  if (lib === 'wampy') return (await import('./peer-wampy.js')).wampyPeer();
  if (lib === 'wire') return (await import('./wire.js')).wirePeer(await loadWebSocket(engineDir), await loadSerializers(engineDir));
  throw new Error(`unknown client library ${String(lib)}`);
}

const peer = await loadPeer();
const roles = new Map<string, BenchSession>();
const held: BenchSession[] = [];
let delivered = 0;
let lost = 0;
let lostReason: string | undefined;
const onLost = (reason: string): void => {
  lost++;
  lostReason = reason;
};
const countDelivery = (): void => void delivered++;
/** Sessions opened at once while filling a subscriber host. */
const OPEN_CONCURRENCY = 25;

interface Measured {
  /** Operations completed in the warmup (the events bench checks every acked publish arrived). */
  warmupOps: number;
  ops: number;
  seconds: number;
  /** CPU µs of this process over the measured part. */
  cpu: number;
}

/** Keeps `window` operations in flight until `maxOps` have started or `maxMs` has passed. */
async function inFlight(op: (n: number) => Promise<unknown>, window: number, maxOps: number, maxMs: number): Promise<{ ops: number; seconds: number }> {
  let started = 0;
  let done = 0;
  const start = performance.now();
  const deadline = start + maxMs;
  const worker = async (): Promise<void> => {
    while (started < maxOps && performance.now() < deadline) {
      started++;
      await op(done);
      done++;
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
  return { ops: done, seconds: (performance.now() - start) / 1000 };
}

async function measured(request: Request, warmed: () => Promise<void>, op: (n: number) => Promise<unknown>): Promise<Measured> {
  const { window, warmupMs, measureMs, maxOps } = request as unknown as { window: number; warmupMs: number; measureMs: number; maxOps: number };
  const warmup = await inFlight(op, window, maxOps, warmupMs);
  await warmed();
  const before = process.cpuUsage();
  const r = await inFlight(op, window, maxOps, measureMs);
  const used = process.cpuUsage(before);
  return { warmupOps: warmup.ops, ...r, cpu: used.user + used.system };
}

function role(name: string): BenchSession {
  const s = roles.get(name);
  if (s === undefined) throw new Error(`no ${name} session opened in this process`);
  return s;
}

const open = (request: Request): Promise<BenchSession> => peer.open(request.url as string, request.serializer as SerializerName, onLost);

serveParent(
  {
    callee: async (request) => {
      const s = await open(request);
      await s.register(PROCEDURE);
      roles.set('callee', s);
      return { ok: true };
    },
    caller: async (request) => {
      roles.set('caller', await open(request));
      return { ok: true };
    },
    publisher: async (request) => {
      roles.set('publisher', await open(request));
      return { ok: true };
    },
    subscribers: async (request) => {
      const { offset, count, groups } = request as unknown as { offset: number; count: number; groups: number[] };
      for (let first = 0; first < count; first += OPEN_CONCURRENCY) {
        const batch = Array.from({ length: Math.min(OPEN_CONCURRENCY, count - first) }, async (_, k) => {
          const index = offset + first + k;
          const s = await open(request);
          held.push(s);
          for (const n of groups) if (index < n) await s.subscribe(topicFor(n), countDelivery);
        });
        await Promise.all(batch);
      }
      return { sessions: held.length };
    },
    rpc: (request, phase) => {
      const caller = role('caller');
      return measured(request, phase.warmed, (n) => caller.call(PROCEDURE, n));
    },
    publish: (request, phase) => {
      const publisher = role('publisher');
      const topic = request.topic as string;
      return measured(request, phase.warmed, () => publisher.publish(topic));
    },
    latency: async (request, phase) => {
      const { warmupMs, measureMs, maxSamples } = request as unknown as { warmupMs: number; measureMs: number; maxSamples: number };
      const caller = role('caller');
      const warmEnd = performance.now() + warmupMs;
      for (let i = 0; i < maxSamples && performance.now() < warmEnd; i++) await caller.call(PROCEDURE, i);
      await phase.warmed();
      const samples: number[] = [];
      const before = process.cpuUsage();
      const start = performance.now();
      const deadline = start + measureMs;
      while (samples.length < maxSamples && performance.now() < deadline) {
        const t = process.hrtime.bigint();
        await caller.call(PROCEDURE, samples.length);
        samples.push(Number(process.hrtime.bigint() - t) / 1000);
      }
      const seconds = (performance.now() - start) / 1000;
      const used = process.cpuUsage(before);
      samples.sort((a, b) => a - b);
      const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
      return { ops: samples.length, seconds, cpu: used.user + used.system, p50: at(0.5), p99: at(0.99) };
    },
    count: async () => {
      const used = process.cpuUsage();
      return { delivered, cpu: used.user + used.system, lost, lostReason };
    },
  },
  { lib },
  20 * 60_000,
);
