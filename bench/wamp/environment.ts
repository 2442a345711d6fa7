/**
 * One configuration of the WAMP bench (a router, a client library, a serializer) as running
 * processes: the router; process A (callee, and publisher); process B (caller); and the
 * subscriber hosts, each holding a slice of the subscriber sessions. Clients are separate from
 * the router and from each other, so each process's CPU time tells which side limits a row.
 *
 * Each measurement returns one Sample: the rate, and each side's CPU time per operation and
 * utilisation (CPU time / wall time, 1.0 = one core busy) over the measured part.
 */
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { BenchChild, COUNT_WRITES_ENV, whenReady } from './ipc.js';
import { writeFileSync } from 'node:fs';
import { topicFor, type ClientLib, type RouterImpl, type SerializerName } from './peer-types.js';
import type { BenchOptions } from './options.js';

export interface Config {
  router: RouterImpl;
  client: ClientLib;
  serializer: SerializerName;
}
export const configKey = (c: Config): string => `${c.router}/${c.client}/${c.serializer}`;

/** CPU µs per operation and utilisation of one side over the measured part. */
export interface SideCost {
  perOp: number;
  utilisation: number;
}

export interface Sample {
  /** Calls/s, or events delivered/s. */
  rate: number;
  ops: number;
  seconds: number;
  p50?: number;
  p99?: number;
  router: SideCost;
  /** The caller (RPC rows) or the publisher (event rows). */
  driver: SideCost;
  /** The callee (RPC rows) or all subscriber hosts together (event rows). */
  peers: SideCost;
  /** Event rows: events the router acknowledged routing per second (acked publishes x N). */
  routedRate?: number;
  /** Event rows: the utilisation of the busiest subscriber process. */
  busiestPeer?: number;
  /** The machine's 1-minute load average when the sample ended (2 cores: above 2 means queueing). */
  load: number;
}

interface Measured {
  warmupOps: number;
  ops: number;
  seconds: number;
  cpu: number;
  p50?: number;
  p99?: number;
}

interface Writes {
  single: number;
  vectored: number;
  reads: number;
}

interface Count {
  delivered: number;
  cpu: number;
  lost: number;
  lostReason?: string;
}

/** Publishes in flight for N subscribers: fewer when each fans out widely, never fewer than 4. */
export const publishWindow = (subscribers: number): number => Math.min(100, Math.max(4, Math.ceil(2_000 / subscribers)));
export const RPC_WINDOW = 100;
const MAX_OPS = 5_000_000;
const MAX_SAMPLES = 200_000;
const LOST = 'session(s) lost';
const DRAIN_POLL_MS = 50;
const DRAIN_MAX_MS = 10_000;
const START_TIMEOUT_MS = 60_000;
/** Opening 1,000 sessions on a loaded box can take a while; still bounded. */
const SUBSCRIBE_TIMEOUT_MS = 180_000;

const HERE = fileURLToPath(new URL('./', import.meta.url));
const cost = (cpu: number, ops: number, seconds: number): SideCost => ({ perOp: ops === 0 ? 0 : cpu / ops, utilisation: seconds === 0 ? 0 : cpu / (seconds * 1e6) });

export class Environment {
  readonly config: Config;
  readonly #options: BenchOptions;
  readonly #children: BenchChild[] = [];
  #router!: BenchChild;
  #a!: BenchChild;
  #b!: BenchChild;
  #hosts: BenchChild[] = [];
  /** Every acked publish times its subscriber count: what the hosts must have received in all. */
  #expectedDeliveries = 0;
  #profiles = 0;
  /** Sessions lost (ended unasked) so far per process (A, B, hosts), and the last reason. */
  readonly #lostPer: number[] = [];
  #lostReason: string | undefined;

  private constructor(config: Config, options: BenchOptions) {
    this.config = config;
    this.#options = options;
  }

