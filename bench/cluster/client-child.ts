/**
 * One client process of the cluster bench: named sessions of our client, and the workloads on
 * them, driven by the parent over IPC (../wamp/ipc.ts).
 *
 *   open {name, url, serializer}                 one session, kept under `name`
 *   register {name, procedure}                   add2 as `procedure`
 *   subscribers {url, serializer, topic, count}  `count` sessions subscribed to `topic`; every delivery counts
 *   rpc {name, procedure, window, warmupMs, measureMs, maxOps}   calls with `window` in flight
 *   latency {name, procedure, warmupMs, measureMs, maxSamples}   one call at a time: RTT p50/p99 (µs)
 *   publish {name, topic, window, warmupMs, measureMs, maxOps}   acknowledged publishes in flight
 *   count                                        deliveries so far and this process's CPU µs
 *   hang {url, procedure}                        a callee that never answers (the failover row)
 *   callUntilError {url, procedure}              calls it; answers the wall-clock ms its ERROR arrived
 *   closeAll                                     closes every session, resets the count
 * Every loop is bounded in count and in time.
 */
import { serveParent, type Request } from '../wamp/ipc.js';
import { engineDirArg, loadClient } from '../wamp/runtime.js';
import { wampkitPeer } from '../wamp/peer-wampkit.js';
import type { BenchSession, SerializerName } from '../wamp/peer-types.js';

const engineDir = engineDirArg(process.argv[2]);
const api = await loadClient(engineDir);
const peer = wampkitPeer(api);
const named = new Map<string, BenchSession>();
const held: BenchSession[] = [];
const raw: Array<{ leave(): Promise<void> }> = [];
let delivered = 0;
let lost = 0;
const OPEN_CONCURRENCY = 25;

const onLost = (): void => void lost++;
const session = (name: unknown): BenchSession => {
  const s = named.get(String(name));
  if (s === undefined) throw new Error(`no session ${String(name)} in this process`);
  return s;
};

async function inFlight(op: () => Promise<unknown>, window: number, maxOps: number, maxMs: number): Promise<{ ops: number; seconds: number }> {
  let started = 0;
  let done = 0;
  const start = performance.now();
  const deadline = start + maxMs;
  const worker = async (): Promise<void> => {
    while (started < maxOps && performance.now() < deadline) {
      started++;
      await op();
      done++;
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
  return { ops: done, seconds: (performance.now() - start) / 1000 };
}

async function measured(request: Request, warmed: () => Promise<void>, op: () => Promise<unknown>): Promise<{ ops: number; seconds: number; cpu: number }> {
  const { window, warmupMs, measureMs, maxOps } = request as unknown as { window: number; warmupMs: number; measureMs: number; maxOps: number };
  await inFlight(op, window, maxOps, warmupMs);
  await warmed();
  const before = process.cpuUsage();
  const r = await inFlight(op, window, maxOps, measureMs);
  const used = process.cpuUsage(before);
  return { ...r, cpu: used.user + used.system };
}

serveParent({
  open: async (r) => {
    named.set(String(r.name), await peer.open(r.url as string, r.serializer as SerializerName, onLost));
    return { ok: true };
  },
  register: async (r) => {
    await session(r.name).register(r.procedure as string);
    return { ok: true };
  },
  subscribers: async (r) => {
    const count = r.count as number;
    for (let first = 0; first < count; first += OPEN_CONCURRENCY) {
      await Promise.all(Array.from({ length: Math.min(OPEN_CONCURRENCY, count - first) }, async () => {
        const s = await peer.open(r.url as string, r.serializer as SerializerName, onLost);
        held.push(s);
        await s.subscribe(r.topic as string, () => void delivered++);
      }));
    }
    return { sessions: held.length };
  },
  rpc: (r, phase) => {
    const s = session(r.name);
    const procedure = r.procedure as string;
    let n = 0;
    return measured(r, phase.warmed, () => s.call(procedure, n++));
  },
  publish: (r, phase) => {
    const s = session(r.name);
    const topic = r.topic as string;
    return measured(r, phase.warmed, () => s.publish(topic));
  },
  latency: async (r, phase) => {
    const { warmupMs, measureMs, maxSamples } = r as unknown as { warmupMs: number; measureMs: number; maxSamples: number };
    const s = session(r.name);
    const procedure = r.procedure as string;
    const warmEnd = performance.now() + warmupMs;
    for (let i = 0; i < maxSamples && performance.now() < warmEnd; i++) await s.call(procedure, i);
    await phase.warmed();
    const samples: number[] = [];
    const deadline = performance.now() + measureMs;
    while (samples.length < maxSamples && performance.now() < deadline) {
      const t = process.hrtime.bigint();
      await s.call(procedure, samples.length);
      samples.push(Number(process.hrtime.bigint() - t) / 1000);
    }
    samples.sort((a, b) => a - b);
    const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
    return { ops: samples.length, p50: at(0.5), p99: at(0.99) };
  },
  count: async () => {
    const used = process.cpuUsage();
    return { delivered, cpu: used.user + used.system, lost };
  },
  hang: async (r) => {
    const s = await api.connect({ transports: r.url as string, realm: 'realm1', maxRetries: 0 });
    raw.push(s);
    await s.register(r.procedure as string, () => new Promise(() => {}));
    return { ok: true };
  },
  callUntilError: async (r) => {
    const s = await api.connect({ transports: r.url as string, realm: 'realm1', maxRetries: 0 });
    raw.push(s);
    const at = await s.call(r.procedure as string).then(() => -1, () => Date.now());
    return { at };
  },
  closeAll: async () => {
    for (const s of [...named.values(), ...held.splice(0)]) s.close();
    named.clear();
    await Promise.all(raw.splice(0).map((s) => s.leave().catch(() => {})));
    delivered = 0;
    return { ok: true };
  },
}, { ready: true }, 60 * 60_000);
