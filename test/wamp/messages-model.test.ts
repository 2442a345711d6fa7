import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType } from '../../runtime/wamp/message-types.js';
import { parseMessage, encodeMessage, type WampMessage } from '../../runtime/wamp/messages.js';
import { isProtocolError, ProtocolErrorCode } from '../../runtime/wamp/protocol-error.js';
import { ErrorUri } from '../../runtime/wamp/uris.js';

const MAX = 2 ** 53;

function rejects(wire: unknown, code?: string, uri?: string): void {
  try {
    parseMessage(wire);
  } catch (err) {
    assert.ok(isProtocolError(err), `expected ProtocolError, got ${String(err)}`);
    if (code !== undefined) assert.equal(err.code, code);
    assert.equal(err.wampUri, uri ?? ErrorUri.PROTOCOL_VIOLATION);
    return;
  }
  assert.fail(`accepted ${JSON.stringify(wire)}`);
}

/** One well-formed wire array per message type, in the shape our encoder writes. */
const WIRE: readonly unknown[][] = [
  [1, 'com.example.realm', { roles: { caller: {}, subscriber: {} } }],
  [2, 9129137332, { roles: { broker: {}, dealer: {} } }],
  [3, {}, 'wamp.error.no_such_realm'],
  [3, { message: 'bye' }, 'wamp.error.protocol_violation', ['detail'], { at: 3 }],
  [4, 'wampcra', { challenge: 'x' }],
  [5, 'gir1mSx+deCDUV7FgLvsQNTi6n3W/Z/WcZ/OT9RwdZY=', {}],
  [6, {}, 'wamp.close.normal'],
  [8, 48, 7814135, {}, 'com.myapp.error'],
  [8, 64, 7814135, {}, 'com.myapp.error', [1]],
  [8, 48, 7814135, {}, 'com.myapp.error', [], { a: 1 }],
  [16, 239714735, {}, 'com.myapp.mytopic1'],
  [16, 239714735, { acknowledge: true, exclude: [1, 2] }, 'com.myapp.mytopic1', ['Hello, world!']],
  [16, 239714735, {}, 'com.myapp.mytopic1', [], { color: 'orange' }],
  [17, 239714735, 4429313566],
  [32, 713845233, {}, 'com.myapp.mytopic1'],
  [32, 713845233, { match: 'wildcard' }, 'com.myapp..topic'],
  [32, 713845233, { match: 'prefix' }, 'com.myapp'],
  [33, 713845233, 5512315355],
  [34, 85346237, 5512315355],
  [35, 85346237],
  [35, 0, { subscription: 1293722, reason: 'no longer authorized' }],
  [36, 5512315355, 4429313566, {}],
  [36, 5512315355, 4429313566, { publisher: 1234 }, [], { color: 'orange' }],
  [337, 5512315355],
  [48, 7814135, {}, 'com.myapp.myprocedure1', ['Hello, world!']],
  [48, 7814135, { timeout: 1000, receive_progress: true }, 'com.myapp.myprocedure1', [1, 2], { c: 3 }],
  [49, 7814135, { mode: 'kill' }],
  [50, 7814135, {}],
  [50, 7814135, { progress: true }, [30]],
  [64, 25349185, {}, 'com.myapp.myprocedure1'],
  [64, 25349185, { match: 'wildcard', invoke: 'roundrobin' }, 'com..add'],
  [65, 25349185, 2103333224],
  [66, 788923562, 2103333224],
  [67, 788923562],
  [67, 0, { registration: 1293722, reason: 'moving endpoint' }],
  [68, 6131533, 9823526, {}],
  [68, 6131533, 9823526, { caller: 1, procedure: 'com.x.y' }, ['a'], { b: 1 }],
  [69, 6131533, { mode: 'killnowait' }],
  [70, 6131533, {}],
  [70, 6131533, { progress: true }, [1]],
  [36, 1, 2, { enc_algo: 'cryptobox', enc_serializer: 'cbor' }, new Uint8Array([1, 2, 3])],
  [48, 1, { ppt_scheme: 'mqtt', ppt_serializer: 'native' }, 'a.b', [new Uint8Array([9])]],
];

