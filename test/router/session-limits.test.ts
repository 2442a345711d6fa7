// Per-session limits: registrations, subscriptions, calls pending as caller, invocations
// pending as callee. Over a limit the request gets a specific ERROR and everything else goes
// on. Scaled down: the tests set small limits and assert the bound; bench/hostile/router-limits.ts
// floods at full size.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { makeRouter } from './helpers.js';
import { joinRaw, registerRaw, subscribeRaw, callRaw, nextWhere, waitAnswer, type Joined } from './raw-helpers.js';
import { MessageType as M } from '../../runtime/wamp/message-types.js';
import { resolveSessionLimits, DEFAULT_SESSION_LIMITS, LimitErrorUri } from '../../runtime/router/limits.js';
import type { SessionLimits } from '../../runtime/router/limits.js';

function limited(limits: Partial<SessionLimits>) {
  return makeRouter({ realms: [{ name: 'realm1', limits }] });
}

async function refused(j: Joined, message: (r: number) => unknown[], type: number): Promise<unknown[]> {
  const r = j.req();
  j.peer.send(message(r));
  return nextWhere(j.peer, M.ERROR, (m) => m[1] === type && m[2] === r);
}

/** Sends a CALL and returns its request ID (the answer is awaited later with waitAnswer). */
function startCall(j: Joined, procedure: string): number {
  const r = j.req();
  j.peer.send([M.CALL, r, {}, procedure, []]);
  return r;
}

