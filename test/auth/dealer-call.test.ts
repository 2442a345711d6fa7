// Dynamic authentication through the real router's dealer: the authenticator is an ordinary
// procedure registered by a component; dealerCall() invokes it as a router-internal caller.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ticket } from '../../runtime/auth/index.js';
import { RealmAuth, dealerCall } from '../../runtime/auth/router/index.js';
import { ApplicationError } from '../../runtime/wamp/application-error.js';
import { makeRouter, joinSession } from '../router/helpers.js';
import { runFlow } from './flow.js';

describe('dealerCall: dynamic authenticator procedures on the router itself', () => {
  test('the procedure receives (realm, authid, details) and its answer admits or denies', async () => {
    const router = makeRouter();
    const { session } = await joinSession(router);
    try {
      const seen: unknown[][] = [];
      await session.register('com.example.authenticate', (args) => {
        seen.push(args);
        const details = args[2] as { ticket?: string };
        if (details.ticket === 'valid') return { role: 'user', authextra: { via: 'dealer' } };
        throw new ApplicationError('wamp.error.not_authorized', ['bad ticket']);
      });
      const call = dealerCall(router.realm('realm1')!.dealer, { timeout: 5000 });
      const realm = new RealmAuth({ ticket: { type: 'dynamic', authenticator: 'com.example.authenticate' } }, call);
      const ok = await runFlow(realm, ticket({ authid: 'joe', ticket: 'valid' }));
      assert.equal(ok.outcome.kind, 'welcome');
      assert.deepEqual(ok.outcome.kind === 'welcome' && ok.outcome.result.authextra, { via: 'dealer' });
      assert.deepEqual(seen[0]!.slice(0, 2), ['realm1', 'joe']);
      const denied = await runFlow(realm, ticket({ authid: 'joe', ticket: 'forged' }));
      assert.equal(denied.outcome.kind === 'abort' && denied.outcome.reason, 'wamp.error.not_authorized');
      const missing = new RealmAuth({ ticket: { type: 'dynamic', authenticator: 'com.example.nobody' } }, call);
      const none = await runFlow(missing, ticket({ authid: 'joe', ticket: 'valid' }));
      assert.equal(none.outcome.kind === 'abort' && none.outcome.reason, 'wamp.error.authentication_failed');
    } finally {
      await session.leave();
      await router.close(50);
    }
  });
  test('an authenticator that never answers times out into authentication_failed', async () => {
    const router = makeRouter();
    const { session } = await joinSession(router);
    try {
      await session.register('com.example.slow', (_a, _k, details) => new Promise((resolve) => details.signal.addEventListener('abort', () => resolve('late'))));
      const realm = new RealmAuth({ anonymous: { type: 'dynamic', authenticator: 'com.example.slow' } }, dealerCall(router.realm('realm1')!.dealer, { timeout: 100 }));
      const r = await realm.handshake().hello({ realm: 'realm1', session: 9 });
      assert.equal(r.kind === 'abort' && r.reason, 'wamp.error.authentication_failed');
    } finally {
      await session.leave();
      await router.close(50);
    }
  });
});