  #spawn(role: string, file: string, args: string[]): BenchChild {
    const env = this.#options.profile === undefined ? process.env : { ...process.env, [COUNT_WRITES_ENV]: '1' };
    const child = new BenchChild(`${configKey(this.config)} ${role}`, join(HERE, file), args, ['--conditions=@wampkit/source', '--import', 'tsx'], env);
    this.#children.push(child);
    return child;
  }

  /** Starts every process of `config` and opens its sessions; `maxSubscribers` 0: none. */
  static async start(config: Config, options: BenchOptions, engineDir: string | null, maxSubscribers: number): Promise<Environment> {
    const env = new Environment(config, options);
    try {
      await env.#start(engineDir ?? '-', maxSubscribers);
      return env;
    } catch (error) {
      await env.stop();
      throw error;
    }
  }

  async #start(engineDir: string, maxSubscribers: number): Promise<void> {
    const { client, serializer } = this.config;
    this.#router = this.#spawn('router', 'router-child.ts', [this.config.router, engineDir]);
    const { url } = await whenReady<{ url: string }>(this.#router, START_TIMEOUT_MS);
    this.#a = this.#spawn('a', 'client-child.ts', [client, engineDir]);
    this.#b = this.#spawn('b', 'client-child.ts', [client, engineDir]);
    const hostCount = Math.min(this.#options.subProcs, maxSubscribers);
    this.#hosts = Array.from({ length: hostCount }, (_, h) => this.#spawn(`subscribers${h}`, 'client-child.ts', [client, engineDir]));
    await Promise.all([this.#a, this.#b, ...this.#hosts].map((c) => whenReady(c, START_TIMEOUT_MS)));
    const session = { url, serializer };
    await this.#a.request({ cmd: 'callee', ...session }, START_TIMEOUT_MS);
    await this.#a.request({ cmd: 'publisher', ...session }, START_TIMEOUT_MS);
    await this.#b.request({ cmd: 'caller', ...session }, START_TIMEOUT_MS);
    const groups = this.#options.subscribers;
    let offset = 0;
    await Promise.all(
      this.#hosts.map((host, h) => {
        const count = Math.floor(maxSubscribers / hostCount) + (h < maxSubscribers % hostCount ? 1 : 0);
        const request = { cmd: 'subscribers', ...session, offset, count, groups };
        offset += count;
        return host.request(request, SUBSCRIBE_TIMEOUT_MS);
      }),
    );
  }

  get #timeout(): number {
    return this.#options.warmupMs + this.#options.measureMs + 60_000;
  }

  async #counts(children: BenchChild[]): Promise<Count[]> {
    return Promise.all(children.map((c) => c.request<Count>({ cmd: 'count' }, 20_000)));
  }

  /** Sessions lost since the last look, with the reason of a process that lost them. */
  async #newlyLost(): Promise<string | undefined> {
    const counts = await this.#counts([this.#a, this.#b, ...this.#hosts]);
    let fresh = 0;
    let reason: string | undefined;
    counts.forEach((c, i) => {
      const more = c.lost - (this.#lostPer[i] ?? 0);
      if (more > 0) {
        fresh += more;
        reason ??= c.lostReason;
      }
      this.#lostPer[i] = c.lost;
    });
    if (fresh === 0) return undefined;
    this.#lostReason = reason ?? '?';
    return `${fresh} ${LOST}: ${this.#lostReason}`;
  }

  /** Fails the sample when a session was lost during it: its figures would not mean anything. */
  async #checkLost(): Promise<void> {
    const lost = await this.#newlyLost();
    if (lost !== undefined) throw new Error(lost);
  }

  /**
   * Runs one measurement. A failure names the sessions lost during it when there are any (the
   * usual root cause: the peer ended them), or a loss in an earlier row that left this one
   * without a session.
   */
  async measure(run: () => Promise<Sample>): Promise<Sample> {
    const earlier = this.#lostReason;
    try {
      return await run();
    } catch (error) {
      const first = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
      if (first.includes(LOST)) throw error;
      const lost = await this.#newlyLost().catch(() => undefined);
      if (lost !== undefined) throw new Error(lost);
      if (earlier !== undefined) throw new Error(`${first} (a session was lost in an earlier row: ${earlier})`);
      throw error;
    }
  }

  async #rpcLike(cmd: 'rpc' | 'latency', window: number): Promise<Sample> {
    const { warmupMs, measureMs } = this.#options;
    let router0 = 0;
    let callee0 = 0;
    const profiled = this.#profiled(cmd, { router: this.#router, caller: this.#b, callee: this.#a });
    const reply = await this.#b.request<Measured>({ cmd, window, warmupMs, measureMs, maxOps: MAX_OPS, maxSamples: MAX_SAMPLES }, this.#timeout, async () => {
      await profiled.start();
      [router0, callee0] = await Promise.all([this.#router.cpu(), this.#a.cpu()]);
    });
    const [router1, callee1] = await Promise.all([this.#router.cpu(), this.#a.cpu()]);
    await profiled.stop(reply.ops, reply.seconds);
    await this.#checkLost();
    if (reply.ops === 0) throw new Error('no call completed');
    const { ops, seconds } = reply;
    return {
      rate: ops / seconds,
      ops,
      seconds,
      ...(reply.p50 === undefined ? {} : { p50: reply.p50, p99: reply.p99 ?? 0 }),
      router: cost(router1 - router0, ops, seconds),
      driver: cost(reply.cpu, ops, seconds),
      peers: cost(callee1 - callee0, ops, seconds),
      load: loadavg()[0] ?? 0,
    };
  }

  /** RPC calls/s with RPC_WINDOW calls in flight. */
  rpc(): Promise<Sample> {
    return this.measure(() => this.#rpcLike('rpc', RPC_WINDOW));
  }

  /** One call at a time: RTT p50/p99 and the calls/s that gives. */
  latency(): Promise<Sample> {
    return this.measure(() => this.#rpcLike('latency', 1));
  }

  async #delivered(): Promise<{ at: number; delivered: number; cpu: number; cpus: number[] }> {
    const at = performance.now();
    const counts = await this.#counts(this.#hosts);
    return { at, delivered: counts.reduce((n, c) => n + c.delivered, 0), cpu: counts.reduce((n, c) => n + c.cpu, 0), cpus: counts.map((c) => c.cpu) };
  }

  /** Waits (bounded) until every subscriber host has stopped receiving. */
  async #drain(): Promise<number> {
    let last = -1;
    let stable = 0;
    const deadline = Date.now() + DRAIN_MAX_MS;
    for (let i = 0; i < DRAIN_MAX_MS / DRAIN_POLL_MS && Date.now() < deadline; i++) {
      const { delivered } = await this.#delivered();
      stable = delivered === last ? stable + 1 : 0;
      if (stable >= 2 && delivered >= this.#expectedDeliveries) return delivered;
      last = delivered;
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
    return last;
  }

  /** Events delivered/s to the first `subscribers` sessions, acknowledged publishes in flight. */
  events(subscribers: number): Promise<Sample> {
    return this.measure(() => this.#events(subscribers));
  }

  async #events(subscribers: number): Promise<Sample> {
    if (this.#hosts.length === 0) throw new Error('no subscriber hosts started');
    const { warmupMs, measureMs } = this.#options;
    let before = { at: 0, delivered: 0, cpu: 0, cpus: [] as number[] };
    let router0 = 0;
    let publisher0 = 0;
    const request = { cmd: 'publish', topic: topicFor(subscribers), window: publishWindow(subscribers), warmupMs, measureMs, maxOps: MAX_OPS };
    const profiled = this.#profiled(`events${subscribers}`, { router: this.#router, publisher: this.#a, subscribers0: this.#hosts[0]! });
    const reply = await this.#a.request<Measured>(request, this.#timeout, async () => {
      await this.#drain();
      await profiled.start();
      [before, router0, publisher0] = await Promise.all([this.#delivered(), this.#router.cpu(), this.#a.cpu()]);
    });
    const [after, router1, publisher1] = await Promise.all([this.#delivered(), this.#router.cpu(), this.#a.cpu()]);
    await profiled.stop(after.delivered - before.delivered, (after.at - before.at) / 1000);
    this.#expectedDeliveries += (reply.warmupOps + reply.ops) * subscribers;
    const total = await this.#drain();
    await this.#checkLost();
    if (total !== this.#expectedDeliveries) {
      throw new Error(`subscribers received ${total} events in all, the acknowledged publishes promised ${this.#expectedDeliveries}`);
    }
    const seconds = (after.at - before.at) / 1000;
    const delivered = after.delivered - before.delivered;
    const routed = reply.ops * subscribers;
    if (delivered === 0) throw new Error('no event delivered');
    return {
      rate: delivered / seconds,
      ops: delivered,
      seconds,
      routedRate: routed / reply.seconds,
      // Router and publisher per event routed in the window; subscribers per event received.
      router: cost(router1 - router0, routed, seconds),
      driver: cost(publisher1 - publisher0, routed, seconds),
      peers: cost(after.cpu - before.cpu, delivered, seconds),
      busiestPeer: Math.max(...after.cpus.map((c, h) => (c - (before.cpus[h] ?? 0)) / (seconds * 1e6))),
      load: loadavg()[0] ?? 0,
    };
  }

  /**
   * With --profile: profiles `processes` over the measured part and writes, per process, the
   * profile and a sidecar JSON (operations, seconds, the process's CPU µs, socket writes) for
   * ./profile-summary.ts.
   */
  #profiled(row: string, processes: Record<string, BenchChild>): { start(): Promise<void>; stop(ops: number, seconds: number): Promise<void> } {
    const { profile, profileDir } = this.#options;
    if (profile === undefined || profileDir === undefined) return { start: async () => {}, stop: async () => {} };
    const entries = Object.entries(processes);
    const n = this.#profiles++;
    const base = (role: string): string => join(profileDir, `${this.config.router}.${this.config.client}.${this.config.serializer}.${row}.${role}.${n}`);
    const writes0 = new Map<string, Writes>();
    const cpu0 = new Map<string, number>();
    return {
      start: async () => {
        for (const [role, child] of entries) writes0.set(role, await child.request<Writes>({ cmd: 'writes' }, 20_000));
        for (const [, child] of entries) await child.request({ cmd: 'profile-start', kind: profile }, 20_000);
        for (const [role, child] of entries) cpu0.set(role, await child.cpu());
      },
      stop: async (ops, seconds) => {
        const cpu1 = new Map<string, number>();
        for (const [role, child] of entries) cpu1.set(role, await child.cpu());
        for (const [role, child] of entries) {
          const at = base(role);
          const cpu = (cpu1.get(role) ?? 0) - (cpu0.get(role) ?? 0);
          await child.request({ cmd: 'profile-stop', path: `${at}.${profile === 'cpu' ? 'cpuprofile' : 'heapprofile'}` }, 60_000);
          const w1 = await child.request<Writes>({ cmd: 'writes' }, 20_000);
          const w0 = writes0.get(role) ?? { single: 0, vectored: 0, reads: 0 };
          const writes = { single: w1.single - w0.single, vectored: w1.vectored - w0.vectored, reads: w1.reads - w0.reads };
          writeFileSync(`${at}.json`, JSON.stringify({ config: this.config, row, role, ops, seconds, cpu, writes }, null, 2));
        }
      },
    };
  }

  /** PIDs of this configuration's processes. */
  get pids(): number[] {
    return this.#children.flatMap((c) => (c.pid === undefined ? [] : [c.pid]));
  }

  /** Stops every process: clients first, then the router (so its profile covers the end). */
  async stop(): Promise<void> {
    const clients = this.#children.filter((c) => c !== this.#router);
    await Promise.all(clients.map((c) => c.stop()));
    await this.#router?.stop();
  }
}
