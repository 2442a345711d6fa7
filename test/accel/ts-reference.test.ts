import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tsAccelerator } from '../../runtime/accel/ts.js';

test('mask with a phase equals masking the whole buffer', () => {
  const key = Uint8Array.of(0x12, 0x34, 0x56, 0x78);
  const src = Uint8Array.from({ length: 37 }, (_, i) => i * 7);
  const whole = new Uint8Array(37);
  tsAccelerator.mask(src, key, whole, 0, 37);
  const pieces = new Uint8Array(37);
  tsAccelerator.mask(src.subarray(0, 10), key, pieces, 0, 10, 0);
  tsAccelerator.mask(src.subarray(10), key, pieces, 10, 27, 10 & 3);
  assert.deepEqual(pieces, whole);
  assert.equal(whole[5], src[5]! ^ key[1]!);
});

test('incremental validator reports the exact offset of the first bad byte across chunks', () => {
  const v = tsAccelerator.createUtf8Validator();
  assert.equal(v.push(Buffer.from('héllo')), true);
  // E0 then 80: overlong, the 80 is the bad byte.
  assert.equal(v.push(Uint8Array.of(0x41, 0xe0)), true);
  assert.equal(v.atBoundary, false);
  assert.equal(v.push(Uint8Array.of(0x80)), false);
  assert.equal(v.invalidOffset, 6 + 2);
});

test('a message that ends inside a code point fails at finish', () => {
  const v = tsAccelerator.createUtf8Validator();
  assert.equal(v.push(Uint8Array.of(0x61, 0xf0, 0x9f)), true);
  assert.equal(v.finish(), false);
  assert.equal(v.invalidOffset, 1);
});
