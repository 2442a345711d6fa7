// What the client does with a message it cannot encode for its transport (a Set over JSON,
// circular arguments): the request fails locally, uses no request ID (the router enforces
// sequential IDs and would otherwise ABORT the next request), and the session goes on.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { json } from '../../runtime/serializers/index.js';
import { ApplicationError } from '../../runtime/wamp/application-error.js';
import { isWampkitError } from '../../runtime/errors.js';
import type { CloseDetails } from '../../runtime/wamp/session.js';
import { BaseTransport } from '../../runtime/transports/transport.js';
import { ApplicationSession } from '../../runtime/wamp/session.js';
import { makeRouter, joinSession, withTimeout } from '../router/helpers.js';

/** A transport whose peer answers inside `send` (a synchronous loopback): replies arrive re-entrantly. */
class Loopback extends BaseTransport {
  readonly serializerName = 'memory';
  readonly peer = 'loopback';
  answer: (message: unknown[]) => unknown[] | undefined = () => undefined;
  send(message: unknown[]): void {
    const reply = this.answer(message);
    if (reply !== undefined) this.deliver(reply);
  }
  close(): void {
    this.closed({ wasClean: true, reason: '' });
  }
}

function circular(): unknown[] {
  const list: unknown[] = [];
  list.push(list);
  return list;
}

describe('a request that cannot be encoded', () => {
  test('call, progressive call, publish and acknowledged publish fail locally and leave the request ID unused', async () => {
    const router = makeRouter();
    const { session } = await joinSession(router, {}, json);
    const { session: callee } = await joinSession(router, {}, json);
    const left: CloseDetails[] = [];
    session.on('leave', (d) => void left.push(d));
    await callee.register('enc.echo', (args) => args[0]);

    await assert.rejects(session.call('enc.echo', [new Set([1])]), isWampkitError);
    await assert.rejects(session.call('enc.echo', circular()), isWampkitError);
    await assert.rejects(session.publish('enc.topic', [new Set([1])]), isWampkitError);
    await assert.rejects(session.publish('enc.topic', [], { set: new Set([2]) }, { acknowledge: true }), isWampkitError);
    const progressive = session.callProgressive('enc.echo');
    assert.equal(progressive.send([new Set([1])], {}, { final: true }), false);
    await assert.rejects(progressive.result, isWampkitError);

    // Had any of them used an ID, the router would ABORT each of these as not sequential.
    assert.equal(await withTimeout(session.call('enc.echo', ['fine']), 5000, 'call after'), 'fine');
    const publication = await withTimeout(session.publish('enc.topic', ['ok'], {}, { acknowledge: true }), 5000, 'publish after');
    assert.equal(typeof publication?.id, 'number');
    await withTimeout(session.subscribe('enc.other', () => {}), 5000, 'subscribe after');
    assert.equal(session.isOpen, true);
    assert.deepEqual(left, []);
    await session.leave();
    await callee.leave();
    await router.close(50);
  });

  test('a callee whose result cannot be encoded answers the call with ERROR wamp.error.invalid_payload', async () => {
    const router = makeRouter();
    const { session: callee } = await joinSession(router, {}, json);
    const { session: caller } = await joinSession(router, {}, json);
    await callee.register('enc.bad_result', () => new Set([70]));
    await callee.register('enc.bad_error', () => {
      throw new ApplicationError('com.example.oops', [circular()]);
    });
    for (const procedure of ['enc.bad_result', 'enc.bad_error']) {
      await assert.rejects(
        withTimeout(caller.call(procedure), 5000, procedure),
        (e: unknown) => ApplicationError.is(e) && e.error === 'wamp.error.invalid_payload',
      );
    }
    assert.equal(callee.isOpen, true);
    assert.equal(caller.isOpen, true);
    await caller.leave();
    await callee.leave();
    await router.close(50);
  });

  test('a transport that delivers the answer while send() is still running: requests are recorded before they go out', async () => {
    const t = new Loopback();
    const M = { HELLO: 1, WELCOME: 2, PUBLISH: 16, PUBLISHED: 17, SUBSCRIBE: 32, SUBSCRIBED: 33, CALL: 48, RESULT: 50, REGISTER: 64, REGISTERED: 65 };
    t.answer = (m) => {
      switch (m[0]) {
        case M.HELLO: return [M.WELCOME, 7, { roles: { dealer: {}, broker: {} } }];
        case M.CALL: return [M.RESULT, m[1], {}, ['answer']];
        case M.REGISTER: return [M.REGISTERED, m[1], 100];
        case M.SUBSCRIBE: return [M.SUBSCRIBED, m[1], 200];
        case M.PUBLISH: return [M.PUBLISHED, m[1], 300];
        default: return undefined;
      }
    };
    const session = new ApplicationSession({ realm: 'realm1' });
    const left: CloseDetails[] = [];
    session.on('leave', (d) => void left.push(d));
    const joined = new Promise<void>((resolve) => session.once('join', () => resolve()));
    session.attach(t);
    await withTimeout(joined, 2000, 'join');
    assert.equal(await withTimeout(session.call('x.y'), 2000, 'call'), 'answer');
    assert.equal((await withTimeout(session.register('x.p', () => 1), 2000, 'register')).id, 100);
    assert.equal((await withTimeout(session.subscribe('x.t', () => {}), 2000, 'subscribe')).id, 200);
    assert.equal((await withTimeout(session.publish('x.t', [], {}, { acknowledge: true }), 2000, 'publish'))?.id, 300);
    assert.deepEqual(left, []);
  });
});
