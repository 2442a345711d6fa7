/**
 * An allocation that fails (a peer announcing large frames on many connections, in a process
 * short of memory) closes that connection (WebSocket: with 1009) and never ends the process,
 * for the WebSocket engine and for RawSocket. The server runs in a child whose address space
 * prlimit caps a little above what it uses at start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Opcode } from '../../runtime/websocket/constants.js';
import { encodeFrame, encodeFrameHeader, maskPayload } from '../../runtime/websocket/frame-encoder.js';
import {
  RawSocketFrameType, RawSocketSerializer, encodeFrameHeader as encodeRawFrameHeader, encodeHandshake,
} from '../../runtime/transports/rawsocket-protocol.js';

const CHILD = fileURLToPath(new URL('./fixtures/echo-server-child.ts', import.meta.url));
const MiB = 1024 * 1024;
const KEY = Buffer.from([1, 2, 3, 4]);
/**
 * Phase 1 announces large frames on many connections: code that reserves at the header
 * exhausts the cap and dies; ours reserves nothing. Phase 2 sends one whole message that the
 * cap cannot hold twice (its pieces, then the one buffer they are copied into): that
 * allocation fails, with tens of MiB left, far more than V8 needs for its own pages (a failed
 * allocation of V8's would abort the process), so the one that fails is ours.
 *
 * No step sleeps and hopes: the child says what it has handled (echo-server-child.ts), every
 * wait is on an event with a generous bound, and every timer is cleared.
 */
const WS_ANNOUNCED = 8 * MiB;
const WS_MESSAGE = 64 * MiB; // the default maxMessagePayloadSize
const WS_HEADROOM = 100 * MiB;
const RS_MESSAGE = 16 * MiB; // RawSocket's largest
const RS_HEADROOM = 24 * MiB;
const ANNOUNCING = 16;
/** A RawSocket handshake's octets. */
const HANDSHAKE_SIZE = 4;
/** A bound on each wait for the server (never a timing claim: on an idle machine each takes milliseconds). */
const WAIT = 30_000;

const prlimit = spawnSync('prlimit', ['--version'], { encoding: 'utf8' });
const skip = prlimit.status !== 0 ? 'prlimit (util-linux) is not installed' : process.platform !== 'linux' ? 'needs Linux (/proc, prlimit)' : false;

function vmSize(pid: number): number {
  const kb = /VmSize:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (kb === null) throw new Error(`no VmSize for ${pid}`);
  return Number(kb[1]) * 1024;
}

/** Caps the child's address space `headroom` above what it uses now (the soft limit, so it can be lifted). */
function limitAddressSpace(pid: number, headroom: number | 'unlimited'): void {
  const limit = headroom === 'unlimited' ? headroom : vmSize(pid) + headroom;
  const set = spawnSync('prlimit', [`--pid=${pid}`, `--as=${limit}:unlimited`], { encoding: 'utf8' });
  assert.equal(set.status, 0, `prlimit: ${set.stderr}`);
}

/** Whether the child ended (by exit or by a signal such as V8's abort). */
function ended(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function stopChild(child: ChildProcess): Promise<void> {
  child.stdin!.end();
  if (ended(child)) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

interface Child {
  child: ChildProcess;
  port: number;
  /** Resolves once the child's output satisfies `done` (checked on each line it prints); rejects after `limitMs`. */
  printed(done: (out: string) => boolean, what: string, limitMs?: number): Promise<void>;
}

function startChild(mode: 'websocket' | 'rawsocket'): Promise<Child> {
  // A small young generation: V8's own page commits stay far smaller than the frames we
  // reserve, so near the cap our allocation, not V8's, is the one that fails (V8's would abort).
  const child = spawn(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', CHILD, mode], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const printed = (done: (out: string) => boolean, what: string, limitMs = WAIT): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!done(out)) return;
        finish();
        resolve();
      };
      const gone = (): void => {
        finish();
        reject(new Error(`the child ended (${child.signalCode ?? child.exitCode}) before ${what}: ${out.slice(-400)}`));
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`not within ${limitMs} ms: ${what}; the child printed: ${out.slice(-400)}`));
      }, limitMs);
      const finish = (): void => {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        child.off('exit', gone);
      };
      child.stdout!.on('data', check);
      child.once('exit', gone);
      if (ended(child)) gone();
      else check();
    });
  return printed((o) => /port \d+/.test(o), 'it listens', 30_000).then(() => ({ child, port: Number(/port (\d+)/.exec(out)![1]), printed }));
}

/** How many times the child printed `begun N` with this N. */
function begun(out: string, length: number): number {
  return out.split('\n').filter((line) => line === `begun ${length}`).length;
}

/** The last `read N` the child printed (bytes its RawSocket parser has handled), or 0. */
function readSoFar(out: string): number {
  const all = [...out.matchAll(/^read (\d+)$/gm)];
  return all.length === 0 ? 0 : Number(all[all.length - 1]![1]);
}

