// Payload Passthru Mode between our client and our router (runtime/wamp/session-passthru.ts,
// runtime/router/passthru.ts): publish/subscribe and call/invocation/yield/result/error with
// the mqtt, wamp and custom x_ schemes, ppt_serializer native, json, msgpack and cbor packed
// by the client, other serializers (flatbuffers, custom) and ciphers passed as the
// application's bytes, over each session serializer. A raw peer checks the wire in between.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { json, msgpack, cbor } from '../../runtime/serializers/index.js';
import type { Serializer } from '../../runtime/serializers/types.js';
import { ApplicationError, Result } from '../../runtime/wamp/application-error.js';
import { ApplicationSession } from '../../runtime/wamp/session.js';
import type { EventDetails, InvocationDetails, PayloadPassthru } from '../../runtime/wamp/types.js';
import { WampErrorCode } from '../../runtime/wamp/error-codes.js';
import { CLIENT_ROLES } from '../../runtime/wamp/session-roles.js';
import { createMemoryPair } from '../../runtime/transports/memory.js';
import { MessageType as M } from '../../runtime/wamp/message-types.js';
import { makeRouter, joinSession, delay, withTimeout } from '../router/helpers.js';
import { joinRaw, nextWhere } from '../router/raw-helpers.js';

const PACKED: ReadonlyArray<[string, Serializer | 'native']> = [['native', 'native'], ['json', json], ['msgpack', msgpack], ['cbor', cbor]];
const SESSION_SERIALIZERS = [json, msgpack, cbor] as const;
const PPT_ROLES = { caller: { features: { payload_passthru_mode: true } }, callee: { features: { payload_passthru_mode: true } }, publisher: { features: { payload_passthru_mode: true } }, subscriber: { features: { payload_passthru_mode: true } } };

function hasCode(code: string) {
  return (e: unknown) => (e as { code?: string }).code === code;
}

/** What a packed payload item is on the wire: the {args, kwargs} dict, or its bytes in `packer`. */
function unpackItem(item: unknown, packer: Serializer | 'native'): unknown {
  if (packer === 'native') return item;
  assert.ok(item instanceof Uint8Array, 'a packed payload is binary');
  return packer.deserialize(packer.isBinary ? item : new TextDecoder().decode(item));
}

