/**
 * An allocation that fails (a peer announcing large frames on many connections, in a process
 * short of memory) closes that connection with 1009 and never ends the process. The server runs
 * in a child whose address space prlimit caps a little above what it uses at start.
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

const CHILD = fileURLToPath(new URL('./fixtures/echo-server-child.ts', import.meta.url));
const MiB = 1024 * 1024;
const KEY = Buffer.from([1, 2, 3, 4]);
/** Address space the child may grow by: room for a few dozen 8 MiB frames, far from 80 of them. */
const HEADROOM = 320 * MiB;
const FRAME = 8 * MiB;
/** Enough of each frame that the engine reserves it (a quarter of it). */
const SENT = FRAME / 4 + 64 * 1024;
const MAX_CONNECTIONS = 80;

const prlimit = spawnSync('prlimit', ['--version'], { encoding: 'utf8' });
const skip = prlimit.status !== 0 ? 'prlimit (util-linux) is not installed' : process.platform !== 'linux' ? 'needs Linux (/proc, prlimit)' : false;

function vmSize(pid: number): number {
  const kb = /VmSize:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (kb === null) throw new Error(`no VmSize for ${pid}`);
  return Number(kb[1]) * 1024;
}

function startChild(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { stdio: ['pipe', 'pipe', 'pipe'] });
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

test('large frames announced on many connections in a process short of memory: that connection closes with 1009, the process lives on', { skip }, async () => {
  const { child, port } = await startChild();
  const sockets: net.Socket[] = [];
  try {
    const limit = vmSize(child.pid!) + HEADROOM;
    const set = spawnSync('prlimit', [`--pid=${child.pid}`, `--as=${limit}:${limit}`], { encoding: 'utf8' });
    assert.equal(set.status, 0, `prlimit: ${set.stderr}`);
    const payload = maskPayload(Buffer.alloc(SENT, 0x5a), KEY, 0);
    let refused: number | null = null;
    let opened = 0;
    for (let i = 0; i < MAX_CONNECTIONS && refused === null && child.exitCode === null; i++) {
      let client;
      try {
        client = await rawClient(port);
      } catch {
        break; // the server is gone (what the previous code did here)
      }
      sockets.push(client.socket);
      void client.closeCode.then((code) => (refused ??= code));
      client.socket.write(encodeFrameHeader(Opcode.BINARY, FRAME, true, false, KEY));
      client.socket.write(payload);
      opened = i + 1;
      // Give the server a moment to read it: it either holds the frame (reserved) or fails a connection.
      await new Promise((r) => setTimeout(r, 150));
    }
    for (let i = 0; i < 200 && refused === null && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(child.exitCode, null, 'the server process is still running');
    assert.equal(refused, 1009, `of ${opened} connections, one whose frame could not be allocated was closed with 1009`);
    // Others are unaffected: a fresh connection still echoes (after the open ones are gone).
    for (const s of sockets) s.destroy();
    await new Promise((r) => setTimeout(r, 300));
    const fresh = await rawClient(port);
    fresh.socket.write(encodeFrame(Opcode.TEXT, Buffer.from('still here'), true, false, KEY));
    for (let i = 0; i < 1_000 && !fresh.data().includes('still here'); i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(fresh.data().includes('still here'), 'a new connection is echoed');
    fresh.socket.destroy();
  } finally {
    for (const s of sockets) s.destroy();
    child.stdin!.end();
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
  }
});
