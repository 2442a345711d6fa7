/**
 * Hostile-network floods against the router (and the bare engine), at full size, printing the
 * server process's peak RSS (VmHWM) and peak address space (VmPeak) for each. The tests scale
 * these floods down and assert bounds (test/websocket/connection-hostile, hostile-allocation,
 * test/transports/rawsocket-hostile, test/router/listener-timeouts); this shows the damage.
 *
 *   npx tsx bench/hostile/index.ts [--baseline REF] [--only NAME,...] [--scale F]
 *
 * Each flood gets a fresh server process (./server-child.ts, the runtime compiled by tsc as in
 * bench/websocket). `--baseline REF` runs every flood against the runtime at git revision REF
 * too (before/after, same machine, same time). `--scale 0.1` runs a tenth of each flood.
 * Floods (names for --only):
 *
 *   ws-large-frames    1,000 WebSocket connections, each announcing an 8 MiB frame, 64 KiB sent
 *   rs-large-frames    1,000 RawSocket connections, each announcing 16 MiB, 64 KiB sent
 *   ws-ping-flood      3,000,000 pings on one WebSocket connection that never reads
 *   rs-ping-flood      3,000,000 RawSocket PINGs on one connection that never reads
 *   ws-fragments       one text message as 12,000,000 one-byte frames (router: default limits)
 *   ws-fragments-nolimit  the same against a bare WebSocketServer with maxFramesPerMessage off
 *   silent             1,000 connections to the shared WebSocket/RawSocket port sending nothing
 *
 * Every loop is bounded in count and time; the server is killed at the end of each flood.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';
import { baselineRef, compileBaseline, compileRuntime } from '../websocket/engine.js';

const args = process.argv.slice(2);
const scaleAt = args.indexOf('--scale');
const SCALE = scaleAt >= 0 ? Number(args[scaleAt + 1]) : 1;
if (!(SCALE > 0 && SCALE <= 1)) throw new Error(`--scale must be in (0, 1], got ${String(args[scaleAt + 1])}`);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? new Set(String(args[onlyAt + 1]).split(',')) : null;
const ref = baselineRef(args);
const CHILD = fileURLToPath(new URL('./server-child.ts', import.meta.url));
const MiB = 1024 * 1024;
const KEY = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
const n = (full: number): number => Math.max(1, Math.round(full * SCALE));
const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---- the server process ----

interface Server {
  child: ChildProcess;
  port: number;
}

function status(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const m of readFileSync(`/proc/${pid}/status`, 'utf8').matchAll(/^(Vm\w+):\s+(\d+) kB/gm)) out[m[1]!] = Number(m[2]) * 1024;
  } catch {
    // gone
  }
  return out;
}

/** CPU ticks the process has used (utime + stime), or -1 once it is gone. */
function cpuTicks(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return -1;
  }
}

/** Waits until the server has used no CPU for a second (it has worked through the flood), at most `limitMs`. */
async function settled(pid: number, limitMs = 180_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  let last = cpuTicks(pid);
  let quiet = 0;
  while (Date.now() < deadline && quiet < 4 && last >= 0) {
    await delay(250);
    const now = cpuTicks(pid);
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function startServer(dir: string, mode: 'router' | 'engine'): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, mode], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000);
    child.stdout!.on('data', () => {
      const m = /port (\d+)/.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code, signal) => reject(new Error(`server exited (${code ?? signal}): ${out}`)));
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  child.stdin!.end();
  if (!alive(child)) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

// ---- raw clients ----

