/**
 * A server connection facing a hostile client: memory follows what the peer sent, not what it
 * announced (large frame headers), not how it cut a message (many one-byte frames), and not how
 * many pings it sent while never reading. Floods are scaled down: each test asserts the bound.
 * Full size: bench/hostile/index.ts (prints each flood's peak RSS); the bounds: docs/limits.md.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebSocketConnection } from '../../runtime/websocket/connection.js';
import { Opcode } from '../../runtime/websocket/constants.js';
import { encodeFrame, encodeFrameHeader, maskPayload } from '../../runtime/websocket/frame-encoder.js';
import { closeCodeOf, init, RawPeer, socketPair, type SocketPair } from './connection-helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const KEY = Buffer.from([0x11, 0x22, 0x33, 0x44]);
const MiB = 1024 * 1024;
const EMPTY = Buffer.alloc(0);

function memory(): { arrayBuffers: number; heapUsed: number } {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return { arrayBuffers: m.arrayBuffers, heapUsed: m.heapUsed };
}

/** Resolves once `count` events of `name` were seen on `emitter` (bounded). */
function seen(server: WebSocketConnection, name: 'frameBegin' | 'frameEnd' | 'ping', count: number, limitMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let n = 0;
    const timer = setTimeout(() => reject(new Error(`saw ${n} of ${count} ${name} events within ${limitMs} ms`)), limitMs);
    const on = (): void => {
      if (++n < count) return;
      clearTimeout(timer);
      server.off(name, on);
      resolve();
    };
    server.on(name, on);
  });
}

/** `count` one-byte frames of one message (`first` opens it, the rest continue it; none has FIN), as one buffer. */
function oneByteFrames(first: number, count: number): Buffer {
  const open = encodeFrame(first, Buffer.from('x'), false, false, KEY);
  const more = encodeFrame(Opcode.CONTINUATION, Buffer.from('x'), false, false, KEY);
  const out = Buffer.allocUnsafe(open.length + (count - 1) * more.length);
  open.copy(out, 0);
  for (let i = 1, at = open.length; i < count; i++, at += more.length) more.copy(out, at);
  return out;
}

async function serverAndRawSocket(extra: Parameters<typeof init>[1] = {}): Promise<{ server: WebSocketConnection; sockets: SocketPair }> {
  const sockets = await socketPair();
  const server = new WebSocketConnection(sockets.server, EMPTY, init('server', extra));
  server.on('error', () => {});
  return { server, sockets };
}

