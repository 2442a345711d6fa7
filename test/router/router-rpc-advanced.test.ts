// Router RPC Advanced Profile, wired: dealer-side call timeout, progressive call invocations,
// canceling outcomes (a callee that yields after an interrupt, cancelling a finished call),
// registration and subscription revocation, bad pattern URIs, shared-registration conflicts.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { makeRouter, delay } from './helpers.js';
import { joinRaw, subscribeRaw, registerRaw, callRaw, nextWhere, waitAnswer } from './raw-helpers.js';
import { MessageType as M } from '../../runtime/wamp/message-types.js';

const noCancel = { caller: {}, callee: {}, publisher: {}, subscriber: {} };

describe('call timeout', () => {
  test('the dealer enforces CALL.Options.timeout: INTERRUPT killnowait to the callee, ERROR timeout to the caller, a late YIELD is dropped', async () => {
    const router = makeRouter();
    const callee = await joinRaw(router);
    const caller = await joinRaw(router);
    await registerRaw(callee, 'com.slow');
    const r = caller.req();
    caller.peer.send([M.CALL, r, { timeout: 30 }, 'com.slow', []]);
    const inv = await callee.peer.next(M.INVOCATION);
    assert.equal((inv[3] as Record<string, unknown>)['timeout'], undefined, 'not forwarded without forward_timeout');
    const interrupt = await callee.peer.next(M.INTERRUPT);
    assert.equal(interrupt[1], inv[1]);
    assert.equal((interrupt[2] as Record<string, unknown>)['mode'], 'killnowait');
    const err = await waitAnswer(caller, r);
    assert.deepEqual(err.slice(0, 5), [M.ERROR, M.CALL, r, {}, 'wamp.error.timeout']);
    callee.peer.send([M.YIELD, inv[1], {}, ['late']]);
    await delay(20);
    assert.equal(caller.peer.received.length, 0, 'the late YIELD reaches nobody');
    await router.close(50);
  });

  test('forward_timeout with a callee announcing call_timeout: the timeout goes in INVOCATION.Details, no dealer timer', async () => {
    const router = makeRouter();
    const callee = await joinRaw(router);
    const caller = await joinRaw(router);
    await registerRaw(callee, 'com.fwd', { forward_timeout: true });
    const r = caller.req();
    caller.peer.send([M.CALL, r, { timeout: 20 }, 'com.fwd', []]);
    const inv = await callee.peer.next(M.INVOCATION);
    assert.equal((inv[3] as Record<string, unknown>)['timeout'], 20);
    await delay(60);
    assert.equal(callee.peer.received.length, 0, 'no INTERRUPT from the dealer');
    callee.peer.send([M.YIELD, inv[1], {}, ['ok']]);
    assert.deepEqual((await waitAnswer(caller, r))[3], ['ok']);
    await router.close(50);
  });
});

