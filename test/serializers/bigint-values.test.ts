/**
 * Integers beyond +-2^53: a bigint is written exactly (never a float, never wrapped), integers
 * within +-2^53 come back as numbers (IDs stay numbers) and integers beyond as bigint (never
 * rounded). MessagePack stops at 64 bits (beyond is SERIALIZER_UNREPRESENTABLE); CBOR carries
 * any size (bignums, tags 2 and 3) and JSON any size (exact integer literals).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { Decoder as CborXDecoder } from 'cbor-x';
import { cbor, json, msgpack, type Serializer } from '../../runtime/serializers/index.js';
import { isSerializerError, SerializerErrorCode } from '../../runtime/serializers/errors.js';
import { isProtocolError, ProtocolErrorCode } from '../../runtime/wamp/protocol-error.js';

const hex = (b: Uint8Array | string): string => Buffer.from(b as Uint8Array).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const isSerializationError = (err: unknown): boolean => isProtocolError(err) && err.code === ProtocolErrorCode.SERIALIZATION;

const MAX_EXACT = 2n ** 53n;
const BEYOND = [MAX_EXACT + 1n, 2n ** 60n, 2n ** 63n, 2n ** 64n - 1n, -MAX_EXACT - 1n, -(2n ** 60n), -(2n ** 63n)];

/** Bigints each format can carry beyond +-2^53 (MessagePack's int64 stops at -2^63, CBOR's at -2^64). */
const beyondExact = (min: bigint): fc.Arbitrary<bigint> =>
  fc.oneof(fc.bigInt({ min: MAX_EXACT + 1n, max: 2n ** 64n - 1n }), fc.bigInt({ min, max: -MAX_EXACT - 1n }));

const FORMATS: [Serializer, bigint][] = [[msgpack, -(2n ** 63n)], [cbor, -(2n ** 64n)]];

for (const [s, min] of FORMATS) {
  describe(`${s.name}: bigint`, () => {
    test('integers beyond +-2^53 round-trip exactly as bigint', () => {
      assert.deepEqual(s.deserialize(s.serialize([...BEYOND, min])), [...BEYOND, min]);
    });

    test('a bigint within +-2^53 comes back as a number', () => {
      assert.deepEqual(s.deserialize(s.serialize([0n, 5n, -5n, MAX_EXACT, -MAX_EXACT, 4429313566n])), [0, 5, -5, 2 ** 53, -(2 ** 53), 4429313566]);
    });

    if (s === msgpack) {
      test('beyond 64 bits is SERIALIZER_UNREPRESENTABLE naming the value, not a wrapped value', () => {
        for (const v of [2n ** 64n, min - 1n, 2n ** 100n]) {
          assert.throws(() => s.serialize([1, { amount: v }]), (err: unknown) => isSerializerError(err) && err.code === SerializerErrorCode.UNREPRESENTABLE && err.path === 'message[1].amount' && err.message.includes(String(v).slice(0, 20)), String(v));
        }
      });
    } else {
      test('beyond 64 bits round-trips exactly (bignum tags)', () => {
        const values = [2n ** 64n, -(2n ** 64n) - 1n, 2n ** 128n - 1n, -(2n ** 128n), 2n ** 1000n + 12345n, -(3n ** 700n)];
        assert.deepEqual(s.deserialize(s.serialize([1, values, { amount: values[2] }])), [1, values, { amount: values[2] }]);
      });
    }

    test('random 64-bit values beyond 2^53 inside dicts and lists round-trip (property)', () => {
      fc.assert(
        fc.property(fc.array(beyondExact(min), { maxLength: 4 }), beyondExact(min), (list, single) => {
          const msg = [36, 1, 2, {}, list, { amount: single }];
          assert.deepEqual(s.deserialize(s.serialize(msg)), msg);
        }),
        { numRuns: 200, seed: 64 },
      );
    });
  });
}

