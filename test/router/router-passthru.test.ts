// Payload Passthru Mode in the router (runtime/router/passthru.ts): the spec's form (ppt_* keys,
// one binary item in Arguments) and Autobahn's (enc_* keys, the bytes in place of Arguments)
// travel CALL -> INVOCATION, YIELD -> RESULT, ERROR -> ERROR, PUBLISH -> EVENT with their keys
// and their payload untouched; sessions that did not announce the feature are kept out of it.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { makeRouter, RawPeer } from './helpers.js';
import { joinRaw, nextWhere, registerRaw, subscribeRaw, waitAnswer, type Joined } from './raw-helpers.js';
import { MessageType as M } from '../../runtime/wamp/message-types.js';
import { ROUTER_ROLES } from '../../runtime/router/features.js';
import type { Router } from '../../runtime/router/router.js';

const PPT = { features: { payload_passthru_mode: true } };
const WITH_PPT = { caller: PPT, callee: PPT, publisher: PPT, subscriber: PPT };
const AUTOBAHN = { features: { payload_transparency: true } };
const WITH_TRANSPARENCY = { caller: AUTOBAHN, callee: AUTOBAHN, publisher: AUTOBAHN, subscriber: AUTOBAHN };
const PLAIN = { caller: {}, callee: {}, publisher: {}, subscriber: {} };

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);
const MQTT = { ppt_scheme: 'mqtt', ppt_serializer: 'native' };
const E2E = { ppt_scheme: 'wamp', ppt_serializer: 'cbor', ppt_cipher: 'xsalsa20poly1305', ppt_keyid: '0xabc' };

async function pair(router: Router, roles: Record<string, unknown> = WITH_PPT): Promise<[Joined, Joined]> {
  return [await joinRaw(router, roles), await joinRaw(router, roles)];
}

