/**
 * The router side of RawSocket facing a hostile client: a header announcing 16 MiB reserves
 * nothing until the payload comes, a payload dripped a byte at a time costs about a byte per
 * byte, and a client that sends PINGs and never reads gets one PONG waiting, not one per PING.
 * Floods scaled down (full size: bench/hostile).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as net from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RawSocketTransport } from '../../runtime/transports/rawsocket.js';
import {
  RawSocketFrameType, RawSocketParser, encodeFrameHeader, encodeHandshake, type RawSocketHandler,
} from '../../runtime/transports/rawsocket-protocol.js';
import { serializerByName } from '../../runtime/serializers/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MiB = 1024 * 1024;

function memory(): { arrayBuffers: number; heapUsed: number } {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return { arrayBuffers: m.arrayBuffers, heapUsed: m.heapUsed };
}

async function until(done: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A router-side transport past its handshake, and the raw client socket facing it. */
async function accepted(): Promise<{ transport: RawSocketTransport; client: net.Socket; close(): void }> {
  const listener = net.createServer();
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const { port } = listener.address() as net.AddressInfo;
  const incoming = once(listener, 'connection');
  const client = net.connect(port, '127.0.0.1');
  client.on('error', () => {});
  const [[server]] = await Promise.all([incoming, once(client, 'connect')]);
  listener.close();
  const serializer = serializerByName('json')!;
  const transport = RawSocketTransport.accept(server as net.Socket, [serializer]);
  const reply = once(client, 'data');
  client.write(encodeHandshake({ serializer: serializer.id, lengthExponent: 15 }));
  await reply;
  await transport.ready;
  return {
    transport,
    client,
    close() {
      client.destroy();
      transport.socket.destroy();
    },
  };
}

describe('RawSocket against hostile peers', () => {
  test('headers announcing 16 MiB on 16 connections reserve nothing before the payload comes', async () => {
    const peers = await Promise.all(Array.from({ length: 16 }, () => accepted()));
    try {
      const before = memory();
      for (const { client } of peers) client.write(encodeFrameHeader(RawSocketFrameType.REGULAR, 16 * MiB));
      const expected = 4 + 4;
      await until(() => peers.every(({ transport }) => transport.socket.bytesRead >= expected), 'the headers to be read');
      const reserved = memory().arrayBuffers - before.arrayBuffers;
      assert.ok(reserved < MiB, `16 headers of 16 MiB reserved ${(reserved / MiB).toFixed(1)} MiB`);
    } finally {
      for (const p of peers) p.close();
    }
  });

  test('a peer that sends PINGs and never reads: one PONG waits, answering the latest PING', async () => {
    const { transport, client, close } = await accepted();
    try {
      client.pause();
      const pings = 100_000;
      const payloadOf = (i: number): Buffer => Buffer.from(String(i).padStart(200, '-'));
      const wire = Buffer.concat(Array.from({ length: pings }, (_, i) => Buffer.concat([encodeFrameHeader(RawSocketFrameType.PING, 200), payloadOf(i)])));
      client.write(wire);
      await until(() => transport.socket.bytesRead >= 4 + wire.length, 'the PINGs to be read');
      // 100,000 PONGs are 20 MB; the kernel takes a few MB at most, the rest would wait here.
      assert.ok(transport.socket.writableLength < MiB, `the router buffers ${(transport.socket.writableLength / MiB).toFixed(1)} MiB of PONGs`);
      // Reading again: the last PONG echoes the last PING.
      const pongs: Buffer[] = [];
      const parser = new RawSocketParser({ onMessage() {}, onPing() {}, onPong: (p) => void pongs.push(Buffer.from(p)), onError: (e) => assert.fail(e) });
      client.on('data', (chunk: Buffer) => parser.push(chunk));
      client.resume();
      const last = payloadOf(pings - 1);
      await until(() => pongs.some((p) => p.equals(last)), 'the PONG to the last PING');
      assert.ok(pongs.length < pings, `${pongs.length} PONGs for ${pings} PINGs`);
    } finally {
      close();
    }
  });
});

describe('RawSocket parser', () => {
  test('a payload dripped a byte per chunk costs about a byte per byte, and arrives intact', () => {
    const messages: Uint8Array[] = [];
    const handler: RawSocketHandler = { onMessage: (p) => void messages.push(p), onPing() {}, onPong() {}, onError: (e) => assert.fail(e) };
    const parser = new RawSocketParser(handler);
    const length = 256 * 1024;
    const payload = Buffer.alloc(length);
    for (let i = 0; i < length; i++) payload[i] = (i * 13) & 0xff;
    const drips = Array.from({ length: length / 4 }, (_, i) => payload.subarray(i, i + 1));
    parser.push(encodeFrameHeader(RawSocketFrameType.REGULAR, length));
    const before = memory();
    for (const drip of drips) parser.push(drip);
    const held = memory();
    const perByte = (held.heapUsed - before.heapUsed + held.arrayBuffers - before.arrayBuffers) / drips.length;
    assert.ok(perByte < 8, `a quarter of the payload, dripped a byte per chunk, holds ${perByte.toFixed(1)} bytes per byte`);
    for (let i = length / 4; i < length; i += 1000) parser.push(payload.subarray(i, Math.min(length, i + 1000)));
    assert.equal(messages.length, 1);
    assert.ok(Buffer.from(messages[0]!).equals(payload));
  });
});