describe('per-session limits', () => {
  test('maxRegistrations: one more REGISTER is refused with max_registrations_reached; an UNREGISTER makes room; other sessions are unaffected', async () => {
    const router = limited({ maxRegistrations: 3 });
    const a = await joinRaw(router);
    const b = await joinRaw(router);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push(await registerRaw(a, `com.p${i}`));
    const e = await refused(a, (r) => [M.REGISTER, r, {}, 'com.p3'], M.REGISTER);
    assert.equal(e[4], 'wampkit.error.max_registrations_reached');
    assert.equal(e[4], LimitErrorUri.MAX_REGISTRATIONS);
    assert.match(String((e[5] as unknown[])[0]), /maxRegistrations/);
    for (let i = 0; i < 3; i++) await registerRaw(b, `com.b${i}`);
    const r = a.req();
    a.peer.send([M.UNREGISTER, r, ids[0]]);
    await nextWhere(a.peer, M.UNREGISTERED, (m) => m[1] === r);
    await registerRaw(a, 'com.p3');
    // The session still works as a callee within its limit.
    const pending = callRaw(b, 'com.p3');
    const inv = await a.peer.next(M.INVOCATION);
    a.peer.send([M.YIELD, inv[1], {}, ['ok']]);
    assert.deepEqual((await pending)[3], ['ok']);
    await router.close(50);
  });

  test('maxSubscriptions: one more SUBSCRIBE is refused with max_subscriptions_reached; re-subscribing to a held one is not a new one', async () => {
    const router = limited({ maxSubscriptions: 2 });
    const a = await joinRaw(router);
    const first = await subscribeRaw(a, 'com.t0');
    await subscribeRaw(a, 'com.t', { match: 'prefix' });
    const e = await refused(a, (r) => [M.SUBSCRIBE, r, {}, 'com.t2'], M.SUBSCRIBE);
    assert.equal(e[4], 'wampkit.error.max_subscriptions_reached');
    assert.match(String((e[5] as unknown[])[0]), /maxSubscriptions/);
    assert.equal(await subscribeRaw(a, 'com.t0'), first, 'the same subscription again is fine at the limit');
    const b = await joinRaw(router);
    await subscribeRaw(b, 'com.t2');
    const r = a.req();
    a.peer.send([M.UNSUBSCRIBE, r, first]);
    await nextWhere(a.peer, M.UNSUBSCRIBED, (m) => m[1] === r);
    await subscribeRaw(a, 'com.t2');
    await router.close(50);
  });

  test('maxPendingCalls: a CALL beyond the caller\'s pending calls gets max_pending_calls_reached; an answered call makes room', async () => {
    const router = limited({ maxPendingCalls: 2 });
    const callee = await joinRaw(router);
    const caller = await joinRaw(router);
    await registerRaw(callee, 'com.slow');
    const c1 = startCall(caller, 'com.slow');
    startCall(caller, 'com.slow');
    const over = await waitAnswer(caller, startCall(caller, 'com.slow'));
    assert.equal(over[0], M.ERROR);
    assert.equal(over[4], 'wampkit.error.max_pending_calls_reached');
    assert.match(String((over[5] as unknown[])[0]), /maxPendingCalls/);
    const inv = await callee.peer.next(M.INVOCATION);
    await callee.peer.next(M.INVOCATION);
    assert.equal(callee.peer.received.filter((m) => Array.isArray(m) && m[0] === M.INVOCATION).length, 0, 'the refused call never reached the callee');
    callee.peer.send([M.YIELD, inv[1], {}, [1]]);
    assert.equal((await waitAnswer(caller, c1))[0], M.RESULT);
    const again = startCall(caller, 'com.slow');
    const inv3 = await callee.peer.next(M.INVOCATION);
    callee.peer.send([M.YIELD, inv3[1], {}, [3]]);
    assert.equal((await waitAnswer(caller, again))[0], M.RESULT);
    await router.close(50);
  });

  test('maxPendingInvocations: a shared registration skips a callee at its limit; when all are, the caller gets max_concurrency_reached', async () => {
    const router = limited({ maxPendingInvocations: 1 });
    const a = await joinRaw(router);
    const b = await joinRaw(router);
    const caller = await joinRaw(router);
    await registerRaw(a, 'com.shared', { invoke: 'first' });
    await registerRaw(b, 'com.shared', { invoke: 'first' });
    const c1 = startCall(caller, 'com.shared');
    const invA = await a.peer.next(M.INVOCATION);
    const c2 = startCall(caller, 'com.shared');
    const invB = await b.peer.next(M.INVOCATION);
    const over = await waitAnswer(caller, startCall(caller, 'com.shared'));
    assert.equal(over[4], 'wampkit.error.max_concurrency_reached');
    assert.match(String((over[5] as unknown[])[0]), /maxPendingInvocations/);
    a.peer.send([M.YIELD, invA[1], {}, ['a']]);
    b.peer.send([M.YIELD, invB[1], {}, ['b']]);
    assert.deepEqual((await waitAnswer(caller, c1))[3], ['a']);
    assert.deepEqual((await waitAnswer(caller, c2))[3], ['b']);
    // A single registration at its limit refuses the same way; a free callee takes the next call.
    await registerRaw(a, 'com.single');
    const s1 = startCall(caller, 'com.single');
    const inv = await a.peer.next(M.INVOCATION);
    assert.equal((await waitAnswer(caller, startCall(caller, 'com.single')))[4], 'wampkit.error.max_concurrency_reached');
    a.peer.send([M.YIELD, inv[1], {}, []]);
    assert.equal((await waitAnswer(caller, s1))[0], M.RESULT);
    await router.close(50);
  });

  test('limits resolve key by key: realm over router over defaults; bad values are refused naming them', () => {
    assert.deepEqual(resolveSessionLimits(undefined, undefined), DEFAULT_SESSION_LIMITS);
    assert.deepEqual(resolveSessionLimits({ maxRegistrations: 5 }, { maxRegistrations: 7, maxPendingCalls: 9 }),
      { ...DEFAULT_SESSION_LIMITS, maxRegistrations: 5, maxPendingCalls: 9 });
    assert.throws(() => makeRouter({ limits: { maxRegistrations: 0 } }), /limits\.maxRegistrations must be a positive integer/);
    assert.throws(() => makeRouter({ realms: [{ name: 'r', limits: { maxCalls: 3 } as never }] }), /realms\[0\]\.limits\.maxCalls is not one of maxRegistrations/);
  });

  test('a router-wide limit applies to a realm that sets none', async () => {
    const router = makeRouter({ realms: ['realm1', { name: 'realm2', limits: { maxSubscriptions: 2 } }], limits: { maxSubscriptions: 1 } });
    const a = await joinRaw(router);
    await subscribeRaw(a, 'com.x');
    assert.equal((await refused(a, (r) => [M.SUBSCRIBE, r, {}, 'com.y'], M.SUBSCRIBE))[4], LimitErrorUri.MAX_SUBSCRIPTIONS);
    await router.close(50);
  });
});
