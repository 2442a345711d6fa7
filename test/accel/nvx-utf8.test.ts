import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import type { Accelerator } from '../../runtime/accel/types.js';
import { implementations, nativeSkipReason } from './implementations.js';

/**
 * The independent oracle: the WHATWG decoder in streaming mode throws on the first byte that no
 * valid UTF-8 can continue with, so the first invalid offset is the shortest prefix it refuses.
 */
function validPrefix(bytes: Uint8Array, length: number): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, length), { stream: true });
    return true;
  } catch {
    return false;
  }
}
function oracle(bytes: Uint8Array): { valid: boolean; invalidOffset: number } {
  let valid = true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    valid = false;
  }
  if (validPrefix(bytes, bytes.length)) {
    if (valid) return { valid, invalidOffset: -1 };
    // Truncated at the end: the offset is the lead byte of the open sequence.
    let lead = bytes.length - 1;
    while (lead > 0 && (bytes[lead]! & 0xc0) === 0x80) lead--;
    return { valid, invalidOffset: lead };
  }
  let lo = 0; // valid prefix length
  let hi = bytes.length; // invalid prefix length
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (validPrefix(bytes, mid)) lo = mid;
    else hi = mid;
  }
  return { valid: false, invalidOffset: hi - 1 };
}

/** Feeds `bytes` in chunks ending at `cuts`, then finishes; what the engine would see. */
function stream(accel: Accelerator, bytes: Uint8Array, cuts: number[]): { valid: boolean; invalidOffset: number; pushed: boolean } {
  const v = accel.createUtf8Validator();
  let start = 0;
  let pushed = true;
  for (const cut of [...cuts, bytes.length]) {
    if (pushed) pushed = v.push(bytes, start, cut);
    else assert.equal(v.push(bytes, start, cut), false, 'stays invalid');
    start = cut;
  }
  const valid = v.finish();
  assert.equal(v.bytesSeen <= bytes.length, true);
  return { valid, invalidOffset: v.invalidOffset, pushed };
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Sequences at every UTF-8 edge: [bytes, valid]. */
const EDGES: Array<[number[], boolean]> = [
  [[0x00], true], [[0x7f], true], [[0x80], false], [[0xbf], false],
  [[0xc0, 0x80], false], [[0xc1, 0xbf], false], [[0xc2, 0x80], true], [[0xdf, 0xbf], true],
  [[0xe0, 0x80, 0x80], false], [[0xe0, 0x9f, 0xbf], false], [[0xe0, 0xa0, 0x80], true],
  [[0xed, 0x9f, 0xbf], true], [[0xed, 0xa0, 0x80], false], [[0xed, 0xbf, 0xbf], false],
  [[0xee, 0x80, 0x80], true], [[0xef, 0xbf, 0xbf], true],
  [[0xf0, 0x80, 0x80, 0x80], false], [[0xf0, 0x8f, 0xbf, 0xbf], false], [[0xf0, 0x90, 0x80, 0x80], true],
  [[0xf4, 0x8f, 0xbf, 0xbf], true], [[0xf4, 0x90, 0x80, 0x80], false], [[0xf5, 0x80, 0x80, 0x80], false],
  [[0xf7, 0xbf, 0xbf, 0xbf], false], [[0xf8, 0x88, 0x80, 0x80, 0x80], false], [[0xfe], false], [[0xff], false],
  [[0xc2, 0x41], false], [[0xe2, 0x82, 0x41], false], [[0xf0, 0x9f, 0x98, 0x41], false],
  [[0xc3, 0xa9, 0x80], false], [[0xf0, 0x9f, 0x98, 0x80, 0x80], false],
  [[0xe2, 0x82, 0xac], true], [[0xf0, 0x9f, 0x98, 0x80], true],
];

/** Pads `core` with ASCII on both sides so it sits across vector and 64-byte block edges. */
function placed(core: number[], before: number, after: number): Uint8Array {
  const out = new Uint8Array(before + core.length + after).fill(0x61);
  out.set(core, before);
  return out;
}
const POSITIONS = [0, 1, 13, 14, 15, 16, 30, 31, 32, 33, 60, 61, 62, 63, 64, 65, 127, 128, 130];

const skip = nativeSkipReason();
if (skip !== undefined) test('native UTF-8 kernels', { skip }, () => {});

for (const { label, accel } of implementations()) {
  describe(`utf8: ${label}`, () => {
    test('every edge of 1-4 byte sequences, overlongs, surrogates, > U+10FFFF, at block edges', () => {
      for (const [core, valid] of EDGES) {
        for (const before of POSITIONS) {
          for (const after of [0, 1, 2, 3, 17, 64]) {
            const buf = placed(core, before, after);
            const want = oracle(buf);
            assert.equal(want.valid, valid, `oracle agrees on ${hex(Uint8Array.from(core))}`);
            assert.equal(accel.isValidUtf8(buf), valid, `isValidUtf8 ${hex(Uint8Array.from(core))} at ${before}+${after}`);
            const got = stream(accel, buf, []);
            assert.deepEqual([got.valid, got.invalidOffset], [want.valid, want.invalidOffset], `${hex(Uint8Array.from(core))} at ${before}+${after}`);
          }
        }
      }
    });

    test('truncation at every position reports the lead byte at finish, and atBoundary is exact', () => {
      const text = Buffer.from('a€😀é𐍈z'.repeat(3) + 'ß'.repeat(40), 'utf8');
      for (let length = 0; length <= text.length; length++) {
        const buf = text.subarray(0, length);
        const want = oracle(buf);
        assert.equal(accel.isValidUtf8(buf), want.valid, `length ${length}`);
        const v = accel.createUtf8Validator();
        assert.equal(v.push(buf), true, `a prefix is never invalid before finish (length ${length})`);
        assert.equal(v.atBoundary, want.valid, `atBoundary at length ${length}`);
        assert.equal(v.finish(), want.valid);
        assert.equal(v.invalidOffset, want.invalidOffset, `length ${length}`);
      }
    });

    test('streams split at every offset (and into small chunks) give the same answer and offset', () => {
      const good = Buffer.from('wamp ☃ 😀 '.repeat(12) + 'ünïcödé', 'utf8');
      const samples = [good, Buffer.concat([good.subarray(0, 70), Buffer.from([0xed, 0xa0, 0x80]), good.subarray(70)])];
      const bad = Buffer.from(good);
      bad[101] = 0xff;
      samples.push(bad, good.subarray(0, good.length - 1));
      for (const buf of samples) {
        const want = oracle(buf);
        for (let cut = 0; cut <= buf.length; cut++) {
          const got = stream(accel, buf, [cut]);
          assert.deepEqual([got.valid, got.invalidOffset], [want.valid, want.invalidOffset], `split at ${cut}`);
        }
        for (let size = 1; size <= 7; size++) {
          const cuts = Array.from({ length: Math.floor(buf.length / size) }, (_, i) => (i + 1) * size);
          const got = stream(accel, buf, cuts);
          assert.deepEqual([got.valid, got.invalidOffset], [want.valid, want.invalidOffset], `chunks of ${size}`);
        }
      }
    });

    test('a validator fails fast on the chunk where bad UTF-8 arrives and then stays failed', () => {
      const v = accel.createUtf8Validator();
      assert.equal(v.push(Buffer.from('x'.repeat(200))), true);
      const chunk = Buffer.from('y'.repeat(100));
      chunk[77] = 0xc0;
      assert.equal(v.push(chunk), false);
      assert.equal(v.valid, false);
      assert.equal(v.invalidOffset, 277);
      assert.equal(v.push(Buffer.from('ok')), false);
      assert.equal(v.invalidOffset, 277);
      v.reset();
      assert.deepEqual([v.valid, v.atBoundary, v.invalidOffset, v.bytesSeen], [true, true, -1, 0]);
      assert.equal(v.push(Buffer.from('fine')), true);
    });

    test('fused unmask + validate: same bytes, answer and offset as unmask then push, at every split and phase', () => {
      const key = Uint8Array.of(0x91, 0x02, 0x7e, 0xc4);
      const plain = Buffer.from('héllo wörld ✓ 🚀 '.repeat(9), 'utf8');
      const broken = Buffer.from(plain);
      broken[150] = 0x80;
      for (const text of [plain, broken, plain.subarray(0, 141)]) {
        const want = oracle(text);
        const masked = Buffer.from(text);
        for (let i = 0; i < masked.length; i++) masked[i] = masked[i]! ^ key[i & 3]!;
        for (let cut = 0; cut <= masked.length; cut += 1) {
          const work = Buffer.from(masked);
          const v = accel.createUtf8Validator();
          const a = accel.unmaskAndValidateUtf8(work.subarray(0, cut), key, 0, v);
          const b = accel.unmaskAndValidateUtf8(work.subarray(cut), key, cut & 3, v);
          assert.equal(work.equals(text), true, `fully unmasked (split ${cut})`);
          assert.equal(a && b && v.finish(), want.valid, `split ${cut}`);
          assert.equal(v.invalidOffset, want.invalidOffset, `split ${cut}`);
        }
      }
    });

    test('large buffers: an error at unit/group edges and all over 5 KiB is found at its exact offset', () => {
      const key = Uint8Array.of(0x0f, 0xf0, 0x55, 0xaa);
      const ascii = Buffer.alloc(5000, 0x41);
      const mixed = Buffer.from('ascii run '.repeat(30) + 'ünï ☃ 😀 '.repeat(200), 'utf8').subarray(0, 5000);
      const edges = [0, 1, 63, 64, 255, 256, 257, 1023, 1024, 1025, 4095, 4096, 4097, 4999];
      for (const base of [ascii, mixed]) {
        const at = [...edges, ...Array.from({ length: 60 }, (_, k) => 7 + k * 83)];
        for (const pos of at) {
          for (const bad of [0xff, 0xc0, 0x80]) {
            const buf = Buffer.from(base);
            buf[pos] = bad;
            const want = oracle(buf);
            assert.equal(accel.isValidUtf8(buf), want.valid, `isValidUtf8 ${bad} at ${pos}`);
            const got = stream(accel, buf, []);
            assert.deepEqual([got.valid, got.invalidOffset], [want.valid, want.invalidOffset], `${bad} at ${pos}`);
            const masked = Buffer.from(buf);
            for (let i = 0; i < masked.length; i++) masked[i] = masked[i]! ^ key[i & 3]!;
            const v = accel.createUtf8Validator();
            const ok = accel.unmaskAndValidateUtf8(masked, key, 0, v) && v.finish();
            assert.equal(masked.equals(buf), true, `fused leaves it fully unmasked (${bad} at ${pos})`);
            assert.deepEqual([ok, v.invalidOffset], [want.valid, want.invalidOffset], `fused: ${bad} at ${pos}`);
          }
        }
        assert.equal(accel.isValidUtf8(base.subarray(0, 4990)), oracle(base.subarray(0, 4990)).valid);
      }
    });

    // 2 KiB: below the size from which kernels align their loads (kAlignFrom), with a tail that
    // is a whole block; 8200 bytes: aligned, and a tail of 8 bytes (the overlapping last block).
    for (const size of [2048, 8200]) test(`every start alignment 0..63 of a ${size}-byte buffer: errors near the start and later, plain and fused`, () => {
      const key = Uint8Array.of(0x13, 0x57, 0x9b, 0xdf);
      const text = Buffer.from('ä€😀x'.repeat(1000), 'utf8').subarray(0, size + 64);
      const backing = new Uint8Array(size + 256);
      const wanted = new Map<number, { valid: boolean; invalidOffset: number }>();
      for (let shift = 0; shift < 64; shift++) {
        for (const pos of [-1, 0, shift % 7, 62 - (shift % 3), 64, 1500, size - 1 - (shift % 9)]) {
          const view = backing.subarray(shift, shift + size);
          view.set(text.subarray(0, size));
          if (pos >= 0) view[pos] = 0xc1;
          const want = wanted.get(pos) ?? oracle(view);
          wanted.set(pos, want);
          assert.equal(accel.isValidUtf8(view), want.valid, `shift ${shift} pos ${pos}`);
          const got = stream(accel, view, []);
          assert.deepEqual([got.valid, got.invalidOffset], [want.valid, want.invalidOffset], `shift ${shift} pos ${pos}`);
          const plain = Buffer.from(view);
          for (let i = 0; i < view.length; i++) view[i] = view[i]! ^ key[(i + 1) & 3]!;
          const v = accel.createUtf8Validator();
          const ok = accel.unmaskAndValidateUtf8(view, key, 1, v) && v.finish();
          assert.equal(plain.equals(view), true, `fused unmasks all (shift ${shift} pos ${pos})`);
          assert.deepEqual([ok, v.invalidOffset], [want.valid, want.invalidOffset], `fused shift ${shift} pos ${pos}`);
        }
      }
    });

    test('property: agrees with buffer.isUtf8 and TextDecoder (fatal), and the offset is exact', () => {
      // Mostly-valid text with a few random bytes spliced in finds the interesting cases;
      // uniformly random bytes are almost always invalid at once.
      const texty = fc
        .tuple(fc.string({ unit: 'grapheme', maxLength: 120 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }))
        .map(([s, edits]) => {
          const b = Buffer.from(s, 'utf8');
          for (const [at, value] of edits) if (b.length > 0) b[at % b.length] = value;
          return new Uint8Array(b);
        });
      const arbitrary = fc.oneof(texty, fc.uint8Array({ maxLength: 200 }));
      fc.assert(
        fc.property(arbitrary, fc.nat({ max: 200 }), (buf, cutSeed) => {
          const want = oracle(buf);
          assert.equal(want.valid, isUtf8(buf));
          assert.equal(accel.isValidUtf8(buf), want.valid);
          const got = stream(accel, buf, [cutSeed % (buf.length + 1)]);
          assert.deepEqual([got.valid, got.invalidOffset], [want.valid, want.invalidOffset]);
        }),
        { numRuns: Number(process.env.NVX_FUZZ_RUNS ?? 400), seed: 0x5eed },
      );
    });
  });
}

test('reference: a sequence cut short by a bad lead byte at the end of a chunk reports that lead (C2 C0)', () => {
  for (const { label, accel } of implementations()) {
    const v = accel.createUtf8Validator();
    assert.equal(v.push(Uint8Array.of(0xc2, 0xc0)), false, label);
    assert.equal(v.invalidOffset, 1, label);
  }
});
