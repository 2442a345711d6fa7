import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Encoder as CborXEncoder, Decoder as CborXDecoder } from 'cbor-x';
import {
  SERIALIZERS,
  SerializerId,
  Subprotocol,
  json,
  msgpack,
  cbor,
  serializerById,
  serializerByName,
  serializerBySubprotocol,
  type Serializer,
} from '../../runtime/serializers/index.js';
import { isProtocolError, ProtocolErrorCode } from '../../runtime/wamp/protocol-error.js';
import { isSerializerError, SerializerErrorCode } from '../../runtime/serializers/errors.js';

const MAX_ID = 2 ** 53;
const hex = (b: Uint8Array | string): string => Buffer.from(b as Uint8Array).toString('hex');

/** Plain structure with binaries as {hex}, so Buffer and Uint8Array compare equal. */
function normalize(v: unknown): unknown {
  if (v instanceof Uint8Array) return { hex: hex(v) };
  if (Array.isArray(v)) return v.map(normalize);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  return v;
}

function isSerializationError(err: unknown): boolean {
  return isProtocolError(err) && err.code === ProtocolErrorCode.SERIALIZATION && err.wampUri === 'wamp.error.protocol_violation';
}

/** Values all three formats carry losslessly (docs/payloads.md has what else each carries). */
function valueArb(format: 'json' | 'msgpack' | 'cbor'): fc.Arbitrary<unknown> {
  const str = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => format !== 'json' || !s.startsWith('\0'));
  // JSON has no NaN or Infinity; -0 it carries as -0.0.
  const num = format === 'json' ? fc.double({ noNaN: true, noDefaultInfinity: true }) : fc.double();
  // Integers beyond 2^53 come back as bigint; MessagePack stops at 64 bits.
  const big =
    format === 'msgpack'
      ? fc.oneof(fc.bigInt({ min: 2n ** 53n + 1n, max: 2n ** 64n - 1n }), fc.bigInt({ min: -(2n ** 63n), max: -(2n ** 53n) - 1n }))
      : fc.oneof(fc.bigInt({ min: 2n ** 53n + 1n, max: 2n ** 200n }), fc.bigInt({ min: -(2n ** 200n), max: -(2n ** 53n) - 1n }));
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.constant(MAX_ID),
      num,
      big,
      str,
      fc.boolean(),
      fc.constant(null),
      fc.uint8Array({ maxLength: 40 }),
      fc.array(tie('value'), { maxLength: 5 }),
      fc.dictionary(fc.string({ maxLength: 12 }).filter((k) => k !== '__proto__'), tie('value'), { maxKeys: 5 }),
    ),
  }));
  return value;
}

describe('serializer lookup', () => {
  test('by name, WebSocket subprotocol and RawSocket serializer id', () => {
    assert.equal(serializerByName('json'), json);
    assert.equal(serializerBySubprotocol('wamp.2.msgpack'), msgpack);
    assert.equal(serializerById(3), cbor);
    assert.equal(serializerByName('ubjson'), undefined);
    assert.equal(serializerBySubprotocol('wamp.2.json.batched'), undefined);
    assert.equal(serializerById(0), undefined);
    for (const s of SERIALIZERS) {
      assert.equal(serializerById(s.id), s);
      assert.equal(serializerBySubprotocol(s.subprotocol), s);
    }
    assert.deepEqual([json.id, msgpack.id, cbor.id], [SerializerId.JSON, SerializerId.MSGPACK, SerializerId.CBOR]);
    assert.deepEqual([json.subprotocol, msgpack.subprotocol, cbor.subprotocol], [Subprotocol.JSON, Subprotocol.MSGPACK, Subprotocol.CBOR]);
    assert.deepEqual([json.isBinary, msgpack.isBinary, cbor.isBinary], [false, true, true]);
  });
});

