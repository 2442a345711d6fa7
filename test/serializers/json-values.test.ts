/**
 * JSON payloads: what JSON can carry exactly goes through exactly (-0, integral doubles beyond
 * 2^53, Maps with string keys, Dates as ISO strings), what it would silently turn into
 * something else is refused with SERIALIZER_UNREPRESENTABLE, and the exact parser used for
 * messages with big integers agrees with JSON.parse on everything else.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CborTag, MsgpackExtension, json } from '../../runtime/serializers/index.js';
import { isSerializerError, SerializerErrorCode } from '../../runtime/serializers/errors.js';
import { parseJsonExact } from '../../runtime/serializers/json-exact-parser.js';
import { mayHoldBigInteger } from '../../runtime/serializers/json-scan.js';
import { isProtocolError, ProtocolErrorCode } from '../../runtime/wamp/protocol-error.js';

/** bigints as the numbers JSON.parse makes of the same literals (both round to nearest). */
function bigToNumber(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(bigToNumber);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: bigToNumber(x), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}
const isUnrepresentable = (err: unknown): boolean => isSerializerError(err) && err.code === SerializerErrorCode.UNREPRESENTABLE;
const isSerializationError = (err: unknown): boolean => isProtocolError(err) && err.code === ProtocolErrorCode.SERIALIZATION;

describe('JSON: values it carries', () => {
  test('-0 is written -0.0 and read back as -0', () => {
    assert.equal(json.serialize([-0, 0, [-0], { z: -0 }]), '[-0.0,0,[-0.0],{"z":-0.0}]');
    const back = json.deserialize('[-0.0,-0,0]') as number[];
    assert.ok(Object.is(back[0], -0) && Object.is(back[1], -0) && Object.is(back[2], 0));
  });

  test('a Map with string keys is a dict; a Date its ISO string (as JSON.stringify writes it)', () => {
    assert.equal(json.serialize([new Map<string, unknown>([['a', 1], ['b', new Uint8Array([1])]])]), '[{"a":1,"b":"\\u0000AQ=="}]');
    assert.equal(json.serialize([new Date(1363896240123)]), '["2013-03-21T20:04:00.123Z"]');
  });

  test('objects with toJSON are written by JSON.stringify; other class instances as their own properties', () => {
    class Point {
      constructor(readonly x: number, readonly y: number) {}
    }
    const withToJson = { toJSON: (): string => 'custom' };
    assert.equal(json.serialize([new Point(1, 2), Object.setPrototypeOf(withToJson, { marker: true }) as object]), '[{"x":1,"y":2},"custom"]');
  });

  test('the caller\'s message is never modified, even when values are rewritten', () => {
    const msg = [1, { a: [5n, new Uint8Array([1])], b: -0 }];
    const before = JSON.stringify(msg, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    json.serialize(msg);
    assert.equal(JSON.stringify(msg, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)), before);
    assert.equal((msg[1] as { a: unknown[] }).a[0], 5n);
  });

  test('a "__proto__" key in a rewritten dict stays an own key, never a prototype change', () => {
    const dict = JSON.parse('{"__proto__": {"x": 1}, "big": 1}') as Record<string, unknown>;
    dict['big'] = 2n ** 60n;
    const text = json.serialize([dict]);
    assert.equal(text, '[{"__proto__":{"x":1},"big":1152921504606846976}]');
    const [back] = json.deserialize(text) as [Record<string, unknown>];
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.deepEqual(Object.keys(back), ['__proto__', 'big']);
  });
});

