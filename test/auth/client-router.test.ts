// Each method's client authenticator against its router-side verifier, in-process.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ticket, wampcra, cryptosign, scram, deriveCraKey, deriveScramCredential, cryptosignPublicKey, signCryptosignChallenge } from '../../runtime/auth/index.js';
import { RealmAuth, type RealmAuthConfig } from '../../runtime/auth/router/index.js';
import { toHex, fromHex, randomBytes } from '../../runtime/auth/bytes.js';
import { runFlow } from './flow.js';

const SEED = '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510';
const OTHER_SEED = 'd511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd';
// Cheap KDF parameters keep the suite fast; clients are told to accept them.
const CHEAP = { minPbkdf2Iterations: 1, minArgon2Memory: 8 };

function welcome(outcome: Awaited<ReturnType<typeof runFlow>>['outcome']) {
  assert.equal(outcome.kind, 'welcome', JSON.stringify(outcome));
  return (outcome as Extract<typeof outcome, { kind: 'welcome' }>).result;
}
function aborted(outcome: Awaited<ReturnType<typeof runFlow>>['outcome'], reason: string) {
  assert.equal(outcome.kind, 'abort', JSON.stringify(outcome));
  assert.equal((outcome as Extract<typeof outcome, { kind: 'abort' }>).reason, reason);
  return (outcome as Extract<typeof outcome, { kind: 'abort' }>).message;
}

describe('ticket', () => {
  const realm = new RealmAuth({ ticket: { type: 'static', principals: { joe: { ticket: 'secret!!!', role: 'user' } } } });
  test('right ticket: WELCOME as the principal with its role', async () => {
    const r = await runFlow(realm, ticket({ authid: 'joe', ticket: 'secret!!!' }));
    assert.deepEqual(r.challenge, { method: 'ticket', extra: {} });
    assert.deepEqual(welcome(r.outcome), { authid: 'joe', authrole: 'user', authmethod: 'ticket', authprovider: 'static', authextra: {} });
  });
  test('wrong ticket: ABORT authentication_failed, and the message does not contain either ticket', async () => {
    const r = await runFlow(realm, ticket({ authid: 'joe', ticket: 'guess' }));
    const message = aborted(r.outcome, 'wamp.error.authentication_failed');
    assert.ok(!message.includes('guess') && !message.includes('secret!!!'), message);
  });
  test('unknown authid: ABORT no_such_principal, no CHALLENGE', async () => {
    const r = await runFlow(realm, ticket({ authid: 'eve', ticket: 'x' }));
    assert.equal(r.challenge, undefined);
    aborted(r.outcome, 'wamp.error.no_such_principal');
  });
  test('a ticket function is asked per challenge', async () => {
    let calls = 0;
    const r = await runFlow(realm, ticket({ authid: 'joe', ticket: async () => (calls++, 'secret!!!') }));
    welcome(r.outcome);
    assert.equal(calls, 1);
  });
});

describe('wampcra', () => {
  test('unsalted: the challenge binds authid, role, session; signature verifies', async () => {
    const realm = new RealmAuth({ wampcra: { type: 'static', users: { peter: { secret: 'secret1', role: 'user' } } } });
    const r = await runFlow(realm, wampcra({ authid: 'peter', secret: 'secret1' }), { session: 3251278072152162 });
    const challenge = JSON.parse(r.challenge!.extra['challenge'] as string) as Record<string, unknown>;
    assert.equal(challenge['authid'], 'peter');
    assert.equal(challenge['authrole'], 'user');
    assert.equal(challenge['authmethod'], 'wampcra');
    assert.equal(challenge['session'], 3251278072152162);
    assert.equal(typeof challenge['nonce'], 'string');
    assert.ok(!Number.isNaN(Date.parse(challenge['timestamp'] as string)));
    assert.equal(welcome(r.outcome).authrole, 'user');
  });
  test('salted: router stores the derived key; client derives it from salt/iterations/keylen in the challenge', async () => {
    const secret = await deriveCraKey('password1', 'salt123', 100, 32);
    const realm = new RealmAuth({ wampcra: { type: 'static', users: { peter: { secret, role: 'user', salt: 'salt123', iterations: 100, keylen: 32 } } } });
    const r = await runFlow(realm, wampcra({ authid: 'peter', secret: 'password1' }));
    assert.equal(r.challenge!.extra['salt'], 'salt123');
    assert.equal(r.challenge!.extra['iterations'], 100);
    assert.equal(r.challenge!.extra['keylen'], 32);
    welcome(r.outcome);
  });
  test('wrong secret: ABORT authentication_failed', async () => {
    const realm = new RealmAuth({ wampcra: { type: 'static', users: { peter: { secret: 'secret1', role: 'user' } } } });
    aborted((await runFlow(realm, wampcra({ authid: 'peter', secret: 'secret2' }))).outcome, 'wamp.error.authentication_failed');
  });
  test('a client refuses absurd PBKDF2 parameters from a rogue router', async () => {
    const client = wampcra({ authid: 'peter', secret: 's' });
    await assert.rejects(async () => client.onChallenge({ challenge: '{}', salt: 's', iterations: 1e12, keylen: 32 }), { code: 'AUTH_BAD_CHALLENGE' });
  });
});