for (const s of SERIALIZERS) {
  describe(`${s.name} serializer`, () => {
    test('round-trips WAMP-shaped values (property)', () => {
      fc.assert(
        fc.property(fc.array(valueArb(s.name), { maxLength: 6 }), (msg) => {
          const out = s.serialize(msg);
          assert.equal(typeof out === 'string', !s.isBinary);
          assert.deepEqual(normalize(s.deserialize(out)), normalize(msg));
        }),
        { numRuns: 300, seed: 4242 },
      );
    });

    test('IDs up to 2^53 stay exact integers', () => {
      const msg = [36, MAX_ID, MAX_ID - 1, {}, [2 ** 32, 2 ** 32 + 1, 5512315355, -(2 ** 40)]];
      assert.deepEqual(s.deserialize(s.serialize(msg)), msg);
    });

    test('binary values come back as Uint8Array', () => {
      const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
      const back = s.deserialize(s.serialize([1, bytes, { nested: [bytes] }])) as [number, Uint8Array, { nested: Uint8Array[] }];
      assert.ok(back[1] instanceof Uint8Array);
      assert.equal(hex(back[1]), hex(bytes));
      assert.equal(hex(back[2].nested[0] as Uint8Array), hex(bytes));
    });

    test('serialize does not modify the message', () => {
      const msg = [1, new Uint8Array([1]), { a: [new Uint8Array([2])] }];
      const before = normalize(msg);
      s.serialize(msg);
      assert.deepEqual(normalize(msg), before);
      assert.ok(msg[1] instanceof Uint8Array);
    });

    test('a cycle is SERIALIZER_TOO_DEEP naming where it repeats, not a stack overflow', () => {
      const cyclic: unknown[] = [1];
      cyclic.push({ again: cyclic });
      assert.throws(() => s.serialize(cyclic), (err: unknown) => isSerializerError(err) && err.code === SerializerErrorCode.TOO_DEEP && /message\[1\]\.again\[1\]/.test(err.message));
    });

    test('undecodable input is a serialization error, never another exception (fuzz)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
          try {
            s.deserialize(bytes);
          } catch (err) {
            assert.ok(isSerializationError(err), String(err));
          }
        }),
        { numRuns: 2000, seed: 7 },
      );
      assert.throws(() => s.deserialize(new Uint8Array(0)), isSerializationError);
    });

    test('truncated messages are serialization errors', () => {
      const full = s.serialize([48, 7814135, { a: 'b' }, 'com.example.proc', ['x', 1.5, new Uint8Array(3)], { k: [1, 2] }]);
      const bytes = typeof full === 'string' ? new TextEncoder().encode(full) : full;
      for (let n = 1; n < bytes.length; n++) {
        assert.throws(() => s.deserialize(bytes.subarray(0, n)), isSerializationError, `cut at ${n}`);
      }
    });
  });
}

describe('JSON binary convention', () => {
  test('the spec example: bytes <-> "\\u0000" + Base64', () => {
    const bytes = new Uint8Array(Buffer.from('10e3ff9053075c526f5fc06d4fe37cdb', 'hex'));
    assert.equal(json.serialize([bytes]), '["\\u0000EOP/kFMHXFJvX8BtT+N82w=="]');
    const [back] = json.deserialize('["\\u0000EOP/kFMHXFJvX8BtT+N82w=="]') as [Uint8Array];
    assert.equal(hex(back), '10e3ff9053075c526f5fc06d4fe37cdb');
  });

  test('binary inside dict values and nested lists, not in keys', () => {
    const back = json.deserialize('{"\\u0000AQ==":["\\u0000AQI=",{"x":"\\u0000"}]}') as Record<string, unknown[]>;
    const [only] = Object.keys(back);
    assert.equal(only, '\0AQ==');
    const list = back[only as string] as [Uint8Array, { x: Uint8Array }];
    assert.equal(hex(list[0]), '0102');
    assert.equal(list[1].x.length, 0);
  });

  test('malformed Base64 after \\u0000 is refused', () => {
    for (const bad of ['["\\u0000AQ"]', '["\\u0000A$==]"]', '["\\u0000AQ=="  ,"\\u0000*"]', '["\\u0000AQ==="]']) {
      assert.throws(() => json.deserialize(bad), isSerializationError, bad);
    }
  });

  test('text input must be valid UTF-8 when given as bytes', () => {
    assert.deepEqual(json.deserialize(new Uint8Array(Buffer.from('["é"]'))), ['é']);
    assert.throws(() => json.deserialize(new Uint8Array([0x5b, 0x22, 0xc3, 0x22, 0x5d])), isSerializationError);
    assert.throws(() => json.deserialize('\ufeff[1]'), isSerializationError);
  });
});

describe('MessagePack specifics', () => {
  test('the largest ID, 2^53, is written as uint64, not as a float', () => {
    assert.equal(hex(msgpack.serialize([MAX_ID, -(2 ** 53)])), '92cf0020000000000000cbc340000000000000');
  });

  test('binary is bin, strings are str', () => {
    assert.equal(hex(msgpack.serialize([new Uint8Array([1]), 'a'])), '92c40101a161');
  });

  test('text input is refused', () => {
    assert.throws(() => msgpack.deserialize('[1]'), isSerializationError);
  });
});

