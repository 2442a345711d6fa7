/**
 * Engine cost without sockets: the CPU each engine spends per echoed message, ours against ws,
 * in one process. Pre-framed messages are fed to a connection over an in-memory socket in
 * 64 KiB reads (what node's sockets deliver); each message is echoed; written bytes are dropped.
 * No kernel, no scheduler between two processes: on a shared, loaded box this is the steadiest
 * comparison of the two engines' own work (the echo bench measures the whole system).
 *
 *   npx tsx bench/websocket/engine-cost.ts [server|client] [--trials N] [--source]
 *                                          [--baseline REF] [--sizes 64KiB,1MiB,16MiB]
 *
 * `--baseline REF` adds our engine as it was at git revision REF (compiled the same way), for a
 * before/after comparison in the same run.
 *
 * Server role: masked frames in, unmasked out. Client role: unmasked in, masked out. Each
 * figure is the least CPU time per message over N short alternating trials (default 30), since
 * interference from other load only ever adds time.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { baselineRef, compileBaseline, compileRuntime } from './engine.js';

const args = process.argv.slice(2);
const role = args.includes('client') ? 'client' : 'server';
const fromSource = args.includes('--source');
const trialsAt = args.indexOf('--trials');
const TRIALS = trialsAt >= 0 ? Number(args[trialsAt + 1]) : 30;
if (!Number.isInteger(TRIALS) || TRIALS < 1 || TRIALS > 1000) throw new Error(`--trials must be an integer in 1..1000, got ${String(args[trialsAt + 1])}`);

const READ_SIZE = 64 * 1024;
/** Bytes of messages per trial: short trials, so some of them fall between other processes' bursts. */
const TRIAL_BYTES = 4 * 1024 * 1024;
const ALL_SIZES: Array<[label: string, bytes: number]> = [
  ['16B', 16],
  ['1KiB', 1024],
  ['64KiB', 64 * 1024],
  ['1MiB', 1024 * 1024],
  ['16MiB', 16 * 1024 * 1024],
];
const sizesAt = args.indexOf('--sizes');
const wanted = sizesAt >= 0 ? String(args[sizesAt + 1]).split(',') : ['16B', '1KiB', '64KiB', '1MiB'];
for (const w of wanted) if (!ALL_SIZES.some(([label]) => label === w)) throw new Error(`--sizes takes ${ALL_SIZES.map(([l]) => l).join(',')}; got ${w}`);
const SIZES = ALL_SIZES.filter(([label]) => wanted.includes(label)).map(([, bytes]) => bytes);
const ref = baselineRef(args);
const MAX_PAYLOAD = 64 * 1024 * 1024;

/** A frame as a peer sends it (masked when it comes from a client). */
function frame(payload: Buffer, opcode: number, masked: boolean): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const out = Buffer.alloc(2 + lengthBytes + (masked ? 4 : 0) + length);
  out[0] = 0x80 | opcode;
  out[1] = (masked ? 0x80 : 0) | (length < 126 ? length : length < 65536 ? 126 : 127);
  if (lengthBytes === 2) out.writeUInt16BE(length, 2);
  if (lengthBytes === 8) out.writeBigUInt64BE(BigInt(length), 2);
  let p = 2 + lengthBytes;
  if (!masked) {
    payload.copy(out, p);
    return out;
  }
  const key = randomBytes(4);
  key.copy(out, p);
  p += 4;
  for (let i = 0; i < length; i++) out[p + i] = payload[i]! ^ key[i & 3]!;
  return out;
}

/** The socket surface both engines use; writes are counted and dropped. */
class MemorySocket extends Duplex {
  written = 0;
  constructor() {
    super({ highWaterMark: 1 << 30 });
  }
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.written += chunk.length;
    callback();
  }
  override _writev(chunks: Array<{ chunk: Buffer }>, callback: () => void): void {
    for (const c of chunks) this.written += c.chunk.length;
    callback();
  }
  setNoDelay(): void {}
  setTimeout(): void {}
  setKeepAlive(): void {}
}

/** ws's way to take over an upgraded socket (public in ws, absent from its type definitions). */
interface WsInternals {
  _isServer: boolean;
  setSocket(socket: Duplex, head: Buffer, options: { maxPayload: number; skipUTF8Validation: boolean; allowSynchronousEvents: boolean }): void;
}

type ConnectionClass = (typeof import('../../runtime/websocket/connection.js'))['WebSocketConnection'];
const loadConnection = async (dir: string): Promise<ConnectionClass> =>
  ((await import(pathToFileURL(join(dir, 'runtime', 'websocket', 'connection.js')).href)) as typeof import('../../runtime/websocket/connection.js')).WebSocketConnection;
const engineDir = fromSource ? null : compileRuntime();
const baseDir = ref === null ? null : compileBaseline(ref);
const engines: { ours: ConnectionClass; base: ConnectionClass | null } = {
  ours: engineDir === null ? (await import('../../runtime/websocket/connection.js')).WebSocketConnection : await loadConnection(engineDir),
  base: baseDir === null ? null : await loadConnection(baseDir),
};

