import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mask as referenceMask } from '../../runtime/accel/ts-mask.js';
import { bytes, implementations, nativeSkipReason } from './implementations.js';

const KEY = Uint8Array.of(0x3c, 0xa5, 0x0f, 0xd2);
const MAX_LENGTH = 1100;
const SOURCE = bytes(MAX_LENGTH + 8, 7);

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : a.length;
}

const skip = nativeSkipReason();
if (skip !== undefined) test('native masking kernels', { skip }, () => {});

for (const { label, accel } of implementations()) {
  describe(`mask: ${label}`, () => {
    test('every length 0..1100 and phase 0..3 equals the reference, unaligned source and output', () => {
      const expected = new Uint8Array(MAX_LENGTH + 16);
      const actual = new Uint8Array(MAX_LENGTH + 16);
      for (let length = 0; length <= MAX_LENGTH; length++) {
        for (let phase = 0; phase < 4; phase++) {
          // Source and output misaligned differently, and the misalignment varies with length.
          const srcShift = (length + phase) % 8;
          const outOffset = 3 + ((length * 5 + phase) % 5);
          const source = SOURCE.subarray(srcShift, srcShift + length);
          expected.fill(0xee);
          actual.fill(0xee);
          referenceMask(source, KEY, expected, outOffset, length, phase);
          accel.mask(source, KEY, actual, outOffset, length, phase);
          const at = firstDifference(actual, expected);
          if (at !== -1) assert.fail(`length ${length} phase ${phase}: first difference at byte ${at}`);
        }
      }
    });

    test('unmask in place equals the reference for every length 0..1100 and phase, and inverts mask', () => {
      for (let length = 0; length <= MAX_LENGTH; length++) {
        for (let phase = 0; phase < 4; phase++) {
          const shift = (length + phase) % 8;
          const backing = SOURCE.slice(0, MAX_LENGTH + 8);
          const buffer = backing.subarray(shift, shift + length);
          const expected = buffer.slice();
          referenceMask(expected, KEY, expected, 0, length, phase);
          accel.unmask(buffer, KEY, phase);
          const at = firstDifference(buffer, expected);
          if (at !== -1) assert.fail(`length ${length} phase ${phase}: first difference at byte ${at}`);
          assert.equal(backing[shift + length], SOURCE[shift + length], 'byte after the buffer untouched');
          accel.unmask(buffer, KEY, phase);
          assert.equal(firstDifference(buffer, SOURCE.subarray(shift, shift + length)), -1);
        }
      }
    });

    test('longer buffers (where kernels align their stores) equal the reference at every output alignment', () => {
      const source = bytes(65536 + 80, 11);
      for (const length of [2047, 2048, 2049, 2111, 4099, 65539]) {
        const expected = new Uint8Array(length + 64);
        const actual = new Uint8Array(length + 64);
        for (let shift = 0; shift < 64; shift++) {
          const phase = shift & 3;
          const from = source.subarray(shift % 7, (shift % 7) + length);
          expected.fill(0xee);
          actual.fill(0xee);
          referenceMask(from, KEY, expected, shift, length, phase);
          accel.mask(from, KEY, actual, shift, length, phase);
          let at = firstDifference(actual, expected);
          if (at !== -1) assert.fail(`mask length ${length} output offset ${shift}: first difference at byte ${at}`);
          const inPlace = new Uint8Array(length + 64).fill(0xee);
          inPlace.set(from, shift);
          const view = inPlace.subarray(shift, shift + length);
          accel.unmask(view, KEY, phase);
          at = firstDifference(view, expected.subarray(shift, shift + length));
          if (at !== -1) assert.fail(`unmask length ${length} offset ${shift}: first difference at byte ${at}`);
          assert.equal(inPlace[shift + length], 0xee, 'byte after the buffer untouched');
        }
      }
    });

    test('a frame masked in pieces at every split equals masking it whole', () => {
      const length = 300;
      const source = SOURCE.subarray(1, 1 + length);
      const whole = new Uint8Array(length);
      accel.mask(source, KEY, whole, 0, length, 0);
      const pieces = new Uint8Array(length);
      for (let split = 0; split <= length; split++) {
        pieces.fill(0);
        accel.mask(source.subarray(0, split), KEY, pieces, 0, split, 0);
        accel.mask(source.subarray(split), KEY, pieces, split, length - split, split & 3);
        const at = firstDifference(pieces, whole);
        if (at !== -1) assert.fail(`split at ${split}: first difference at byte ${at}`);
      }
    });
  });
}

