import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, encodeFrameHeader, frameHeaderSize, maskPayload } from '../../runtime/websocket/frame-encoder.js';
import { nextMaskKey } from '../../runtime/websocket/mask-keys.js';
import { Opcode } from '../../runtime/websocket/constants.js';

const KEY = Buffer.from([1, 2, 3, 4]);

describe('frame encoder', () => {
  test('header bytes for every length class, unmasked', () => {
    assert.deepEqual([...encodeFrameHeader(Opcode.TEXT, 0, true, false, null)], [0x81, 0]);
    assert.deepEqual([...encodeFrameHeader(Opcode.BINARY, 125, true, false, null)], [0x82, 125]);
    assert.deepEqual([...encodeFrameHeader(Opcode.BINARY, 126, false, false, null)], [0x02, 126, 0, 126]);
    assert.deepEqual([...encodeFrameHeader(Opcode.BINARY, 65535, true, true, null)], [0xc2, 126, 0xff, 0xff]);
    assert.deepEqual([...encodeFrameHeader(Opcode.CONTINUATION, 65536, true, false, null)], [0x80, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
    assert.deepEqual([...encodeFrameHeader(Opcode.BINARY, 2 ** 32 + 5, true, false, null)], [0x82, 127, 0, 0, 0, 1, 0, 0, 0, 5]);
  });

  test('header bytes for every length class, masked', () => {
    assert.deepEqual([...encodeFrameHeader(Opcode.TEXT, 0, true, false, KEY)], [0x81, 0x80, 1, 2, 3, 4]);
    assert.deepEqual([...encodeFrameHeader(Opcode.TEXT, 125, true, false, KEY)], [0x81, 0x80 | 125, 1, 2, 3, 4]);
    assert.deepEqual([...encodeFrameHeader(Opcode.TEXT, 126, true, false, KEY)], [0x81, 0x80 | 126, 0, 126, 1, 2, 3, 4]);
    assert.deepEqual([...encodeFrameHeader(Opcode.TEXT, 65535, true, false, KEY)], [0x81, 0x80 | 126, 0xff, 0xff, 1, 2, 3, 4]);
    assert.deepEqual([...encodeFrameHeader(Opcode.TEXT, 65536, true, false, KEY)], [0x81, 0xff, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3, 4]);
    for (const n of [0, 125, 126, 65535, 65536]) {
      assert.equal(frameHeaderSize(n, true), encodeFrameHeader(Opcode.TEXT, n, true, false, KEY).length);
      assert.equal(frameHeaderSize(n, false), encodeFrameHeader(Opcode.TEXT, n, true, false, null).length);
    }
  });

  test('whole frames: RFC 6455 section 5.7 examples', () => {
    assert.equal(encodeFrame(Opcode.TEXT, Buffer.from('Hello'), true, false, null).toString('hex'), '810548656c6c6f');
    const key = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
    assert.equal(encodeFrame(Opcode.TEXT, Buffer.from('Hello'), true, false, key).toString('hex'), '818537fa213d7f9f4d5158');
    assert.equal(encodeFrame(Opcode.PING, Buffer.from('Hello'), true, false, null).toString('hex'), '890548656c6c6f');
  });

  test('masking leaves the caller payload untouched and works in pieces', () => {
    const payload = Buffer.from('abcdefghij');
    const whole = encodeFrame(Opcode.BINARY, payload, true, false, KEY).subarray(6);
    assert.equal(payload.toString(), 'abcdefghij');
    const pieces = Buffer.concat([maskPayload(payload.subarray(0, 3), KEY, 0), maskPayload(payload.subarray(3), KEY, 3)]);
    assert.ok(pieces.equals(whole));
  });

  test('mask keys are fresh 4-byte views', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const key = nextMaskKey();
      assert.equal(key.length, 4);
      seen.add(key.toString('hex'));
    }
    assert.ok(seen.size > 4900);
  });
});