describe('JSON: values it cannot carry are refused, naming the value and path', () => {
  const cases: [string, unknown][] = [
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['a Set', new Set([1])],
    ['a Map with a non-string key', new Map([[1, 'a']])],
    ['a Float32Array', new Float32Array(1)],
    ['a BigInt64Array', new BigInt64Array(1)],
    ['an ArrayBuffer', new ArrayBuffer(1)],
    ['a CborTag', new CborTag(99, 1)],
    ['a MsgpackExtension', new MsgpackExtension(1, new Uint8Array(0))],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['an invalid Date', new Date(Number.NaN)],
    ['a string starting with U+0000', '\u0000abc'],
  ];
  for (const [name, value] of cases) {
    test(`${name}`, () => {
      for (const [msg, path] of [[[value], 'message[0]'], [[36, 1, 2, {}, [], { k: [value] }], 'message[5].k[0]']] as const) {
        assert.throws(
          () => json.serialize(msg as unknown as unknown[]),
          (err: unknown) => isUnrepresentable(err) && (err as { path?: string }).path === path && (err as Error).message.includes(name) && (err as Error).message.startsWith('JSON cannot encode'),
        );
      }
    });
  }

  test('a dict key starting with U+0000 is fine (only values are read as binaries)', () => {
    assert.deepEqual(json.deserialize(json.serialize([{ '\u0000k': 1 }])), [{ '\u0000k': 1 }]);
  });
});

describe('JSON: the exact parser (messages with integers beyond 2^53)', () => {
  test('agrees with JSON.parse on arbitrary JSON (property)', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        // fc.json() writes integers beyond 2^53 too: as numbers they must be what JSON.parse rounds to.
        assert.deepEqual(bigToNumber(parseJsonExact(text, 10_000)), JSON.parse(text));
      }),
      { numRuns: 1000, seed: 12 },
    );
    for (const text of ['{"a":1,"a":2}', ' [ 1 , "x\\u00e9\\n\\"" , {} , [ ] ] ', '"\\ud83d\\ude00"', '-0', '1E+2', '0.5e-3', '{"__proto__":1}']) {
      assert.deepEqual(parseJsonExact(text, 10), JSON.parse(text), text);
    }
  });

  test('refuses what JSON.parse refuses', () => {
    for (const text of ['', '[1,]', '{"a" 1}', '[01]', '["\u0001"]', '[1] x', '{a:1}', '[+1]', '[.5]', '[1.]', "['a']", '[NaN]', '"\\x"', '[', '\ufeff[1]']) {
      assert.throws(() => JSON.parse(text), SyntaxError, `JSON.parse accepts ${JSON.stringify(text)}`);
      assert.throws(() => parseJsonExact(text, 10), `exact parser accepts ${JSON.stringify(text)}`);
    }
  });

  test('revives binaries like the JSON.parse path, and reads integers beyond 2^53 as bigint', () => {
    const [bin, big, neg] = json.deserialize('["\\u0000AQI=",123456789012345678901234567890,-9007199254740993]') as [Uint8Array, bigint, bigint];
    assert.deepEqual([...bin], [1, 2]);
    assert.equal(big, 123456789012345678901234567890n);
    assert.equal(neg, -9007199254740993n);
    assert.throws(() => json.deserialize('["\\u0000A$==",12345678901234567890]'), isSerializationError);
  });

  test('the scan flags integer literals beyond 2^53 and nothing it need not', () => {
    const flagged = ['[9007199254740993]', '[-9007199254740993]', '{"a":12345678901234567}', '99999999999999999999', 'x'.repeat(15) + '[90071992547409930]'];
    const clear = ['[9007199254740992]', '[4503599627370496]', '[0.12345678901234567]', '[1.5e12345678901234567]', '[1e-12345678901234567]', '[12345678901234567.5]', '[1234567890123456e3]', '[1,2,3]'];
    for (const text of flagged) assert.equal(mayHoldBigInteger(text), true, text);
    for (const text of clear) assert.equal(mayHoldBigInteger(text), false, text);
    // Every position of a long run is found, whatever its alignment to the stride.
    for (let pad = 0; pad < 20; pad++) assert.equal(mayHoldBigInteger(`${' '.repeat(pad)}[${'9'.repeat(16)}]`), true, String(pad));
  });
});