describe('MessagePack 64-bit integers on the wire', () => {
  test('a bigint is uint64 (cf) when >= 0 and int64 (d3) when negative, whatever its size', () => {
    assert.equal(hex(msgpack.serialize([5n, -5n, 2n ** 60n, 2n ** 64n - 1n, -(2n ** 63n)])),
      '95' + 'cf0000000000000005' + 'd3fffffffffffffffb' + 'cf1000000000000000' + 'cfffffffffffffffff' + 'd38000000000000000');
  });

  test('numbers keep their compact encodings; 2^53 is still uint64, not float', () => {
    assert.equal(hex(msgpack.serialize([5, 4429313566, 2 ** 53])), '93' + '05' + 'cf000000010801f61e' + 'cf0020000000000000');
  });

  test('decoding: uint64/int64 within +-2^53 are numbers, beyond are bigints', () => {
    const cases: [string, number | bigint][] = [
      ['cf0000000000000005', 5],
      ['cf0020000000000000', 2 ** 53],
      ['cf0020000000000001', MAX_EXACT + 1n],
      ['cfffffffffffffffff', 2n ** 64n - 1n],
      ['d3fffffffffffffffb', -5],
      ['d3ffe0000000000000', -(2 ** 53)],
      ['d3ffdfffffffffffff', -MAX_EXACT - 1n],
      ['d38000000000000000', -(2n ** 63n)],
      ['d30020000000000000', 2 ** 53],
      ['d30020000000000001', MAX_EXACT + 1n],
      ['d3001fffffffffffff', 2 ** 53 - 1],
    ];
    for (const [h, expected] of cases) assert.deepEqual(msgpack.deserialize(bytes(h)), expected, h);
  });

  test('a getter that serializes while we encode does not lose the 64-bit handling', () => {
    let inner: string | undefined;
    const payload = {
      get lazy(): number {
        inner = hex(msgpack.serialize([2 ** 53, 2n ** 60n]));
        return 1;
      },
    };
    assert.equal(hex(msgpack.serialize([payload, 2n ** 60n])), '9281a46c617a7901cf1000000000000000');
    assert.equal(inner, '92cf0020000000000000cf1000000000000000');
  });

  const require = createRequire(import.meta.url);
  let msgpackr: { pack(v: unknown): Uint8Array; unpack(b: Uint8Array): unknown } | undefined;
  try {
    msgpackr = require('msgpackr') as typeof msgpackr;
  } catch {
    msgpackr = undefined;
  }
  test('agrees with msgpackr (wampy) both ways', { skip: msgpackr === undefined ? 'msgpackr (a dependency of wampy) is not installed' : false }, () => {
    const lib = msgpackr as NonNullable<typeof msgpackr>;
    const values = [2n ** 60n, -(2n ** 60n), 2n ** 64n - 1n, -(2n ** 63n)];
    assert.deepEqual(lib.unpack(msgpack.serialize(values) as Uint8Array), values);
    assert.deepEqual(msgpack.deserialize(lib.pack(values)), values);
  });
});

describe('CBOR integers on the wire', () => {
  test('a bigint that fits 64 bits is a plain integer with the shortest head; beyond, a bignum without leading zeros', () => {
    assert.equal(hex(cbor.serialize([5n, -5n, 2n ** 32n, 2n ** 64n - 1n, -(2n ** 64n)])),
      '85' + '05' + '24' + '1b0000000100000000' + '1bffffffffffffffff' + '3bffffffffffffffff');
    assert.equal(hex(cbor.serialize([2n ** 64n])), '81' + 'c249010000000000000000');
    assert.equal(hex(cbor.serialize([2n ** 128n - 1n])), '81' + 'c250' + 'ff'.repeat(16));
    assert.equal(hex(cbor.serialize([-(2n ** 128n)])), '81' + 'c350' + 'ff'.repeat(16));
    assert.equal(hex(cbor.serialize([-(2n ** 64n) - 1n])), '81' + 'c349010000000000000000');
  });

  test('decoding: within +-2^53 numbers, beyond bigints, whatever the wire form; cbor-x reads our bigints back', () => {
    assert.deepEqual(cbor.deserialize(bytes('1b0020000000000000')), 2 ** 53);
    assert.deepEqual(cbor.deserialize(bytes('3b001fffffffffffff')), -(2 ** 53));
    assert.deepEqual(cbor.deserialize(bytes('3b0020000000000000')), -MAX_EXACT - 1n);
    assert.deepEqual(cbor.deserialize(bytes('3bffffffffffffffff')), -(2n ** 64n));
    // Bignums: in range a number (the npm cbor package tags even 5n), leading zeros allowed, empty is 0.
    assert.equal(cbor.deserialize(bytes('c24105')), 5);
    assert.equal(cbor.deserialize(bytes('c3420000')), -1);
    assert.equal(cbor.deserialize(bytes('c240')), 0);
    assert.deepEqual(cbor.deserialize(bytes('c24a0000ffffffffffffffff')), 2n ** 64n - 1n);
    assert.deepEqual(cbor.deserialize(bytes('c25f41ff41ffff')), 65535);
    const values = [2n ** 60n, -(2n ** 60n), 2n ** 64n - 1n];
    const back = new CborXDecoder({ useRecords: false, mapsAsObjects: true } as never).decode(cbor.serialize(values) as Uint8Array) as unknown[];
    assert.deepEqual(back.map((v) => BigInt(v as bigint)), values);
  });

  test('a bignum whose content is not a byte string is kept as a CborTag', () => {
    const [tag] = cbor.deserialize(bytes('81c26161')) as [{ tag: number; value: unknown }];
    assert.deepEqual([tag.tag, tag.value], [2, 'a']);
    assert.equal(hex(cbor.serialize([tag])), '81c26161');
  });
});