describe('parseMessage / encodeMessage', () => {
  test('every message type round-trips wire -> typed -> wire unchanged', () => {
    const seen = new Set<number>();
    for (const wire of WIRE) {
      const msg = parseMessage(wire);
      assert.equal(msg.type, wire[0]);
      seen.add(msg.type);
      assert.deepEqual(encodeMessage(msg), wire, JSON.stringify(wire));
    }
    for (const code of Object.values(MessageType)) assert.ok(seen.has(code), `no sample for type ${code}`);
  });

  test('typed fields come out under stable names', () => {
    const call = parseMessage([48, 7, { disclose_me: true }, 'com.a', [1], { k: 2 }]);
    assert.deepEqual(call, { type: MessageType.CALL, request: 7, options: { disclose_me: true }, procedure: 'com.a', args: [1], kwargs: { k: 2 } });
    const ev = parseMessage([36, 5, 6, {}]);
    assert.deepEqual(ev, { type: MessageType.EVENT, subscription: 5, publication: 6, details: {} });
    const err = parseMessage([8, 68, 3, {}, 'com.err', ['x']]);
    assert.deepEqual(err, { type: MessageType.ERROR, requestType: 68, request: 3, details: {}, error: 'com.err', args: ['x'] });
  });

  test('encoder omits trailing empty kwargs and args, keeps [] before kwargs', () => {
    const base = { type: MessageType.CALL, request: 1, options: {}, procedure: 'a.b' } as const;
    assert.deepEqual(encodeMessage({ ...base, args: [], kwargs: {} }), [48, 1, {}, 'a.b']);
    assert.deepEqual(encodeMessage({ ...base, args: [1], kwargs: {} }), [48, 1, {}, 'a.b', [1]]);
    assert.deepEqual(encodeMessage({ ...base, kwargs: { a: 1 } }), [48, 1, {}, 'a.b', [], { a: 1 }]);
  });

  test('IDs must be integers in 1..2^53', () => {
    assert.equal((parseMessage([17, 1, MAX]) as Extract<WampMessage, { type: 17 }>).publication, MAX);
    for (const bad of [0, -1, 1.5, MAX + 2, '1', null, true, Number.NaN, Infinity]) {
      rejects([17, 1, bad], ProtocolErrorCode.INVALID_ID);
      rejects([17, bad, 1], ProtocolErrorCode.INVALID_ID);
    }
  });

  test('malformed envelopes are protocol violations', () => {
    for (const bad of [[], {}, 'x', null, undefined, [null], ['1'], [2.5], [0], [7], [256, 1], [9999]]) {
      rejects(bad, ProtocolErrorCode.INVALID_MESSAGE);
    }
    rejects([17, 1], ProtocolErrorCode.BAD_LENGTH);
    rejects([17, 1, 2, 3], ProtocolErrorCode.BAD_LENGTH);
    rejects([48, 1, {}, 'a.b', [], {}, 'extra'], ProtocolErrorCode.BAD_LENGTH);
  });

  test('Arguments must be a list and ArgumentsKw a dict', () => {
    rejects([48, 1, {}, 'a.b', { a: 1 }], ProtocolErrorCode.INVALID_PAYLOAD);
    rejects([48, 1, {}, 'a.b', [1], [2]], ProtocolErrorCode.INVALID_PAYLOAD);
    rejects([48, 1, {}, 'a.b', 'x'], ProtocolErrorCode.INVALID_PAYLOAD);
    rejects([50, 1, {}, 'x', null], ProtocolErrorCode.INVALID_PAYLOAD);
    rejects([50, 1, {}, [1], []], ProtocolErrorCode.INVALID_PAYLOAD);
  });

  test('tolerated: null (or undefined) Arguments/ArgumentsKw are absent, a null Options/Details is empty', () => {
    // fox-wamp answers a CALL with RESULT [50, 1, {}, [1], null] and sends EVENT [..., null, null].
    assert.deepEqual(parseMessage([50, 1, {}, [1], null]), { type: 50, request: 1, details: {}, args: [1] });
    assert.deepEqual(parseMessage([50, 2, {}, null, null]), { type: 50, request: 2, details: {} });
    assert.deepEqual(parseMessage([50, 3, {}, undefined]), { type: 50, request: 3, details: {} });
    assert.deepEqual(parseMessage([68, 4, 5, {}, null, { k: 1 }]), { type: 68, request: 4, registration: 5, details: {}, kwargs: { k: 1 } });
    assert.deepEqual(parseMessage([36, 1, 2, null, null, null]), { type: 36, subscription: 1, publication: 2, details: {} });
    assert.deepEqual(parseMessage([48, 1, null, 'a.b', [1]]), { type: 48, request: 1, options: {}, procedure: 'a.b', args: [1] });
    assert.deepEqual(parseMessage([6, null, 'wamp.close.normal']), { type: 6, details: {}, reason: 'wamp.close.normal' });
    assert.deepEqual(parseMessage([8, 48, 7, null, 'a.b', null, null]), { type: 8, requestType: 48, request: 7, details: {}, error: 'a.b' });
    // Each null dict is a dict of its own (a router adds keys to the one it got).
    const a = parseMessage([48, 1, null, 'a.b']) as Extract<WampMessage, { type: 48 }>;
    const b = parseMessage([48, 2, null, 'a.b']) as Extract<WampMessage, { type: 48 }>;
    assert.notEqual(a.options, b.options);
    // Still strict where a null would hide a real error: HELLO needs its roles, an ID is an ID.
    rejects([1, 'realm1', null], ProtocolErrorCode.INVALID_OPTION);
    rejects([50, null, {}], ProtocolErrorCode.INVALID_ID);
    rejects([36, 1, 2, { enc_algo: 'cryptobox' }, null], ProtocolErrorCode.INVALID_PAYLOAD);
    // And strict in what we send: the layout writes no nulls.
    assert.deepEqual(encodeMessage(parseMessage([50, 1, {}, [1], null])), [50, 1, {}, [1]]);
  });

  test('Options/Details must be dicts with well-formed keys and typed known keys', () => {
    rejects([32, 1, [], 'a.b'], ProtocolErrorCode.INVALID_TYPE);
    rejects([32, 1, { Match: 'exact' }, 'a.b'], ProtocolErrorCode.INVALID_OPTION);
    rejects([32, 1, { ab: 1 }, 'a.b'], ProtocolErrorCode.INVALID_OPTION);
    assert.doesNotThrow(() => parseMessage([32, 1, { _impl_x: 1, unknown_key: 'y' }, 'a.b']));
    rejects([16, 1, { acknowledge: 1 }, 'a.b'], ProtocolErrorCode.INVALID_OPTION);
    rejects([49, 1, { mode: 'nuke' }], ProtocolErrorCode.INVALID_OPTION);
    rejects([1, 'realm1', {}], ProtocolErrorCode.INVALID_OPTION);
    rejects([2, 5, { roles: { caller: {} } }], ProtocolErrorCode.INVALID_OPTION);
  });

  test('bad topic/procedure in a request answers ERROR invalid_uri for that request', () => {
    for (const wire of [
      [16, 9, {}, 'a..b'],
      [32, 9, {}, 'a b'],
      [48, 9, {}, 'a.#'],
      [64, 9, {}, ''],
    ]) {
      try {
        parseMessage(wire);
        assert.fail('accepted');
      } catch (err) {
        assert.ok(isProtocolError(err));
        assert.equal(err.code, ProtocolErrorCode.INVALID_URI);
        assert.equal(err.wampUri, ErrorUri.INVALID_URI);
        assert.deepEqual(err.request, { type: wire[0], id: 9 });
      }
    }
    rejects([1, 'bad realm', { roles: { caller: {} } }], ProtocolErrorCode.INVALID_URI, ErrorUri.INVALID_URI);
    rejects([6, {}, 'wamp..close'], ProtocolErrorCode.INVALID_URI);
  });

  test('strict URI rule is opt-in', () => {
    assert.doesNotThrow(() => parseMessage([48, 1, {}, 'com.Example.Proc']));
    assert.throws(() => parseMessage([48, 1, {}, 'com.Example.Proc'], { uriRule: 'strict' }), isProtocolError);
  });

  test('ERROR.REQUEST.Type must be a request message type', () => {
    rejects([8, 50, 1, {}, 'a.b'], ProtocolErrorCode.INVALID_MESSAGE);
    rejects([8, '48', 1, {}, 'a.b'], ProtocolErrorCode.INVALID_TYPE);
  });

  test('revocation form: request 0 only with Details naming the target', () => {
    rejects([35, 0], ProtocolErrorCode.INVALID_ID);
    rejects([35, 0, { reason: 'x' }], ProtocolErrorCode.INVALID_OPTION);
    rejects([67, 0, {}], ProtocolErrorCode.INVALID_OPTION);
  });

  test('payload passthru: enc_algo needs one binary payload, ppt_scheme one binary argument', () => {
    rejects([36, 1, 2, { enc_algo: 'cryptobox' }, ['x']], ProtocolErrorCode.INVALID_PAYLOAD);
    rejects([36, 1, 2, { enc_algo: 'cryptobox' }], ProtocolErrorCode.INVALID_PAYLOAD);
    rejects([36, 1, 2, { enc_algo: 'bogus' }, new Uint8Array(1)], ProtocolErrorCode.INVALID_OPTION);
    rejects([48, 1, { ppt_scheme: 'x', ppt_serializer: 'cbor' }, 'a.b', ['not binary']], ProtocolErrorCode.INVALID_PAYLOAD);
    rejects([48, 1, { ppt_scheme: 'x' }, 'a.b', [new Uint8Array(1)], { k: 1 }], ProtocolErrorCode.INVALID_PAYLOAD);
    rejects([48, 1, { ppt_scheme: 'x' }, 'a.b', [1, 2]], ProtocolErrorCode.INVALID_PAYLOAD);
    // ppt_serializer native (or none): the one item is a value, not serialized (wampy sends its {args, kwargs} there).
    assert.doesNotThrow(() => parseMessage([48, 1, { ppt_scheme: 'mqtt' }, 'a.b', [{ args: [1] }]]));
    assert.doesNotThrow(() => parseMessage([48, 1, { ppt_scheme: 'mqtt', ppt_serializer: 'native' }, 'a.b', ['raw']]));
  });

  test('encodeMessage applies the same checks', () => {
    assert.throws(
      () => encodeMessage({ type: MessageType.PUBLISHED, request: 0, publication: 1 }),
      (e: unknown) => isProtocolError(e) && e.code === ProtocolErrorCode.INVALID_ID,
    );
    assert.throws(() => encodeMessage({ type: 99 } as unknown as WampMessage), isProtocolError);
    assert.throws(
      () => encodeMessage({ type: MessageType.EVENT, subscription: 1, publication: 1, details: {}, args: {} as unknown as [] }),
      isProtocolError,
    );
  });
});
