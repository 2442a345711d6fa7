/**
 * Shared pieces of the WebSocket interop tests: deterministic payloads, an echo check over one
 * of our connections, our echo server, and a bounded child-process peer.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { WebSocketServer } from '../../../runtime/websocket/server.js';
import type { WebSocketConnection } from '../../../runtime/websocket/connection.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;
/** The sizes every interop run covers; 0 B and 16 MiB run separately (own cases, own failures). */
export const SIZES = [16, KiB, 64 * KiB, MiB];
/** Empty messages, then a small one: shows whether an empty message broke the stream. */
export const EMPTY_PLAN: [number, boolean][] = [[0, false], [0, true], [16, false], [0, true], [16, true]];
export const BIG = 16 * MiB;

/** `size` bytes of valid UTF-8 with multi-byte characters (text) or a byte pattern (binary). */
export function payloadOf(size: number, binary: boolean): Buffer {
  if (binary) {
    const out = Buffer.allocUnsafe(size);
    for (let i = 0; i < size; i++) out[i] = (i * 31 + 7) & 0xff;
    return out;
  }
  const unit = Buffer.from('κόσμε 😀 wampkit interop ');
  const out = Buffer.alloc(size, 0x78);
  let at = 0;
  while (at + unit.length <= size) {
    unit.copy(out, at);
    at += unit.length;
  }
  return out;
}

/** Sends each message on `conn` and checks the echo (type and bytes), one at a time. */
export async function checkEchoes(conn: WebSocketConnection, plan: [size: number, binary: boolean][], timeoutMs = 10_000): Promise<void> {
  const inbox: [Buffer, boolean][] = [];
  let wake: (() => void) | null = null;
  const onMessage = (data: Buffer, isBinary: boolean): void => {
    inbox.push([data, isBinary]);
    wake?.();
  };
  conn.on('message', onMessage);
  try {
    for (const [size, binary] of plan) {
      const payload = payloadOf(size, binary);
      conn.sendMessage(payload, binary);
      const deadline = Date.now() + timeoutMs;
      while (inbox.length === 0) {
        const left = deadline - Date.now();
        assert.ok(left > 0, `no echo of the ${size} B ${binary ? 'binary' : 'text'} message within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
      const [data, isBinary] = inbox.shift() as [Buffer, boolean];
      assert.equal(isBinary, binary, `echo of the ${size} B message has the wrong type`);
      assert.equal(data.length, size, `echo of the ${size} B ${binary ? 'binary' : 'text'} message has ${data.length} B`);
      assert.ok(data.equals(payload), `echo of the ${size} B ${binary ? 'binary' : 'text'} message differs`);
    }
  } finally {
    conn.off('message', onMessage);
  }
}

/** Text and binary for each size. */
export function planOf(sizes: number[]): [number, boolean][] {
  return sizes.flatMap((size): [number, boolean][] => [[size, false], [size, true]]);
}

/** Our echo server on 127.0.0.1, an ephemeral port. */
export async function startOurEchoServer(perMessageDeflate: boolean): Promise<{ server: WebSocketServer; port: number; stop(): Promise<void> }> {
  const server = new WebSocketServer({ perMessageDeflate, maxMessagePayloadSize: 32 * MiB });
  server.on('error', () => {});
  server.on('connection', (conn) => {
    conn.on('error', () => {});
    conn.on('message', (data, isBinary) => {
      conn.sendMessage(data, isBinary);
    });
  });
  const address = await server.listen({ host: '127.0.0.1', port: 0 });
  return {
    server,
    port: address.port,
    async stop() {
      for (const conn of server.connections) conn.terminate();
      await server.close();
    },
  };
}

export interface PeerProcess {
  readonly child: ChildProcess;
  /** Everything the peer printed so far. */
  readonly output: () => string;
  /** Resolves with the exit code (null if killed), bounded by the spawn timeout. */
  readonly exited: Promise<number | null>;
  /** Resolves with the first stdout line matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  kill(): void;
}

/** Starts a peer program; it is killed (by its pid) after `timeoutMs` whatever happens. */
export function startPeer(command: string, args: string[], timeoutMs: number): PeerProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const listeners = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (s: string) => {
    out += s;
    for (const l of listeners) l();
  });
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    out += s;
  });
  const killTimer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      clearTimeout(killTimer);
      for (const l of listeners) l();
      resolve(code);
    });
    child.once('error', () => {
      clearTimeout(killTimer);
      resolve(null);
    });
  });
  return {
    child,
    output: () => out,
    exited,
    waitForLine(pattern, waitMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = out.match(pattern);
          if (m !== null) finish(() => resolve(m));
          else if (child.exitCode !== null || child.signalCode !== null) finish(() => reject(new Error(`peer exited before printing ${pattern}: ${out}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`peer did not print ${pattern} within ${waitMs} ms: ${out}`))), waitMs);
        const finish = (f: () => void): void => {
          clearTimeout(timer);
          listeners.delete(check);
          f();
        };
        listeners.add(check);
        check();
      });
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}
