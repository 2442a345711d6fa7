// The real ApplicationSession with each client authenticator, against RealmAuth behind a
// stand-in router front (see auth-front.ts), over an in-memory transport.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationSession, type CloseDetails, type SessionDetails } from '../../runtime/wamp/session.js';
import { ticket, wampcra, cryptosign, scram, cryptosignPublicKey, deriveScramCredential, deriveCraKey } from '../../runtime/auth/index.js';
import { RealmAuth } from '../../runtime/auth/router/index.js';
import type { Authenticator } from '../../runtime/wamp/auth.js';
import { startAuthFront, type AuthFront } from './auth-front.js';
import { createMemoryPair } from '../../runtime/transports/memory.js';

const SEED = 'd511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd';

async function join(realm: RealmAuth, authenticators: Authenticator[]): Promise<{ joined?: SessionDetails; left?: CloseDetails; front: AuthFront; session: ApplicationSession }> {
  const front = startAuthFront(realm);
  const session = new ApplicationSession({ realm: 'realm1', authenticators });
  // A refused join disconnects (default onLeave); either event ends the wait.
  const outcome = new Promise<{ joined?: SessionDetails; left?: CloseDetails }>((resolve) => {
    session.once('join', (d) => resolve({ joined: d }));
    session.once('leave', (d) => resolve({ left: d }));
  });
  session.attach(front.client);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const result = await Promise.race([outcome, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('join timed out')), 10_000)))]);
  clearTimeout(timer);
  return { ...result, front, session };
}

function done(session: ApplicationSession): void {
  session.disconnect();
}

describe('ApplicationSession with the client authenticators', () => {
  test('ticket: HELLO offers ticket with the authid; joins with the configured role', async () => {
    const realm = new RealmAuth({ ticket: { type: 'static', principals: { joe: { ticket: 'secret!!!', role: 'user' } } } });
    const r = await join(realm, [ticket({ authid: 'joe', ticket: 'secret!!!' })]);
    const hello = r.front.received[0]![2] as Record<string, unknown>;
    assert.deepEqual(hello['authmethods'], ['ticket']);
    assert.equal(hello['authid'], 'joe');
    assert.equal(r.joined?.authrole, 'user');
    assert.equal(r.joined?.authmethod, 'ticket');
    done(r.session);
  });
  test('ticket, wrong: the session leaves with authentication_failed', async () => {
    const realm = new RealmAuth({ ticket: { type: 'static', principals: { joe: { ticket: 'secret!!!', role: 'user' } } } });
    const r = await join(realm, [ticket({ authid: 'joe', ticket: 'nope' })]);
    assert.equal(r.left?.reason, 'wamp.error.authentication_failed');
  });
  test('wampcra (salted)', async () => {
    const secret = await deriveCraKey('pw', 'NaCl', 50, 32);
    const realm = new RealmAuth({ wampcra: { type: 'static', users: { peter: { secret, role: 'user', salt: 'NaCl', iterations: 50, keylen: 32 } } } });
    const r = await join(realm, [wampcra({ authid: 'peter', secret: 'pw' })]);
    assert.equal(r.joined?.authid, 'peter');
    done(r.session);
  });
  test('cryptosign: the pubkey is announced in HELLO authextra; the router assigns the authid', async () => {
    const pubkey = cryptosignPublicKey(SEED);
    const realm = new RealmAuth({ cryptosign: { type: 'static', principals: { 'dev@example.com': { authorized_keys: [pubkey], role: 'device' } } } });
    const r = await join(realm, [cryptosign({ privateKey: SEED })]);
    assert.deepEqual((r.front.received[0]![2] as Record<string, unknown>)['authextra'], { pubkey });
    assert.equal(r.joined?.authid, 'dev@example.com');
    done(r.session);
  });
  test('wamp-scram (argon2id13): the client nonce is in HELLO; the verifier reaches WELCOME.authextra', async () => {
    const cred = await deriveScramCredential({ password: 'pencil', kdf: 'argon2id13', iterations: 1, memory: 64 });
    const realm = new RealmAuth({ 'wamp-scram': { type: 'static', principals: { user: { ...cred, role: 'frontend' } } } });
    const r = await join(realm, [scram({ authid: 'user', password: 'pencil', costLimits: { minArgon2Memory: 8 } })]);
    assert.equal(typeof (r.front.received[0]![2] as { authextra: Record<string, unknown> }).authextra['nonce'], 'string');
    assert.equal(r.joined?.authrole, 'frontend');
    assert.equal(typeof r.joined?.authextra?.['verifier'], 'string');
    done(r.session);
  });
  test('several authenticators: all methods offered, the router picks, the matching one answers', async () => {
    const realm = new RealmAuth({ wampcra: { type: 'static', users: { peter: { secret: 's', role: 'crauser' } } } });
    const r = await join(realm, [ticket({ authid: 'peter', ticket: 't' }), wampcra({ authid: 'peter', secret: 's' })]);
    assert.deepEqual((r.front.received[0]![2] as Record<string, unknown>)['authmethods'], ['ticket', 'wampcra']);
    assert.equal(r.joined?.authrole, 'crauser');
    done(r.session);
  });
});

