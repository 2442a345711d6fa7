/**
 * 64-bit integers in the binary formats: a bigint is written as a 64-bit integer (never a
 * float, never wrapped), integers within +-2^53 come back as numbers (IDs stay numbers) and
 * integers beyond as bigint (never rounded).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { Decoder as CborXDecoder } from 'cbor-x';
import { cbor, msgpack, type Serializer } from '../../runtime/serializers/index.js';
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

    test('beyond 64 bits is a serialization error, not a wrapped value', () => {
      for (const v of [2n ** 64n, min - 1n, 2n ** 100n]) {
        assert.throws(() => s.serialize([v]), isSerializationError, String(v));
      }
    });

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

describe('CBOR 64-bit integers on the wire', () => {
  test('a bigint is major type 0 or 1 with a 64-bit argument, whatever its size', () => {
    assert.equal(hex(cbor.serialize([5n, -5n, 2n ** 64n - 1n, -(2n ** 64n)])),
      '84' + '1b0000000000000005' + '3b0000000000000004' + '1bffffffffffffffff' + '3bffffffffffffffff');
  });

  test('decoding: within +-2^53 numbers, beyond bigints; cbor-x reads our bigints back', () => {
    assert.deepEqual(cbor.deserialize(bytes('1b0020000000000000')), 2 ** 53);
    assert.deepEqual(cbor.deserialize(bytes('3b001fffffffffffff')), -(2 ** 53));
    assert.deepEqual(cbor.deserialize(bytes('3b0020000000000000')), -MAX_EXACT - 1n);
    assert.deepEqual(cbor.deserialize(bytes('3bffffffffffffffff')), -(2n ** 64n));
    const values = [2n ** 60n, -(2n ** 60n), 2n ** 64n - 1n];
    const back = new CborXDecoder({ useRecords: false, mapsAsObjects: true } as never).decode(cbor.serialize(values) as Uint8Array) as unknown[];
    assert.deepEqual(back.map((v) => BigInt(v as bigint)), values);
  });
});
