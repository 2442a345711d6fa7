/**
 * What each value becomes between serializers (a CBOR publisher, a JSON subscriber, ...): every
 * row of the table in docs/payloads.md is checked here, for every source format that can carry
 * the value: decode its bytes with serializer A, encode the result with B, decode with B and
 * compare with the row's expected value for B (or expect SERIALIZER_UNREPRESENTABLE). The
 * table in the doc is rendered from these rows, so the two cannot drift apart.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CborTag, MsgpackExtension, SERIALIZERS, type Serializer, type SerializerName } from '../../runtime/serializers/index.js';
import { isSerializerError, SerializerErrorCode } from '../../runtime/serializers/errors.js';

const hex = (b: Uint8Array | string): string => Buffer.from(b as Uint8Array).toString('hex');
const u8 = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

type Outcome =
  /** The value B's decoder gives; `sameBytes`: B writes back the very bytes the value came in with from B. */
  | { readonly doc: string; readonly value: unknown; readonly sameBytes?: boolean }
  | { readonly doc: string; readonly throws: true };

interface Row {
  /** First column: the value as a decoder hands it to the application. */
  readonly name: string;
  /** The value's wire form in the formats that have one (hex for the binary formats, text for JSON); inside a one-element list. */
  readonly wire: Partial<Record<SerializerName, string>>;
  /** For values that only an application makes (no decoder produces them). */
  readonly make?: () => unknown;
  readonly to: Record<SerializerName, Outcome>;
}

const same = (doc: string, value: unknown): Outcome => ({ doc, value, sameBytes: true });
const to = (doc: string, value: unknown): Outcome => ({ doc, value });
const refused = (doc = '**refused**'): Outcome => ({ doc, throws: true });

const DATE = new Date(1363896240500);
const RFC3339_US = '2013-03-21T20:04:00.500123Z';