describe('CBOR specifics', () => {
  test('integers use the shortest head, including 64-bit IDs (not floats)', () => {
    assert.equal(hex(cbor.serialize([0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, MAX_ID, -1, -25, -(2 ** 32) - 1])),
      '8d' + '00' + '17' + '1818' + '18ff' + '190100' + '19ffff' + '1a00010000' + '1affffffff' + '1b0000000100000000' +
      '1b0020000000000000' + '20' + '3818' + '3b0000000100000000');
  });

  test('strings: ASCII, multi-byte and long strings get minimal heads', () => {
    for (const s of ['', 'a', 'x'.repeat(23), 'x'.repeat(24), 'é', 'ü'.repeat(20), '€'.repeat(100), '😀'.repeat(5000)]) {
      const out = cbor.serialize([s]) as Uint8Array;
      const ref = new CborXEncoder({ useRecords: false }).encode([s]);
      assert.equal(hex(out), hex(ref), `${s.length} units`);
      assert.deepEqual(cbor.deserialize(out), [s]);
    }
  });

  test('decodes what cbor-x writes, including its float64 big integers and indefinite lengths', () => {
    const cx = new CborXEncoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
    const value = [36, 5512315355, { a: [1, 'x', true, null] }, new Uint8Array([9, 9]), 1.25];
    assert.deepEqual(normalize(cbor.deserialize(cx.encode(value))), normalize(value));
    // Indefinite array, map, bytes and text; float16 and float32.
    const indefinite = '9f' + 'bf616101ff' + '5f4101420203ff' + '7f6161626263ff' + 'f93c00' + 'fa3fc00000' + 'ff';
    assert.deepEqual(normalize(cbor.deserialize(new Uint8Array(Buffer.from(indefinite, 'hex')))), normalize([{ a: 1 }, new Uint8Array([1, 2, 3]), 'abc', 1, 1.5]));
  });

  test('cbor-x decodes what we write', () => {
    const value = [36, 5512315355, MAX_ID, { a: [1, 'x', true, null, -7] }, new Uint8Array([9, 9]), 1.25];
    const back = new CborXDecoder({ useRecords: false, mapsAsObjects: true, int64AsNumber: true } as never).decode(cbor.serialize(value) as Uint8Array);
    assert.deepEqual(normalize(back), normalize(value));
  });

  test('beyond 2^53 integers come back as bigint; bignum tags within range as numbers', () => {
    assert.deepEqual(cbor.deserialize(new Uint8Array(Buffer.from('1b0020000000000001', 'hex'))), 2n ** 53n + 1n);
    assert.deepEqual(cbor.deserialize(new Uint8Array(Buffer.from('3b0020000000000000', 'hex'))), -(2n ** 53n) - 1n);
    assert.equal(cbor.deserialize(new Uint8Array(Buffer.from('c2420102', 'hex'))), 258);
    assert.deepEqual(cbor.serialize([2n ** 60n]), new Uint8Array(Buffer.from('811b1000000000000000', 'hex')));
  });

  test('odd simple values, duplicate keys, bad chunks and trailing bytes are refused', () => {
    for (const bad of ['f0', 'f820', 'a2616101616102', 'a201010102', '0000', 'ff', '5f01ff', '7f4161ff']) {
      assert.throws(() => cbor.deserialize(new Uint8Array(Buffer.from(bad, 'hex'))), isSerializationError, bad);
    }
    // The self-describe tag marks CBOR data and is dropped.
    assert.deepEqual(cbor.deserialize(new Uint8Array(Buffer.from('d9d9f78101', 'hex'))), [1]);
  });

  test('a "__proto__" key stays an own property', () => {
    const back = cbor.deserialize(new Uint8Array(Buffer.from('a1695f5f70726f746f5f5fa1617801', 'hex'))) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.deepEqual(Object.keys(back), ['__proto__']);
  });

  test('huge declared lengths fail fast instead of allocating', () => {
    assert.throws(() => cbor.deserialize(new Uint8Array(Buffer.from('9bffffffffffffffff', 'hex'))), isSerializationError);
    assert.throws(() => cbor.deserialize(new Uint8Array(Buffer.from('9a7fffffff', 'hex'))), isSerializationError);
    assert.throws(() => cbor.deserialize(new Uint8Array(Buffer.from('81'.repeat(600) + '01', 'hex'))), (err: unknown) => isSerializerError(err) && err.code === SerializerErrorCode.TOO_DEEP);
  });
});

export type { Serializer };