type Impl = 'ours' | 'base' | 'ws';
const IMPLS: Impl[] = engines.base === null ? ['ours', 'ws'] : ['ours', 'base', 'ws'];

/** Feeds `reads` and returns µs per message; throws unless every message was echoed. */
function trial(impl: Impl, reads: Buffer[][], expected: number): number {
  const socket = new MemorySocket();
  let echoed = 0;
  if (impl !== 'ws') {
    const conn = new (impl === 'ours' ? engines.ours : engines.base!)(socket, Buffer.alloc(0), {
      role,
      subprotocol: null,
      extensions: '',
      deflate: null,
      peer: 'memory',
      maxMessagePayloadSize: MAX_PAYLOAD,
    });
    conn.on('error', (err) => {
      throw err;
    });
    conn.on('message', (data, isBinary) => {
      echoed++;
      conn.sendMessage(data, isBinary);
    });
  } else {
    // ws's server side makes its sockets this way: no URL, then setSocket.
    const ws = new (WebSocket as unknown as new (url: null, protocols: undefined, options: object) => WebSocket)(null, undefined, {});
    const internals = ws as unknown as WsInternals;
    internals._isServer = role === 'server';
    internals.setSocket(socket, Buffer.alloc(0), { maxPayload: MAX_PAYLOAD, skipUTF8Validation: false, allowSynchronousEvents: true });
    ws.on('error', (err) => {
      throw err;
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      echoed++;
      ws.send(data, { binary: isBinary });
    });
  }
  // CPU time of this process, not wall time: on a loaded box the wall clock also counts the
  // time other processes had the core; CPU time counts only this work (GC included).
  const start = process.cpuUsage();
  for (const pass of reads) for (const chunk of pass) socket.emit('data', chunk);
  const used = process.cpuUsage(start);
  const micros = used.user + used.system;
  socket.destroy();
  if (echoed !== expected) throw new Error(`${impl} echoed ${echoed} of ${expected} messages`);
  return micros / echoed;
}

console.log(`engine cost (CPU µs) per echoed message, ${role} role, in process (least of ${TRIALS} alternating trials), node ${process.version}${ref === null ? '' : `, base = ${ref}`}`);
console.log(
  engines.base === null
    ? '\n| size | kind | ours µs/msg | ws µs/msg | ours/ws speed |\n|---|---|---:|---:|---:|'
    : '\n| size | kind | ours µs/msg | base µs/msg | ws µs/msg | ours/base speed | ours/ws speed |\n|---|---|---:|---:|---:|---:|---:|',
);
for (const size of SIZES) {
  for (const binary of [false, true]) {
    const payload = Buffer.alloc(size);
    for (let i = 0; i < size; i++) payload[i] = binary ? (i * 131) & 0xff : 0x61 + (i % 26);
    const perPass = Math.max(1, Math.min(64, Math.floor(TRIAL_BYTES / (size + 14))));
    const passes = Math.max(1, Math.floor(TRIAL_BYTES / (perPass * (size + 14))));
    const stream = Buffer.concat(Array.from({ length: perPass }, () => frame(payload, binary ? 2 : 1, role === 'server')));
    const best: Record<Impl, number> = { ours: Infinity, base: Infinity, ws: Infinity };
    for (let t = 0; t < TRIALS; t++) {
      // Each trial starts with the next engine in turn: none always runs after the same one
      // (whose garbage the collector may take in the next trial).
      for (let k = 0; k < IMPLS.length; k++) {
        const impl = IMPLS[(t + k) % IMPLS.length]!;
        // Fresh read buffers every trial, as a socket delivers them (the server unmasks in place).
        const reads = Array.from({ length: passes }, () => {
          const out: Buffer[] = [];
          for (let at = 0; at < stream.length; at += READ_SIZE) out.push(Buffer.from(stream.subarray(at, at + READ_SIZE)));
          return out;
        });
        best[impl] = Math.min(best[impl], trial(impl, reads, passes * perPass));
      }
    }
    const label = size >= 1024 * 1024 ? `${size / 1024 / 1024} MiB` : size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
    const kind = binary ? 'binary' : 'text';
    console.log(
      engines.base === null
        ? `| ${label} | ${kind} | ${best.ours.toFixed(2)} | ${best.ws.toFixed(2)} | ${(best.ws / best.ours).toFixed(2)}x |`
        : `| ${label} | ${kind} | ${best.ours.toFixed(2)} | ${best.base.toFixed(2)} | ${best.ws.toFixed(2)} | ${(best.base / best.ours).toFixed(2)}x | ${(best.ws / best.ours).toFixed(2)}x |`,
    );
  }
}
for (const dir of [engineDir, baseDir]) if (dir !== null) rmSync(dir, { recursive: true, force: true });
