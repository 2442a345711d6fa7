// Router Advanced Profile, wired: meta API procedures and events, testaments, event retention,
// subscriber black/whitelisting by authid/authrole, reserved URIs.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { makeRouter, delay } from './helpers.js';
import { joinRaw, nextWhere, subscribeRaw, registerRaw, callRaw } from './raw-helpers.js';
import { MessageType as M } from '../../runtime/wamp/message-types.js';

/** realm1 letting its anonymous sessions kill others (the meta API's kill procedures need a grant). */
const KILLERS = { realms: [{ name: 'realm1', metaApi: { mutating: ['anonymous'] } }] };

describe('meta API through the router', () => {
  test('session count/list/get, registration and subscription lookup/match/get/list_callees', async () => {
    const router = makeRouter();
    const a = await joinRaw(router);
    const b = await joinRaw(router);
    const count = await callRaw(a, 'wamp.session.count');
    assert.deepEqual(count.slice(0, 4), [M.RESULT, count[1], {}, [2]]);
    const list = await callRaw(a, 'wamp.session.list');
    assert.deepEqual((list[3] as number[][])[0]?.slice().sort(), [a.id, b.id].sort());
    const get = await callRaw(a, 'wamp.session.get', [b.id]);
    assert.equal((get[3] as Array<Record<string, unknown>>)[0]?.['session'], b.id);
    assert.equal((get[3] as Array<Record<string, unknown>>)[0]?.['authrole'], 'anonymous');
    const missing = await callRaw(a, 'wamp.session.get', [123456789]);
    assert.equal(missing[4], 'wamp.error.no_such_session');

    const reg = await registerRaw(b, 'com.app.', { match: 'prefix' });
    assert.deepEqual((await callRaw(a, 'wamp.registration.lookup', ['com.app.', { match: 'prefix' }]))[3], [reg]);
    assert.deepEqual((await callRaw(a, 'wamp.registration.lookup', ['com.app']))[3], [null]);
    assert.deepEqual((await callRaw(a, 'wamp.registration.match', ['com.app.x']))[3], [reg]);
    assert.deepEqual((await callRaw(a, 'wamp.registration.list_callees', [reg]))[3], [[b.id]]);
    assert.deepEqual((await callRaw(a, 'wamp.registration.count_callees', [reg]))[3], [1]);
    const rget = (await callRaw(a, 'wamp.registration.get', [reg]))[3] as Array<Record<string, unknown>>;
    assert.equal(rget[0]?.['uri'], 'com.app.');
    assert.equal(rget[0]?.['match'], 'prefix');
    assert.equal(typeof rget[0]?.['created'], 'string');

    const sub = await subscribeRaw(b, 'com.t..x', { match: 'wildcard' });
    assert.deepEqual((await callRaw(a, 'wamp.subscription.match', ['com.t.y.x']))[3], [[sub]]);
    assert.deepEqual((await callRaw(a, 'wamp.subscription.list_subscribers', [sub]))[3], [[b.id]]);
    const slist = (await callRaw(a, 'wamp.subscription.list'))[3] as Array<Record<string, number[]>>;
    assert.deepEqual(slist[0]?.['wildcard'], [sub]);
    await router.close(50);
  });

  test('meta events: on_join, on_create then on_register, on_unregister then on_delete, on_leave', async () => {
    const router = makeRouter();
    const watcher = await joinRaw(router);
    const topics = ['wamp.session.on_join', 'wamp.session.on_leave', 'wamp.registration.on_create', 'wamp.registration.on_register',
      'wamp.registration.on_unregister', 'wamp.registration.on_delete', 'wamp.subscription.on_create', 'wamp.subscription.on_subscribe'];
    const ids = new Map<number, string>();
    for (const t of topics) ids.set(await subscribeRaw(watcher, t), t);
    const other = await joinRaw(router);
    await registerRaw(other, 'com.app.proc');
    await subscribeRaw(other, 'com.app.topic');
    const r = other.req();
    other.peer.send([M.GOODBYE, {}, 'wamp.close.normal']);
    await other.peer.next(M.GOODBYE);
    void r;
    const seen: string[] = [];
    for (let i = 0; i < 40 && seen.length < 8; i++) {
      const ev = await watcher.peer.next(M.EVENT);
      // The watcher's own subscriptions are meta events too; only the other session's count here.
      if ((ev[4] as unknown[])[0] === watcher.id) continue;
      seen.push(ids.get(ev[1] as number) ?? '?');
      if (ids.get(ev[1] as number) === 'wamp.session.on_join') assert.equal((ev[4] as Array<Record<string, unknown>>)[0]?.['session'], other.id);
    }
    assert.deepEqual(seen, [
      'wamp.session.on_join', 'wamp.registration.on_create', 'wamp.registration.on_register',
      'wamp.subscription.on_create', 'wamp.subscription.on_subscribe',
      'wamp.registration.on_unregister', 'wamp.registration.on_delete', 'wamp.session.on_leave',
    ]);
    await router.close(50);
  });

  test('wamp.session.kill ends the other session with GOODBYE and the given reason; a session cannot kill itself', async () => {
    const router = makeRouter(KILLERS);
    const a = await joinRaw(router);
    const b = await joinRaw(router);
    const self = await callRaw(a, 'wamp.session.kill', [a.id]);
    assert.equal(self[4], 'wamp.error.no_such_session');
    const killed = await callRaw(a, 'wamp.session.kill', [b.id], { reason: 'com.app.bye', message: 'go' });
    assert.equal(killed[0], M.RESULT);
    const bye = await b.peer.next(M.GOODBYE);
    assert.deepEqual(bye, [M.GOODBYE, { message: 'go' }, 'com.app.bye']);
    assert.deepEqual((await callRaw(a, 'wamp.session.count'))[3], [1]);
    await router.close(50);
  });

  test('kill_all ends every other session without meta events or testaments; a single kill publishes both', async () => {
    const router = makeRouter(KILLERS);
    const a = await joinRaw(router);
    const onLeave = await subscribeRaw(a, 'wamp.session.on_leave');
    const will = await subscribeRaw(a, 'com.app.will');
    const b = await joinRaw(router);
    const c = await joinRaw(router);
    for (const x of [b, c]) assert.equal((await callRaw(x, 'wamp.session.add_testament', ['com.app.will', [x.id]]))[0], M.RESULT);
    assert.equal((await callRaw(a, 'wamp.session.kill', [b.id]))[0], M.RESULT);
    assert.deepEqual((await a.peer.next(M.EVENT)).slice(0, 2), [M.EVENT, will]);
    assert.deepEqual((await a.peer.next(M.EVENT)).slice(0, 2), [M.EVENT, onLeave]);
    assert.deepEqual((await callRaw(a, 'wamp.session.kill_all'))[3], [1]);
    assert.equal((await c.peer.next(M.GOODBYE))[2], 'wamp.close.killed');
    await delay(20);
    assert.equal(a.peer.received.filter((m) => Array.isArray(m) && m[0] === M.EVENT).length, 0, 'kill_all is silent');
    assert.deepEqual((await callRaw(a, 'wamp.session.count'))[3], [1]);
    await router.close(50);
  });

  test('clients cannot register wamp.* procedures or publish on wamp.* topics (no forged meta events)', async () => {
    const router = makeRouter();
    const a = await joinRaw(router);
    const r = a.req();
    a.peer.send([M.REGISTER, r, {}, 'wamp.session.count']);
    const err = await a.peer.next(M.ERROR);
    assert.deepEqual(err.slice(0, 5), [M.ERROR, M.REGISTER, r, {}, 'wamp.error.invalid_uri']);
    const p = a.req();
    a.peer.send([M.PUBLISH, p, { acknowledge: true }, 'wamp.session.on_leave', [1]]);
    const perr = await a.peer.next(M.ERROR);
    assert.deepEqual(perr.slice(0, 5), [M.ERROR, M.PUBLISH, p, {}, 'wamp.error.invalid_uri']);
    await router.close(50);
  });
});

