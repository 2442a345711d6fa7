/**
 * Receiving a single-frame message that spans socket reads: straight into one buffer
 * (FrameParser.receiveInto) up to a bound, gathered as it arrives beyond it. What the
 * message handler gets must be the same either way; what a peer can make us reserve by
 * announcing frames must stay bounded by what it actually sends.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Opcode } from '../../runtime/websocket/constants.js';
import { serverWithRawClient } from './connection-helpers.js';

function pattern(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = 0x61 + ((i * 7 + seed) % 26);
  return out;
}

/** A masked client frame header announcing `length` payload bytes (64-bit length form). */
function header(opcode: number, length: number, key: Buffer): Buffer {
  const h = Buffer.alloc(14);
  h[0] = 0x80 | opcode;
  h[1] = 0x80 | 127;
  h.writeBigUInt64BE(BigInt(length), 2);
  key.copy(h, 10);
  return h;
}

function masked(payload: Buffer, key: Buffer): Buffer {
  const out = Buffer.allocUnsafe(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = payload[i]! ^ key[i & 3]!;
  return out;
}

describe('receiving single-frame messages that span reads', () => {
  for (const size of [200_000, 9 * 1024 * 1024]) {
    test(`${size} bytes, text and binary, written in uneven pieces: delivered whole and intact`, async () => {
      const { server, peer, close } = await serverWithRawClient();
      try {
        const got: Array<[Buffer, boolean]> = [];
        const both = new Promise<void>((resolve) =>
          server.on('message', (data, isBinary) => {
            got.push([data, isBinary]);
            if (got.length === 2) resolve();
          }),
        );
        const key = Buffer.from([0x9a, 0x01, 0xfe, 0x37]);
        const payloads = [pattern(size, 1), pattern(size, 2)];
        for (const [i, payload] of payloads.entries()) {
          const frame = Buffer.concat([header(i === 0 ? Opcode.TEXT : Opcode.BINARY, size, key), masked(payload, key)]);
          // Uneven pieces, so frame boundaries never line up with reads.
          for (let at = 0, step = 1; at < frame.length; at += step, step = (step * 7 + 13) % 150_000 + 1) {
            peer.socket.write(frame.subarray(at, Math.min(frame.length, at + step)));
          }
        }
        await both;
        assert.equal(got[0]![1], false);
        assert.equal(got[1]![1], true);
        got.forEach(([data], i) => assert.ok(data.equals(payloads[i]!), `message ${i} intact`));
      } finally {
        await close();
      }
    });
  }

  test('frames announced large but not sent reserve nothing up front', async () => {
    const conns = await Promise.all(Array.from({ length: 8 }, () => serverWithRawClient()));
    try {
      const before = process.memoryUsage().arrayBuffers;
      const key = Buffer.from([1, 2, 3, 4]);
      // 32 MiB each (within the default 64 MiB message limit), and only the first 10 bytes.
      for (const { peer } of conns) peer.socket.write(Buffer.concat([header(Opcode.BINARY, 32 * 1024 * 1024, key), masked(Buffer.alloc(10), key)]));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const grown = process.memoryUsage().arrayBuffers - before;
      assert.ok(grown < 16 * 1024 * 1024, `array buffers grew by ${grown} bytes for 8 announced 32 MiB frames`);
    } finally {
      await Promise.all(conns.map((c) => c.close()));
    }
  });
});
