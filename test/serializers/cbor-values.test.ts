/**
 * CBOR payload fidelity: every tag a peer sends is kept (dates, typed arrays and sets as their
 * JavaScript values, everything else as CborTag) and written back as it came; maps with
 * non-text keys, undefined, -0, NaN and Infinity survive; half and single floats decode exactly.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { CborTag, cbor } from '../../runtime/serializers/index.js';
import { HOST_LITTLE_ENDIAN } from '../../runtime/serializers/cbor-tags.js';
import { isSerializerError, SerializerErrorCode } from '../../runtime/serializers/errors.js';

const hex = (b: Uint8Array | string): string => Buffer.from(b as Uint8Array).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const one = (h: string): unknown => (cbor.deserialize(bytes(`81${h}`)) as unknown[])[0];
/** Decodes [value] and checks that re-encoding writes the same bytes. */
function roundTrip(h: string): unknown {
  const value = one(h);
  assert.equal(hex(cbor.serialize([value])), `81${h}`, `re-encoding ${h}`);
  return value;
}
const isUnrepresentable = (err: unknown): boolean => isSerializerError(err) && err.code === SerializerErrorCode.UNREPRESENTABLE;

describe('CBOR typed arrays (RFC 8746)', () => {
  const cases: [string, string, string, unknown[]][] = [
    // tag, JS type, content bytes, values
    ['d841', 'Uint16Array', '4400010002', [1, 2]], // big-endian
    ['d845', 'Uint16Array', '4401000200', [1, 2]], // little-endian
    ['d842', 'Uint32Array', '4400000001', [1]],
    ['d846', 'Uint32Array', '4401000000', [1]],
    ['d843', 'BigUint64Array', '48ffffffffffffffff', [2n ** 64n - 1n]],
    ['d847', 'BigUint64Array', '480100000000000000', [1n]],
    ['d844', 'Uint8ClampedArray', '4201ff', [1, 255]],
    ['d848', 'Int8Array', '4201ff', [1, -1]],
    ['d849', 'Int16Array', '42fffe', [-2]],
    ['d84d', 'Int16Array', '42feff', [-2]],
    ['d84a', 'Int32Array', '44fffffffe', [-2]],
    ['d84e', 'Int32Array', '44feffffff', [-2]],
    ['d84b', 'BigInt64Array', '48fffffffffffffffe', [-2n]],
    ['d84f', 'BigInt64Array', '48feffffffffffffff', [-2n]],
    ['d851', 'Float32Array', '4840490fdb3fc00000', [Math.fround(Math.PI), 1.5]], // big-endian on a little-endian host
    ['d855', 'Float32Array', '480000c03fdb0f4940', [1.5, Math.fround(Math.PI)]],
    ['d852', 'Float64Array', '48400921fb54442d18', [Math.PI]],
    ['d856', 'Float64Array', '48182d4454fb210940', [Math.PI]],
  ];
  for (const [tag, type, content, values] of cases) {
    test(`tag ${parseInt(tag.slice(2), 16)}: ${type} ${JSON.stringify(values, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}, written back with the same tag`, () => {
      const value = roundTrip(tag + content) as ArrayLike<unknown> & object;
      assert.equal(value.constructor.name, type);
      assert.deepEqual(Array.from(value), values);
    });
  }

  test(`this host is ${HOST_LITTLE_ENDIAN ? 'little' : 'big'}-endian; decoded arrays are aligned copies in its byte order`, () => {
    // An odd offset in the input: the decoder must not view unaligned memory.
    const [a] = cbor.deserialize(bytes('81d8514840490fdb3fc00000')) as [Float32Array];
    assert.equal(a.byteOffset % 4, 0);
    a[0] = 2;
    assert.equal(hex(cbor.serialize([a])), '81d85148400000003fc00000');
  });

  test('a typed array made here is written with the little-endian tag; a plain Uint8Array is a byte string', () => {
    assert.equal(hex(cbor.serialize([new Uint16Array([1, 2])])), '81d8454401000200');
    assert.equal(hex(cbor.serialize([new Float32Array([1.5])])), '81d855440000c03f');
    assert.equal(hex(cbor.serialize([new BigInt64Array([-1n])])), '81d84f48ffffffffffffffff');
    assert.equal(hex(cbor.serialize([new Int8Array([-1])])), '81d84841ff');
    assert.equal(hex(cbor.serialize([new Uint8ClampedArray([7])])), '81d8444107');
    assert.equal(hex(cbor.serialize([new Uint8Array([7])])), '814107');
    assert.equal(hex(cbor.serialize([Buffer.from([7])])), '814107');
  });

  test('tag 64 (what Autobahn|JS writes for a Uint8Array) is a Uint8Array that goes out as tag 64 again', () => {
    const value = roundTrip('d840480001020304050607') as Uint8Array;
    assert.equal(Object.getPrototypeOf(value), Uint8Array.prototype);
    assert.deepEqual(Array.from(value), [0, 1, 2, 3, 4, 5, 6, 7]);
    // Its copy is an ordinary binary: a byte string.
    assert.equal(hex(cbor.serialize([value.slice()])), '81480001020304050607');
  });

  test('float16 and float128 arrays, tag 76 and wrong lengths are kept as CborTag and written back', () => {
    for (const h of ['d850420000', 'd854420000', 'd85350' + '00'.repeat(16), 'd84c4101', 'd8414101', 'd85543000000', 'd8416161']) {
      const value = roundTrip(h);
      assert.ok(value instanceof CborTag, h);
    }
  });

  test('DataView and ArrayBuffer have no CBOR form', () => {
    assert.throws(() => cbor.serialize([new DataView(new ArrayBuffer(2))]), isUnrepresentable);
    assert.throws(() => cbor.serialize([new ArrayBuffer(2)]), isUnrepresentable);
  });
});

