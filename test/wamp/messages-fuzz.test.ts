/**
 * Malformed input never crashes the message layer: whatever array (or non-array) arrives,
 * parseMessage returns a message or throws a ProtocolError, and whatever it returns encodes
 * back to an array that parses to the same message.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MessageType } from '../../runtime/wamp/message-types.js';
import { parseMessage, encodeMessage } from '../../runtime/wamp/messages.js';
import { isProtocolError } from '../../runtime/wamp/protocol-error.js';
import { SERIALIZERS } from '../../runtime/serializers/index.js';

const TYPES = Object.values(MessageType) as number[];

/** Values that look like WAMP elements often enough to get past the first checks. */
const element: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: -3, max: 2 ** 53 + 2 }),
    fc.constantFrom(0, 1, 2 ** 53, 2 ** 53 + 1, -1, 1.5, Number.NaN, Infinity, 48, 16, 32, 64, 68),
    fc.double(),
    fc.bigInt(),
    fc.constantFrom('com.myapp.topic', 'a..b', '', 'wamp.error.canceled', 'x y', 'exact', 'prefix', 'wildcard', 'kill', '\0AQ=='),
    fc.string({ maxLength: 12 }),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.uint8Array({ maxLength: 8 }),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(
        fc.constantFrom('roles', 'match', 'enc_algo', 'ppt_scheme', 'exclude', 'forward_for', 'publisher', 'subscription', 'registration', 'mode', 'caller', 'timeout', '__proto__', 'constructor', 'toString'),
        fc.string({ maxLength: 10 }),
      ),
      tie('v'),
      { maxKeys: 4 },
    ),
    fc.constant(Object.create(null) as unknown),
    fc.constant(new Map() as unknown),
    fc.constant(new Date(0) as unknown),
  ),
})).v;

const wire = fc.oneof(
  fc.tuple(fc.constantFrom(...TYPES), fc.array(element, { maxLength: 7 })).map(([t, rest]) => [t, ...rest]),
  fc.array(element, { maxLength: 8 }),
  element,
);

function parsesOrProtocolError(input: unknown): void {
  let msg;
  try {
    msg = parseMessage(input);
  } catch (err) {
    if (!isProtocolError(err)) assert.fail(`not a ProtocolError: ${String(err)} for ${fc.stringify(input)}`);
    return;
  }
  // Accepted: must re-encode, and the encoding is a fixed point (empty trailing args/kwargs are
  // the only thing encoding normalizes away).
  const w = encodeMessage(msg);
  assert.deepEqual(encodeMessage(parseMessage(w)), w);
}

describe('message layer fuzz', () => {
  test('random arrays and values: a message or a ProtocolError, never anything else', () => {
    fc.assert(fc.property(wire, parsesOrProtocolError), { numRuns: 20000, seed: 20261124 });
  });

  test('mutations of valid messages: a message or a ProtocolError', () => {
    const valid: unknown[][] = [
      [1, 'realm1', { roles: { caller: {} } }],
      [8, 48, 1, {}, 'com.err', [1], { a: 1 }],
      [16, 1, { acknowledge: true }, 'a.b', [1], { c: 2 }],
      [32, 1, { match: 'wildcard' }, 'a..c'],
      [35, 0, { subscription: 5 }],
      [36, 1, 2, { enc_algo: 'cryptobox' }, new Uint8Array(2)],
      [48, 1, { ppt_scheme: 'mqtt' }, 'a.b', [new Uint8Array(1)]],
      [68, 1, 2, { caller: 3 }, [], { k: 1 }],
      [70, 1, { progress: true }, [1]],
    ];
    const mutation = fc.tuple(fc.constantFrom(...valid), fc.nat(7), element, fc.constantFrom('replace', 'insert', 'delete', 'truncate'));
    fc.assert(
      fc.property(mutation, ([base, at, value, op]) => {
        const m = base.slice();
        const i = at % (m.length + 1);
        if (op === 'replace') m[i] = value;
        else if (op === 'insert') m.splice(i, 0, value);
        else if (op === 'delete') m.splice(i, 1);
        else m.length = i;
        parsesOrProtocolError(m);
      }),
      { numRuns: 20000, seed: 99 },
    );
  });

  test('encodeMessage of malformed typed messages: an array or a ProtocolError', () => {
    const fieldNames = ['request', 'options', 'details', 'topic', 'procedure', 'realm', 'session', 'subscription', 'publication',
      'registration', 'reason', 'error', 'requestType', 'authMethod', 'signature', 'extra', 'args', 'kwargs', 'payload'];
    const typed = fc.record({ type: fc.oneof(fc.constantFrom(...TYPES), element) }).chain((base) =>
      fc.dictionary(fc.constantFrom(...fieldNames), element, { maxKeys: 8 }).map((fields) => ({ ...fields, ...base })),
    );
    fc.assert(
      fc.property(typed, (msg) => {
        let wire: unknown[];
        try {
          wire = encodeMessage(msg as never);
        } catch (err) {
          if (!isProtocolError(err)) assert.fail(`not a ProtocolError: ${String(err)} for ${fc.stringify(msg)}`);
          return;
        }
        // What the encoder accepts, the parser accepts.
        parseMessage(wire);
      }),
      { numRuns: 10000, seed: 31 },
    );
  });

  test('random bytes through every serializer and the parser: only ProtocolErrors', () => {
    for (const s of SERIALIZERS) {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 1, maxLength: 48 }), (bytes) => {
          let array: unknown;
          try {
            array = s.deserialize(s.isBinary ? bytes : Buffer.from(bytes).toString('latin1'));
          } catch (err) {
            assert.ok(isProtocolError(err), String(err));
            return;
          }
          parsesOrProtocolError(array);
        }),
        { numRuns: 3000, seed: 3 },
      );
    }
  });
});