describe('cryptosign', () => {
  const pubkey = cryptosignPublicKey(SEED);
  const realm = new RealmAuth({ cryptosign: { type: 'static', principals: { 'client01@example.com': { authorized_keys: [pubkey], role: 'user' } } } });
  test('authorized key: the router challenges with 32 random bytes and accepts the signature', async () => {
    const r = await runFlow(realm, cryptosign({ authid: 'client01@example.com', privateKey: SEED }));
    assert.match(r.challenge!.extra['challenge'] as string, /^[0-9a-f]{64}$/);
    assert.equal(r.challenge!.extra['channel_binding'], null);
    assert.match(r.signature!, /^[0-9a-f]{192}$/);
    assert.deepEqual(welcome(r.outcome), { authid: 'client01@example.com', authrole: 'user', authmethod: 'cryptosign', authprovider: 'static', authextra: {} });
  });
  test('without authid the router assigns the key owner', async () => {
    const r = await runFlow(realm, cryptosign({ privateKey: SEED }));
    assert.equal(welcome(r.outcome).authid, 'client01@example.com');
  });
  test('a fresh challenge per session', async () => {
    const seen = new Set<unknown>();
    for (let i = 0; i < 5; i++) seen.add((await runFlow(realm, cryptosign({ privateKey: SEED }))).challenge!.extra['challenge']);
    assert.equal(seen.size, 5);
  });
  test('unknown key: ABORT no_such_principal', async () => {
    aborted((await runFlow(realm, cryptosign({ privateKey: OTHER_SEED }))).outcome, 'wamp.error.no_such_principal');
  });
  test('signature by another key than the announced one: ABORT authentication_failed', async () => {
    const liar = cryptosign({ privateKey: OTHER_SEED });
    const announced = { ...liar, authextra: { pubkey } } as typeof liar;
    aborted((await runFlow(realm, announced)).outcome, 'wamp.error.authentication_failed');
  });
  test('announcing a pubkey that is not the private key\'s is refused at construction', () => {
    assert.throws(() => cryptosign({ privateKey: SEED, authextra: { pubkey: cryptosignPublicKey(OTHER_SEED) } }), { code: 'AUTH_INVALID_OPTION' });
    assert.throws(() => cryptosign({ privateKey: 'abcd' }), { code: 'AUTH_INVALID_OPTION' });
  });
  test('a signature over a different challenge is refused even if well-formed', async () => {
    const handshake = realm.handshake();
    const c = await handshake.hello({ realm: 'r', session: 1, authmethods: ['cryptosign'], authextra: { pubkey } });
    assert.equal(c.kind, 'challenge');
    const other = await cryptosign({ privateKey: SEED }).onChallenge({ challenge: toHex(randomBytes(32)) });
    aborted(await handshake.authenticate(other, {}), 'wamp.error.authentication_failed');
  });
});

