// ReceiveBuffer: a received message's bytes, gathered in memory that follows what arrived
// (never what a header announced, never the number of frames).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReceiveBuffer as Gatherer } from '../../runtime/receive-buffer.js';
import { MessageDelivery } from '../../runtime/websocket/message-delivery.js';

class ReceiveBuffer extends Gatherer {
  constructor(reserveAhead = 0) {
    super({ allocationFailed: (size, cause) => Object.assign(new Error(`cannot allocate ${size} bytes`), { code: 'TEST_TOO_BIG', cause }), reserveAhead });
  }
}

function bytes(n: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** A seeded PRNG, so a failure names a reproducible case. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Feeds one single-frame message as the parser would: pieces as they come, and once the buffer
 * hands out a target, the rest written into it (the parser unmasks straight into it).
 */
function receiveSingleFrame(buffer: ReceiveBuffer, payload: Buffer, pieces: number[], inHand: number): { data: Buffer; reservedAfter: number | null } {
  let target = buffer.frameBegin(payload.length, true, inHand);
  let reservedAfter: number | null = target === null ? null : 0;
  let at = 0;
  for (const size of pieces) {
    const piece = payload.subarray(at, at + size);
    let view: Buffer = Buffer.from(piece); // a socket chunk of its own
    if (target !== null) {
      piece.copy(target, at);
      view = target.subarray(at, at + size);
    }
    at += size;
    const next = buffer.add(view);
    if (next !== null) {
      assert.equal(target, null, 'a target is handed out once');
      assert.equal(buffer.size, at);
      target = next;
      reservedAfter = at;
    }
  }
  return { data: buffer.take(), reservedAfter };
}

describe('receive buffer', () => {
  test('a header alone reserves nothing; the frame buffer comes once a quarter of it has arrived, holding what came before', () => {
    const length = 8 * 1024 * 1024;
    const payload = bytes(length, 7);
    const buffer = new ReceiveBuffer();
    assert.equal(buffer.frameBegin(length, true, 0), null, 'nothing in hand: nothing reserved');
    const piece = 64 * 1024;
    const pieces = Array.from({ length: length / piece }, () => piece);
    buffer.take();
    const { data, reservedAfter } = receiveSingleFrame(buffer, payload, pieces, 0);
    assert.ok(data.equals(payload));
    assert.equal(reservedAfter, length / 4, 'reserved when 1/4 had arrived, not before');
  });

  test('frames up to reserveAhead are reserved at their header; larger ones wait for their quarter', () => {
    const ahead = new ReceiveBuffer(1024 * 1024);
    assert.equal(ahead.frameBegin(1024 * 1024, true, 0)?.length, 1024 * 1024, 'at the cap: reserved at once');
    ahead.take();
    assert.equal(ahead.frameBegin(1024 * 1024 + 1, true, 0), null, 'over it: not before a quarter arrives');
  });

  test('enough in hand at the header: the buffer is reserved at once', () => {
    const buffer = new ReceiveBuffer();
    const payload = bytes(1000, 3);
    const { data, reservedAfter } = receiveSingleFrame(buffer, payload, [600, 400], 600);
    assert.ok(data.equals(payload));
    assert.equal(reservedAfter, 0);
    const inHand = new ReceiveBuffer();
    assert.equal(inHand.frameBegin(1000, true, 1000), null, 'all in hand: the piece itself is the message');
    assert.equal(new ReceiveBuffer().frameBegin(1000, false, 500), null, 'a fragment is never received into a buffer');
  });

  test('any split of single frames and of fragmented messages reassembles exactly', () => {
    const random = prng(42);
    for (let round = 0; round < 300; round++) {
      const length = Math.floor(random() * (round % 3 === 0 ? 300_000 : 3_000));
      const payload = bytes(length, round);
      const pieces: number[] = [];
      for (let left = length; left > 0; ) {
        const roll = random();
        const size = Math.min(left, 1 + Math.floor(roll < 0.5 ? roll * 40 : roll < 0.9 ? roll * 9_000 : roll * 70_000));
        pieces.push(size);
        left -= size;
      }
      const single = round % 2 === 0;
      const buffer = new ReceiveBuffer();
      if (single) {
        const { data } = receiveSingleFrame(buffer, payload, pieces, pieces[0] ?? 0);
        assert.ok(data.equals(payload), `round ${round}: single frame of ${length} in ${pieces.length} pieces`);
      } else {
        let at = 0;
        for (const size of pieces) {
          assert.equal(buffer.frameBegin(size, false, size), null);
          assert.equal(buffer.add(Buffer.from(payload.subarray(at, at + size))), null);
          at += size;
        }
        assert.ok(buffer.take().equals(payload), `round ${round}: ${pieces.length} fragments of ${length}`);
      }
      assert.equal(buffer.take().length, 0, 'empty again after take()');
    }
  });

  test('a message in one piece is handed over as that piece (no copy)', () => {
    const buffer = new ReceiveBuffer();
    const piece = Buffer.from('hello');
    buffer.add(piece);
    assert.equal(buffer.take(), piece);
  });

  test("an allocation that cannot succeed throws the owner's error, with the allocator's as its cause", () => {
    const tooLong = 2 ** 53 - 1;
    assert.throws(() => new ReceiveBuffer().frameBegin(tooLong, true, tooLong / 2), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'TEST_TOO_BIG');
      assert.match(error.message, /cannot allocate 9007199254740991 bytes/);
      assert.ok(error.cause instanceof RangeError);
      return true;
    });
  });

  test('the WebSocket engine makes that a WS_MESSAGE_TOO_BIG error: close 1009', () => {
    const tooLong = 2 ** 53 - 1;
    const flow = {
      onQueueFull() {}, onQueueRoom() {}, onQueueAbandoned() {}, onStreamRead() {}, onStreamFull() {},
      payloadInHand: tooLong / 2, uncompressed: true, receiveFrameInto: () => assert.fail('nothing to receive into'),
    };
    const delivery = new MessageDelivery('message', flow);
    delivery.begin(true);
    assert.throws(() => delivery.frameBegin(tooLong, true, true), (error: Error & { code?: string; closeCode?: number }) => {
      assert.equal(error.code, 'WS_MESSAGE_TOO_BIG');
      assert.equal(error.closeCode, 1009);
      return true;
    });
  });
});