const ROWS: readonly Row[] = [
  {
    name: 'bytes (`Uint8Array`)',
    wire: { cbor: '4101', msgpack: 'c40101', json: '"\\u0000AQ=="' },
    to: { cbor: same('byte string → `Uint8Array`', u8('01')), msgpack: same('`bin` → `Uint8Array`', u8('01')), json: same('`"\\u0000"` + Base64 → `Uint8Array`', u8('01')) },
  },
  {
    name: '`Uint8Array` from CBOR tag 64 (what Autobahn\\|JS writes)',
    wire: { cbor: 'd8404101' },
    to: { cbor: same('tag 64 again → `Uint8Array`', u8('01')), msgpack: to('`bin` → `Uint8Array`', u8('01')), json: to('Base64 → `Uint8Array`', u8('01')) },
  },
  {
    name: 'integer within ±2^53',
    wire: { cbor: '3903e7', msgpack: 'd1fc18', json: '-1000' },
    to: { cbor: same('integer → number', -1000), msgpack: same('integer → number', -1000), json: same('integer → number', -1000) },
  },
  {
    name: 'integer beyond ±2^53, within 64 bits (`bigint`)',
    wire: { cbor: '1bffffffffffffffff', msgpack: 'cfffffffffffffffff', json: '18446744073709551615' },
    to: { cbor: same('integer → `bigint`', 2n ** 64n - 1n), msgpack: same('uint64/int64 → `bigint`', 2n ** 64n - 1n), json: same('exact integer → `bigint`', 2n ** 64n - 1n) },
  },
  {
    name: 'integer in -2^64..-2^63-1 (`bigint`)',
    wire: { cbor: '3bffffffffffffffff', json: '-18446744073709551616' },
    to: { cbor: same('integer → `bigint`', -(2n ** 64n)), msgpack: refused('**refused** (below int64)'), json: same('exact integer → `bigint`', -(2n ** 64n)) },
  },
  {
    name: 'integer beyond 64 bits, e.g. 2^128-1 (`bigint`)',
    wire: { cbor: 'c250ffffffffffffffffffffffffffffffff', json: '340282366920938463463374607431768211455' },
    to: { cbor: same('bignum (tag 2/3) → `bigint`', 2n ** 128n - 1n), msgpack: refused('**refused** (no integer beyond 64 bits)'), json: same('exact integer → `bigint`', 2n ** 128n - 1n) },
  },
  {
    name: 'float',
    wire: { cbor: 'fb3ff8000000000000', msgpack: 'cb3ff8000000000000', json: '1.5' },
    to: { cbor: same('float64 → number', 1.5), msgpack: same('float64 → number', 1.5), json: same('number → number', 1.5) },
  },
  {
    name: 'integral double beyond 2^53 (a `number`, e.g. 2^60)',
    wire: { cbor: 'fb43b0000000000000', msgpack: 'cb43b0000000000000', json: '1.152921504606847e+18' },
    to: { cbor: same('float64 → number', 2 ** 60), msgpack: same('float64 → number', 2 ** 60), json: same('exponent form → number', 2 ** 60) },
  },
  {
    name: '-0',
    wire: { cbor: 'f98000', msgpack: 'cb8000000000000000', json: '-0.0' },
    to: { cbor: same('float16 → -0', -0), msgpack: same('float64 → -0', -0), json: same('`-0.0` → -0', -0) },
  },
  {
    name: 'NaN',
    wire: { cbor: 'f97e00', msgpack: 'cb7ff8000000000000' },
    to: { cbor: same('float16 → NaN', NaN), msgpack: same('float64 → NaN', NaN), json: refused() },
  },
  {
    name: '±Infinity',
    wire: { cbor: 'f9fc00', msgpack: 'cbfff0000000000000' },
    to: { cbor: same('float16 → ±Infinity', -Infinity), msgpack: same('float64 → ±Infinity', -Infinity), json: refused() },
  },
  {
    name: '`undefined` in a list',
    wire: { cbor: 'f7', msgpack: 'd40000' },
    make: () => undefined,
    to: { cbor: same('`f7` → `undefined`', undefined), msgpack: to('nil → `null`', null), json: to('`null` → `null`', null) },
  },
  {
    name: 'dict member whose value is `undefined`',
    wire: {},
    make: () => ({ a: undefined, b: 1 }),
    to: { cbor: to('left out', { b: 1 }), msgpack: to('left out', { b: 1 }), json: to('left out', { b: 1 }) },
  },
  {
    name: '`Date`',
    wire: { cbor: 'c1fb41d452d9ec200000', msgpack: 'd7ff77359400514b67b0' },
    make: () => new Date(DATE),
    to: { cbor: same('tag 1 → `Date`', DATE), msgpack: same('timestamp (ext -1) → `Date`', DATE), json: to('ISO 8601 string → string', DATE.toISOString()) },
  },
  {
    name: '`Date` from CBOR tag 0 or a MessagePack timestamp finer than 1 ms',
    wire: { cbor: `c0781b${hex(Buffer.from(RFC3339_US))}`, msgpack: `d7ff${((500123000 << 2) >>> 0).toString(16).padStart(8, '0')}514b67b0` },
    to: { cbor: same('from CBOR the same tag and content, else tag 1 (ms) → `Date`', DATE), msgpack: same('from MessagePack the same timestamp, else one in ms → `Date`', DATE), json: to('ISO 8601 string (ms) → string', DATE.toISOString()) },
  },
  {
    name: 'typed array (`Float32Array`, `BigInt64Array`, ..., big- or little-endian)',
    wire: { cbor: 'd8514840490fdb3fc00000' },
    make: () => new Float32Array([Math.fround(Math.PI), 1.5]),
    to: { cbor: same('the tag it came with, else the little-endian one (65-86) → same type', new Float32Array([Math.fround(Math.PI), 1.5])), msgpack: refused(), json: refused() },
  },
  {
    name: 'float16 or float128 array (CBOR tags 80, 83, 84, 87)',
    wire: { cbor: 'd850420000' },
    to: { cbor: same('same tag → `CborTag`', new CborTag(80, u8('0000'))), msgpack: refused(), json: refused() },
  },
  {
    name: '`Set`',
    wire: { cbor: 'd90102820161' + '61' },
    to: { cbor: same('tag 258 → `Set`', new Set([1, 'a'])), msgpack: refused(), json: refused() },
  },
  {
    name: '`Map` with a non-string key',
    wire: { cbor: 'a1016161' },
    to: { cbor: same('map → `Map`', new Map([[1, 'a']])), msgpack: refused(), json: refused() },
  },
  {
    name: '`Map` with string keys',
    wire: {},
    make: () => new Map([['a', 1]]),
    to: { cbor: to('map → dict', { a: 1 }), msgpack: to('map → dict', { a: 1 }), json: to('object → dict', { a: 1 }) },
  },
  {
    name: 'CBOR tag we do not map (`CborTag`)',
    wire: { cbor: 'd904d26178' },
    to: { cbor: same('same tag → `CborTag`', new CborTag(1234, 'x')), msgpack: refused(), json: refused() },
  },
  {
    name: 'MessagePack extension (`MsgpackExtension`)',
    wire: { msgpack: 'd40501' },
    to: { cbor: refused(), msgpack: same('same extension → `MsgpackExtension`', new MsgpackExtension(5, u8('01'))), json: refused() },
  },
  {
    name: 'dict with the key `__proto__` (an own property)',
    wire: { cbor: 'a1695f5f70726f746f5f5f01', json: '{"__proto__":1}' },
    to: { cbor: same('map → dict', JSON.parse('{"__proto__":1}')), msgpack: refused('**refused** (MessagePack decoders refuse the key)'), json: same('object → dict', JSON.parse('{"__proto__":1}')) },
  },
  {
    name: 'string starting with U+0000',
    wire: { cbor: '620061', msgpack: 'a20061' },
    to: { cbor: same('text → string', '\u0000a'), msgpack: same('`str` → string', '\u0000a'), json: refused('**refused** (JSON reads it as bytes)') },
  },
  {
    name: 'function, symbol',
    wire: {},
    make: () => () => 1,
    to: { cbor: refused(), msgpack: refused(), json: refused() },
  },
];