describe('router: payload passthru mode', () => {
  test('WELCOME announces payload_passthru_mode (and Autobahn\'s payload_transparency) for broker and dealer', () => {
    for (const role of ['broker', 'dealer'] as const) {
      const features = ROUTER_ROLES[role].features as Record<string, boolean>;
      assert.equal(features['payload_passthru_mode'], true);
      assert.equal(features['payload_transparency'], true);
    }
  });

  test('PUBLISH -> EVENT: the ppt keys and the one binary argument, untouched; only announcing subscribers get it', async () => {
    const router = makeRouter();
    const [publisher, subscriber] = await pair(router);
    const plain = await joinRaw(router, PLAIN);
    const sub = await subscribeRaw(subscriber, 'ppt.topic');
    await subscribeRaw(plain, 'ppt.topic');
    const r = publisher.req();
    publisher.peer.send([M.PUBLISH, r, { ...E2E, acknowledge: true }, 'ppt.topic', [bytes(1, 2, 3)]]);
    await nextWhere(publisher.peer, M.PUBLISHED, (m) => m[1] === r);
    const event = await subscriber.peer.next(M.EVENT);
    assert.equal(event[1], sub);
    assert.deepEqual(event[3], E2E);
    assert.deepEqual(event.slice(4), [[bytes(1, 2, 3)]]);
    // The subscriber without the feature does not get it; a plain event after it arrives first.
    const r2 = publisher.req();
    publisher.peer.send([M.PUBLISH, r2, { acknowledge: true }, 'ppt.topic', ['plain']]);
    await nextWhere(publisher.peer, M.PUBLISHED, (m) => m[1] === r2);
    const first = await plain.peer.next(M.EVENT);
    assert.deepEqual(first.slice(4), [['plain']]);
    await router.close(50);
  });

  test('a retained passthru event keeps its keys and payload', async () => {
    const router = makeRouter();
    const [publisher, late] = await pair(router);
    const r = publisher.req();
    publisher.peer.send([M.PUBLISH, r, { ...MQTT, retain: true, acknowledge: true }, 'ppt.kept', [{ args: [1] }]]);
    await nextWhere(publisher.peer, M.PUBLISHED, (m) => m[1] === r);
    await subscribeRaw(late, 'ppt.kept', { get_retained: true });
    const event = await late.peer.next(M.EVENT);
    assert.deepEqual(event[3], { ...MQTT, retained: true });
    assert.deepEqual(event.slice(4), [[{ args: [1] }]]);
    await router.close(50);
  });

  test('CALL -> INVOCATION, YIELD -> RESULT (progressive and final), ERROR -> ERROR: keys and payload forwarded', async () => {
    const router = makeRouter();
    const [caller, callee] = await pair(router, { ...WITH_PPT, caller: { features: { ...PPT.features, progressive_call_results: true } }, callee: { features: { ...PPT.features, progressive_call_results: true } } });
    const reg = await registerRaw(callee, 'ppt.proc');
    const r = caller.req();
    caller.peer.send([M.CALL, r, { ...E2E, receive_progress: true }, 'ppt.proc', [bytes(9)]]);
    const inv = await callee.peer.next(M.INVOCATION);
    assert.equal(inv[2], reg);
    assert.deepEqual(inv[3], { ...E2E, receive_progress: true });
    assert.deepEqual(inv.slice(4), [[bytes(9)]]);
    callee.peer.send([M.YIELD, inv[1], { ...E2E, progress: true }, [bytes(7)]]);
    const progress = await nextWhere(caller.peer, M.RESULT, (m) => m[1] === r);
    assert.deepEqual(progress[2], { ...E2E, progress: true });
    assert.deepEqual(progress.slice(3), [[bytes(7)]]);
    callee.peer.send([M.YIELD, inv[1], E2E, [bytes(8)]]);
    const result = await waitAnswer(caller, r);
    assert.deepEqual(result, [M.RESULT, r, E2E, [bytes(8)]]);

    const r2 = caller.req();
    caller.peer.send([M.CALL, r2, MQTT, 'ppt.proc', [bytes(1)]]);
    const inv2 = await callee.peer.next(M.INVOCATION);
    callee.peer.send([M.ERROR, M.INVOCATION, inv2[1], MQTT, 'com.example.failed', [bytes(2)]]);
    assert.deepEqual(await waitAnswer(caller, r2), [M.ERROR, M.CALL, r2, MQTT, 'com.example.failed', [bytes(2)]]);
    await router.close(50);
  });

  test("Autobahn's form (enc_algo, the payload in place of Arguments) is forwarded too, on both paths", async () => {
    const router = makeRouter();
    const [a, b] = await pair(router, WITH_TRANSPARENCY);
    const enc = { enc_algo: 'cryptobox', enc_serializer: 'json' };
    await registerRaw(b, 'enc.proc');
    await subscribeRaw(b, 'enc.topic');
    const r = a.req();
    a.peer.send([M.CALL, r, enc, 'enc.proc', bytes(1, 2)]);
    const inv = await b.peer.next(M.INVOCATION);
    assert.deepEqual(inv.slice(3), [enc, bytes(1, 2)]);
    b.peer.send([M.YIELD, inv[1], enc, bytes(3, 4)]);
    assert.deepEqual(await waitAnswer(a, r), [M.RESULT, r, enc, bytes(3, 4)]);
    a.peer.send([M.PUBLISH, a.req(), enc, 'enc.topic', bytes(5)]);
    const event = await b.peer.next(M.EVENT);
    assert.deepEqual(event.slice(3), [enc, bytes(5)]);
    await router.close(50);
  });

  test('a passthru message from a session that did not announce the feature: ABORT protocol_violation', async () => {
    const router = makeRouter();
    for (const send of [
      (j: Joined) => j.peer.send([M.PUBLISH, j.req(), MQTT, 'x.topic', [bytes(1)]]),
      (j: Joined) => j.peer.send([M.CALL, j.req(), MQTT, 'x.proc', [bytes(1)]]),
      (j: Joined) => j.peer.send([M.CALL, j.req(), { enc_algo: 'mqtt' }, 'x.proc', bytes(1)]),
    ]) {
      const plain = await joinRaw(router, PLAIN);
      send(plain);
      const abort = await plain.peer.next(M.ABORT);
      assert.equal(abort[2], 'wamp.error.protocol_violation');
      assert.match(String((abort[1] as { message: string }).message), /payload_passthru_mode/);
    }
    await router.close(50);
  });

  test('a passthru CALL to a callee without the feature, or a passthru YIELD to a caller without it: ERROR feature_not_supported', async () => {
    const router = makeRouter();
    const caller = await joinRaw(router, WITH_PPT);
    const plainCallee = await joinRaw(router, PLAIN);
    await registerRaw(plainCallee, 'plain.proc');
    const r = caller.req();
    caller.peer.send([M.CALL, r, MQTT, 'plain.proc', [bytes(1)]]);
    const error = await waitAnswer(caller, r);
    assert.equal(error[4], 'wamp.error.feature_not_supported');

    const plainCaller = await joinRaw(router, PLAIN);
    const pptCallee = await joinRaw(router, WITH_PPT);
    await registerRaw(pptCallee, 'ppt.answers');
    const r2 = plainCaller.req();
    plainCaller.peer.send([M.CALL, r2, {}, 'ppt.answers', ['hi']]);
    const inv = await pptCallee.peer.next(M.INVOCATION);
    pptCallee.peer.send([M.YIELD, inv[1], MQTT, [bytes(1)]]);
    const refused = await waitAnswer(plainCaller, r2);
    assert.deepEqual(refused.slice(0, 5), [M.ERROR, M.CALL, r2, {}, 'wamp.error.feature_not_supported']);
    assert.equal(pptCallee.peer.closed, false);
    await router.close(50);
  });
});