describe('testaments', () => {
  test('add_testament events are published when the session is lost; flushed ones are not', async () => {
    const router = makeRouter();
    const watcher = await joinRaw(router);
    const sub = await subscribeRaw(watcher, 'com.app.gone');
    const mortal = await joinRaw(router);
    assert.equal((await callRaw(mortal, 'wamp.session.add_testament', ['com.app.gone', ['flushed']], { scope: 'detached' }))[0], M.RESULT);
    assert.equal((await callRaw(mortal, 'wamp.session.flush_testaments', [], { scope: 'detached' }))[0], M.RESULT);
    assert.equal((await callRaw(mortal, 'wamp.session.add_testament', ['com.app.gone', [mortal.id], { why: 'lost' }]))[0], M.RESULT);
    const bad = await callRaw(mortal, 'wamp.session.add_testament', ['not a uri!']);
    assert.equal(bad[4], 'wamp.error.invalid_uri');
    mortal.peer.transport.close();
    const ev = await watcher.peer.next(M.EVENT);
    assert.deepEqual(ev, [M.EVENT, sub, ev[2], {}, [mortal.id], { why: 'lost' }]);
    await delay(20);
    assert.equal(watcher.peer.received.filter((m) => Array.isArray(m) && m[0] === M.EVENT).length, 0);
    await router.close(50);
  });
});

