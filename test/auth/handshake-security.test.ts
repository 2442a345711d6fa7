// The router-side handshake's security rules: one AUTHENTICATE per CHALLENGE, none unsolicited,
// in due time; failures are ABORTs with the spec's URI and no secrets in their messages.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ticket, wampcra } from '../../runtime/auth/index.js';
import { RealmAuth } from '../../runtime/auth/router/index.js';

const TICKETS = { ticket: { type: 'static' as const, principals: { joe: { ticket: 'secret!!!', role: 'user' } } } };

describe('AUTHENTICATE rules', () => {
  test('unsolicited AUTHENTICATE (no CHALLENGE outstanding): protocol_violation', async () => {
    const h = new RealmAuth(TICKETS).handshake();
    const o = await h.authenticate('secret!!!', {});
    assert.deepEqual([o.kind, o.kind === 'abort' && o.reason], ['abort', 'wamp.error.protocol_violation']);
  });
  test('AUTHENTICATE after an anonymous WELCOME: protocol_violation', async () => {
    const h = new RealmAuth().handshake();
    assert.equal((await h.hello({ realm: 'r', session: 1 })).kind, 'welcome');
    const o = await h.authenticate('x', {});
    assert.equal(o.kind === 'abort' && o.reason, 'wamp.error.protocol_violation');
  });
  test('replayed AUTHENTICATE (second one for the same CHALLENGE): protocol_violation, even when the first succeeded', async () => {
    const h = new RealmAuth(TICKETS).handshake();
    assert.equal((await h.hello({ realm: 'r', session: 1, authid: 'joe', authmethods: ['ticket'] })).kind, 'challenge');
    assert.equal((await h.authenticate('secret!!!', {})).kind, 'welcome');
    const again = await h.authenticate('secret!!!', {});
    assert.equal(again.kind === 'abort' && again.reason, 'wamp.error.protocol_violation');
  });
  test('two AUTHENTICATEs racing: the second is a protocol_violation, only the first is verified', async () => {
    const h = new RealmAuth(TICKETS).handshake();
    await h.hello({ realm: 'r', session: 1, authid: 'joe', authmethods: ['ticket'] });
    const [first, second] = await Promise.all([h.authenticate('wrong', {}), h.authenticate('secret!!!', {})]);
    assert.equal(first.kind === 'abort' && first.reason, 'wamp.error.authentication_failed');
    assert.equal(second.kind === 'abort' && second.reason, 'wamp.error.protocol_violation');
  });
  test('AUTHENTICATE after a failed one: protocol_violation (no second guess)', async () => {
    const h = new RealmAuth(TICKETS).handshake();
    await h.hello({ realm: 'r', session: 1, authid: 'joe', authmethods: ['ticket'] });
    assert.equal((await h.authenticate('wrong', {})).kind, 'abort');
    const o = await h.authenticate('secret!!!', {});
    assert.equal(o.kind === 'abort' && o.reason, 'wamp.error.protocol_violation');
  });
  test('a second HELLO during authentication: protocol_violation', async () => {
    const h = new RealmAuth(TICKETS).handshake();
    await h.hello({ realm: 'r', session: 1, authid: 'joe', authmethods: ['ticket'] });
    const o = await h.hello({ realm: 'r', session: 1, authid: 'joe', authmethods: ['ticket'] });
    assert.equal(o.kind === 'abort' && o.reason, 'wamp.error.protocol_violation');
  });
  test('reset() allows a new HELLO on the same transport (after GOODBYE)', async () => {
    const h = new RealmAuth(TICKETS).handshake();
    await h.hello({ realm: 'r', session: 1, authid: 'joe', authmethods: ['ticket'] });
    await h.authenticate('secret!!!', {});
    h.reset();
    assert.equal((await h.hello({ realm: 'r', session: 2, authid: 'joe', authmethods: ['ticket'] })).kind, 'challenge');
  });
  test('AUTHENTICATE later than challengeTimeout: authentication_failed (injected clock)', async () => {
    let now = 1000;
    const h = new RealmAuth(TICKETS, undefined, { challengeTimeout: 500, now: () => now }).handshake();
    await h.hello({ realm: 'r', session: 1, authid: 'joe', authmethods: ['ticket'] });
    now += 501;
    const o = await h.authenticate('secret!!!', {});
    assert.equal(o.kind === 'abort' && o.reason, 'wamp.error.authentication_failed');
  });
  test('a non-string signature: protocol_violation', async () => {
    const h = new RealmAuth(TICKETS).handshake();
    await h.hello({ realm: 'r', session: 1, authid: 'joe', authmethods: ['ticket'] });
    const o = await h.authenticate(42, {});
    assert.equal(o.kind === 'abort' && o.reason, 'wamp.error.protocol_violation');
  });
});