describe('client: payload passthru mode with our router', () => {
  test('the client announces payload_passthru_mode for all four roles', () => {
    for (const role of ['caller', 'callee', 'publisher', 'subscriber'] as const) {
      assert.equal((CLIENT_ROLES[role].features as Record<string, boolean>)['payload_passthru_mode'], true, role);
    }
  });

  for (const session of SESSION_SERIALIZERS) {
    for (const [name, packer] of PACKED) {
      const passthru: PayloadPassthru = name === 'cbor' ? { scheme: 'wamp', serializer: 'cbor', keyid: 'k1' } : { scheme: name === 'native' ? 'mqtt' : 'x_test', serializer: name };
      test(`publish and subscribe, ppt_serializer ${name}, over ${session.name}`, async () => {
        const router = makeRouter();
        const { session: publisher } = await joinSession(router, {}, session);
        const { session: subscriber } = await joinSession(router, {}, session);
        const watcher = await joinRaw(router, PPT_ROLES);
        const events: Array<[unknown, unknown, EventDetails]> = [];
        await subscriber.subscribe('ppt.topic', (args, kwargs, details) => void events.push([args, kwargs, details]));
        const r = watcher.req();
        watcher.peer.send([M.SUBSCRIBE, r, {}, 'ppt.topic']);
        await nextWhere(watcher.peer, M.SUBSCRIBED, (m) => m[1] === r);
        await publisher.publish('ppt.topic', ['hi', new Uint8Array([1, 2])], { n: 7 }, { acknowledge: true, passthru });
        for (let i = 0; i < 2000 && events.length === 0; i++) await delay(5);
        assert.equal(events.length, 1);
        const [args, kwargs, details] = events[0]!;
        assert.deepEqual(args, ['hi', new Uint8Array([1, 2])]);
        assert.deepEqual(kwargs, { n: 7 });
        assert.deepEqual(details.passthru, passthru);
        // On the wire: the ppt keys, and one item that is {args, kwargs} in the named serializer.
        const wire = await watcher.peer.next(M.EVENT);
        const d = wire[3] as Record<string, unknown>;
        assert.equal(d['ppt_scheme'], passthru.scheme);
        assert.equal(d['ppt_serializer'], passthru.serializer);
        const items = wire[4] as unknown[];
        assert.equal(items.length, 1);
        assert.equal(wire.length, 5);
        assert.deepEqual(unpackItem(items[0], packer), { args: ['hi', new Uint8Array([1, 2])], kwargs: { n: 7 } });
        await router.close(50);
      });

      test(`call, progressive results, result and error, ppt_serializer ${name}, over ${session.name}`, async () => {
        const router = makeRouter();
        const { session: caller } = await joinSession(router, {}, session);
        const { session: callee } = await joinSession(router, {}, session);
        const seen: InvocationDetails[] = [];
        await callee.register('ppt.proc', (args, kwargs, details) => {
          seen.push(details);
          if (args[0] === 'fail') throw new ApplicationError('com.example.failed', ['no'], { why: 'asked' });
          details.progress?.(['step'], { at: 1 });
          return new Result([...args].reverse(), { ...kwargs, done: true });
        });
        const progress: unknown[] = [];
        const result = await caller.callResult('ppt.proc', [1, 'two'], { k: 'v' }, { passthru, onProgress: (a, k) => void progress.push([a, k]) });
        assert.deepEqual(result, { args: ['two', 1], kwargs: { k: 'v', done: true } });
        assert.deepEqual(progress, [[['step'], { at: 1 }]]);
        assert.deepEqual(seen[0]?.passthru, passthru);
        await assert.rejects(caller.call('ppt.proc', ['fail'], {}, { passthru }), (e: unknown) =>
          ApplicationError.is(e) && e.error === 'com.example.failed' && e.args[0] === 'no' && e.kwargs['why'] === 'asked');
        assert.ok(caller.isOpen && callee.isOpen);
        await router.close(50);
      });
    }
  }

  test('a serializer we do not pack (flatbuffers, custom) or a cipher: the application passes and receives the bytes', async () => {
    const router = makeRouter();
    const { session: caller } = await joinSession(router, {}, cbor);
    const { session: callee } = await joinSession(router, {}, msgpack);
    const got: Array<[unknown, InvocationDetails]> = [];
    await callee.register('raw.proc', (args, _kwargs, details) => {
      got.push([args, details]);
      return new Result([new Uint8Array([0xca, 0xfe])]);
    });
    for (const passthru of [
      { scheme: 'x_mine', serializer: 'flatbuffers' },
      { scheme: 'wamp', serializer: 'cbor', cipher: 'xsalsa20poly1305', keyid: '0x1234' },
    ]) {
      got.length = 0;
      const result = await caller.callResult('raw.proc', [new Uint8Array([1, 2, 3])], undefined, { passthru });
      assert.deepEqual(result, { args: [new Uint8Array([0xca, 0xfe])], kwargs: {} });
      assert.deepEqual(got[0]?.[0], [new Uint8Array([1, 2, 3])]);
      assert.deepEqual(got[0]?.[1].passthru, passthru);
      await assert.rejects(caller.call('raw.proc', ['not bytes'], {}, { passthru }), hasCode(WampErrorCode.INVALID_ARGUMENT));
    }
    await router.close(50);
  });

  test('bad passthru options are refused before anything is sent', async () => {
    const router = makeRouter();
    const { session } = await joinSession(router);
    for (const passthru of [{ scheme: 'amqp' }, { scheme: 'wamp', serializer: 'json' }, { scheme: 'mqtt', serializer: '' }, null]) {
      await assert.rejects(session.call('x.y', [], {}, { passthru: passthru as unknown as PayloadPassthru }), hasCode(WampErrorCode.INVALID_ARGUMENT));
      await assert.rejects(session.publish('x.y', [], {}, { passthru: passthru as unknown as PayloadPassthru }), hasCode(WampErrorCode.INVALID_ARGUMENT));
    }
    assert.ok(session.isOpen);
    await router.close(50);
  });

  test('a router that does not announce payload_passthru_mode: no passthru CALL or PUBLISH is sent', async () => {
    const [client, server] = createMemoryPair();
    const inbox: unknown[][] = [];
    server.on('message', (m) => {
      const msg = m as unknown[];
      inbox.push(msg);
      if (msg[0] === M.HELLO) server.send([M.WELCOME, 7, { roles: { broker: {}, dealer: {} } }]);
    });
    const session = new ApplicationSession({ realm: 'realm1' });
    const joined = new Promise((resolve) => session.once('join', resolve));
    session.attach(client);
    await withTimeout(joined, 10_000, 'join');
    await assert.rejects(session.call('x.y', [1], {}, { passthru: { scheme: 'mqtt' } }), hasCode(WampErrorCode.FEATURE_NOT_SUPPORTED));
    await assert.rejects(session.publish('x.y', [1], {}, { passthru: { scheme: 'mqtt' } }), hasCode(WampErrorCode.FEATURE_NOT_SUPPORTED));
    assert.throws(() => session.callProgressive('x.y', { passthru: { scheme: 'mqtt' } }), hasCode(WampErrorCode.FEATURE_NOT_SUPPORTED));
    await delay(10);
    assert.deepEqual(inbox.map((m) => m[0]), [M.HELLO]);
  });

  test('a passthru payload that does not unpack: the callee answers ERROR invalid_payload, the subscriber\'s session hears an error', async () => {
    const router = makeRouter();
    const raw = await joinRaw(router, PPT_ROLES);
    const { session } = await joinSession(router, {}, cbor);
    let called = false;
    await session.register('bad.proc', () => void (called = true));
    const errors: unknown[] = [];
    session.on('error', (e) => void errors.push(e));
    await session.subscribe('bad.topic', () => void (called = true));
    const r = raw.req();
    raw.peer.send([M.CALL, r, { ppt_scheme: 'x_t', ppt_serializer: 'cbor' }, 'bad.proc', [new Uint8Array([0xff])]]);
    const answer = await nextWhere(raw.peer, M.ERROR, (m) => m[2] === r);
    assert.equal(answer[4], 'wamp.error.invalid_payload');
    raw.peer.send([M.PUBLISH, raw.req(), { ppt_scheme: 'x_t', ppt_serializer: 'json' }, 'bad.topic', [new TextEncoder().encode('[1]')]]);
    for (let i = 0; i < 2000 && errors.length === 0; i++) await delay(5);
    assert.equal((errors[0] as { code?: string }).code, WampErrorCode.INVALID_PAYLOAD);
    assert.equal(called, false);
    assert.ok(session.isOpen);
    await router.close(50);
  });

  test("wampy's native form ({args, kwargs} as the one item) is read; any other native item arrives as it is", async () => {
    const router = makeRouter();
    const raw = await joinRaw(router, PPT_ROLES);
    const { session } = await joinSession(router, {}, json);
    const events: unknown[] = [];
    await session.subscribe('native.topic', (args, kwargs, details) => void events.push([args, kwargs, details.passthru]));
    raw.peer.send([M.PUBLISH, raw.req(), { ppt_scheme: 'mqtt', ppt_serializer: 'native' }, 'native.topic', [{ args: [1], kwargs: { a: 2 } }]]);
    raw.peer.send([M.PUBLISH, raw.req(), { ppt_scheme: 'mqtt' }, 'native.topic', [new Uint8Array([9])]]);
    for (let i = 0; i < 2000 && events.length < 2; i++) await delay(5);
    assert.deepEqual(events, [
      [[1], { a: 2 }, { scheme: 'mqtt', serializer: 'native' }],
      [[new Uint8Array([9])], {}, { scheme: 'mqtt' }],
    ]);
    await router.close(50);
  });
});