describe('CBOR dates (tags 0 and 1)', () => {
  test('tag 1 with integer or float seconds is a Date, written back as it came', () => {
    assert.equal((roundTrip('c11a514b67b0') as Date).toISOString(), '2013-03-21T20:04:00.000Z');
    assert.equal((roundTrip('c1fb41d452d9ec200000') as Date).toISOString(), '2013-03-21T20:04:00.500Z');
    // float32 seconds and a negative time.
    assert.equal((roundTrip('c1fa4e9a5ecf') as Date).getTime(), 1294952320000);
    assert.equal((roundTrip('c13a0001517f') as Date).toISOString(), '1969-12-31T00:00:00.000Z');
  });

  test('tag 0 (RFC 3339 text) is a Date whose original text goes back out while its time is unchanged', () => {
    const text = '2013-03-21T20:04:00.123456+01:00';
    const h = `c078${text.length.toString(16)}${hex(Buffer.from(text))}`;
    const date = roundTrip(h) as Date;
    assert.equal(date.toISOString(), '2013-03-21T19:04:00.123Z');
    date.setTime(0);
    assert.equal(hex(cbor.serialize([date])), '81c100');
  });

  test('a Date made here is tag 1: integer seconds when whole, else float seconds', () => {
    assert.equal(hex(cbor.serialize([new Date(1363896240000)])), '81c11a514b67b0');
    assert.equal(hex(cbor.serialize([new Date(1363896240500)])), '81c1fb41d452d9ec200000');
    assert.throws(() => cbor.serialize([new Date(Number.NaN)]), isUnrepresentable);
  });

  test('every millisecond of the Date range survives (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        const [back] = cbor.deserialize(cbor.serialize([new Date(ms)])) as [Date];
        assert.equal(back.getTime(), ms);
      }),
      { numRuns: 2000, seed: 1 },
    );
    for (const ms of [8.64e15, -8.64e15, 1, -1, 999, -999]) {
      assert.equal((cbor.deserialize(cbor.serialize([new Date(ms)])) as [Date])[0].getTime(), ms);
    }
  });

  test('contents that are no date stay CborTag: wrong type, not RFC 3339, out of range', () => {
    for (const h of ['c0f6', 'c0666e6f20646174', 'c06a323031332d30332d3231', 'c1f97c00', 'c1f97e00', 'c11b0020000000000000', 'c16161']) {
      assert.ok(roundTrip(h) instanceof CborTag, h);
    }
  });
});