describe('progressive call invocations', () => {
  test('CALLs with progress and the same request ID become INVOCATIONs with progress to the same callee; the final one ends the stream', async () => {
    const router = makeRouter();
    const a = await joinRaw(router);
    const b = await joinRaw(router);
    const caller = await joinRaw(router);
    await registerRaw(a, 'com.upload', { invoke: 'roundrobin' });
    await registerRaw(b, 'com.upload', { invoke: 'roundrobin' });
    const r = caller.req();
    caller.peer.send([M.CALL, r, { progress: true }, 'com.upload', ['chunk1']]);
    const first = await a.peer.next(M.INVOCATION);
    assert.deepEqual(first.slice(3), [{ progress: true }, ['chunk1']]);
    const other = caller.req();
    caller.peer.send([M.CALL, other, {}, 'com.upload', ['other call']]); // a new call in between: next callee
    const bInv = await b.peer.next(M.INVOCATION);
    assert.deepEqual(bInv[4], ['other call']);
    caller.peer.send([M.CALL, r, { progress: true }, 'com.upload', ['chunk2']]);
    caller.peer.send([M.CALL, r, {}, 'com.upload', ['last']]);
    const second = await a.peer.next(M.INVOCATION);
    const last = await a.peer.next(M.INVOCATION);
    assert.deepEqual([second[1], second[3], second[4]], [first[1], { progress: true }, ['chunk2']]);
    assert.deepEqual([last[1], last[3], last[4]], [first[1], {}, ['last']]);
    caller.peer.send([M.CALL, r, {}, 'com.upload', ['stale']]); // after the final CALL: discarded
    a.peer.send([M.YIELD, first[1], {}, ['done']]);
    assert.deepEqual((await waitAnswer(caller, r))[3], ['done']);
    await delay(20);
    assert.equal(a.peer.received.length, 0, 'the stale continuation is discarded');
    assert.equal(caller.peer.closed, false, 'a continuation reusing an old request ID is no protocol violation');
    await router.close(50);
  });

  test('a callee without progressive_call_invocations: ERROR feature_not_supported; a caller that did not announce it: ABORT', async () => {
    const router = makeRouter();
    const callee = await joinRaw(router, noCancel);
    const caller = await joinRaw(router);
    await registerRaw(callee, 'com.plain');
    const r = caller.req();
    caller.peer.send([M.CALL, r, { progress: true }, 'com.plain', []]);
    assert.equal((await waitAnswer(caller, r))[4], 'wamp.error.feature_not_supported');
    const naive = await joinRaw(router, noCancel);
    naive.peer.send([M.CALL, naive.req(), { progress: true }, 'com.plain', []]);
    const abort = await naive.peer.next(M.ABORT);
    assert.equal(abort[2], 'wamp.error.protocol_violation');
    await router.close(50);
  });
});

describe('call canceling outcomes', () => {
  test('kill: the callee\'s later YIELD turns into ERROR canceled; skip: a YIELD after the cancel is dropped; killnowait: ERROR at once', async () => {
    const router = makeRouter();
    const callee = await joinRaw(router);
    const caller = await joinRaw(router);
    await registerRaw(callee, 'com.job');
    for (const mode of ['kill', 'skip', 'killnowait'] as const) {
      const r = caller.req();
      caller.peer.send([M.CALL, r, {}, 'com.job', []]);
      const inv = await callee.peer.next(M.INVOCATION);
      caller.peer.send([M.CANCEL, r, { mode }]);
      if (mode !== 'skip') {
        const interrupt = await callee.peer.next(M.INTERRUPT);
        assert.deepEqual(interrupt, [M.INTERRUPT, inv[1], { mode }]);
      }
      if (mode === 'kill') {
        await delay(10);
        assert.equal(caller.peer.received.length, 0, 'kill waits for the callee');
      }
      callee.peer.send([M.YIELD, inv[1], {}, ['yielded after interrupt']]);
      const answer = await waitAnswer(caller, r);
      assert.deepEqual(answer.slice(0, 5), [M.ERROR, M.CALL, r, {}, 'wamp.error.canceled'], mode);
      await delay(10);
      assert.equal(caller.peer.received.length, 0, `${mode}: nothing after the canceled ERROR`);
    }
    await router.close(50);
  });

  test('cancelling a finished call is ignored', async () => {
    const router = makeRouter();
    const callee = await joinRaw(router);
    const caller = await joinRaw(router);
    await registerRaw(callee, 'com.quick');
    const r = caller.req();
    caller.peer.send([M.CALL, r, {}, 'com.quick', []]);
    const inv = await callee.peer.next(M.INVOCATION);
    callee.peer.send([M.YIELD, inv[1], {}, [1]]);
    assert.equal((await waitAnswer(caller, r))[0], M.RESULT);
    caller.peer.send([M.CANCEL, r, { mode: 'kill' }]);
    await delay(20);
    assert.equal(callee.peer.received.length + caller.peer.received.length, 0);
    assert.equal(caller.peer.closed, false);
    await router.close(50);
  });
});