/** `promise`'s value, or `fallback` when it does not settle within `limitMs` (the timer is cleared either way). */
async function within<T, F>(promise: Promise<T>, limitMs: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<F>((r) => (timer = setTimeout(() => r(fallback), limitMs)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once `done()` holds, checked on each chunk `socket` receives; rejects after `limitMs` or on close. */
function received(socket: net.Socket, done: () => boolean, what: string, limitMs = WAIT): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!done()) return;
      finish();
      resolve();
    };
    const closed = (): void => {
      finish();
      reject(new Error(`the connection closed before ${what}`));
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`not within ${limitMs} ms: ${what}`));
    }, limitMs);
    const finish = (): void => {
      clearTimeout(timer);
      socket.off('data', check);
      socket.off('close', closed);
    };
    // After the listener that collects the bytes (added first), so `done` sees this chunk.
    socket.on('data', check);
    socket.once('close', closed);
    check();
  });
}

/** The code of the close frame among a server's (unmasked) frames, or null. */
function closeCodeIn(bytes: Buffer): number | null {
  for (let at = 0; at + 2 <= bytes.length; ) {
    const opcode = bytes[at]! & 0x0f;
    let length = bytes[at + 1]! & 0x7f;
    let header = 2;
    if (length === 126) [length, header] = [bytes.readUInt16BE(at + 2), 4];
    else if (length === 127) [length, header] = [Number(bytes.readBigUInt64BE(at + 2)), 10];
    if (opcode === Opcode.CLOSE) return length >= 2 ? bytes.readUInt16BE(at + header) : null;
    at += header + length;
  }
  return null;
}

interface RawClient {
  socket: net.Socket;
  /** Whether the server has closed this connection (so far). */
  isClosed(): boolean;
  /** The bytes after the handshake (server frames). */
  data(): Buffer;
}

/** Connects and collects what arrives; `isClosed` turns true on close. */
async function connect(port: number): Promise<{ socket: net.Socket; isClosed(): boolean; all(): Buffer }> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  let bytes = Buffer.alloc(0);
  let closed = false;
  socket.on('data', (chunk: Buffer) => (bytes = Buffer.concat([bytes, chunk])));
  socket.once('close', () => (closed = true));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, isClosed: () => closed, all: () => bytes };
}

/** A raw WebSocket client past its opening handshake; `closeCode` resolves with the server's close code (or null). */
async function rawClient(port: number): Promise<RawClient & { closeCode: Promise<number | null> }> {
  const { socket, isClosed, all } = await connect(port);
  const key = randomBytes(16).toString('base64');
  socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  await received(socket, () => all().includes('\r\n\r\n'), 'the upgrade answer');
  const end = all().indexOf('\r\n\r\n');
  assert.equal(all().subarray(0, 12).toString(), 'HTTP/1.1 101', `upgrade answered: ${all().subarray(0, 40).toString()}`);
  const frames = (): Buffer => all().subarray(end + 4);
  // Registered in the same turn as the handshake's answer: no close can have come in between.
  const closeCode = new Promise<number | null>((resolve) => socket.once('close', () => resolve(closeCodeIn(frames()))));
  return { socket, closeCode, isClosed, data: frames };
}

test('WebSocket, in a process short of memory: large frames announced on many connections reserve nothing; a message that cannot be allocated closes its connection with 1009; the process lives on', { skip }, async () => {
  const { child, port, printed } = await startChild('websocket');
  const announcers: RawClient[] = [];
  const sockets: net.Socket[] = [];
  try {
    limitAddressSpace(child.pid!, WS_HEADROOM);
    // Phase 1: 16 headers of 8 MiB (128 MiB if reserved at the header, over the cap). Each is
    // handled (the child says so) before the next: a reservation that failed would close that
    // connection before its frame began, one that killed the process would end the child.
    for (let i = 1; i <= ANNOUNCING; i++) {
      const client = await rawClient(port);
      announcers.push(client);
      sockets.push(client.socket);
      client.socket.write(encodeFrameHeader(Opcode.BINARY, WS_ANNOUNCED, true, false, KEY));
      const closed = client.closeCode.then((code) => `announcing connection ${i} was closed (${code}) before its frame began`);
      const begins = printed((out) => begun(out, WS_ANNOUNCED) >= i, `the server has begun ${i} frames of ${WS_ANNOUNCED} bytes`);
      begins.catch(() => {}); // when the close wins the race, the child's end later rejects this
      const failure = await Promise.race([begins, closed]);
      assert.equal(failure, undefined);
    }
    // Phase 2: one 64 MiB message in two fragments: its pieces fit, a copy of them does not.
    const victim = await rawClient(port);
    sockets.push(victim.socket);
    const half = maskPayload(Buffer.alloc(WS_MESSAGE / 2, 0x5a), KEY, 0);
    victim.socket.write(Buffer.concat([encodeFrameHeader(Opcode.BINARY, half.length, false, false, KEY), half]));
    victim.socket.write(Buffer.concat([encodeFrameHeader(Opcode.CONTINUATION, half.length, true, false, KEY), half]));
    const code = await within(victim.closeCode, WAIT, 'still open');
    assert.ok(!ended(child), `the server process is still running (${child.signalCode ?? child.exitCode ?? ''})`);
    assert.equal(code, 1009, 'the connection whose message could not be allocated was closed with 1009');
    assert.deepEqual(announcers.filter((a) => a.isClosed()).length, 0, 'every announcing connection is still open');
    // The server still serves (with the cap lifted: near it, V8's own next page could fail too).
    limitAddressSpace(child.pid!, 'unlimited');
    for (const s of sockets) s.destroy();
    const fresh = await rawClient(port);
    sockets.push(fresh.socket);
    fresh.socket.write(encodeFrame(Opcode.TEXT, Buffer.from('still here'), true, false, KEY));
    await received(fresh.socket, () => fresh.data().includes('still here'), 'the echo on a new connection');
  } finally {
    for (const s of sockets) s.destroy();
    await stopChild(child);
  }
});

