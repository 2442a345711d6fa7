// The router session's authentication states: CHALLENGE/AUTHENTICATE through the realm's auth
// config, a stalled authentication dropped by the hello timer, a client ABORT while challenged.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { makeRouter, joinSession, RawPeer } from './helpers.js';
import { ticket } from '../../runtime/auth/index.js';

const M = { HELLO: 1, WELCOME: 2, ABORT: 3, CHALLENGE: 4, AUTHENTICATE: 5 } as const;
const realms = [{ name: 'realm1', auth: { ticket: { type: 'static' as const, principals: { joe: { ticket: 's3cret', role: 'user' } } } } }];

describe('router authentication', () => {
  test('ticket: CHALLENGE, AUTHENTICATE, WELCOME with the configured identity; Component-style session joins', async () => {
    const router = makeRouter({ realms });
    const peer = new RawPeer(router);
    peer.send([M.HELLO, 'realm1', { roles: { caller: {} }, authmethods: ['ticket'], authid: 'joe' }]);
    const challenge = await peer.next(M.CHALLENGE);
    assert.equal(challenge[1], 'ticket');
    peer.send([M.AUTHENTICATE, 's3cret', {}]);
    const welcome = await peer.next(M.WELCOME);
    const details = welcome[2] as Record<string, unknown>;
    assert.equal(details['authid'], 'joe');
    assert.equal(details['authrole'], 'user');
    assert.equal(details['authmethod'], 'ticket');

    const { session, details: joined } = await joinSession(router, { authenticators: [ticket({ authid: 'joe', ticket: 's3cret' })] });
    assert.equal(joined.authrole, 'user');
    await session.leave();
    await router.close(50);
  });

  test('anonymous is refused on a realm that only offers ticket', async () => {
    const router = makeRouter({ realms });
    const peer = new RawPeer(router);
    peer.send([M.HELLO, 'realm1', { roles: { caller: {} } }]);
    const abort = await peer.next(M.ABORT);
    assert.equal(abort[2], 'wamp.error.no_matching_auth_method');
    await router.close(50);
  });

  test('a client that never answers the CHALLENGE is dropped after helloTimeout', async () => {
    const router = makeRouter({ realms, helloTimeout: 100 });
    const peer = new RawPeer(router);
    peer.send([M.HELLO, 'realm1', { roles: { caller: {} }, authmethods: ['ticket'], authid: 'joe' }]);
    await peer.next(M.CHALLENGE);
    await peer.waitClosed();
    assert.equal(router.sessionCount, 0);
    await router.close(50);
  });

  test('a client ABORT while challenged closes quietly; anything else is a protocol violation', async () => {
    const router = makeRouter({ realms });
    const quitter = new RawPeer(router);
    quitter.send([M.HELLO, 'realm1', { roles: { caller: {} }, authmethods: ['ticket'], authid: 'joe' }]);
    await quitter.next(M.CHALLENGE);
    quitter.send([M.ABORT, {}, 'wamp.error.canceled']);
    await quitter.waitClosed();
    assert.deepEqual(quitter.received, []);

    const confused = new RawPeer(router);
    confused.send([M.HELLO, 'realm1', { roles: { caller: {} }, authmethods: ['ticket'], authid: 'joe' }]);
    await confused.next(M.CHALLENGE);
    confused.send([48, 1, {}, 'a.b']);
    const abort = await confused.next(M.ABORT);
    assert.equal(abort[2], 'wamp.error.protocol_violation');
    await router.close(50);
  });

  test('realm auth config is validated at the boundary, naming the path', () => {
    assert.throws(() => makeRouter({ realms: [{ name: 'r', auth: { ticket: { type: 'nope' } } as never }] }), /realms\[0\]\.auth/);
  });
});