describe('wamp-scram', () => {
  for (const kdf of ['pbkdf2', 'argon2id13'] as const) {
    test(`${kdf}: client proof accepted, router verifier checked by the client`, async () => {
      const cred = await deriveScramCredential({ password: 'pencil', kdf, iterations: kdf === 'pbkdf2' ? 64 : 2, memory: 64 });
      const realm = new RealmAuth({ 'wamp-scram': { type: 'static', principals: { user: { ...cred, role: 'frontend' } } } });
      const client = scram({ authid: 'user', password: 'pencil', costLimits: CHEAP });
      const nonce = client.authextra!['nonce'] as string;
      const r = await runFlow(realm, client);
      assert.ok((r.challenge!.extra['nonce'] as string).startsWith(nonce));
      assert.equal(r.challenge!.extra['kdf'], kdf);
      const result = welcome(r.outcome);
      assert.equal(result.authrole, 'frontend');
      assert.equal(typeof result.authextra['verifier'], 'string');
      assert.notEqual(client.authextra!['nonce'], nonce, 'a new client nonce for the next HELLO');
    });
  }
  test('wrong password: ABORT authentication_failed', async () => {
    const cred = await deriveScramCredential({ password: 'pencil', kdf: 'pbkdf2', iterations: 64 });
    const realm = new RealmAuth({ 'wamp-scram': { type: 'static', principals: { user: { ...cred, role: 'frontend' } } } });
    aborted((await runFlow(realm, scram({ authid: 'user', password: 'crayon', costLimits: CHEAP }))).outcome, 'wamp.error.authentication_failed');
  });
  test('unknown user gets a mock challenge with a salt stable per authid, then fails like a wrong password', async () => {
    const cred = await deriveScramCredential({ password: 'pencil', kdf: 'pbkdf2', iterations: 64 });
    const realm = new RealmAuth({ 'wamp-scram': { type: 'static', principals: { user: { ...cred, role: 'frontend' } } } });
    const a = await runFlow(realm, scram({ authid: 'ghost', password: 'x', costLimits: CHEAP }));
    const b = await runFlow(realm, scram({ authid: 'ghost', password: 'y', costLimits: CHEAP }));
    assert.equal(a.challenge!.extra['salt'], b.challenge!.extra['salt']);
    assert.notEqual(a.challenge!.extra['salt'], cred.salt);
    aborted(a.outcome, 'wamp.error.authentication_failed');
  });
  test('client rejects a forged server signature in WELCOME', async () => {
    const client = scram({ authid: 'user', password: 'pencil', costLimits: CHEAP });
    const cred = await deriveScramCredential({ password: 'pencil', kdf: 'pbkdf2', iterations: 64 });
    const realm = new RealmAuth({ 'wamp-scram': { type: 'static', principals: { user: { ...cred, role: 'frontend' } } } });
    const h = realm.handshake();
    const c = await h.hello({ realm: 'r', session: 1, authid: 'user', authmethods: ['wamp-scram'], authextra: client.authextra! });
    assert.equal(c.kind, 'challenge');
    const proof = await client.onChallenge((c as { extra: Record<string, unknown> }).extra);
    const w = await h.authenticate(proof, client.authenticateExtra!() ?? {});
    assert.equal(w.kind, 'welcome');
    assert.throws(() => client.onWelcome!({ verifier: 'AAAA' }), { code: 'AUTH_BAD_WELCOME' });
    assert.throws(() => client.onWelcome!({}), { code: 'AUTH_BAD_WELCOME' });
  });
  test('client refuses a challenge whose nonce does not extend its own, or with too-low cost', async () => {
    const client = scram({ authid: 'user', password: 'pencil' });
    const nonce = client.authextra!['nonce'] as string;
    await assert.rejects(async () => client.onChallenge({ nonce: 'AAAA' + nonce, salt: 'AAAA', kdf: 'pbkdf2', iterations: 4096 }), { code: 'AUTH_BAD_CHALLENGE' });
    const again = scram({ authid: 'user', password: 'pencil' });
    const n2 = again.authextra!['nonce'] as string;
    await assert.rejects(async () => again.onChallenge({ nonce: n2 + 'AAAA', salt: 'AAAA', kdf: 'pbkdf2', iterations: 1 }), { code: 'AUTH_BAD_CHALLENGE' });
  });
});

