// End to end: the embedded Router authenticating real sessions with each method. Skipped until
// the router supports authentication (realm `auth` config + HELLO/CHALLENGE/AUTHENTICATE), which
// is detected by behaviour: a ticket HELLO to a realm configured for tickets gets a CHALLENGE.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from '../../runtime/router/router.js';
import type { RouterOptions } from '../../runtime/router/config.js';
import { ApplicationSession, type CloseDetails, type SessionDetails, type SessionConfig } from '../../runtime/wamp/session.js';
import { createMemoryPair } from '../../runtime/transports/memory.js';
import { ticket, wampcra, cryptosign, scram, cryptosignPublicKey, deriveCraKey, deriveScramCredential } from '../../runtime/auth/index.js';
import type { RealmAuthConfig } from '../../runtime/auth/router/index.js';
import { RawPeer, withTimeout } from '../router/helpers.js';

const SEED = '6e1fde9cf9e2359a87420b65a87dc0c66136e66945196ba2475990d8a0c3a25b';

async function authConfig(): Promise<RealmAuthConfig> {
  return {
    anonymous: { type: 'static', role: 'trusted' },
    ticket: { type: 'static', principals: { joe: { ticket: 'secret!!!', role: 'user' } } },
    wampcra: { type: 'static', users: { peter: { secret: await deriveCraKey('pw', 'salt123', 100, 32), role: 'user', salt: 'salt123', iterations: 100, keylen: 32 } } },
    cryptosign: { type: 'static', principals: { 'dev@example.com': { authorized_keys: [cryptosignPublicKey(SEED)], role: 'device' } } },
    'wamp-scram': { type: 'static', principals: { user: { ...(await deriveScramCredential({ password: 'pencil', kdf: 'pbkdf2', iterations: 64 })), role: 'frontend' } } },
  };
}

function makeAuthRouter(auth: RealmAuthConfig | Record<string, unknown>, name = 'realm1'): Router {
  // `auth` on a realm is the integration's config shape (RealmConfig gains `auth?: RealmAuthConfig`).
  return new Router({ realms: [{ name, auth } as unknown as RouterOptions['realms'][number]], helloTimeout: 2000 });
}

async function join(router: Router, config: SessionConfig): Promise<{ session: ApplicationSession; joined?: SessionDetails; left?: CloseDetails }> {
  const [client, server] = createMemoryPair();
  router.attach(server);
  const session = new ApplicationSession({ realm: 'realm1', ...config });
  const outcome = new Promise<{ joined?: SessionDetails; left?: CloseDetails }>((resolve) => {
    session.once('join', (d) => resolve({ joined: d }));
    session.once('leave', (d) => resolve({ left: d }));
  });
  session.attach(client);
  return { session, ...(await withTimeout(outcome, 10_000, 'join')) };
}

/** Why the e2e tests cannot run yet, or undefined when the router authenticates. */
async function routerLacksAuth(): Promise<string | undefined> {
  let router: Router;
  try {
    router = makeAuthRouter({ ticket: { type: 'static', principals: { joe: { ticket: 't', role: 'user' } } } });
  } catch (error) {
    return `the router does not accept realm auth config yet (${(error as Error).message})`;
  }
  try {
    const peer = new RawPeer(router);
    peer.send([1, 'realm1', { roles: { caller: {} }, authmethods: ['ticket'], authid: 'joe' }]);
    for (let i = 0; i < 300 && peer.received.length === 0 && !peer.closed; i++) await new Promise((r) => setTimeout(r, 10));
    const reply = peer.received[0] as unknown[] | undefined;
    peer.transport.close();
    if (reply?.[0] === 4) return undefined;
    return `the router does not authenticate yet: a ticket HELLO got ${JSON.stringify(reply ?? 'no reply')}, not CHALLENGE`;
  } catch (error) {
    return `probe failed: ${(error as Error).message}`;
  } finally {
    await router.close(20);
  }
}