describe('CBOR sets (tag 258), unknown tags, maps with any keys', () => {
  test('tag 258 is a Set, written back as tag 258', () => {
    const value = roundTrip('d90102820161' + '61') as Set<unknown>;
    assert.ok(value instanceof Set);
    assert.deepEqual([...value], [1, 'a']);
    assert.equal(hex(cbor.serialize([new Set([new Set([1])])])), '81d9010281d901028101');
    assert.ok(roundTrip('d9010201') instanceof CborTag);
  });

  test('an unknown tag is a CborTag that is written back identically, whatever its number', () => {
    for (const h of ['d820781868747470733a2f2f6578616d706c652e636f6d2f70617468', 'd904d26178', 'da000100008101', 'db00000001000000006178', 'dbffffffffffffffff80', 'd8188163616263', 'c5820304']) {
      const value = roundTrip(h);
      assert.ok(value instanceof CborTag, h);
    }
    const big = one('dbffffffffffffffff80') as CborTag;
    assert.equal(big.tag, 2n ** 64n - 1n);
    const nested = one('d904d2d904d3a16161c1f6') as CborTag;
    assert.deepEqual([nested.tag, (nested.value as CborTag).tag], [1234, 1235]);
    assert.equal(hex(cbor.serialize([new CborTag(32, 'https://x')])), '81d8206968747470733a2f2f78');
    // Tag numbers up to 2^53 decode as numbers, beyond as bigints.
    assert.equal((one('db0020000000000000f6') as CborTag).tag, 2 ** 53);
    assert.equal((one('db0020000000000001f6') as CborTag).tag, 2n ** 53n + 1n);
    assert.throws(() => new CborTag(-1, 1), /tag number/);
    assert.throws(() => new CborTag(2 ** 53 + 2, 1), /tag number/);
    assert.throws(() => new CborTag(2n ** 64n, 1), /tag number/);
  });

  test('a map with a non-text key is a Map (keys as they are); with text keys only, a dict', () => {
    const map = roundTrip('a3016161' + '4101' + 'f5' + '6178' + '02') as Map<unknown, unknown>;
    assert.ok(map instanceof Map);
    assert.deepEqual([...map.keys()].map((k) => (k instanceof Uint8Array ? hex(k) : k)), [1, '01', 'x']);
    assert.deepEqual([...map.values()].map((v) => v), ['a', true, 2]);
    assert.deepEqual(one('a2616101616202'), { a: 1, b: 2 });
    // Indefinite map with an integer key, nested.
    const nested = one('bf6161a1f4f5ff') as { a: Map<unknown, unknown> };
    assert.deepEqual([...nested.a], [[false, true]]);
    assert.equal(hex(cbor.serialize([new Map([['k', 1]])])), '81a1616b01');
  });

  test('duplicate scalar keys in a Map are refused; an undefined member is left out', () => {
    assert.throws(() => cbor.deserialize(bytes('81a20101' + '0102')), /duplicate/);
    const map = one('a201f70202') as Map<unknown, unknown>;
    assert.deepEqual([...map], [[2, 2]]);
    assert.equal(hex(cbor.serialize([new Map<unknown, unknown>([[1, undefined], [2, 2]])])), '81a10202');
  });
});

