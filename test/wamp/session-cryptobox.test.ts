// End-to-end encryption in Autobahn's form between our clients through our router
// (runtime/wamp/cryptobox.ts, session-codec.ts): what travels is ciphertext the router forwards
// as it came; a session without the right key cannot read it; keys are checked at the boundary.
// Interoperability with Autobahn|Python: test/interop/wamp-cryptobox-autobahn-python.test.ts.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { cbor, json } from '../../runtime/serializers/index.js';
import { ApplicationError, Result } from '../../runtime/wamp/application-error.js';
import { ApplicationSession } from '../../runtime/wamp/session.js';
import { CryptoboxKey, CryptoboxKeyRing } from '../../runtime/wamp/cryptobox.js';
import { WampErrorCode } from '../../runtime/wamp/error-codes.js';
import { createMemoryPair } from '../../runtime/transports/memory.js';
import { MessageType as M } from '../../runtime/wamp/message-types.js';
import { makeRouter, joinSession, delay, withTimeout } from '../router/helpers.js';
import { joinRaw, nextWhere } from '../router/raw-helpers.js';

const a = CryptoboxKeyRing.generateKey();
const b = CryptoboxKeyRing.generateKey();
const hasCode = (code: string) => (e: unknown) => (e as { code?: string }).code === code;

/** A rings pair: `caller` originates e2e.* towards `callee`, which responds. */
function rings(responderPriv = b.privateKey): { caller: CryptoboxKeyRing; callee: CryptoboxKeyRing } {
  const caller = new CryptoboxKeyRing();
  caller.setKey('e2e.', new CryptoboxKey({ originatorPrivate: a.privateKey, responderPublic: b.publicKey }));
  const callee = new CryptoboxKeyRing();
  callee.setKey('e2e.', new CryptoboxKey({ responderPrivate: responderPriv, originatorPublic: a.publicKey }));
  return { caller, callee };
}

describe('client: end-to-end encryption (cryptobox) through our router', () => {
  test('calls, progressive results, errors and events travel encrypted and arrive decrypted', async () => {
    const router = makeRouter();
    const keys = rings();
    const { session: caller } = await joinSession(router, { payloadCodec: keys.caller }, cbor);
    const { session: callee } = await joinSession(router, { payloadCodec: keys.callee }, json);
    const watcher = await joinRaw(router, { subscriber: { features: { payload_transparency: true } } });
    const seen: unknown[] = [];
    await callee.register('e2e.proc', (args, kwargs, details) => {
      seen.push(details.encAlgo);
      if (args[0] === 'fail') throw new ApplicationError('e2e.failed', ['secret reason']);
      details.progress?.(['step']);
      return new Result([...args].reverse(), kwargs);
    });
    const progress: unknown[] = [];
    assert.deepEqual(await caller.callResult('e2e.proc', ['secret', 1], { k: 'v' }, { onProgress: (args) => void progress.push(args) }),
      { args: [1, 'secret'], kwargs: { k: 'v' } });
    assert.deepEqual(progress, [['step']]);
    assert.deepEqual(seen, ['cryptobox']);
    await assert.rejects(caller.call('e2e.proc', ['fail']), (e: unknown) => ApplicationError.is(e) && e.error === 'e2e.failed' && e.args[0] === 'secret reason');

    const events: unknown[] = [];
    await callee.subscribe('e2e.topic', (args, kwargs, details) => void events.push([args, kwargs, details.encAlgo]));
    const r = watcher.req();
    watcher.peer.send([M.SUBSCRIBE, r, {}, 'e2e.topic']);
    await nextWhere(watcher.peer, M.SUBSCRIBED, (m) => m[1] === r);
    await caller.publish('e2e.topic', ['top secret'], { n: 1 }, { acknowledge: true });
    for (let i = 0; i < 2000 && events.length === 0; i++) await delay(5);
    assert.deepEqual(events, [[['top secret'], { n: 1 }, 'cryptobox']]);
    // The wire: enc_algo and ciphertext in place of Arguments; the plaintext appears nowhere.
    const wire = await watcher.peer.next(M.EVENT);
    assert.deepEqual(wire[3], { enc_algo: 'cryptobox', enc_serializer: 'json' });
    const payload = wire[4] as Uint8Array;
    assert.ok(payload instanceof Uint8Array && payload.length > 24 + 16);
    assert.equal(Buffer.from(payload).includes('top secret'), false);
    await router.close(50);
  });

  test('a callee with the wrong key answers ERROR invalid_payload, and its endpoint never runs', async () => {
    const router = makeRouter();
    const keys = rings(CryptoboxKeyRing.generateKey().privateKey);
    const { session: caller } = await joinSession(router, { payloadCodec: keys.caller });
    const { session: callee } = await joinSession(router, { payloadCodec: keys.callee });
    let ran = false;
    await callee.register('e2e.proc', () => void (ran = true));
    await assert.rejects(caller.call('e2e.proc', ['x']), (e: unknown) => ApplicationError.is(e) && e.error === 'wamp.error.invalid_payload');
    assert.equal(ran, false);
    // URIs the key ring has no key for travel in the clear.
    await callee.register('plain.proc', (args) => args[0]);
    assert.equal(await caller.call('plain.proc', ['clear']), 'clear');
    await router.close(50);
  });

  test('keys are checked where they are given', () => {
    assert.throws(() => new CryptoboxKey('c2hvcnQ='), hasCode(WampErrorCode.INVALID_ARGUMENT));
    assert.throws(() => new CryptoboxKey({ originatorPrivate: a.privateKey }), hasCode(WampErrorCode.INVALID_ARGUMENT));
    assert.throws(() => new CryptoboxKey({ originatorPrivate: a.privateKey, originatorPublic: b.publicKey, responderPublic: b.publicKey }), hasCode(WampErrorCode.INVALID_ARGUMENT));
    assert.doesNotThrow(() => new CryptoboxKey(a.privateKey));
  });

  test('a router that does not announce payload transparency: no encrypted CALL or PUBLISH is sent', async () => {
    const [client, server] = createMemoryPair();
    const inbox: unknown[][] = [];
    server.on('message', (m) => {
      inbox.push(m as unknown[]);
      if ((m as unknown[])[0] === M.HELLO) server.send([M.WELCOME, 7, { roles: { broker: {}, dealer: {} } }]);
    });
    const session = new ApplicationSession({ realm: 'realm1', payloadCodec: rings().caller });
    const joined = new Promise((resolve) => session.once('join', resolve));
    session.attach(client);
    await withTimeout(joined, 10_000, 'join');
    await assert.rejects(session.call('e2e.proc', [1]), hasCode(WampErrorCode.FEATURE_NOT_SUPPORTED));
    await assert.rejects(session.publish('e2e.topic', [1]), hasCode(WampErrorCode.FEATURE_NOT_SUPPORTED));
    await delay(10);
    assert.deepEqual(inbox.map((m) => m[0]), [M.HELLO]);
  });
});