// ApplicationSession uses the optional Authenticator hooks (runtime/wamp/auth.ts):
// authenticateExtra() for AUTHENTICATE.Extra and onWelcome() for the SCRAM verifier.
describe('session use of the optional Authenticator hooks', () => {
  test('AUTHENTICATE carries the SCRAM Extra (combined nonce, no channel binding)', async () => {
    const cred = await deriveScramCredential({ password: 'pencil', kdf: 'pbkdf2', iterations: 16 });
    const realm = new RealmAuth({ 'wamp-scram': { type: 'static', principals: { user: { ...cred, role: 'frontend' } } } });
    const r = await join(realm, [scram({ authid: 'user', password: 'pencil', costLimits: { minPbkdf2Iterations: 1 } })]);
    const auth = r.front.received.find((m) => m[0] === 5)!;
    const challenge = r.front.outcomes[0]!;
    assert.equal(challenge.kind, 'challenge');
    assert.deepEqual(auth[2], { nonce: challenge.kind === 'challenge' ? challenge.extra['nonce'] : '', channel_binding: null, cbind_data: null });
    done(r.session);
  });
  test('a WELCOME with a forged SCRAM verifier is refused: the session does not join', async () => {
    const cred = await deriveScramCredential({ password: 'pencil', kdf: 'pbkdf2', iterations: 16 });
    // The credential's ServerKey is replaced: the router's verifier cannot match what the client expects.
    const forged = { ...cred, server_key: 'A'.repeat(43) + '=' };
    const realm = new RealmAuth({ 'wamp-scram': { type: 'static', principals: { user: { ...forged, role: 'frontend' } } } });
    const r = await join(realm, [scram({ authid: 'user', password: 'pencil', costLimits: { minPbkdf2Iterations: 1 } })]);
    assert.equal(r.joined, undefined);
    assert.equal(r.left?.reason, 'wamp.error.authentication_failed');
  });
});

/** Whether the session's HELLO carries every authenticator's authextra. */
async function helloMergesAuthextra(): Promise<boolean> {
  const [client, server] = createMemoryPair();
  const hello = new Promise<unknown[]>((resolve) => server.on('message', (m) => resolve(m as unknown[])));
  const session = new ApplicationSession({
    realm: 'realm1',
    authenticators: [
      { method: 'x-one', authextra: { one: 1 }, onChallenge: () => '' },
      { method: 'x-two', authextra: { two: 2 }, onChallenge: () => '' },
    ],
  });
  session.attach(client);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const m = await Promise.race([hello, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 5000)))]);
  clearTimeout(timer);
  session.disconnect();
  const extra = (m?.[2] as { authextra?: Record<string, unknown> } | undefined)?.authextra ?? {};
  return extra['one'] === 1 && extra['two'] === 2;
}

describe('HELLO with authenticators of different methods', () => {
  // The methods' authextra keys do not collide (cryptosign: pubkey, challenge; wamp-scram:
  // nonce, channel_binding), so HELLO carries all of them and lets the router pick.
  test('HELLO carries every authenticator\'s authextra', async () => {
    assert.equal(await helloMergesAuthextra(), true);
  });
  test('cryptosign + wamp-scram offered, the realm has only wamp-scram: SCRAM still finds its nonce', async () => {
    const cred = await deriveScramCredential({ password: 'pencil', kdf: 'pbkdf2', iterations: 16 });
    const realm = new RealmAuth({ 'wamp-scram': { type: 'static', principals: { user: { ...cred, role: 'frontend' } } } });
    const r = await join(realm, [cryptosign({ privateKey: SEED, authid: 'user' }), scram({ authid: 'user', password: 'pencil', costLimits: { minPbkdf2Iterations: 1 } })]);
    assert.equal(r.joined?.authmethod, 'wamp-scram', JSON.stringify(r.left));
    done(r.session);
  });
});