const BY_NAME = new Map<SerializerName, Serializer>(SERIALIZERS.map((s) => [s.name, s]));
const HEADER = ['value, as decoded', 'to CBOR', 'to MessagePack', 'to JSON'];

/** The markdown table docs/payloads.md must contain. */
function renderTable(): string {
  const lines = [`| ${HEADER.join(' | ')} |`, `| ${HEADER.map(() => '---').join(' | ')} |`];
  for (const row of ROWS) lines.push(`| ${[row.name, row.to.cbor.doc, row.to.msgpack.doc, row.to.json.doc].join(' | ')} |`);
  return lines.join('\n');
}

/** [value] on the wire: a one-element list around the row's bytes or text. */
function wireOf(s: Serializer, body: string): Uint8Array | string {
  if (s.name === 'json') return `[${body}]`;
  return u8(`${s.name === 'cbor' ? '81' : '91'}${body}`);
}

/** Checks one source value against every target's outcome. */
function checkTargets(row: Row, value: unknown, source: string, sourceName?: SerializerName): void {
  for (const target of SERIALIZERS) {
    const outcome = row.to[target.name];
    const where = `${row.name}: ${source} -> ${target.name}`;
    if ('throws' in outcome) {
      assert.throws(() => target.serialize([value]), (err: unknown) => isSerializerError(err) && err.code === SerializerErrorCode.UNREPRESENTABLE && err.path === 'message[0]', where);
      continue;
    }
    const encoded = target.serialize([value]);
    const [back] = target.deserialize(encoded) as [unknown];
    assert.deepEqual(back, outcome.value, where);
    if (sourceName === target.name && outcome.sameBytes === true) {
      const original = wireOf(target, row.wire[target.name] as string);
      assert.equal(typeof encoded === 'string' ? encoded : hex(encoded), typeof original === 'string' ? original : hex(original), `${where}: written back as it came`);
    }
  }
}

describe('between serializers: every row of docs/payloads.md', () => {
  for (const row of ROWS) {
    test(row.name, () => {
      let checked = 0;
      for (const [name, body] of Object.entries(row.wire) as [SerializerName, string][]) {
        const source = BY_NAME.get(name) as Serializer;
        const [value] = source.deserialize(wireOf(source, body)) as [unknown];
        checkTargets(row, value, `decoded by ${name}`, name);
        checked++;
      }
      if (row.make !== undefined) {
        checkTargets(row, row.make(), 'made by the application');
        checked++;
      }
      assert.ok(checked > 0, 'a row needs a wire form or a made value');
    });
  }

  test('the table in docs/payloads.md is this one', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../docs/payloads.md', import.meta.url)), 'utf8');
    const start = doc.indexOf('<!-- payload-table:start -->');
    const end = doc.indexOf('<!-- payload-table:end -->');
    assert.ok(start >= 0 && end > start, 'docs/payloads.md has no payload-table markers');
    const inDoc = doc.slice(start + '<!-- payload-table:start -->'.length, end).trim();
    assert.equal(inDoc, renderTable());
  });
});