describe('JSON integers beyond 2^53', () => {
  test('a bigint is written as an exact integer literal and read back as a bigint', () => {
    const values = [2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 64n, 2n ** 128n - 1n, -(2n ** 128n), 10n ** 400n];
    const text = json.serialize([36, 1, 2, {}, values, { big: values[3] }]);
    assert.equal(text, `[36,1,2,{},[${values.join(',')}],{"big":${values[3]}}]`);
    assert.deepEqual(json.deserialize(text), [36, 1, 2, {}, values, { big: values[3] }]);
  });

  test('integer literals beyond 2^53 from any peer decode exactly; within, and floats, stay numbers', () => {
    assert.deepEqual(json.deserialize('[9007199254740993,-9007199254740993,18446744073709551615,9007199254740992,-9007199254740992]'),
      [2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 64n - 1n, 2 ** 53, -(2 ** 53)]);
    assert.deepEqual(json.deserialize('[12345678901234567.5,1.2345678901234567e20,1e+21,0.12345678901234567890,5e-1234567890123456789]'),
      [12345678901234567.5, 1.2345678901234567e20, 1e21, 0.12345678901234568, 0]);
    // Digits inside strings are not integers, and 16-digit IDs below 2^53 are numbers.
    assert.deepEqual(json.deserialize('["12345678901234567890",{"id":4503599627370496}]'), ['12345678901234567890', { id: 4503599627370496 }]);
  });

  test('a bigint within +-2^53 comes back as a number, like the binary formats', () => {
    assert.equal(json.serialize([5n, -(2n ** 53n)]), '[5,-9007199254740992]');
    assert.deepEqual(json.deserialize(json.serialize([5n, -(2n ** 53n)])), [5, -(2 ** 53)]);
  });

  test('a number that is an integral double beyond 2^53 stays a number (exponent notation)', () => {
    const values = [2 ** 60, -(2 ** 60), 2 ** 53 + 2, 2 ** 69, 1e21];
    const text = json.serialize(values);
    assert.equal(text, '[1.152921504606847e+18,-1.152921504606847e+18,9.007199254740994e+15,5.902958103587057e+20,1e+21]');
    assert.deepEqual(json.deserialize(text), values);
  });

  test('bigints and big numbers anywhere in a message round-trip with their types (property)', () => {
    const leaf = fc.oneof(fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }).filter((b) => b > MAX_EXACT || b < -MAX_EXACT),
      fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ maxLength: 6 }).filter((t) => !t.startsWith('\0')), fc.uint8Array({ maxLength: 4 }));
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 4 }).filter((k) => k !== '__proto__'), tie('v'), { maxKeys: 3 })),
    })).v;
    fc.assert(fc.property(fc.array(value, { maxLength: 4 }), (msg) => {
      const back = json.deserialize(json.serialize(msg));
      assert.deepEqual(normalizeBytes(back), normalizeBytes(msg));
    }), { numRuns: 300, seed: 53 });
  });
});

/** Buffers and Uint8Arrays compare equal. */
function normalizeBytes(v: unknown): unknown {
  if (v instanceof Uint8Array) return { hex: hex(v) };
  if (Array.isArray(v)) return v.map(normalizeBytes);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalizeBytes(x)]));
  return v;
}
