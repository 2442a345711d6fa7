// Dynamic authentication: the router calls a WAMP procedure (injected `call`) with
// (realm, authid, details), Crossbar-style, and admits under the role it returns.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ticket, wampcra, cryptosign, scram, cryptosignPublicKey, deriveScramCredential } from '../../runtime/auth/index.js';
import { RealmAuth, type AuthenticatorCall } from '../../runtime/auth/router/index.js';
import { ApplicationError } from '../../runtime/wamp/application-error.js';
import { runFlow } from './flow.js';

const SEED = '6e1fde9cf9e2359a87420b65a87dc0c66136e66945196ba2475990d8a0c3a25b';

function recorder(answer: (args: unknown[]) => unknown): { call: AuthenticatorCall; calls: Array<{ procedure: string; args: unknown[] }> } {
  const calls: Array<{ procedure: string; args: unknown[] }> = [];
  return {
    calls,
    call: async (procedure, args) => {
      calls.push({ procedure, args });
      return answer(args);
    },
  };
}

describe('dynamic authenticators', () => {
  test('ticket: the authenticator sees (realm, authid, details with the ticket) and its role is used', async () => {
    const { call, calls } = recorder(([, , details]) => ((details as { ticket: string }).ticket === 'tok-1' ? { role: 'admin', authextra: { tier: 2 } } : Promise.reject(new ApplicationError('wamp.error.not_authorized'))));
    const realm = new RealmAuth({ ticket: { type: 'dynamic', authenticator: 'com.example.authenticate' } }, call);
    const ok = await runFlow(realm, ticket({ authid: 'joe', ticket: 'tok-1' }), { session: 77 });
    assert.equal(ok.outcome.kind, 'welcome');
    assert.deepEqual(ok.outcome.kind === 'welcome' && ok.outcome.result, { authid: 'joe', authrole: 'admin', authmethod: 'ticket', authprovider: 'dynamic', authextra: { tier: 2 } });
    assert.equal(calls[0]!.procedure, 'com.example.authenticate');
    assert.equal(calls[0]!.args[0], 'realm1');
    assert.equal(calls[0]!.args[1], 'joe');
    assert.equal((calls[0]!.args[2] as Record<string, unknown>)['session'], 77);
    assert.equal((calls[0]!.args[2] as Record<string, unknown>)['authmethod'], 'ticket');
    const denied = await runFlow(realm, ticket({ authid: 'joe', ticket: 'nope' }));
    assert.equal(denied.outcome.kind === 'abort' && denied.outcome.reason, 'wamp.error.not_authorized', 'an auth URI raised by the authenticator is the ABORT reason');
  });
  test('a non-auth error URI from the authenticator becomes authentication_failed', async () => {
    const realm = new RealmAuth({ ticket: { type: 'dynamic', authenticator: 'com.example.authenticate' } }, async () => {
      throw new ApplicationError('com.example.oops', ['internal detail']);
    });
    const r = await runFlow(realm, ticket({ authid: 'joe', ticket: 't' }));
    assert.equal(r.outcome.kind === 'abort' && r.outcome.reason, 'wamp.error.authentication_failed');
    assert.ok(!JSON.stringify(r.outcome).includes('internal detail'));
  });
  test('a role string is enough; a reply without a role is a failure', async () => {
    const realm = new RealmAuth({ anonymous: { type: 'dynamic', authenticator: 'a.b' } }, async () => 'visitor');
    const r = await runFlow(realm, { method: 'anonymous', onChallenge: () => '' });
    assert.equal(r.outcome.kind === 'welcome' && r.outcome.result.authrole, 'visitor');
    const none = new RealmAuth({ anonymous: { type: 'dynamic', authenticator: 'a.b' } }, async () => ({ authid: 'x' }));
    const n = await runFlow(none, { method: 'anonymous', onChallenge: () => '' });
    assert.equal(n.outcome.kind === 'abort' && n.outcome.reason, 'wamp.error.authentication_failed');
  });
  test('wampcra: the authenticator returns the secret, the router runs the challenge; it may rename the authid', async () => {
    const realm = new RealmAuth({ wampcra: { type: 'dynamic', authenticator: 'a.b' } }, async () => ({ secret: 's3', role: 'user', authid: 'peter@example.com' }));
    const r = await runFlow(realm, wampcra({ authid: 'peter', secret: 's3' }));
    assert.equal(JSON.parse(r.challenge!.extra['challenge'] as string).authid, 'peter@example.com');
    assert.equal(r.outcome.kind === 'welcome' && r.outcome.result.authid, 'peter@example.com');
    const wrong = await runFlow(realm, wampcra({ authid: 'peter', secret: 'other' }));
    assert.equal(wrong.outcome.kind === 'abort' && wrong.outcome.reason, 'wamp.error.authentication_failed');
  });
  test('cryptosign: the authenticator sees the pubkey; a returned key list that lacks it is refused', async () => {
    const pubkey = cryptosignPublicKey(SEED);
    const { call, calls } = recorder(() => ({ role: 'device', authid: 'dev-1', pubkey }));
    const realm = new RealmAuth({ cryptosign: { type: 'dynamic', authenticator: 'a.b' } }, call);
    const r = await runFlow(realm, cryptosign({ privateKey: SEED }));
    assert.equal(r.outcome.kind === 'welcome' && r.outcome.result.authid, 'dev-1');
    assert.equal(((calls[0]!.args[2] as Record<string, unknown>)['authextra'] as Record<string, unknown>)['pubkey'], pubkey);
    const other = new RealmAuth({ cryptosign: { type: 'dynamic', authenticator: 'a.b' } }, async () => ({ role: 'device', authorized_keys: ['00'.repeat(32)] }));
    const refused = await runFlow(other, cryptosign({ privateKey: SEED }));
    assert.equal(refused.outcome.kind === 'abort' && refused.outcome.reason, 'wamp.error.authentication_failed');
  });
  test('wamp-scram: the authenticator returns the stored credential', async () => {
    const cred = await deriveScramCredential({ password: 'pw', kdf: 'pbkdf2', iterations: 32 });
    const realm = new RealmAuth({ 'wamp-scram': { type: 'dynamic', authenticator: 'a.b' } }, async () => ({ ...cred, role: 'user' }));
    const r = await runFlow(realm, scram({ authid: 'u', password: 'pw', costLimits: { minPbkdf2Iterations: 1 } }));
    assert.equal(r.outcome.kind === 'welcome' && r.outcome.result.authprovider, 'dynamic');
  });
  test('dynamic config without a call function: authentication_failed, not a crash', async () => {
    const realm = new RealmAuth({ ticket: { type: 'dynamic', authenticator: 'a.b' } });
    const r = await runFlow(realm, ticket({ authid: 'joe', ticket: 't' }));
    assert.equal(r.outcome.kind === 'abort' && r.outcome.reason, 'wamp.error.authentication_failed');
  });
});