describe('hostile peers', () => {
  test('frame headers announcing 8 MiB on 16 connections reserve nothing; then memory follows the payload', async () => {
    const pairs = await Promise.all(Array.from({ length: 16 }, () => serverAndRawSocket()));
    try {
      const length = 8 * MiB;
      const payload = Buffer.alloc(length);
      for (let i = 0; i < length; i++) payload[i] = (i * 7) & 0xff;
      const masked = maskPayload(payload, KEY, 0);
      const before = memory();
      await Promise.all(
        pairs.map(({ server, sockets }) => {
          const begun = seen(server, 'frameBegin', 1);
          sockets.client.write(encodeFrameHeader(Opcode.BINARY, length, true, false, KEY));
          return begun;
        }),
      );
      const afterHeaders = memory().arrayBuffers - before.arrayBuffers;
      assert.ok(afterHeaders < MiB, `16 headers of 8 MiB reserved ${(afterHeaders / MiB).toFixed(1)} MiB`);

      // One of them sends its payload, 1 MiB at a time: what is held follows what came (the bound
      // allows the one copy at the end).
      const { server, sockets } = pairs[0]!;
      const received = new Promise<Buffer>((resolve) => server.once('message', (data) => resolve(data)));
      let arrived = 0;
      server.on('frameData', (chunk: Buffer) => (arrived += chunk.length));
      for (let sent = MiB; sent <= length; sent += MiB) {
        sockets.client.write(masked.subarray(sent - MiB, sent));
        for (let i = 0; i < 2_000 && arrived < sent; i++) await new Promise((r) => setTimeout(r, 5));
        assert.equal(arrived, sent, `the server read ${sent} bytes`);
        const held = memory().arrayBuffers - before.arrayBuffers;
        assert.ok(held <= 2 * sent + MiB, `after ${sent / MiB} MiB the server holds ${(held / MiB).toFixed(1)} MiB`);
      }
      assert.ok((await received).equals(payload), 'the message arrives intact');
    } finally {
      for (const { server, sockets } of pairs) {
        server.terminate();
        await sockets.close();
      }
    }
  });

  test('one message as 200,000 one-byte frames costs memory by its bytes, not by its frames', async () => {
    const { server, sockets } = await serverAndRawSocket({ maxFramesPerMessage: 0 });
    try {
      const frames = 200_000;
      const wire = oneByteFrames(Opcode.TEXT, frames);
      const before = memory();
      const ended = seen(server, 'frameEnd', frames);
      sockets.client.write(wire);
      await ended;
      const after = memory();
      // Every frame kept as its own Buffer object costs ~100 bytes of heap each: 20 MB here.
      const perFrame = (after.heapUsed - before.heapUsed + after.arrayBuffers - before.arrayBuffers) / frames;
      assert.ok(perFrame < 16, `an open message holds ${perFrame.toFixed(1)} bytes per one-byte frame`);
      const message = new Promise<Buffer>((resolve) => server.once('message', (data) => resolve(data)));
      sockets.client.write(encodeFrame(Opcode.CONTINUATION, Buffer.from('!'), true, false, KEY));
      assert.equal((await message).toString(), 'x'.repeat(frames) + '!');
    } finally {
      server.terminate();
      await sockets.close();
    }
  });

  test('maxFramesPerMessage (default 100,000): the 100,001st frame of a message closes with 1008', async () => {
    const { server, sockets } = await serverAndRawSocket();
    const peer = new RawPeer(sockets.client, 'client').setRole('client');
    try {
      const message = new Promise<Buffer>((resolve) => server.once('message', (data) => resolve(data)));
      sockets.client.write(Buffer.concat([oneByteFrames(Opcode.BINARY, 99_999), encodeFrame(Opcode.CONTINUATION, Buffer.from('x'), true, false, KEY)]));
      assert.equal((await message).length, 100_000, 'exactly 100,000 frames is one message');
      sockets.client.write(oneByteFrames(Opcode.BINARY, 100_001));
      const close = await peer.waitFor((f) => f.opcode === Opcode.CLOSE, 30_000);
      assert.equal(closeCodeOf(close), 1008);
    } finally {
      server.terminate();
      await sockets.close();
    }
  });

  test('a peer that sends pings and never reads: at most one pong waits, and it answers the latest ping', async () => {
    const { server, sockets } = await serverAndRawSocket();
    try {
      // The client never reads: the server's writes back up once the kernel buffers are full.
      sockets.client.pause();
      const pings = 200_000;
      const payloadOf = (i: number): Buffer => Buffer.from(String(i).padStart(125, '-'));
      const wire = Buffer.concat(Array.from({ length: pings }, (_, i) => encodeFrame(Opcode.PING, payloadOf(i), true, false, KEY)));
      const all = seen(server, 'ping', pings);
      sockets.client.write(wire);
      await all;
      // 200,000 pongs are 25 MB; the kernel takes a few MB at most, the rest would wait here.
      assert.ok(server.bufferedAmount < MiB, `the server buffers ${(server.bufferedAmount / MiB).toFixed(1)} MiB of pongs`);
      // Reading again, the last pong that comes is the answer to the last ping.
      const peer = new RawPeer(sockets.client, 'client').setRole('client');
      sockets.client.resume();
      const last = payloadOf(pings - 1).toString();
      const pong = await peer.waitFor((f) => f.opcode === Opcode.PONG && f.payload.toString() === last, 30_000);
      assert.equal(pong.payload.toString(), last);
      const pongs = peer.frames.filter((f) => f.opcode === Opcode.PONG);
      assert.ok(pongs.length < pings, `${pongs.length} pongs for ${pings} pings`);
    } finally {
      server.terminate();
      await sockets.close();
    }
  });

  test('a pong held back by a full socket still goes out, before the close frame', async () => {
    const { server, sockets } = await serverAndRawSocket();
    try {
      sockets.client.pause();
      const big = Buffer.alloc(8 * MiB, 0x61);
      // Fill the server's send buffer: it writes 8 MiB the client does not read.
      server.sendMessage(big, true);
      sockets.client.write(encodeFrame(Opcode.PING, Buffer.from('late'), true, false, KEY));
      await seen(server, 'ping', 1);
      sockets.client.write(encodeFrame(Opcode.CLOSE, Buffer.from([0x03, 0xe8]), true, false, KEY));
      const peer = new RawPeer(sockets.client, 'client').setRole('client');
      sockets.client.resume();
      await peer.waitFor((f) => f.opcode === Opcode.CLOSE, 30_000);
      assert.deepEqual(
        peer.frames.map((f) => [f.opcode, f.opcode === Opcode.BINARY ? f.payload.length : f.payload.toString('latin1')]),
        [
          [Opcode.BINARY, big.length],
          [Opcode.PONG, 'late'],
          [Opcode.CLOSE, '\x03\xe8'],
        ],
      );
      await once(server, 'close');
    } finally {
      server.terminate();
      await sockets.close();
    }
  });
});
