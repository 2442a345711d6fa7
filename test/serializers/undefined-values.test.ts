/**
 * `undefined` in messages: every serializer leaves out a dict member whose value is undefined,
 * as JSON.stringify does, so an optional field left undefined arrives as absent whatever the
 * format. In a list, undefined stays undefined where the format has it (CBOR's f7) and becomes
 * null where it has not (JSON, MessagePack). MessagePack also accepts the "undefined" extension
 * that msgpackr (wampy) and notepack write.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { Encoder as CborXEncoder } from 'cbor-x';
import { SERIALIZERS, cbor, msgpack } from '../../runtime/serializers/index.js';
import { isProtocolError, ProtocolErrorCode } from '../../runtime/wamp/protocol-error.js';
import { parseMessage } from '../../runtime/wamp/messages.js';

const hex = (b: Uint8Array | string): string => Buffer.from(b as Uint8Array).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const isSerializationError = (err: unknown): boolean => isProtocolError(err) && err.code === ProtocolErrorCode.SERIALIZATION;

/** What JSON.stringify then JSON.parse makes of a value without binaries. */
const viaJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown;

/** The same, except that undefined in a list stays undefined (CBOR). */
function keepingListUndefined(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? undefined : keepingListUndefined(x)));
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, keepingListUndefined(x)]));
  }
  return v;
}

/** JSON-safe values with undefined sprinkled into dicts and lists. */
const withUndefined: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(undefined),
    fc.integer(),
    fc.string({ maxLength: 8 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }).filter((k) => k !== '__proto__'), tie('value'), { maxKeys: 4 }),
  ),
})).value;

for (const s of SERIALIZERS) {
  const inLists = s.name === 'cbor' ? undefined : null;
  const expected = s.name === 'cbor' ? keepingListUndefined : viaJson;
  describe(`${s.name}: undefined members left out, undefined in lists ${String(inLists)}`, () => {
    test('an undefined dict member is absent after the round trip, at any depth', () => {
      const back = s.deserialize(s.serialize([16, 1, { acknowledge: undefined, x: 1 }, 't', [], { author: { id: 'u', avatar: undefined } }]));
      assert.deepEqual(back, [16, 1, { x: 1 }, 't', [], { author: { id: 'u' } }]);
      const kwargs = (back as unknown[])[5] as { author: object };
      assert.equal(Object.hasOwn(kwargs.author, 'avatar'), false);
    });

    test(`undefined in a list becomes ${String(inLists)}`, () => {
      assert.deepEqual(s.deserialize(s.serialize([1, [undefined, 2, [undefined]]])), [1, [inLists, 2, [inLists]]]);
    });

    test(`matches ${s.name === 'cbor' ? 'JSON.stringify, keeping list entries,' : 'JSON.stringify'} for random values (property)`, () => {
      fc.assert(
        fc.property(fc.array(withUndefined, { maxLength: 5 }), (msg) => {
          assert.deepEqual(s.deserialize(s.serialize(msg)), expected(msg));
        }),
        { numRuns: 300, seed: 99 },
      );
    });
  });
}

describe('undefined on the wire', () => {
  test('MessagePack: the member is not written at all; list entries are nil', () => {
    assert.equal(hex(msgpack.serialize([{ a: undefined, b: 1 }, [undefined]])), '9281a1620191c0');
    assert.equal(hex(msgpack.serialize([{ a: undefined }])), '9180');
  });

  test('CBOR: the member is not written at all; list entries are undefined (f7)', () => {
    assert.equal(hex(cbor.serialize([{ a: undefined, b: 1 }, [undefined]])), '82' + 'a1616201' + '81f7');
    assert.equal(hex(cbor.serialize([{ a: undefined }])), '81a0');
    // 24 keys of which one undefined: the head shrinks from a1 18 18 to b7.
    const many = Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`k${i}`, i === 5 ? undefined : i]));
    const out = cbor.serialize([many]) as Uint8Array;
    assert.equal(hex(out.subarray(0, 2)), '81b7');
    assert.equal(Object.keys((cbor.deserialize(out) as [object])[0]).length, 23);
  });

  test('CBOR decoding: a member whose value is undefined (f7) is left out, as cbor-x writes it', () => {
    const written = new CborXEncoder({ useRecords: false }).encode([{ a: undefined, b: 1 }]);
    assert.ok(hex(written).includes('f7'), 'cbor-x writes undefined as f7');
    const [dict] = cbor.deserialize(written) as [object];
    assert.deepEqual(dict, { b: 1 });
    assert.equal(Object.hasOwn(dict, 'a'), false);
    // In a list it stays undefined.
    assert.deepEqual(cbor.deserialize(bytes('82f701')), [undefined, 1]);
  });

  test('CBOR decoding: a key repeated after its undefined value was dropped is still a duplicate', () => {
    for (const bad of ['a26161f7616101', 'a2616101' + '6161f7', 'a26161f76161f7']) {
      assert.throws(() => cbor.deserialize(bytes(bad)), isSerializationError, bad);
    }
  });
});

describe('MessagePack: the msgpackr/notepack undefined extension (fixext1, type 0, data 00)', () => {
  test('is undefined in a list and an absent member in a map', () => {
    // What msgpackr's pack() writes for [undefined, 1] and {a: undefined} (map16 header).
    assert.deepEqual(msgpack.deserialize(bytes('92d4000001')), [undefined, 1]);
    const [dict] = msgpack.deserialize(bytes('91de0001a161d40000')) as [object];
    assert.deepEqual(dict, {});
    assert.equal(Object.hasOwn(dict, 'a'), false);
  });

  test('a CALL from wampy with an undefined option parses as that option absent', () => {
    // [48, 1, {timeout: undefined, receive_progress: true}, "p", [undefined]]
    const call = bytes('9530' + '01' + '82' + 'a774696d656f7574' + 'd40000' + 'b0' + '726563656976655f70726f6772657373' + 'c3' + 'a170' + '91d40000');
    const decoded = msgpack.deserialize(call);
    assert.deepEqual(decoded, [48, 1, { receive_progress: true }, 'p', [undefined]]);
    const parsed = parseMessage(decoded) as { options: object };
    assert.equal(Object.hasOwn(parsed.options, 'timeout'), false);
  });

  test('nested maps inside lists are cleaned too', () => {
    const back = msgpack.deserialize(bytes('9291' + '82a161d40000a16201' + '81a163' + '81a164d40000'));
    assert.deepEqual(back, [[{ b: 1 }], { c: {} }]);
  });

  const require = createRequire(import.meta.url);
  let msgpackr: { pack(v: unknown): Uint8Array } | undefined;
  try {
    msgpackr = require('msgpackr') as { pack(v: unknown): Uint8Array };
  } catch {
    msgpackr = undefined;
  }
  test('decodes what msgpackr itself writes', { skip: msgpackr === undefined ? 'msgpackr (a dependency of wampy) is not installed' : false }, () => {
    const packed = (msgpackr as { pack(v: unknown): Uint8Array }).pack([48, 7, { timeout: undefined, disclose_me: true }, 'com.p', [undefined, { x: undefined }]]);
    assert.ok(hex(packed).includes('d40000'), `msgpackr no longer writes undefined as d4 00 00: ${hex(packed)}`);
    assert.deepEqual(msgpack.deserialize(packed), [48, 7, { disclose_me: true }, 'com.p', [undefined, {}]]);
  });
});
