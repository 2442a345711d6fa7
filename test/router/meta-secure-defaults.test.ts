// The meta procedures that end other sessions (wamp.session.kill, kill_by_authid,
// kill_by_authrole, kill_all) need a grant: metaApi.mutating or an authorization table that
// allows the call. Without one (the CLI's realm1 included) they are not_authorized, and
// reading meta stays open to everyone.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { makeRouter, delay, RawPeer } from './helpers.js';
import { joinRaw, callRaw } from './raw-helpers.js';
import { MessageType as M } from '../../runtime/wamp/message-types.js';
import { MUTATING_META_PROCEDURES } from '../../runtime/router/meta-api.js';
import { routerOptionsFromArgs } from '../../runtime/router/cli.js';
import { Router } from '../../runtime/router/router.js';
import type { RouterOptions } from '../../runtime/router/config.js';

const KILL_CALLS: Array<[string, unknown[]]> = [
  ['wamp.session.kill', []],
  ['wamp.session.kill_by_authid', ['x']],
  ['wamp.session.kill_by_authrole', ['anonymous']],
  ['wamp.session.kill_all', []],
];

describe('meta API secure defaults', () => {
  test('the mutating set is exactly the kill procedures', () => {
    assert.deepEqual([...MUTATING_META_PROCEDURES].sort(), KILL_CALLS.map(([p]) => p).sort());
  });

  test('a realm without an authorization table refuses every kill procedure with not_authorized; nobody is ended; reading meta works', async () => {
    const router = makeRouter();
    const a = await joinRaw(router);
    const b = await joinRaw(router);
    for (const [procedure, args] of KILL_CALLS) {
      const answer = await callRaw(a, procedure, procedure === 'wamp.session.kill' ? [b.id] : args);
      assert.equal(answer[0], M.ERROR, `${procedure}: ${JSON.stringify(answer)}`);
      assert.equal(answer[4], 'wamp.error.not_authorized', procedure);
      assert.match(String((answer[5] as unknown[])[0]), /metaApi\.mutating/);
    }
    await delay(20);
    assert.equal(b.peer.received.filter((m) => Array.isArray(m) && m[0] === M.GOODBYE).length, 0, 'b was not killed');
    assert.deepEqual((await callRaw(a, 'wamp.session.count'))[3], [2]);
    assert.deepEqual((await callRaw(a, 'wamp.session.get', [b.id]))[0], M.RESULT);
    await router.close(50);
  });

  test("the CLI's default realm1 is just as closed", async () => {
    const options = routerOptionsFromArgs([]) as RouterOptions;
    const router = new Router({ ...options, listeners: [] });
    const a = new RawPeer(router);
    const welcome = await a.hello('realm1');
    assert.equal(welcome[0], M.WELCOME);
    a.send([M.CALL, 1, {}, 'wamp.session.kill_all', []]);
    const e = await a.next(M.ERROR);
    assert.equal(e[4], 'wamp.error.not_authorized');
    await router.close(50);
  });

  test('metaApi.mutating grants the listed roles only', async () => {
    const router = makeRouter({
      realms: [{
        name: 'realm1',
        auth: { anonymous: { type: 'static', role: 'guest' }, ticket: { type: 'static', principals: { ops: { ticket: 't', role: 'ops' } } } },
        metaApi: { mutating: ['ops'] },
      }],
    });
    const guest = await joinRaw(router);
    const victim = await joinRaw(router);
    const opsPeer = new RawPeer(router);
    opsPeer.send([M.HELLO, 'realm1', { roles: { caller: {} }, authmethods: ['ticket'], authid: 'ops' }]);
    await opsPeer.next(M.CHALLENGE);
    opsPeer.send([M.AUTHENTICATE, 't', {}]);
    await opsPeer.next(M.WELCOME);
    let n = 0;
    const ops = { peer: opsPeer, id: 0, req: () => ++n };
    assert.equal((await callRaw(guest, 'wamp.session.kill', [victim.id]))[4], 'wamp.error.not_authorized');
    assert.equal((await callRaw(ops, 'wamp.session.kill', [victim.id]))[0], M.RESULT);
    assert.equal((await victim.peer.next(M.GOODBYE))[2], 'wamp.close.killed');
    await router.close(50);
  });

  test('with an authorization table, a permission allowing the call grants it (and metaApi.mutating still does)', async () => {
    const all = { call: true, register: true, publish: true, subscribe: true };
    const router = makeRouter({
      realms: [{
        name: 'realm1',
        auth: { ticket: { type: 'static', principals: { admin: { ticket: 'a', role: 'admin' }, user: { ticket: 'u', role: 'user' }, ops: { ticket: 'o', role: 'ops' } } } },
        authorization: { roles: [
          { name: 'admin', permissions: [{ uri: 'wamp.session.', match: 'prefix', allow: { call: true } }] },
          { name: 'user', permissions: [{ uri: '', match: 'prefix', allow: all }, { uri: 'wamp.session.kill', match: 'prefix', allow: {} }] },
          { name: 'ops', permissions: [{ uri: 'com.', match: 'prefix', allow: all }] },
        ] },
        metaApi: { mutating: ['ops'] },
      }],
    });
    const join = async (authid: string, ticket: string) => {
      const peer = new RawPeer(router);
      peer.send([M.HELLO, 'realm1', { roles: { caller: {} }, authmethods: ['ticket'], authid }]);
      await peer.next(M.CHALLENGE);
      peer.send([M.AUTHENTICATE, ticket, {}]);
      const w = await peer.next(M.WELCOME);
      let n = 0;
      return { peer, id: w[1] as number, req: () => ++n };
    };
    const admin = await join('admin', 'a');
    const user = await join('user', 'u');
    const ops = await join('ops', 'o');
    const victim1 = await join('user', 'u');
    const victim2 = await join('user', 'u');
    assert.equal((await callRaw(user, 'wamp.session.kill', [victim1.id]))[4], 'wamp.error.not_authorized', 'the table denies it');
    assert.equal((await callRaw(admin, 'wamp.session.kill', [victim1.id]))[0], M.RESULT, 'the table allows it');
    assert.equal((await callRaw(ops, 'wamp.session.kill', [victim2.id]))[0], M.RESULT, 'metaApi.mutating allows it');
    await router.close(50);
  });

  test('metaApi is validated, naming the bad value', () => {
    assert.throws(() => makeRouter({ realms: [{ name: 'r', metaApi: { mutating: 'ops' } as never }] }), /realms\[0\]\.metaApi\.mutating must be a list/);
    assert.throws(() => makeRouter({ realms: [{ name: 'r', metaApi: { kill: true } as never }] }), /realms\[0\]\.metaApi\.kill is not a metaApi option/);
  });
});