describe('router authentication end to end', async () => {
  const skip = await routerLacksAuth();

  test('each method joins with the configured role; WELCOME carries the auth fields', { skip }, async () => {
    const router = makeAuthRouter(await authConfig());
    try {
      const cases: Array<[SessionConfig['authenticators'], string, string, string]> = [
        [[ticket({ authid: 'joe', ticket: 'secret!!!' })], 'joe', 'user', 'ticket'],
        [[wampcra({ authid: 'peter', secret: 'pw' })], 'peter', 'user', 'wampcra'],
        [[cryptosign({ privateKey: SEED })], 'dev@example.com', 'device', 'cryptosign'],
        [[scram({ authid: 'user', password: 'pencil', costLimits: { minPbkdf2Iterations: 1 } })], 'user', 'frontend', 'wamp-scram'],
        [[], '', 'trusted', 'anonymous'],
      ];
      for (const [authenticators, authid, role, method] of cases) {
        const r = await join(router, { authenticators: authenticators! });
        assert.ok(r.joined, `${method}: ${JSON.stringify(r.left)}`);
        if (authid !== '') assert.equal(r.joined.authid, authid);
        assert.equal(r.joined.authrole, role);
        assert.equal(r.joined.authmethod, method);
        assert.equal(r.joined.authprovider, 'static');
        await r.session.leave();
      }
    } finally {
      await router.close(50);
    }
  });

  test('wrong credentials: ABORT authentication_failed for every method', { skip }, async () => {
    const router = makeAuthRouter(await authConfig());
    try {
      for (const authenticators of [
        [ticket({ authid: 'joe', ticket: 'nope' })],
        [wampcra({ authid: 'peter', secret: 'nope' })],
        [scram({ authid: 'user', password: 'nope', costLimits: { minPbkdf2Iterations: 1 } })],
      ]) {
        const r = await join(router, { authenticators });
        assert.equal(r.joined, undefined);
        assert.equal(r.left?.reason, 'wamp.error.authentication_failed');
      }
    } finally {
      await router.close(50);
    }
  });

  test('unsolicited AUTHENTICATE and a replayed AUTHENTICATE are protocol violations', { skip }, async () => {
    const router = makeAuthRouter(await authConfig());
    try {
      const unsolicited = new RawPeer(router);
      unsolicited.send([5, 'secret!!!', {}]);
      assert.equal((await unsolicited.next(3))[2], 'wamp.error.protocol_violation');

      const replay = new RawPeer(router);
      replay.send([1, 'realm1', { roles: { caller: {} }, authmethods: ['ticket'], authid: 'joe' }]);
      await replay.next(4);
      replay.send([5, 'secret!!!', {}]);
      await replay.next(2);
      replay.send([5, 'secret!!!', {}]);
      assert.equal((await replay.next(3))[2], 'wamp.error.protocol_violation');
    } finally {
      await router.close(50);
    }
  });

  test('dynamic: a ticket authenticator registered on the realm by a trusted component decides', { skip }, async () => {
    const router = makeAuthRouter({
      anonymous: { type: 'static', role: 'trusted' },
      ticket: { type: 'dynamic', authenticator: 'com.example.authenticate' },
    });
    try {
      const backend = await join(router, {});
      assert.ok(backend.joined);
      await backend.session.register('com.example.authenticate', (args) => {
        const [realm, authid, details] = args as [string, string, { ticket: string }];
        if (realm === 'realm1' && authid === 'joe' && details.ticket === 'tok') return { role: 'user' };
        throw new Error('denied');
      });
      const ok = await join(router, { authenticators: [ticket({ authid: 'joe', ticket: 'tok' })] });
      assert.equal(ok.joined?.authprovider, 'dynamic');
      assert.equal(ok.joined?.authrole, 'user');
      await ok.session.leave();
      const bad = await join(router, { authenticators: [ticket({ authid: 'joe', ticket: 'other' })] });
      assert.equal(bad.left?.reason, 'wamp.error.authentication_failed');
      await backend.session.leave();
    } finally {
      await router.close(50);
    }
  });
});