/** A RawSocket client past its handshake (JSON); `closed` resolves when the router drops it. */
async function rawSocketClient(port: number): Promise<RawClient & { closed: Promise<boolean> }> {
  const { socket, isClosed, all } = await connect(port);
  socket.write(encodeHandshake({ serializer: RawSocketSerializer.JSON, lengthExponent: 15 }));
  await received(socket, () => all().length >= 4, 'the handshake answer');
  assert.equal(all()[0], 0x7f, 'handshake answered');
  assert.equal(all()[1]! & 0x0f, RawSocketSerializer.JSON, 'JSON accepted');
  const closed = new Promise<boolean>((resolve) => socket.once('close', () => resolve(true)));
  return { socket, closed, isClosed, data: () => all().subarray(4) };
}

test('RawSocket, in a process short of memory: 16 MiB announced on many connections reserves nothing; a message that cannot be allocated drops its connection; the process lives on', { skip }, async () => {
  const { child, port, printed } = await startChild('rawsocket');
  const announcers: RawClient[] = [];
  const sockets: net.Socket[] = [];
  /** Bytes we have sent to the child: its handshakes and headers (what it reports having read). */
  let sent = 0;
  try {
    limitAddressSpace(child.pid!, RS_HEADROOM);
    // Phase 1: 16 headers of 16 MiB (256 MiB if reserved at the header, over the cap). Each is
    // read by the parser (the child says so) before the next: a reservation that failed would
    // drop that connection, one that killed the process would end the child.
    for (let i = 1; i <= ANNOUNCING; i++) {
      const client = await rawSocketClient(port);
      announcers.push(client);
      sockets.push(client.socket);
      const header = encodeRawFrameHeader(RawSocketFrameType.REGULAR, RS_MESSAGE);
      client.socket.write(header);
      sent += HANDSHAKE_SIZE + header.length;
      const expected = sent;
      const closed = client.closed.then(() => `announcing connection ${i} was dropped at its header`);
      const reads = printed((out) => readSoFar(out) >= expected, `the router has read ${i} handshakes and headers (${expected} bytes)`);
      reads.catch(() => {}); // when the drop wins the race, the child's end later rejects this
      const failure = await Promise.race([reads, closed]);
      assert.equal(failure, undefined);
    }
    // Phase 2: one whole 16 MiB message: its pieces fit under the cap, a copy of them does not.
    const victim = await rawSocketClient(port);
    sockets.push(victim.socket);
    victim.socket.write(Buffer.concat([encodeRawFrameHeader(RawSocketFrameType.REGULAR, RS_MESSAGE), Buffer.alloc(RS_MESSAGE, 0x20)]));
    const dropped = await within(victim.closed, WAIT, false);
    assert.ok(!ended(child), `the router process is still running (${child.signalCode ?? child.exitCode ?? ''})`);
    assert.ok(dropped, 'the connection whose message could not be allocated was dropped');
    assert.deepEqual(announcers.filter((a) => a.isClosed()).length, 0, 'every announcing connection is still open');
    limitAddressSpace(child.pid!, 'unlimited');
    for (const s of sockets) s.destroy();
    const fresh = await rawSocketClient(port);
    sockets.push(fresh.socket);
    const message = Buffer.from('[1,"still here"]');
    fresh.socket.write(Buffer.concat([encodeRawFrameHeader(RawSocketFrameType.REGULAR, message.length), message]));
    await received(fresh.socket, () => fresh.data().includes('still here'), 'the echo on a new connection');
  } finally {
    for (const s of sockets) s.destroy();
    await stopChild(child);
  }
});
