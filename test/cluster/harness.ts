// Child processes for the cluster tests: nats-server (one, or a 3-server NATS cluster with
// JetStream), router nodes (`wampkit router --config ...` with a `cluster`, from runtime/bin/wampkit.mjs), and
// a TCP proxy in this process to cut a node off from NATS. Everything listens on 127.0.0.1 with
// ports the OS picks, keeps JetStream's storage in a temporary directory, and is ended by PID
// (`stopAll`); every wait is bounded.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'runtime/bin/wampkit.mjs');
/** The TypeScript sources, as the test runner runs them (runtime/bin/wampkit.mjs imports the package by name). */
const SOURCES = ['--conditions=@wampkit/source', '--import', 'tsx'];
const START_TIMEOUT_MS = 30_000;

/** Why the cluster tests cannot run here, or null when nats-server is installed. */
export function natsMissing(): string | null {
  const r = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'nats-server is not installed (Debian package nats-server; .ci/run installs it)';
}

const children = new Set<ChildProcess>();
// A test file that ends before its `after` hook ran (a timeout, a crash) still ends its children, by PID.
process.once('exit', () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null && c.pid !== undefined) {
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});
const dirs: string[] = [];
const servers: Server[] = [];

export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** Ends every child this file started (SIGKILL, by PID) and removes the temporary directories. */
export async function stopAll(): Promise<void> {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null && c.pid !== undefined) {
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  await Promise.all([...children].map((c) => exited(c, 5000)));
  children.clear();
  for (const s of servers) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

function exited(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Waits (bounded) until `pattern` appears in the child's output; resolves with its match. */
function waitFor(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp, what: string, ms = START_TIMEOUT_MS): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => finish(new Error(`${what}: no ${pattern} within ${ms} ms; output:\n${seen.slice(-3000)}`)), ms);
    const onData = (d: Buffer): void => {
      seen += d.toString();
      const m = pattern.exec(seen);
      if (m !== null) finish(null, m);
    };
    const onExit = (code: number | null, signal: string | null): void => finish(new Error(`${what} exited (${code ?? signal}) before ${pattern}; output:\n${seen.slice(-3000)}`));
    const finish = (error: Error | null, m?: RegExpExecArray): void => {
      clearTimeout(timer);
      child[stream]!.off('data', onData);
      child.off('exit', onExit);
      if (error !== null) reject(error);
      else resolve(m!);
    };
    child[stream]!.on('data', onData);
    child.once('exit', onExit);
  });
}

export interface NatsServer {
  readonly url: string;
  readonly child: ChildProcess;
  kill(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (for NATS cluster routes, which must be known before the servers start). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function startNatsProcess(args: string[], name: string): Promise<NatsServer> {
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', '-1', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  return waitFor(child, 'stderr', /Listening for client connections on [\d.]+:(\d+)/, name).then((m) => ({
    url: `nats://127.0.0.1:${m[1]}`,
    child,
    kill: async () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
      await exited(child, 5000);
    },
  }));
}

/** One nats-server with JetStream. */
export function startNats(): Promise<NatsServer> {
  return startNatsProcess(['-js', '-sd', tempDir('wk-nats-')], 'nats-server');
}

/** A 3-server NATS cluster with JetStream (routes on free ports); resolves once JetStream has a leader. */
export async function startNatsCluster(size = 3): Promise<NatsServer[]> {
  const ports = await Promise.all(Array.from({ length: size }, () => freePort()));
  const routes = ports.map((p) => `nats://127.0.0.1:${p}`).join(',');
  const started = await Promise.all(ports.map((port, i) => startNatsProcess([
    '-js', '-sd', tempDir(`wk-nats${i}-`), '-n', `n${i}`, '--cluster_name', 'wk', '--cluster', `nats://127.0.0.1:${port}`, '--routes', routes,
  ], `nats-server n${i}`)));
  // JetStream's meta group must elect a leader before a replicated bucket can be made.
  await Promise.any(started.map((s) => waitFor(s.child, 'stderr', /JetStream cluster new metadata leader|Self is new JetStream cluster metadata leader/, 'NATS JetStream leader')));
  return started;
}

export interface RouterNode {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  /** SIGKILL, then wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (a clean stop), then wait for the exit. */
  stop(): Promise<void>;
  signal(signal: NodeJS.Signals): void;
  readonly output: () => string;
}

export interface NodeConfig {
  realms?: unknown[];
  cluster?: Record<string, unknown>;
  [key: string]: unknown;
}

/** More for the node's process: Node options (e.g. `--import` of a fixture) and environment variables. */
export interface NodeProcess {
  execArgv?: string[];
  env?: Record<string, string>;
}

/** Starts one router node as a child process; resolves with its WebSocket address once it listens. */
export async function startNode(name: string, natsUrls: readonly string[], config: NodeConfig = {}, proc: NodeProcess = {}): Promise<RouterNode> {
  const dir = tempDir(`wk-node-${name}-`);
  const file = join(dir, 'router.json');
  writeFileSync(file, JSON.stringify({ realms: ['realm1'], ...config, cluster: { servers: [...natsUrls], node: name, ...config.cluster } }));
  const child = spawn(process.execPath, [...SOURCES, ...(proc.execArgv ?? []), bin, 'router', '--port', '0', '--config', file], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WAMPKIT_DEBUG: process.env['WAMPKIT_DEBUG'] ?? 'router:cluster:warn', ...proc.env },
  });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const m = await waitFor(child, 'stdout', /listening on (ws:\/\/\S+)/, `router node ${name}`);
  return {
    name, url: m[1]!, child, output: () => out,
    kill: async () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
      await exited(child, 5000);
    },
    stop: async () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGTERM');
      await exited(child, 10_000);
    },
    signal: (signal) => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, signal);
    },
  };
}

/** A TCP proxy to `target` ("nats://127.0.0.1:PORT"): `cut()` drops every connection and refuses new ones until `restore()`. */
export async function startProxy(target: string): Promise<{ url: string; cut(): void; restore(): void }> {
  const { hostname, port } = new URL(target.replace(/^nats:/, 'http:'));
  const sockets = new Set<Socket>();
  let open = true;
  const server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = tcpConnect(Number(port), hostname);
    sockets.add(client).add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `nats://127.0.0.1:${(server.address() as { port: number }).port}`,
    cut: () => {
      open = false;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore: () => {
      open = true;
    },
  };
}

/** Resolves with `p`, or rejects once `ms` passed: no await in a test waits for ever on a message the cluster lost. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`not within ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Resolves when `check` is true, polling every 20 ms; rejects after `ms` (a check that hangs counts against it too). */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await within(Promise.resolve(check()), Math.max(1, deadline - Date.now()), what)) return;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The limit of one cluster test (node:test's `timeout`): far above what a test takes on a
 * loaded machine, far below the runner's per-file limit, so a test that hangs fails alone.
 */
export const TEST_LIMIT = { timeout: 120_000 } as const;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
