// Router authorization, wired: per-realm role permission tables, disclosure, not_authorized on
// denial, dynamic authorizer procedures, meta procedures guarded like any call, realm isolation.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { makeRouter, delay, RawPeer } from './helpers.js';
import { joinRaw, subscribeRaw, registerRaw, callRaw, nextWhere } from './raw-helpers.js';
import { MessageType as M } from '../../runtime/wamp/message-types.js';
import type { Router } from '../../runtime/router/router.js';

const roles = { caller: {}, callee: {}, publisher: {}, subscriber: {} };

const principals = { admin: { ticket: 'a', role: 'admin' }, user: { ticket: 'u', role: 'user' }, dyn: { ticket: 'd', role: 'dynamic' } };

function authRouter(): Router {
  return makeRouter({
    realms: [{
      name: 'realm1',
      auth: { ticket: { type: 'static' as const, principals } },
      authorization: {
        roles: [
          { name: 'admin', permissions: [{ uri: '', match: 'prefix', allow: { call: true, register: true, publish: true, subscribe: true } }] },
          {
            name: 'user', permissions: [
              { uri: 'com.app.', match: 'prefix', allow: { call: true, subscribe: true }, disclose: { caller: true } },
              { uri: 'com.app.admin.', match: 'prefix', allow: {} },
            ],
          },
          { name: 'dynamic', authorizer: 'com.auth.decide' },
        ],
      },
    }, { name: 'other', metaApi: { mutating: ['anonymous'] } }],
  });
}

async function joinTicket(router: Router, authid: string, ticket: string, realm = 'realm1'): Promise<{ peer: RawPeer; id: number }> {
  const peer = new RawPeer(router);
  peer.send([M.HELLO, realm, { roles, authmethods: ['ticket'], authid }]);
  await peer.next(M.CHALLENGE);
  peer.send([M.AUTHENTICATE, ticket, {}]);
  const welcome = await peer.next(M.WELCOME);
  return { peer, id: welcome[1] as number };
}

function wrap(j: { peer: RawPeer; id: number }) {
  let n = 0;
  return { peer: j.peer, id: j.id, req: () => ++n };
}