describe('event retention', () => {
  test('retain on publish, get_retained on subscribe (exact and prefix), eligibility kept', async () => {
    const router = makeRouter();
    const pub = await joinRaw(router);
    const p1 = pub.req();
    pub.peer.send([M.PUBLISH, p1, { retain: true, acknowledge: true }, 'com.app.state', ['old']]);
    await pub.peer.next(M.PUBLISHED);
    const p2 = pub.req();
    pub.peer.send([M.PUBLISH, p2, { retain: true, acknowledge: true }, 'com.app.state', ['new'], { v: 2 }]);
    await pub.peer.next(M.PUBLISHED);
    const p3 = pub.req();
    pub.peer.send([M.PUBLISH, p3, { retain: true, acknowledge: true, eligible: [1] }, 'com.app.secret', ['not for you']]);
    await pub.peer.next(M.PUBLISHED);
    const late = await joinRaw(router);
    const sub = await subscribeRaw(late, 'com.app.state', { get_retained: true });
    const ev = await late.peer.next(M.EVENT);
    assert.deepEqual(ev, [M.EVENT, sub, ev[2], { retained: true }, ['new'], { v: 2 }]);
    const psub = await subscribeRaw(late, 'com.app.', { match: 'prefix', get_retained: true });
    const pev = await late.peer.next(M.EVENT);
    assert.deepEqual(pev.slice(0, 5), [M.EVENT, psub, pev[2], { retained: true, topic: 'com.app.state' }, ['new']]);
    const plain = await joinRaw(router);
    await subscribeRaw(plain, 'com.app.state');
    await delay(20);
    assert.equal(plain.peer.received.filter((m) => Array.isArray(m) && m[0] === M.EVENT).length, 0, 'no retained event without get_retained');
    assert.equal(late.peer.received.filter((m) => Array.isArray(m) && m[0] === M.EVENT).length, 0, 'com.app.secret was not for this session');
    await router.close(50);
  });
});

describe('subscriber black/whitelisting by authid and authrole', () => {
  test('exclude_authid / eligible_authrole pick receivers by their identity', async () => {
    const realms = [{ name: 'realm1', auth: { ticket: { type: 'static' as const, principals: {
      alice: { ticket: 'a', role: 'admin' }, bob: { ticket: 'b', role: 'user' },
    } } } }];
    const router = makeRouter({ realms });
    const join = async (authid: string, ticketValue: string) => {
      const { RawPeer } = await import('./helpers.js');
      const peer = new RawPeer(router);
      peer.send([M.HELLO, 'realm1', { roles: { subscriber: {}, publisher: {} }, authmethods: ['ticket'], authid }]);
      await peer.next(M.CHALLENGE);
      peer.send([M.AUTHENTICATE, ticketValue, {}]);
      await peer.next(M.WELCOME);
      return peer;
    };
    const alice = await join('alice', 'a');
    const bob = await join('bob', 'b');
    alice.send([M.SUBSCRIBE, 1, {}, 'com.t']);
    await alice.next(M.SUBSCRIBED);
    bob.send([M.SUBSCRIBE, 1, {}, 'com.t']);
    await bob.next(M.SUBSCRIBED);
    bob.send([M.PUBLISH, 2, { acknowledge: true, exclude_me: false, exclude_authid: ['alice'] }, 'com.t', ['to bob']]);
    await bob.next(M.PUBLISHED);
    bob.send([M.PUBLISH, 3, { acknowledge: true, exclude_me: false, eligible_authrole: ['admin'] }, 'com.t', ['to admins']]);
    await bob.next(M.PUBLISHED);
    assert.deepEqual((await bob.next(M.EVENT))[4], ['to bob']);
    assert.deepEqual((await alice.next(M.EVENT))[4], ['to admins']);
    await delay(20);
    assert.equal([...alice.received, ...bob.received].filter((m) => Array.isArray(m) && m[0] === M.EVENT).length, 0);
    await router.close(50);
  });
});

describe('killed sessions', () => {
  test('a killed client that never answers GOODBYE is disconnected after the grace period', async () => {
    const router = makeRouter({ ...KILLERS, helloTimeout: 100 });
    const a = await joinRaw(router);
    const b = await joinRaw(router);
    assert.equal((await callRaw(a, 'wamp.session.kill', [b.id]))[0], M.RESULT);
    await b.peer.next(M.GOODBYE);
    await b.peer.waitClosed(3000);
    assert.equal(b.peer.closed, true);
    await router.close(50);
  });
});
