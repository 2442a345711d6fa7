/**
 * Interop with Autobahn|Python's serializers and message classes (python3-autobahn): every
 * message type, serialized by us in each format, must be accepted by Autobahn (which checks
 * IDs, URIs and shapes strictly), and Autobahn's re-serialization must parse back to the same
 * message here. Skips when python3 or autobahn is not installed.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseMessage, encodeMessage } from '../../runtime/wamp/messages.js';
import { SERIALIZERS, type Serializer } from '../../runtime/serializers/index.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = `
import sys, json
import txaio
txaio.use_asyncio()
from autobahn.wamp import serializer
SER = {'json': serializer.JsonSerializer(), 'msgpack': serializer.MsgPackSerializer(), 'cbor': serializer.CBORSerializer()}
for line in sys.stdin:
    req = json.loads(line)
    s = SER[req['ser']]
    try:
        msgs = s.unserialize(bytes.fromhex(req['hex']), req['ser'] != 'json')
        out, _ = s.serialize(msgs[0])
        print(json.dumps({'ok': True, 'cls': type(msgs[0]).__name__, 'hex': out.hex()}))
    except Exception as e:
        print(json.dumps({'ok': False, 'error': type(e).__name__ + ': ' + str(e)}))
`;

const probe = spawnSync(PYTHON, ['-c', 'import txaio, autobahn.wamp.serializer, cbor2, msgpack'], { encoding: 'utf8', timeout: 20000 });
const SKIP = probe.status === 0 ? false : `Autobahn|Python not available (${PYTHON} with autobahn, cbor2, msgpack)`;

const MAX = 2 ** 53;
const BIN = new Uint8Array([0, 1, 2, 250, 255]);

/** One message per type, using only options Autobahn|Python knows (it drops unknown ones). */
const MESSAGES: unknown[][] = [
  [1, 'com.example.realm', { roles: { caller: {}, subscriber: {} }, authmethods: ['anonymous'], authid: 'joe' }],
  [2, MAX, { roles: { broker: {}, dealer: {} }, authid: 'joe', authrole: 'user', authmethod: 'anonymous' }],
  [3, { message: 'no such realm' }, 'wamp.error.no_such_realm'],
  [4, 'wampcra', { challenge: '{"nonce": "x"}' }],
  [5, 'gir1mSx+deCDUV7FgLvsQNTi6n3W/Z/WcZ/OT9RwdZY=', {}],
  [6, {}, 'wamp.close.normal'],
  [8, 48, 7814135, {}, 'com.myapp.error', ['bad', 1.5, BIN], { reason: 'ünïcödé ✓' }],
  [16, 239714735, { acknowledge: true, exclude_me: false }, 'com.myapp.topic1', ['Hello', BIN, 2 ** 53], { color: 'orange' }],
  [17, 239714735, 4429313566],
  [32, 713845233, { match: 'prefix' }, 'com.myapp'],
  [32, 713845234, { match: 'wildcard' }, 'com..topic'],
  [33, 713845233, 5512315355],
  [34, 85346237, 5512315355],
  [35, 85346237],
  [36, 5512315355, MAX, { publisher: 1234, topic: 'com.myapp.topic1' }, [], { color: 'orange' }],
  [48, 7814135, { timeout: 1000, receive_progress: true }, 'com.myapp.add2', [23, 7]],
  [49, 7814135, { mode: 'kill' }],
  [50, 7814135, { progress: true }, [30]],
  [64, 25349185, { match: 'wildcard', invoke: 'roundrobin' }, 'com.myapp..add'],
  [65, 25349185, 2103333224],
  [66, 788923562, 2103333224],
  [67, 788923562],
  [68, 6131533, 9823526, { caller: 1, procedure: 'com.myapp.add2', receive_progress: true }, [23, 7], { x: null }],
  [69, 6131533, { mode: 'killnowait' }],
  [70, 6131533, { progress: true }, [BIN]],
];

interface Reply {
  ok: boolean;
  cls?: string;
  hex?: string;
  error?: string;
}

function roundTrip(requests: { ser: string; hex: string }[]): Reply[] {
  const run = spawnSync(PYTHON, ['-c', SCRIPT], {
    input: requests.map((r) => JSON.stringify(r)).join('\n') + '\n',
    encoding: 'utf8',
    timeout: 30000,
  });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Reply);
}

const toHex = (data: Uint8Array | string): string => Buffer.from(data as Uint8Array).toString('hex');
const fromHex = (s: Serializer, hex: string): Uint8Array | string =>
  s.isBinary ? new Uint8Array(Buffer.from(hex, 'hex')) : Buffer.from(hex, 'hex').toString('utf8');

describe('Autobahn|Python interop', { skip: SKIP }, () => {
  test('every message type in every format: Autobahn accepts ours, we accept Autobahn\'s', () => {
    const cases = SERIALIZERS.flatMap((s) => MESSAGES.map((wire) => ({ s, wire })));
    const replies = roundTrip(cases.map(({ s, wire }) => ({ ser: s.name, hex: toHex(s.serialize(encodeMessage(parseMessage(wire)))) })));
    assert.equal(replies.length, cases.length);
    cases.forEach(({ s, wire }, i) => {
      const reply = replies[i] as Reply;
      const where = `${s.name} ${JSON.stringify(wire[0])}`;
      assert.ok(reply.ok, `${where}: Autobahn refused: ${reply.error}`);
      const back = encodeMessage(parseMessage(s.deserialize(fromHex(s, reply.hex as string))));
      assert.deepEqual(back, encodeMessage(parseMessage(wire)), where);
    });
  });

  test('64-bit integers beyond 2^53 (bigint) travel both ways over MessagePack and CBOR', () => {
    const wire = [36, 5512315355, MAX, {}, [2n ** 60n, -(2n ** 60n), 2n ** 64n - 1n, -(2n ** 63n), 7n], { amount: 2n ** 53n + 1n }];
    const expected = [36, 5512315355, MAX, {}, [2n ** 60n, -(2n ** 60n), 2n ** 64n - 1n, -(2n ** 63n), 7], { amount: 2n ** 53n + 1n }];
    const binary = SERIALIZERS.filter((s) => s.isBinary);
    const replies = roundTrip(binary.map((s) => ({ ser: s.name, hex: toHex(s.serialize(wire)) })));
    binary.forEach((s, i) => {
      const reply = replies[i] as Reply;
      assert.ok(reply.ok, `${s.name}: Autobahn refused: ${reply.error}`);
      assert.equal(reply.cls, 'Event', s.name);
      assert.deepEqual(s.deserialize(fromHex(s, reply.hex as string)), expected, s.name);
    });
  });

  test('Autobahn refuses IDs written as floats, which is why our CBOR encoder writes integers', () => {
    // [EVENT, 5512315355.0 as float64, 10, {}]: what cbor-x's encoder writes for a 33-bit ID.
    const [reply] = roundTrip([{ ser: 'cbor', hex: '841824fb41f488f41db000000aa0' }]);
    assert.equal(reply?.ok, false);
    assert.match(reply?.error ?? '', /float/);
    // We cannot tell an integral float from an integer after decoding, so we accept it (lenient).
    const cbor = SERIALIZERS.find((s) => s.name === 'cbor') as Serializer;
    assert.deepEqual(parseMessage(cbor.deserialize(new Uint8Array(Buffer.from('841824fb41f488f41db000000aa0', 'hex')))), {
      type: 36, subscription: 5512315355, publication: 10, details: {},
    });
  });
});
