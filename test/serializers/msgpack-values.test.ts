/**
 * MessagePack payload fidelity: extension types are kept (the timestamp as a Date that is
 * written back with its original bytes, others as MsgpackExtension), -0 and NaN survive, what
 * the library would write wrongly is refused, and strings must be valid UTF-8.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CborTag, MsgpackExtension, msgpack } from '../../runtime/serializers/index.js';
import { isSerializerError, SerializerErrorCode } from '../../runtime/serializers/errors.js';
import { isProtocolError, ProtocolErrorCode } from '../../runtime/wamp/protocol-error.js';

const hex = (b: Uint8Array | string): string => Buffer.from(b as Uint8Array).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const one = (h: string): unknown => (msgpack.deserialize(bytes(`91${h}`)) as unknown[])[0];
function roundTrip(h: string): unknown {
  const value = one(h);
  assert.equal(hex(msgpack.serialize([value])), `91${h}`, `re-encoding ${h}`);
  return value;
}
const isUnrepresentable = (err: unknown): boolean => isSerializerError(err) && err.code === SerializerErrorCode.UNREPRESENTABLE;
const isSerializationError = (err: unknown): boolean => isProtocolError(err) && err.code === ProtocolErrorCode.SERIALIZATION;

describe('MessagePack extension types', () => {
  test('an extension other than timestamp and msgpackr undefined is a MsgpackExtension written back as it came', () => {
    for (const h of ['d40100', 'd5020102', 'd60500000000', 'd70a0102030405060708', 'd8800102030405060708090a0b0c0d0e0f10', 'c70005', 'c7037f010203', 'd40001']) {
      const value = roundTrip(h);
      assert.ok(value instanceof MsgpackExtension, h);
    }
    const ext = one('c7037f010203') as MsgpackExtension;
    assert.deepEqual([ext.type, hex(ext.data)], [127, '010203']);
    assert.equal(hex(msgpack.serialize([new MsgpackExtension(-2, new Uint8Array([9]))])), '91d4fe09');
    assert.throws(() => new MsgpackExtension(128, new Uint8Array(0)), /extension type/);
  });

  test('the timestamp extension (-1) is a Date, in all three forms, written back with its original bytes', () => {
    // timestamp 32, timestamp 64 with nanoseconds, timestamp 96 before the epoch.
    assert.equal((roundTrip('d6ff514b67b0') as Date).toISOString(), '2013-03-21T20:04:00.000Z');
    const ns = roundTrip('d7ff' + (((123456789 << 2) >>> 0).toString(16).padStart(8, '0')) + '514b67b0') as Date;
    assert.equal(ns.toISOString(), '2013-03-21T20:04:00.123Z');
    assert.equal((roundTrip('c70cff' + '00000000' + 'ffffffffffffffff') as Date).toISOString(), '1969-12-31T23:59:59.000Z');
    // Changed, the Date is written from its time.
    ns.setTime(1000);
    assert.equal(hex(msgpack.serialize([ns])), '91d6ff00000001');
  });

  test('a Date made here is a timestamp; every millisecond of the Date range survives (property)', () => {
    assert.equal(hex(msgpack.serialize([new Date(1363896240000)])), '91d6ff514b67b0');
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        const [back] = msgpack.deserialize(msgpack.serialize([new Date(ms)])) as [Date];
        assert.ok(back instanceof Date);
        assert.equal(back.getTime(), ms);
      }),
      { numRuns: 1000, seed: 3 },
    );
    assert.throws(() => msgpack.serialize([new Date(Number.NaN)]), isUnrepresentable);
  });

  test('a timestamp with a bad length or out of the Date range stays a MsgpackExtension', () => {
    for (const h of ['d4ff00', 'd5ff0000', 'c70cff' + '00000000' + '7fffffffffffffff', 'd7ff' + 'ffffffff' + '00000000']) {
      assert.ok(roundTrip(h) instanceof MsgpackExtension, h);
    }
  });
});

describe('MessagePack numbers and what it cannot carry', () => {
  test('-0 and NaN survive as float64 (the library alone writes -0 as the integer 0)', () => {
    assert.ok(Object.is(roundTrip('cb8000000000000000'), -0));
    assert.ok(Number.isNaN(roundTrip('cb7ff8000000000000')));
    assert.equal(roundTrip('cb7ff0000000000000'), Infinity);
    assert.ok(Object.is(one('ca80000000'), -0));
  });

  test('Sets, typed arrays, ArrayBuffers, CBOR tags, Maps with non-string keys, functions are refused with their path', () => {
    const cases: unknown[] = [new Set([1]), new Float32Array(1), new Uint16Array(1), new DataView(new ArrayBuffer(1)), new ArrayBuffer(1), new CborTag(1, 2), new Map([[1, 2]]), () => 1, Symbol('x')];
    for (const value of cases) {
      assert.throws(() => msgpack.serialize([48, 1, {}, 'p', [], { deep: [value] }]), (err: unknown) => isUnrepresentable(err) && (err as { path?: string }).path === 'message[5].deep[0]', String(value));
    }
  });

  test('a Map with string keys is written as a dict', () => {
    assert.equal(hex(msgpack.serialize([new Map([['a', 1], ['b', 2]])])), '9182a16101a16202');
  });

  test('a "__proto__" key is refused both ways (the library refuses it on receipt, so we do not send it)', () => {
    assert.throws(() => msgpack.deserialize(bytes('9181a95f5f70726f746f5f5f01')), isSerializationError);
    assert.throws(() => msgpack.serialize([1, JSON.parse('{"__proto__": 1}')]), (err: unknown) => isUnrepresentable(err) && (err as { path?: string }).path === 'message[1]');
    assert.throws(() => msgpack.serialize([new Map([['__proto__', 1]])]), isUnrepresentable);
  });
});

describe('MessagePack strings are strict UTF-8 (as WebSocket text and Autobahn|Python are)', () => {
  const invalid = ['c328', 'a0a1', 'e282', 'eda080', 'f4908080', 'c0af', 'ff', 'f8888080'];
  test('invalid UTF-8 is refused in short and long strings, values and keys', () => {
    for (const b of invalid) {
      const n = b.length / 2;
      assert.throws(() => msgpack.deserialize(bytes(`91${(0xa0 + n).toString(16)}${b}`)), isSerializationError, `fixstr ${b}`);
      const long = '61'.repeat(100) + b;
      assert.throws(() => msgpack.deserialize(bytes(`91d9${(100 + n).toString(16)}${long}`)), isSerializationError, `str8 ${b}`);
      const long300 = '61'.repeat(300) + b;
      assert.throws(() => msgpack.deserialize(bytes(`91da${(300 + n).toString(16).padStart(4, '0')}${long300}`)), isSerializationError, `str16 ${b}`);
      assert.throws(() => msgpack.deserialize(bytes(`81${(0xa0 + n).toString(16)}${b}01`)), isSerializationError, `key ${b}`);
    }
  });

  test('valid UTF-8 decodes as before, ASCII and not, short and long (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 300 }), { maxLength: 4 }), fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 20 }).filter((k) => k !== '__proto__'), fc.integer(), { maxKeys: 3 }), (list, dict) => {
        assert.deepEqual(msgpack.deserialize(msgpack.serialize([list, dict])), [list, { ...dict }]);
      }),
      { numRuns: 300, seed: 8 },
    );
  });
});
