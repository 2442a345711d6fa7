import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Opcode } from '../../runtime/websocket/constants.js';
import { encodeFrame } from '../../runtime/websocket/frame-encoder.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SERVER = 'examples/websocket/echo-server.ts';
const CLIENT = 'examples/websocket/echo-client.ts';
const START_LIMIT_MS = 30_000;

function run(file: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', file, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Starts the echo server; resolves with its URL once it printed the listening line. */
function startServer(args: string[]): Promise<{ child: ChildProcess; url: string; stdout: () => string }> {
  const child = run(SERVER, ['--port', '0', ...args]);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.resume();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`echo server did not print its address within ${START_LIMIT_MS} ms: ${out}`));
    }, START_LIMIT_MS);
    const onData = (): void => {
      const m = /^listening on (ws:\/\/127\.0\.0\.1:(\d+))$/m.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      assert.notEqual(m[2], '0');
      resolve({ child, url: m[1]!, stdout: () => out });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`echo server exited early with ${code}: ${out}`));
    });
  });
}

function finish(child: ChildProcess, limitMs = 60_000): Promise<{ code: number | null; out: string }> {
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

async function stopServer(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

// The two modes run side by side: most of the time is process start-up, not work.
describe('echo examples', { concurrency: true }, () => {
  test('echo-client matches every echo of echo-server; asking for deflate from a plain server or a dead one fails clearly', async () => {
    const server = await startServer([]);
    try {
      const [plain, deflate] = await Promise.all([
        finish(run(CLIENT, ['--url', server.url])),
        finish(run(CLIENT, ['--url', server.url, '--deflate'])),
      ]);
      assert.equal(plain.code, 0, plain.out);
      assert.match(plain.out, /^OK 16 echoes matched/m);
      assert.notEqual(deflate.code, 0);
      assert.match(deflate.out, /^FAIL permessage-deflate/m);
    } finally {
      assert.equal(await stopServer(server.child, 'SIGTERM'), 0);
      assert.deepEqual(server.stdout().trim().split('\n'), [`listening on ${server.url}`]);
    }
    const gone = await finish(run(CLIENT, ['--url', server.url]));
    assert.notEqual(gone.code, 0);
    assert.match(gone.out, /^FAIL cannot connect/m);
  });

  test('echo-client matches every echo of echo-server with --deflate', async () => {
    const server = await startServer(['--deflate']);
    try {
      const client = await finish(run(CLIENT, ['--url', server.url, '--deflate']));
      assert.equal(client.code, 0, client.out);
      assert.match(client.out, /^OK 16 echoes matched \(.*permessage-deflate\)/m);
    } finally {
      assert.equal(await stopServer(server.child, 'SIGINT'), 0);
      assert.deepEqual(server.stdout().trim().split('\n'), [`listening on ${server.url}`]);
    }
  });

  test('echo-server respects backpressure: a client that sends 64 MiB and never reads is slowed down, the server does not grow', {
    skip: existsSync('/proc/self/status') ? false : 'needs /proc to read the server process RSS',
  }, async () => {
    const server = await startServer([]);
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.on('error', () => {});
    try {
      // A raw client: upgrade, then stop reading and send without waiting.
      let head = '';
      const upgraded = new Promise<void>((resolve) => {
        const onData = (d: Buffer): void => {
          head += d.toString('latin1');
          if (!head.includes('\r\n\r\n')) return;
          socket.off('data', onData);
          socket.pause();
          resolve();
        };
        socket.on('data', onData);
      });
      const key = randomBytes(16).toString('base64');
      socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      await upgraded;
      assert.match(head, /^HTTP\/1\.1 101 /);
      const rss = (): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))![1]) * 1024;
      const before = rss();
      const MiB = 1024 * 1024;
      const frame = encodeFrame(Opcode.BINARY, Buffer.alloc(MiB, 0x42), true, false, Buffer.from([1, 2, 3, 4]));
      const messages = 64;
      const total = messages * frame.length;
      for (let i = 0; i < messages; i++) socket.write(frame);
      // A server that reads on while its echoes cannot leave takes all 64 MiB (and holds every
      // echo); one that respects backpressure stops reading: then this waits its whole bound.
      let grown = 0;
      for (let i = 0; i < 80 && socket.writableLength > 0; i++) {
        await new Promise((r) => setTimeout(r, 250));
        grown = Math.max(grown, rss() - before);
      }
      assert.ok(socket.writableLength > 0, `the server stopped reading: ${((total - socket.writableLength) / MiB).toFixed(0)} of ${messages} MiB left the client`);
      assert.ok(grown < 40 * MiB, `the server grew by ${(grown / MiB).toFixed(0)} MiB`);
    } finally {
      socket.destroy();
      assert.equal(await stopServer(server.child, 'SIGTERM'), 0);
    }
  });
});