describe('authorization', () => {
  test('a role table allows what it lists and denies the rest with not_authorized; disclose.caller applies', async () => {
    const router = authRouter();
    const admin = wrap(await joinTicket(router, 'admin', 'a'));
    const user = wrap(await joinTicket(router, 'user', 'u'));
    const reg = await registerRaw(admin, 'com.app.echo');
    void reg;
    const denied = user.req();
    user.peer.send([M.REGISTER, denied, {}, 'com.app.mine']);
    const e = await user.peer.next(M.ERROR);
    assert.deepEqual(e.slice(0, 5), [M.ERROR, M.REGISTER, denied, {}, 'wamp.error.not_authorized']);
    const pending = callRaw(user, 'com.app.echo', [1]);
    const inv = await admin.peer.next(M.INVOCATION);
    const details = inv[3] as Record<string, unknown>;
    assert.equal(details['caller'], user.id, 'disclose.caller discloses without disclose_me');
    assert.equal(details['caller_authid'], 'user');
    admin.peer.send([M.YIELD, inv[1], {}, [2]]);
    assert.deepEqual((await pending).slice(3), [[2]]);
    const adminOnly = await callRaw(user, 'com.app.admin.reset');
    assert.equal(adminOnly[4], 'wamp.error.not_authorized', 'the longer prefix allows nothing');
    const pub = user.req();
    user.peer.send([M.PUBLISH, pub, { acknowledge: true }, 'com.app.news', []]);
    assert.equal((await user.peer.next(M.ERROR))[4], 'wamp.error.not_authorized');
    const meta = await callRaw(user, 'wamp.session.list');
    assert.equal(meta[4], 'wamp.error.not_authorized', 'meta procedures are guarded like any call');
    assert.equal((await callRaw(admin, 'wamp.session.count'))[3]?.toString(), '2');
    await router.close(50);
  });

  test('a testament needs the right to publish on its topic; none may name a wamp.* topic', async () => {
    const router = authRouter();
    const admin = wrap(await joinTicket(router, 'admin', 'a'));
    const user = wrap(await joinTicket(router, 'user', 'u'));
    // 'user' may call com.app.* but not publish: the add_testament call itself must be allowed first.
    const metaDenied = await callRaw(user, 'wamp.session.add_testament', ['com.app.x']);
    assert.equal(metaDenied[4], 'wamp.error.not_authorized');
    const forged = await callRaw(admin, 'wamp.session.add_testament', ['wamp.session.on_leave', [1]]);
    assert.equal(forged[4], 'wamp.error.invalid_uri');
    assert.equal((await callRaw(admin, 'wamp.session.add_testament', ['com.app.will', ['bye']]))[0], M.RESULT);
    await router.close(50);
  });

  test('a role allowed to call add_testament but not to publish on the topic is refused', async () => {
    const router = makeRouter({
      realms: [{ name: 'realm1', authorization: { roles: [{ name: 'anonymous', permissions: [
        { uri: 'wamp.session.add_testament', allow: { call: true } },
        { uri: 'com.open.', match: 'prefix', allow: { publish: true } },
      ] }] } }],
    });
    const a = await joinRaw(router);
    assert.equal((await callRaw(a, 'wamp.session.add_testament', ['com.closed.x']))[4], 'wamp.error.not_authorized');
    assert.equal((await callRaw(a, 'wamp.session.add_testament', ['com.open.x']))[0], M.RESULT);
    await router.close(50);
  });

  test('a dynamic authorizer procedure decides, and requests after a pending decision stay in order', async () => {
    const router = authRouter();
    const admin = wrap(await joinTicket(router, 'admin', 'a'));
    await registerRaw(admin, 'com.auth.decide');
    await registerRaw(admin, 'com.app.ok');
    const dyn = wrap(await joinTicket(router, 'dyn', 'd'));
    const c1 = dyn.req();
    dyn.peer.send([M.CALL, c1, {}, 'com.app.ok', []]);
    const c2 = dyn.req();
    dyn.peer.send([M.CALL, c2, {}, 'com.app.no', []]);
    const answers: number[] = [];
    for (let i = 0; i < 2; i++) {
      const q = await nextWhere(admin.peer, M.INVOCATION, (m) => (m[4] as unknown[] | undefined)?.[2] === 'call');
      const [subject, uri] = q[4] as [Record<string, unknown>, string];
      assert.equal(subject['authrole'], 'dynamic');
      assert.equal(subject['session'], dyn.id);
      admin.peer.send([M.YIELD, q[1], {}, [uri === 'com.app.ok']]);
      answers.push(i);
    }
    const inv = await nextWhere(admin.peer, M.INVOCATION, (m) => m[4] === undefined || (m[4] as unknown[]).length === 0);
    admin.peer.send([M.YIELD, inv[1], {}, ['fine']]);
    const first = await nextWhere(dyn.peer, M.RESULT, (m) => m[1] === c1);
    assert.deepEqual(first[3], ['fine']);
    const second = await nextWhere(dyn.peer, M.ERROR, (m) => m[2] === c2);
    assert.equal(second[4], 'wamp.error.not_authorized');
    assert.equal(answers.length, 2);
    await router.close(50);
  });

  test('realms are isolated: a session sees neither events, procedures nor sessions of another realm', async () => {
    const router = authRouter();
    const admin = wrap(await joinTicket(router, 'admin', 'a'));
    const sub = await subscribeRaw(admin, 'com.app.news');
    void sub;
    await registerRaw(admin, 'com.app.echo');
    const other = new RawPeer(router);
    const w = await other.hello('other', { roles });
    const o = { peer: other, id: w[1] as number, req: (() => { let n = 0; return () => ++n; })() };
    const r = o.req();
    other.send([M.PUBLISH, r, { acknowledge: true }, 'com.app.news', ['cross']]);
    await other.next(M.PUBLISHED);
    const call = await callRaw(o, 'com.app.echo');
    assert.equal(call[4], 'wamp.error.no_such_procedure');
    const count = await callRaw(o, 'wamp.session.count');
    assert.deepEqual(count[3], [1]);
    const kill = await callRaw(o, 'wamp.session.kill', [admin.id]);
    assert.equal(kill[4], 'wamp.error.no_such_session');
    await delay(20);
    assert.equal(admin.peer.received.filter((m) => Array.isArray(m) && m[0] === M.EVENT).length, 0);
    await router.close(50);
  });

  test('a realm without an authorization table keeps allowing everything; a bad table is refused naming the path', async () => {
    assert.throws(() => makeRouter({ realms: [{ name: 'r', authorization: { roles: [{ name: 'x' }] } as never }] }), /realms\[0\]\.authorization\.roles\[0\]/);
    assert.throws(() => makeRouter({ realms: [{ name: 'r', retention: { maxTopics: -1 } as never }] }), /realms\[0\]\.retention\.maxTopics/);
    const router = makeRouter();
    const a = await joinRaw(router);
    assert.equal((await callRaw(a, 'wamp.session.count'))[0], M.RESULT);
    await router.close(50);
  });
});