describe('method choice', () => {
  const config: RealmAuthConfig = {
    ticket: { type: 'static', principals: { joe: { ticket: 't', role: 'user' } } },
    anonymous: { type: 'static', role: 'guest' },
  };
  test('the first offered method the realm has wins; unknown principal falls through to the next', async () => {
    const realm = new RealmAuth(config);
    const r = await runFlow(realm, ticket({ authid: 'nobody', ticket: 't' }), { authmethods: ['ticket', 'anonymous'] });
    const result = welcome(r.outcome);
    assert.equal(result.authmethod, 'anonymous');
    assert.equal(result.authrole, 'guest');
  });
  test('no offered method configured: ABORT no_matching_auth_method', async () => {
    const realm = new RealmAuth({ ticket: config.ticket! });
    aborted((await runFlow(realm, wampcra({ authid: 'a', secret: 's' }))).outcome, 'wamp.error.no_matching_auth_method');
  });
  test('no auth config: anonymous only, as before', async () => {
    const realm = new RealmAuth();
    assert.deepEqual(realm.methods, ['anonymous']);
    const h = realm.handshake();
    const o = await h.hello({ realm: 'r', session: 1 });
    assert.equal(o.kind, 'welcome');
    assert.equal((o as { result: { authrole: string } }).result.authrole, 'anonymous');
  });
});

describe('cryptosign router authentication', () => {
  const ROUTER_SEED = 'b05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2';
  const pubkey = cryptosignPublicKey(SEED);
  const principals = { dev: { authorized_keys: [pubkey], role: 'device' } };
  test('the router signs the client\'s challenge; the client checks it against the router key it trusts', async () => {
    const realm = new RealmAuth({ cryptosign: { type: 'static', principals, router_key: ROUTER_SEED } });
    const client = cryptosign({ privateKey: SEED, routerPublicKey: cryptosignPublicKey(ROUTER_SEED) });
    const first = client.authextra!['challenge'];
    assert.match(first as string, /^[0-9a-f]{64}$/);
    const r = await runFlow(realm, client);
    assert.equal(r.challenge!.extra['pubkey'], cryptosignPublicKey(ROUTER_SEED));
    assert.match(r.challenge!.extra['signature'] as string, /^[0-9a-f]{192}$/);
    assert.equal(welcome(r.outcome).authid, 'dev');
    assert.notEqual(client.authextra!['challenge'], first, 'a fresh client challenge for the next HELLO');
  });
  test('a router with another key, or none, is refused by the client', async () => {
    const impostor = new RealmAuth({ cryptosign: { type: 'static', principals, router_key: OTHER_SEED } });
    const trusting = () => cryptosign({ privateKey: SEED, routerPublicKey: cryptosignPublicKey(ROUTER_SEED) });
    await assert.rejects(runFlow(impostor, trusting()), { code: 'AUTH_BAD_CHALLENGE' });
    const keyless = new RealmAuth({ cryptosign: { type: 'static', principals } });
    await assert.rejects(runFlow(keyless, trusting()), { code: 'AUTH_BAD_CHALLENGE' });
  });
  test('a signature over an old client challenge (replay) is refused', async () => {
    const client = cryptosign({ privateKey: SEED, routerPublicKey: cryptosignPublicKey(ROUTER_SEED) });
    const stale = signCryptosignChallenge(fromHex(ROUTER_SEED)!, fromHex(client.authextra!['challenge'] as string)!);
    await client.onChallenge({ challenge: toHex(randomBytes(32)), pubkey: cryptosignPublicKey(ROUTER_SEED), signature: stale });
    await assert.rejects(async () => client.onChallenge({ challenge: toHex(randomBytes(32)), pubkey: cryptosignPublicKey(ROUTER_SEED), signature: stale }), { code: 'AUTH_BAD_CHALLENGE' });
  });
  test('router_key and routerPublicKey are validated', () => {
    assert.throws(() => new RealmAuth({ cryptosign: { type: 'static', principals, router_key: 'xyz' } }), /router_key must be a 32-byte Ed25519 seed/);
    assert.throws(() => cryptosign({ privateKey: SEED, routerPublicKey: '12' }), { code: 'AUTH_INVALID_OPTION' });
  });
});