function connectTcp(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** A WebSocket connection past its upgrade (subprotocol wamp.2.json), not reading further. */
async function wsClient(port: number): Promise<net.Socket> {
  const socket = await connectTcp(port);
  const key = randomBytes(16).toString('base64');
  let head = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no 101')), 30_000);
    const onData = (d: Buffer): void => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      clearTimeout(timer);
      socket.off('data', onData);
      if (!head.startsWith('HTTP/1.1 101')) reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
      else resolve();
    };
    socket.on('data', onData);
    socket.write(
      `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: wamp.2.json\r\n\r\n',
    );
  });
  socket.pause();
  return socket;
}

/** A RawSocket connection past its handshake (JSON, 16 MiB), not reading further. */
async function rsClient(port: number): Promise<net.Socket> {
  const socket = await connectTcp(port);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no RawSocket reply')), 30_000);
    socket.once('data', (d: Buffer) => {
      clearTimeout(timer);
      if (d[0] !== 0x7f || (d[1]! & 0x0f) !== 1) reject(new Error(`RawSocket refused: ${d.toString('hex')}`));
      else resolve();
    });
    socket.write(Buffer.from([0x7f, 0xf1, 0, 0]));
  });
  socket.pause();
  return socket;
}

/** A client WebSocket frame (masked with KEY). */
function wsFrame(opcode: number, payload: Buffer, fin: boolean): Buffer {
  const len = payload.length;
  const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const out = Buffer.allocUnsafe(2 + ext + 4 + len);
  out[0] = (fin ? 0x80 : 0) | opcode;
  out[1] = 0x80 | (ext === 0 ? len : ext === 2 ? 126 : 127);
  if (ext === 2) out.writeUInt16BE(len, 2);
  if (ext === 8) out.writeBigUInt64BE(BigInt(len), 2);
  KEY.copy(out, 2 + ext);
  for (let i = 0; i < len; i++) out[2 + ext + 4 + i] = payload[i]! ^ KEY[i & 3]!;
  return out;
}

/** A WebSocket frame header alone, announcing `length` masked payload bytes. */
function wsHeader(opcode: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(14);
  out[0] = 0x80 | opcode;
  out[1] = 0x80 | 127;
  out.writeBigUInt64BE(BigInt(length), 2);
  KEY.copy(out, 10);
  return out;
}

/** A RawSocket frame prefix (2^24 is announced with the extra-length bit). */
function rsHeader(type: number, length: number): Buffer {
  if (length === 2 ** 24) return Buffer.from([type | 0x08, 0, 0, 0]);
  return Buffer.from([type, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff]);
}

/** Writes `unit` `count` times, in blocks of about 1 MiB, waiting for drain: the client stays small. */
async function writeRepeated(socket: net.Socket, unit: Buffer, count: number, first?: Buffer): Promise<void> {
  if (first !== undefined) socket.write(first);
  const perBlock = Math.max(1, Math.floor(MiB / unit.length));
  const block = Buffer.concat(Array.from({ length: perBlock }, () => unit));
  for (let left = count; left > 0 && !socket.destroyed; ) {
    const k = Math.min(left, perBlock);
    const ok = socket.write(k === perBlock ? block : block.subarray(0, k * unit.length));
    left -= k;
    if (!ok) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
    }
  }
}

// ---- floods ----

interface Outcome {
  note: string;
}

type Flood = (server: Server) => Promise<Outcome>;

const FLOODS: Array<{ name: string; mode: 'router' | 'engine'; what: string; run: Flood }> = [
  {
    name: 'ws-large-frames',
    mode: 'router',
    what: `${n(1000)} WebSocket connections announcing 8 MiB frames, 64 KiB of each sent`,
    async run({ port }) {
      const sockets: net.Socket[] = [];
      const payload = Buffer.alloc(64 * 1024, 0x41);
      for (let i = 0; i < n(1000); i++) {
        const s = await wsClient(port);
        s.write(wsHeader(2, 8 * MiB));
        s.write(payload);
        sockets.push(s);
      }
      await delay(2_000);
      const closed = sockets.filter((s) => s.destroyed || s.readableEnded).length;
      for (const s of sockets) s.destroy();
      return { note: `${closed} closed by the server` };
    },
  },
  {
    name: 'rs-large-frames',
    mode: 'router',
    what: `${n(1000)} RawSocket connections announcing 16 MiB messages, 64 KiB of each sent`,
    async run({ port }) {
      const sockets: net.Socket[] = [];
      const payload = Buffer.alloc(64 * 1024, 0x20);
      for (let i = 0; i < n(1000); i++) {
        const s = await rsClient(port);
        s.write(rsHeader(0, 2 ** 24));
        s.write(payload);
        sockets.push(s);
      }
      await delay(2_000);
      const closed = sockets.filter((s) => s.destroyed || s.readableEnded).length;
      for (const s of sockets) s.destroy();
      return { note: `${closed} closed by the server` };
    },
  },
  {
    name: 'ws-ping-flood',
    mode: 'router',
    what: `${n(3_000_000).toLocaleString('en-US')} pings (16 B) on one WebSocket connection that never reads`,
    async run({ port }) {
      const s = await wsClient(port);
      await writeRepeated(s, wsFrame(0x9, Buffer.alloc(16, 0x70), true), n(3_000_000));
      return await finish(s);
    },
  },
  {
    name: 'rs-ping-flood',
    mode: 'router',
    what: `${n(3_000_000).toLocaleString('en-US')} RawSocket PINGs (16 B) on one connection that never reads`,
    async run({ port }) {
      const s = await rsClient(port);
      await writeRepeated(s, Buffer.concat([rsHeader(1, 16), Buffer.alloc(16, 0x70)]), n(3_000_000));
      return await finish(s);
    },
  },
  {
    name: 'ws-fragments',
    mode: 'router',
    what: `one text message as ${n(12_000_000).toLocaleString('en-US')} one-byte frames (router, default limits)`,
    async run({ port }) {
      const s = await wsClient(port);
      s.resume();
      const more = wsFrame(0x0, Buffer.from('x'), false);
      await writeRepeated(s, more, n(12_000_000) - 1, wsFrame(0x1, Buffer.from('x'), false));
      return await finish(s);
    },
  },
  {
    name: 'ws-fragments-nolimit',
    mode: 'engine',
    what: `one text message as ${n(12_000_000).toLocaleString('en-US')} one-byte frames (bare engine, maxFramesPerMessage off)`,
    async run({ port }) {
      const s = await wsClient(port);
      s.resume();
      const more = wsFrame(0x0, Buffer.from('x'), false);
      await writeRepeated(s, more, n(12_000_000) - 1, wsFrame(0x1, Buffer.from('x'), false));
      return await finish(s);
    },
  },
  {
    name: 'silent',
    mode: 'router',
    what: `${n(1000)} connections to the shared WebSocket/RawSocket port sending nothing, for 15 s`,
    async run({ port }) {
      const sockets: net.Socket[] = [];
      for (let i = 0; i < n(1000); i++) sockets.push(await connectTcp(port));
      // The default handshake timeout is 10 s.
      await delay(15_000);
      const open = sockets.filter((s) => !s.destroyed && !s.readableEnded).length;
      for (const s of sockets) s.destroy();
      return { note: `${open} of ${sockets.length} still open after 15 s` };
    },
  },
];

/** Whether the server closed the connection. */
async function finish(socket: net.Socket): Promise<Outcome> {
  await delay(500);
  const closed = socket.destroyed || socket.readableEnded;
  socket.destroy();
  return { note: closed ? 'connection closed by the server' : 'connection still open' };
}

// ---- run ----

interface Row {
  flood: string;
  engine: string;
  peakRss: number;
  growth: number;
  peakVm: number;
  vmGrowth: number;
  survived: boolean;
  note: string;
}

async function runFlood(flood: (typeof FLOODS)[number], engine: string, dir: string): Promise<Row> {
  const server = await startServer(dir, flood.mode);
  const pid = server.child.pid!;
  await delay(500);
  const before = status(pid);
  let note = '';
  try {
    note = (await flood.run(server)).note;
    await settled(pid);
  } catch (error) {
    note = `flood stopped: ${error instanceof Error ? error.message : String(error)}`;
  }
  const after = status(pid);
  const survived = alive(server.child);
  await stopServer(server.child);
  return {
    flood: flood.name,
    engine,
    peakRss: after['VmHWM'] ?? NaN,
    growth: (after['VmHWM'] ?? NaN) - (before['VmRSS'] ?? NaN),
    peakVm: after['VmPeak'] ?? NaN,
    vmGrowth: (after['VmPeak'] ?? NaN) - (before['VmSize'] ?? NaN),
    survived,
    note,
  };
}

const fmtMiB = (bytes: number): string => (Number.isFinite(bytes) ? `${(bytes / MiB).toFixed(0)} MiB` : 'n/a');
// The router imports packages (serializers, hashes): compileRuntime links node_modules beside
// the compiled tree.
const engines: Array<[string, string]> = [['ours', compileRuntime()]];
if (ref !== null) engines.push([`base (${ref})`, compileBaseline(ref)]);
console.log(`wampkit hostile floods: node ${process.version}, scale ${SCALE}${ref === null ? '' : `, base = ${ref}`}`);
const rows: Row[] = [];
try {
  for (const flood of FLOODS) {
    if (only !== null && !only.has(flood.name)) continue;
    console.log(`\n${flood.name}: ${flood.what}`);
    for (const [engine, dir] of engines) {
      const row = await runFlood(flood, engine, dir);
      rows.push(row);
      console.log(`  ${engine.padEnd(16)} peak RSS ${fmtMiB(row.peakRss).padStart(9)} (+${fmtMiB(row.growth)})  address space +${fmtMiB(row.vmGrowth)}  ${row.survived ? 'alive' : 'DIED'}  ${row.note}`);
    }
  }
} finally {
  for (const [, dir] of engines) rmSync(dir, { recursive: true, force: true });
}
console.log('\n| flood | engine | server peak RSS | peak RSS over idle | peak address space over idle | server | note |\n|---|---|---:|---:|---:|---|---|');
for (const r of rows) {
  console.log(`| ${r.flood} | ${r.engine} | ${fmtMiB(r.peakRss)} | +${fmtMiB(r.growth)} | +${fmtMiB(r.vmGrowth)} | ${r.survived ? 'alive' : 'died'} | ${r.note} |`);
}