describe('CBOR numbers and simple values', () => {
  test('-0, NaN and +-Infinity round-trip, written as float16 like cbor2 and the npm cbor package', () => {
    assert.ok(Object.is(roundTrip('f98000'), -0));
    assert.ok(Number.isNaN(roundTrip('f97e00')));
    assert.equal(roundTrip('f97c00'), Infinity);
    assert.equal(roundTrip('f9fc00'), -Infinity);
    assert.equal(hex(cbor.serialize([-0, 0])), '82f9800000');
    // Other encodings of the same values decode too.
    assert.ok(Object.is(one('fb8000000000000000'), -0));
    assert.ok(Number.isNaN(one('fa7fc00000')));
    assert.ok(Number.isNaN(one('f97e01')));
  });

  test('every float16 and float32 value decodes exactly (every one is a double)', () => {
    const view = new DataView(new ArrayBuffer(4));
    for (let h = 0; h < 0x10000; h++) {
      const value = one(`f9${h.toString(16).padStart(4, '0')}`) as number;
      // Reference: IEEE binary16 by its definition.
      const sign = h & 0x8000 ? -1 : 1;
      const e = (h >> 10) & 0x1f;
      const f = h & 0x3ff;
      const expected = e === 0x1f ? (f === 0 ? sign * Infinity : NaN) : e === 0 ? sign * f * 2 ** -24 : sign * (1024 + f) * 2 ** (e - 25);
      assert.ok(Object.is(value, expected), `f9${h.toString(16)}`);
    }
    fc.assert(
      fc.property(fc.float(), (f) => {
        view.setFloat32(0, f);
        const back = one(`fa${hex(new Uint8Array(view.buffer))}`);
        assert.ok(Object.is(back, f));
      }),
      { numRuns: 2000, seed: 32 },
    );
  });

  test('undefined in a list is f7 both ways', () => {
    assert.deepEqual(cbor.deserialize(bytes('82f701')), [undefined, 1]);
    assert.equal(hex(cbor.serialize([undefined, 1])), '82f701');
  });

  test('functions and symbols have no CBOR form; the error names the path', () => {
    assert.throws(() => cbor.serialize([48, 1, {}, 'p', [{ f: () => 1 }]]), (err: unknown) => isUnrepresentable(err) && (err as { path?: string }).path === 'message[4][0].f');
    assert.throws(() => cbor.serialize([Symbol('s')]), isUnrepresentable);
  });
});

describe('CBOR strings are strict UTF-8 (as WebSocket text and Autobahn|Python are)', () => {
  test('invalid UTF-8 in text strings is refused, short or long, definite or in chunks', () => {
    const bad = ['c328', 'a0a1', 'e282', 'eda080', 'f4908080', 'c0af', 'ff'];
    for (const b of bad) {
      const short = `6${(b.length / 2).toString(16)}${b}`;
      assert.throws(() => cbor.deserialize(bytes(`81${short}`)), /invalid CBOR message/, short);
      const long = `7818${'61'.repeat(24 - b.length / 2)}${b}`;
      assert.throws(() => cbor.deserialize(bytes(`81${long}`)), /invalid CBOR message/, long);
      assert.throws(() => cbor.deserialize(bytes(`817f${short}ff`)), /invalid CBOR message/);
    }
    assert.deepEqual(cbor.deserialize(bytes('8162c3a9')), ['é']);
  });
});

const require = createRequire(import.meta.url);
let npmCbor: { encode(v: unknown): Uint8Array; decodeFirstSync(b: Uint8Array): unknown; Tagged: new (tag: number, value: unknown) => unknown } | undefined;
try {
  npmCbor = require('cbor') as typeof npmCbor;
} catch {
  npmCbor = undefined;
}

describe('with the npm cbor package (what Autobahn|JS uses)', { skip: npmCbor === undefined ? 'the npm cbor package (a dependency of autobahn) is not installed' : false }, () => {
  const lib = npmCbor as NonNullable<typeof npmCbor>;
  test('what it writes we decode to the same values, and write back so that it decodes the same again', () => {
    const values = [new Uint8Array([0, 1, 2]), new Uint16Array([1, 65535]), new Float32Array([1.5, -0]), new Float64Array([Math.PI]), new BigInt64Array([-5n]),
      new Date(1700000000123), new Date(1700000000000), new Set([1, 'a']), new Map<unknown, unknown>([[1, 'x']]), 2n ** 128n - 1n, -(2n ** 128n), 2n ** 64n - 1n, -0, NaN, Infinity, [undefined]];
    const theirs = lib.encode(values);
    const ours = cbor.deserialize(theirs) as unknown[];
    assert.deepEqual(ours, values);
    const again = lib.decodeFirstSync(cbor.serialize(ours) as Uint8Array);
    assert.deepEqual(again, values);
    const tagged = cbor.deserialize(lib.encode([new lib.Tagged(4242, 'x')])) as [CborTag];
    assert.deepEqual([tagged[0].tag, tagged[0].value], [4242, 'x']);
  });
});