describe('revocation', () => {
  test('force_reregister revokes the current callee: UNREGISTERED with request 0 and details; on_unregister for a callee that cannot hear it', async () => {
    const router = makeRouter();
    const old = await joinRaw(router);
    const silent = await joinRaw(router, noCancel);
    const watcher = await joinRaw(router);
    const onUnregister = await subscribeRaw(watcher, 'wamp.registration.on_unregister');
    const reg = await registerRaw(old, 'com.svc');
    const takeover = await joinRaw(router);
    const reg2 = await registerRaw(takeover, 'com.svc', { force_reregister: true });
    const revoked = await old.peer.next(M.UNREGISTERED);
    assert.deepEqual(revoked, [M.UNREGISTERED, 0, { registration: reg, reason: 'wamp.reason.reregistered' }]);
    const ev = await watcher.peer.next(M.EVENT);
    assert.deepEqual([ev[1], ev[4]], [onUnregister, [old.id, reg]]);
    const quiet = await registerRaw(silent, 'com.quiet');
    const realm = router.realm('realm1');
    assert.ok(realm !== undefined);
    assert.equal(realm.revokeRegistration(quiet, 'com.admin.moved'), 1);
    await delay(20);
    assert.equal(silent.peer.received.length, 0, 'no UNREGISTERED to a callee without registration_revocation');
    assert.equal((await callRaw(watcher, 'com.quiet'))[4], 'wamp.error.no_such_procedure');
    assert.notEqual(reg2, reg);
    await router.close(50);
  });

  test('subscription revocation: UNSUBSCRIBED with request 0 and details, no more events', async () => {
    const router = makeRouter();
    const sub = await joinRaw(router);
    const pub = await joinRaw(router);
    const id = await subscribeRaw(sub, 'com.feed');
    const realm = router.realm('realm1');
    assert.ok(realm !== undefined);
    assert.equal(realm.revokeSubscription(id, 'com.admin.closed'), 1);
    assert.deepEqual(await sub.peer.next(M.UNSUBSCRIBED), [M.UNSUBSCRIBED, 0, { subscription: id, reason: 'com.admin.closed' }]);
    const p = pub.req();
    pub.peer.send([M.PUBLISH, p, { acknowledge: true }, 'com.feed', []]);
    await pub.peer.next(M.PUBLISHED);
    await delay(20);
    assert.equal(sub.peer.received.length, 0);
    await router.close(50);
  });
});

describe('bad input', () => {
  test('a pattern URI not valid for its match policy is ERROR invalid_uri; a policy conflict names the spec URI', async () => {
    const router = makeRouter();
    const a = await joinRaw(router);
    const b = await joinRaw(router);
    const r1 = a.req();
    a.peer.send([M.REGISTER, r1, { match: 'exact' }, 'com..x']);
    assert.deepEqual((await nextWhere(a.peer, M.ERROR, (m) => m[2] === r1)).slice(0, 5), [M.ERROR, M.REGISTER, r1, {}, 'wamp.error.invalid_uri']);
    const r2 = a.req();
    a.peer.send([M.SUBSCRIBE, r2, { match: 'prefix' }, 'com. x']);
    assert.equal((await nextWhere(a.peer, M.ERROR, (m) => m[2] === r2))[4], 'wamp.error.invalid_uri');
    await registerRaw(a, 'com.shared', { invoke: 'roundrobin' });
    const r3 = b.req();
    b.peer.send([M.REGISTER, r3, { invoke: 'random' }, 'com.shared']);
    assert.equal((await nextWhere(b.peer, M.ERROR, (m) => m[2] === r3))[4], 'wamp.error.procedure_exists_with_different_invocation_policy');
    assert.equal(a.peer.closed || b.peer.closed, false);
    await router.close(50);
  });
});