describe('no secrets in failures', () => {
  test('WAMP-CRA: the ABORT message contains neither the signature nor the secret', async () => {
    const realm = new RealmAuth({ wampcra: { type: 'static', users: { peter: { secret: 'topsecret', role: 'user' } } } });
    const h = realm.handshake();
    const c = await h.hello({ realm: 'r', session: 1, authid: 'peter', authmethods: ['wampcra'] });
    assert.equal(c.kind, 'challenge');
    const sig = await wampcra({ authid: 'peter', secret: 'guessed' }).onChallenge((c as { extra: Record<string, unknown> }).extra);
    const o = await h.authenticate(sig, {});
    assert.equal(o.kind, 'abort');
    const text = JSON.stringify(o);
    for (const s of ['topsecret', 'guessed', sig]) assert.ok(!text.includes(s), `${s} leaked: ${text}`);
  });
  test('option errors name the option, not the secret', () => {
    assert.throws(() => ticket({ authid: 'joe', ticket: '' }), (e: Error) => /ticket must be a non-empty string/.test(e.message));
    assert.throws(
      () => new RealmAuth({ ticket: { type: 'static', principals: { joe: { ticket: 42 as unknown as string, role: 'user' } } } }),
      (e: Error) => e.message.includes('auth.ticket.principals["joe"].ticket') && !e.message.includes('42'),
    );
  });
  test('an unexpected error inside a verifier becomes a generic authentication_failed', async () => {
    const realm = new RealmAuth({ anonymous: { type: 'dynamic', authenticator: 'com.example.auth' } }, async () => {
      throw new TypeError('db password is hunter2');
    });
    const o = await realm.handshake().hello({ realm: 'r', session: 1 });
    assert.equal(o.kind === 'abort' && o.reason, 'wamp.error.authentication_failed');
    assert.ok(!JSON.stringify(o).includes('hunter2'));
  });
});

describe('config validation', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['not an object', 'ticket', /auth must be an object/],
    ['unknown method', { kerberos: { type: 'static' } }, /unknown authmethod "kerberos"/],
    ['bad type', { ticket: { type: 'ldap' } }, /auth\.ticket\.type must be 'static' or 'dynamic'/],
    ['dynamic without procedure', { ticket: { type: 'dynamic' } }, /auth\.ticket\.authenticator must be a procedure URI/],
    ['missing role', { ticket: { type: 'static', principals: { joe: { ticket: 't' } } } }, /\["joe"\]\.role/],
    ['bad cryptosign key', { cryptosign: { type: 'static', principals: { a: { role: 'r', authorized_keys: ['xyz'] } } } }, /authorized_keys\[0\] must be 64 hex digits/],
    ['wampcra iterations without salt', { wampcra: { type: 'static', users: { a: { role: 'r', secret: 's', iterations: 5 } } } }, /iterations\/keylen need a salt/],
    ['scram bad kdf', { 'wamp-scram': { type: 'static', principals: { a: { role: 'r', kdf: 'md5' } } } }, /kdf must be 'argon2id13' or 'pbkdf2'/],
    ['scram argon2 without memory', { 'wamp-scram': { type: 'static', principals: { a: { role: 'r', kdf: 'argon2id13', iterations: 1, salt: 'AAAA', stored_key: 'A'.repeat(43) + '=', server_key: 'A'.repeat(43) + '=' } } } }, /memory must be an integer/],
  ];
  for (const [name, config, message] of bad) {
    test(`rejects ${name}`, () => {
      assert.throws(() => new RealmAuth(config as never), (e: Error & { code?: string }) => e.code === 'AUTH_INVALID_OPTION' && message.test(e.message));
    });
  }
});