test('memory in a SharedArrayBuffer gives the same results', () => {
  const key = Uint8Array.of(9, 8, 7, 6);
  for (const { label, accel } of implementations()) {
    const shared = new Uint8Array(new SharedArrayBuffer(300));
    shared.set(SOURCE.subarray(0, 300));
    const expected = new Uint8Array(300);
    referenceMask(SOURCE, key, expected, 0, 300, 2);
    const out = new Uint8Array(new SharedArrayBuffer(300));
    accel.mask(shared, key, out, 0, 300, 2);
    assert.deepEqual([...out], [...expected], label);
    accel.unmask(shared, key, 2);
    assert.deepEqual([...shared], [...expected], label);
    const text = new Uint8Array(new SharedArrayBuffer(200));
    text.set(Buffer.from('é'.repeat(100), 'utf8'));
    text[150] = 0xff;
    const v = accel.createUtf8Validator();
    assert.equal(v.push(text), false, label);
    assert.equal(v.invalidOffset, 150, label);
  }
});

test('the addon refuses ranges outside its buffers and arguments of the wrong kind', { skip: nativeSkipReason() }, async () => {
  const { loadAddon } = await import('../../runtime/accel/native-binding.js');
  const load = loadAddon();
  assert.ok(load.ok);
  for (const kernel of load.addon.kernels.filter((k) => k.usable)) {
    const b = load.addon.bind(kernel.name);
    const src = new Uint8Array(16);
    const out = new Uint8Array(16);
    assert.throws(() => b.mask(src, out, 0, 17, 0), RangeError, kernel.name);
    assert.throws(() => b.mask(src, out, 8, 9, 0), RangeError, kernel.name);
    assert.throws(() => b.mask(src, out, -1, 1, 0), RangeError, kernel.name);
    assert.throws(() => b.unmask('x' as unknown as Uint8Array, 0), TypeError, kernel.name);
    const state = new Float64Array(4).buffer;
    assert.throws(() => b.push(state, src, 4, 17), RangeError, kernel.name);
    assert.throws(() => b.push(new ArrayBuffer(8), src), TypeError, kernel.name);
    // The args-block entry points check what JavaScript wrote into `args` like arguments.
    const bad: Array<[number, number, number]> = [
      [0, 0, 17], [0, 8, 9], [0, -1, 1], [0, 0.5, 1], [0, 0, Number.NaN], [-1, 0, 1], [2 ** 32, 0, 1], [1.5, 0, 1],
    ];
    for (const [key, offset, length] of bad) {
      b.args.set([key, offset, length]);
      assert.throws(() => b.maskArgs(src, out), RangeError, `${kernel.name} [${key}, ${offset}, ${length}]`);
    }
    b.args[0] = -1;
    assert.throws(() => b.unmaskArgs(src), RangeError, kernel.name);
    assert.throws(() => b.unmaskArgs('x' as unknown as Uint8Array), TypeError, kernel.name);
    assert.throws(() => b.maskArgs(src, 'x' as unknown as Uint8Array), TypeError, kernel.name);
    // And a good call lands where args say.
    b.args.set([0x04030201, 3, 5]);
    const ones = new Uint8Array(16).fill(0xff);
    const dst = new Uint8Array(16);
    b.maskArgs(ones, dst);
    assert.deepEqual([...dst.subarray(0, 9)], [0, 0, 0, 0xfe, 0xfd, 0xfc, 0xfb, 0xfe, 0]);
    b.args[0] = 0xff00ff00;
    b.unmaskArgs(ones);
    assert.deepEqual([...ones.subarray(0, 4)], [0xff, 0, 0xff, 0]);
  }
  assert.throws(() => load.addon.bind('no-such-kernel'), /not available/);
});

test('a binary without the args-block entry points (a stale prebuild) still masks, through the plain ones', { skip: nativeSkipReason() }, async () => {
  const { loadAddon } = await import('../../runtime/accel/native-binding.js');
  const { createNativeAccelerator } = await import('../../runtime/accel/native.js');
  const load = loadAddon();
  assert.ok(load.ok);
  const { args: _args, maskArgs: _maskArgs, unmaskArgs: _unmaskArgs, ...plain } = load.addon.bind(load.addon.kernels.find((k) => k.usable)!.name);
  const stale = plain as unknown as import('../../runtime/accel/native-binding.js').NativeKernelBinding;
  const accel = createNativeAccelerator(stale, { thresholds: { mask: 0, utf8: 0 }, builtins: false });
  const source = SOURCE.subarray(3, 3 + 700);
  const expected = new Uint8Array(710);
  const actual = new Uint8Array(710);
  referenceMask(source, KEY, expected, 5, 700, 2);
  accel.mask(source, KEY, actual, 5, 700, 2);
  assert.equal(firstDifference(actual, expected), -1);
  accel.unmask(actual.subarray(5, 705), KEY, 2);
  assert.equal(firstDifference(actual.subarray(5, 705), source), -1);
});
