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
 */
const WS_ANNOUNCED = 8 * MiB;
const WS_MESSAGE = 64 * MiB; // the default maxMessagePayloadSize
const WS_HEADROOM = 100 * MiB;
const RS_MESSAGE = 16 * MiB; // RawSocket's largest
const RS_HEADROOM = 24 * MiB;
const ANNOUNCING = 16;

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

function startChild(mode: 'websocket' | 'rawsocket'): Promise<{ child: ChildProcess; port: number }> {
  // A small young generation: V8's own page commits stay far smaller than the frames we
  // reserve, so near the cap our allocation, not V8's, is the one that fails (V8's would abort).
  const child = spawn(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', CHILD, mode], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child did not start: ${out}`)), 30_000);
    child.stdout!.on('data', () => {
      const m = /port (\d+)/.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`child exited with ${code}: ${out}`)));
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

/** A raw WebSocket client past its opening handshake; `closeCode` resolves with the server's close code (or null). */
async function rawClient(port: number): Promise<{ socket: net.Socket; closeCode: Promise<number | null>; data: () => Buffer }> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const key = randomBytes(16).toString('base64');
  socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  let received = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  for (let i = 0; i < 2_000 && received.indexOf('\r\n\r\n') < 0; i++) await new Promise((r) => setTimeout(r, 5));
  const end = received.indexOf('\r\n\r\n');
  assert.ok(end > 0 && received.subarray(0, 12).toString() === 'HTTP/1.1 101', `upgrade answered: ${received.subarray(0, 40).toString()}`);
  const frames = (): Buffer => received.subarray(end + 4);
  const closeCode = new Promise<number | null>((resolve) => socket.once('close', () => resolve(closeCodeIn(frames()))));
  return { socket, closeCode, data: frames };
}

test('WebSocket, in a process short of memory: large frames announced on many connections reserve nothing; a message that cannot be allocated closes its connection with 1009; the process lives on', { skip }, async () => {
  const { child, port } = await startChild('websocket');
  const sockets: net.Socket[] = [];
  try {
    limitAddressSpace(child.pid!, WS_HEADROOM);
    // Phase 1: 16 headers of 8 MiB (128 MiB if reserved at the header, over the cap).
    for (let i = 0; i < ANNOUNCING && !ended(child); i++) {
      let client;
      try {
        client = await rawClient(port);
      } catch {
        break; // the server is gone (what the previous code did here)
      }
      sockets.push(client.socket);
      client.socket.write(encodeFrameHeader(Opcode.BINARY, WS_ANNOUNCED, true, false, KEY));
    }
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!ended(child), `the server survived the announcements (${child.signalCode ?? child.exitCode ?? ''})`);
    // Phase 2: one 64 MiB message in two fragments: its pieces fit, a copy of them does not.
    const victim = await rawClient(port);
    sockets.push(victim.socket);
    const half = maskPayload(Buffer.alloc(WS_MESSAGE / 2, 0x5a), KEY, 0);
    victim.socket.write(Buffer.concat([encodeFrameHeader(Opcode.BINARY, half.length, false, false, KEY), half]));
    victim.socket.write(Buffer.concat([encodeFrameHeader(Opcode.CONTINUATION, half.length, true, false, KEY), half]));
    const code = await Promise.race([victim.closeCode, new Promise<'open'>((r) => setTimeout(() => r('open'), 20_000))]);
    assert.ok(!ended(child), `the server process is still running (${child.signalCode ?? child.exitCode ?? ''})`);
    assert.equal(code, 1009, 'the connection whose message could not be allocated was closed with 1009');
    // The server still serves (with the cap lifted: near it, V8's own next page could fail too).
    limitAddressSpace(child.pid!, 'unlimited');
    for (const s of sockets) s.destroy();
    await new Promise((r) => setTimeout(r, 300));
    const fresh = await rawClient(port);
    fresh.socket.write(encodeFrame(Opcode.TEXT, Buffer.from('still here'), true, false, KEY));
    for (let i = 0; i < 1_000 && !fresh.data().includes('still here'); i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(fresh.data().includes('still here'), 'a new connection is echoed');
    fresh.socket.destroy();
  } finally {
    for (const s of sockets) s.destroy();
    await stopChild(child);
  }
});

/** A RawSocket client past its handshake (JSON); `closed` resolves when the router drops it. */
async function rawSocketClient(port: number): Promise<{ socket: net.Socket; closed: Promise<void>; data: () => Buffer }> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  let received = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(encodeHandshake({ serializer: RawSocketSerializer.JSON, lengthExponent: 15 }));
  for (let i = 0; i < 2_000 && received.length < 4; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(received[0], 0x7f, 'handshake answered');
  assert.equal(received[1]! & 0x0f, RawSocketSerializer.JSON, 'JSON accepted');
  return { socket, closed, data: () => received.subarray(4) };
}

test('RawSocket, in a process short of memory: 16 MiB announced on many connections reserves nothing; a message that cannot be allocated drops its connection; the process lives on', { skip }, async () => {
  const { child, port } = await startChild('rawsocket');
  const sockets: net.Socket[] = [];
  try {
    limitAddressSpace(child.pid!, RS_HEADROOM);
    // Phase 1: 16 headers of 16 MiB (256 MiB if reserved at the header, over the cap).
    for (let i = 0; i < ANNOUNCING && !ended(child); i++) {
      let client;
      try {
        client = await rawSocketClient(port);
      } catch {
        break; // the router is gone (what the previous code did here)
      }
      sockets.push(client.socket);
      client.socket.write(encodeRawFrameHeader(RawSocketFrameType.REGULAR, RS_MESSAGE));
    }
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!ended(child), `the router survived the announcements (${child.signalCode ?? child.exitCode ?? ''})`);
    // Phase 2: one whole 16 MiB message: its pieces fit under the cap, a copy of them does not.
    const victim = await rawSocketClient(port);
    sockets.push(victim.socket);
    victim.socket.write(Buffer.concat([encodeRawFrameHeader(RawSocketFrameType.REGULAR, RS_MESSAGE), Buffer.alloc(RS_MESSAGE, 0x20)]));
    const dropped = await Promise.race([victim.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20_000))]);
    assert.ok(!ended(child), `the router process is still running (${child.signalCode ?? child.exitCode ?? ''})`);
    assert.ok(dropped, 'the connection whose message could not be allocated was dropped');
    limitAddressSpace(child.pid!, 'unlimited');
    for (const s of sockets) s.destroy();
    await new Promise((r) => setTimeout(r, 300));
    const fresh = await rawSocketClient(port);
    const message = Buffer.from('[1,"still here"]');
    fresh.socket.write(Buffer.concat([encodeRawFrameHeader(RawSocketFrameType.REGULAR, message.length), message]));
    for (let i = 0; i < 1_000 && !fresh.data().includes('still here'); i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(fresh.data().includes('still here'), 'a new connection is served');
    fresh.socket.destroy();
  } finally {
    for (const s of sockets) s.destroy();
    await stopChild(child);
  }
});
