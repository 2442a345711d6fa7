// ReceiveBuffer: a received message's bytes, gathered in memory that follows what arrived
// (never what a header announced, never the number of frames).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReceiveBuffer as Gatherer } from '../../runtime/receive-buffer.js';

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
 * Feeds one single-frame message as the parser would: pieces as they come, written into the
 * buffer it hands out at the header if it does (the parser unmasks straight into it).
 */
function receiveSingleFrame(buffer: ReceiveBuffer, payload: Buffer, pieces: number[], inHand: number): { data: Buffer; reserved: boolean } {
  const target = buffer.frameBegin(payload.length, true, inHand);
  let at = 0;
  for (const size of pieces) {
    const piece = payload.subarray(at, at + size);
    let view: Buffer = Buffer.from(piece); // a socket chunk of its own
    if (target !== null) {
      piece.copy(target, at);
      view = target.subarray(at, at + size);
    }
    at += size;
    buffer.add(view);
  }
  return { data: buffer.take(), reserved: target !== null };
}

describe('receive buffer', () => {
  test('a frame up to reserveAhead gets its buffer at the header; a larger one reserves nothing and is gathered', () => {
    const MiB = 1024 * 1024;
    const ahead = new ReceiveBuffer(MiB);
    const small = bytes(MiB, 1);
    const got = receiveSingleFrame(ahead, small, Array.from({ length: 16 }, () => MiB / 16), 1000);
    assert.ok(got.reserved, 'at the cap: reserved at once');
    assert.ok(got.data.equals(small));
    const large = bytes(8 * MiB, 7);
    assert.equal(ahead.frameBegin(large.length, true, 0), null, 'over the cap: a header alone reserves nothing');
    ahead.take();
    const gathered = receiveSingleFrame(ahead, large, Array.from({ length: 128 }, () => 64 * 1024), 0);
    assert.equal(gathered.reserved, false);
    assert.ok(gathered.data.equals(large), 'gathered and copied together at the end');
  });

  test('all in hand, or a fragment: never received into a buffer', () => {
    assert.equal(new ReceiveBuffer(1 << 20).frameBegin(1000, true, 1000), null, 'all in hand: the piece itself is the message');
    assert.equal(new ReceiveBuffer(1 << 20).frameBegin(1000, false, 500), null, 'a fragment is never received into a buffer');
    assert.equal(new ReceiveBuffer(0).frameBegin(1000, true, 10), null, 'reserveAhead 0: never');
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
      const buffer = new ReceiveBuffer(round % 4 === 0 ? 64 * 1024 : 0);
      if (single) {
        const { data } = receiveSingleFrame(buffer, payload, pieces, pieces[0] ?? 0);
        assert.ok(data.equals(payload), `round ${round}: single frame of ${length} in ${pieces.length} pieces`);
      } else {
        let at = 0;
        for (const size of pieces) {
          assert.equal(buffer.frameBegin(size, false, size), null);
          buffer.add(Buffer.from(payload.subarray(at, at + size)));
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
    assert.throws(() => new ReceiveBuffer(Infinity).frameBegin(tooLong, true, tooLong / 2), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'TEST_TOO_BIG');
      assert.match(error.message, /cannot allocate 9007199254740991 bytes/);
      assert.ok(error.cause instanceof RangeError);
      return true;
    });
  });
});
