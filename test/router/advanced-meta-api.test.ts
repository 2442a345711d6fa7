// Meta API against a stand-in realm: session/registration/subscription procedures, meta events, testaments.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  MetaApi, MetaProcedure, MetaTopic, type MetaRealmView, type MetaSessionInfo, type MetaRegistrationInfo, type MetaSubscriptionInfo, type MetaResult,
} from '../../runtime/router/meta-api.js';
import { TestamentStore } from '../../runtime/router/testament.js';
import { UriIndex, type UriMatch } from '../../runtime/router/uri-matcher.js';
import type { PeerIdentity } from '../../runtime/router/peer.js';

class FakeRealm implements MetaRealmView {
  readonly sessionsById = new Map<number, MetaSessionInfo>();
  readonly regs = new UriIndex<MetaRegistrationInfo>();
  readonly subs = new UriIndex<MetaSubscriptionInfo>();
  readonly killed: Array<[number, string, string | undefined]> = [];
  readonly published: Array<[string, unknown[], Record<string, unknown> | undefined, Record<string, unknown> | undefined]> = [];

  addSession(s: MetaSessionInfo): void { this.sessionsById.set(s.session, s); }
  sessions(): Iterable<MetaSessionInfo> { return this.sessionsById.values(); }
  session(id: number): MetaSessionInfo | undefined { return this.sessionsById.get(id); }
  kill(id: number, reason: string, message?: string): boolean {
    if (!this.sessionsById.delete(id)) return false;
    this.killed.push([id, reason, message]);
    return true;
  }
  registrations(): Iterable<MetaRegistrationInfo> { return [...this.regs.entries()].map((e) => e.value); }
  registration(id: number): MetaRegistrationInfo | undefined { return [...this.registrations()].find((r) => r.id === id); }
  lookupRegistration(uri: string, match: UriMatch): MetaRegistrationInfo | undefined { return this.regs.get(uri, match); }
  matchRegistration(uri: string): MetaRegistrationInfo | undefined { return this.regs.best(uri)?.value; }
  subscriptions(): Iterable<MetaSubscriptionInfo> { return [...this.subs.entries()].map((e) => e.value); }
  subscription(id: number): MetaSubscriptionInfo | undefined { return [...this.subscriptions()].find((s) => s.id === id); }
  lookupSubscription(uri: string, match: UriMatch): MetaSubscriptionInfo | undefined { return this.subs.get(uri, match); }
  matchSubscriptions(uri: string): MetaSubscriptionInfo[] { return this.subs.matches(uri).map((e) => e.value); }
  publish(topic: string, args: unknown[], kwargs?: Record<string, unknown>, options?: Record<string, unknown>): void {
    this.published.push([topic, args, kwargs, options]);
  }
}

const created = '2026-11-24T22:00:00.000Z';

function setup(): { realm: FakeRealm; api: MetaApi; me: PeerIdentity } {
  const realm = new FakeRealm();
  realm.addSession({ session: 1, authid: 'alice', authrole: 'admin', authmethod: 'ticket', authprovider: 'static' });
  realm.addSession({ session: 2, authid: 'bob', authrole: 'user' });
  realm.addSession({ session: 3, authid: 'bob', authrole: 'user' });
  realm.addSession({ session: 4, authid: 'carol', authrole: 'guest' });
  realm.regs.set('com.a.add', 'exact', { id: 10, uri: 'com.a.add', match: 'exact', created, invoke: 'single', callees: [2] });
  realm.regs.set('com.a', 'prefix', { id: 11, uri: 'com.a', match: 'prefix', created, invoke: 'roundrobin', callees: [2, 3] });
  realm.regs.set('com..x', 'wildcard', { id: 12, uri: 'com..x', match: 'wildcard', created, invoke: 'first', callees: [4] });
  realm.subs.set('com.t', 'exact', { id: 20, uri: 'com.t', match: 'exact', created, subscribers: [1, 2] });
  realm.subs.set('com', 'prefix', { id: 21, uri: 'com', match: 'prefix', created, subscribers: [3] });
  return { realm, api: new MetaApi(realm), me: { sessionId: 1, authid: 'alice', authrole: 'admin' } };
}

function args(r: MetaResult): unknown[] | undefined {
  assert.equal(r.ok, true, JSON.stringify(r));
  return r.ok ? r.args : undefined;
}
function error(r: MetaResult): string | undefined {
  assert.equal(r.ok, false, JSON.stringify(r));
  return r.ok ? undefined : r.error;
}

describe('session meta procedures', () => {
  test('count and list, with and without the authrole filter', () => {
    const { api, me } = setup();
    assert.deepEqual(args(api.call(me, 'wamp.session.count')), [4]);
    assert.deepEqual(args(api.call(me, 'wamp.session.count', [['user', 'guest']])), [3]);
    assert.deepEqual(args(api.call(me, 'wamp.session.list', [['user']])), [[2, 3]]);
    assert.equal(error(api.call(me, 'wamp.session.list', ['user'])), 'wamp.error.invalid_argument');
  });

  test('get returns the session details or no_such_session', () => {
    const { api, me } = setup();
    assert.deepEqual(args(api.call(me, 'wamp.session.get', [1])), [{ session: 1, authid: 'alice', authrole: 'admin', authmethod: 'ticket', authprovider: 'static' }]);
    assert.equal(error(api.call(me, 'wamp.session.get', [99])), 'wamp.error.no_such_session');
    assert.equal(error(api.call(me, 'wamp.session.get', ['x'])), 'wamp.error.invalid_argument');
  });

  test('kill: another session with wamp.close.killed by default; never the caller itself; reason must be a URI', () => {
    const { api, realm, me } = setup();
    assert.equal(api.call(me, 'wamp.session.kill', [4]).ok, true);
    assert.deepEqual(realm.killed, [[4, 'wamp.close.killed', undefined]]);
    assert.equal(error(api.call(me, 'wamp.session.kill', [1])), 'wamp.error.no_such_session');
    assert.equal(error(api.call(me, 'wamp.session.kill', [4])), 'wamp.error.no_such_session');
    assert.equal(error(api.call(me, 'wamp.session.kill', [2], { reason: 'not a uri' })), 'wamp.error.invalid_uri');
    assert.equal(api.call(me, 'wamp.session.kill', [2], { reason: 'com.app.bye', message: 'later' }).ok, true);
    assert.deepEqual(realm.killed.at(-1), [2, 'com.app.bye', 'later']);
  });

  test('kill_by_authid returns the killed IDs; kill_by_authrole and kill_all return counts; the caller is spared', () => {
    const { api, realm, me } = setup();
    realm.addSession({ session: 5, authid: 'alice', authrole: 'user' });
    assert.deepEqual(args(api.call(me, 'wamp.session.kill_by_authid', ['alice'])), [[5]]);
    assert.deepEqual(args(api.call(me, 'wamp.session.kill_by_authrole', ['user'])), [2]);
    assert.deepEqual(args(api.call(me, 'wamp.session.kill_all', [], { message: 'maintenance' })), [1]);
    assert.deepEqual([...realm.sessionsById.keys()], [1]);
    assert.deepEqual(realm.killed.at(-1), [4, 'wamp.close.killed', 'maintenance']);
    assert.equal(error(api.call(me, 'wamp.session.kill_all', [], { reason: '' })), 'wamp.error.invalid_uri');
    assert.equal(error(api.call(me, 'wamp.session.kill_by_authid', [3])), 'wamp.error.invalid_argument');
  });
});

describe('registration and subscription meta procedures', () => {
  test('registration list/lookup/match/get/list_callees/count_callees', () => {
    const { api, me } = setup();
    assert.deepEqual(args(api.call(me, 'wamp.registration.list')), [{ exact: [10], prefix: [11], wildcard: [12] }]);
    assert.deepEqual(args(api.call(me, 'wamp.registration.lookup', ['com.a.add'])), [10]);
    assert.deepEqual(args(api.call(me, 'wamp.registration.lookup', ['com.a', { match: 'prefix' }])), [11]);
    assert.deepEqual(args(api.call(me, 'wamp.registration.lookup', ['com.a'])), [null]);
    assert.deepEqual(args(api.call(me, 'wamp.registration.match', ['com.a.add'])), [10]);
    assert.deepEqual(args(api.call(me, 'wamp.registration.match', ['com.a.sub'])), [11]);
    assert.deepEqual(args(api.call(me, 'wamp.registration.match', ['com.b.x'])), [12]);
    assert.deepEqual(args(api.call(me, 'wamp.registration.match', ['org.x'])), [null]);
    assert.deepEqual(args(api.call(me, 'wamp.registration.get', [11])), [{ id: 11, created, uri: 'com.a', match: 'prefix', invoke: 'roundrobin' }]);
    assert.deepEqual(args(api.call(me, 'wamp.registration.list_callees', [11])), [[2, 3]]);
    assert.deepEqual(args(api.call(me, 'wamp.registration.count_callees', [11])), [2]);
    for (const p of ['wamp.registration.get', 'wamp.registration.list_callees', 'wamp.registration.count_callees']) {
      assert.equal(error(api.call(me, p, [404])), 'wamp.error.no_such_registration', p);
    }
    assert.equal(error(api.call(me, 'wamp.registration.lookup', ['com.a', { match: 'regex' }])), 'wamp.error.invalid_argument');
  });

  test('subscription list/lookup/match/get/list_subscribers/count_subscribers', () => {
    const { api, me } = setup();
    assert.deepEqual(args(api.call(me, 'wamp.subscription.list')), [{ exact: [20], prefix: [21], wildcard: [] }]);
    assert.deepEqual(args(api.call(me, 'wamp.subscription.lookup', ['com', { match: 'prefix' }])), [21]);
    assert.deepEqual(args(api.call(me, 'wamp.subscription.match', ['com.t'])), [[20, 21]]);
    assert.deepEqual(args(api.call(me, 'wamp.subscription.match', ['org.t'])), [null]);
    assert.deepEqual(args(api.call(me, 'wamp.subscription.get', [20])), [{ id: 20, created, uri: 'com.t', match: 'exact' }]);
    assert.deepEqual(args(api.call(me, 'wamp.subscription.list_subscribers', [20])), [[1, 2]]);
    assert.deepEqual(args(api.call(me, 'wamp.subscription.count_subscribers', [21])), [1]);
    assert.equal(error(api.call(me, 'wamp.subscription.get', [404])), 'wamp.error.no_such_subscription');
  });

  test('handles() knows every listed procedure and nothing else', () => {
    const { api, me } = setup();
    for (const p of Object.values(MetaProcedure)) assert.equal(api.handles(p), true, p);
    assert.equal(api.handles('wamp.session.frobnicate'), false);
    assert.equal(api.handles('toString'), false);
    assert.equal(error(api.call(me, 'wamp.session.frobnicate')), 'wamp.error.no_such_procedure');
  });
});

describe('meta events', () => {
  test('lifecycle reports publish the spec payloads, in order', () => {
    const { api, realm } = setup();
    const reg: MetaRegistrationInfo = { id: 30, uri: 'com.new', match: 'exact', created, invoke: 'single', callees: [2] };
    const sub: MetaSubscriptionInfo = { id: 40, uri: 'com.new', match: 'wildcard', created, subscribers: [2] };
    api.sessionJoined({ session: 2, authid: 'bob', authrole: 'user', authmethod: 'anonymous', authprovider: 'static' });
    api.registrationCreated(2, reg);
    api.calleeAdded(2, 30);
    api.calleeRemoved(2, 30);
    api.registrationDeleted(2, 30);
    api.subscriptionCreated(2, sub);
    api.subscriberAdded(2, 40);
    api.subscriberRemoved(2, 40);
    api.subscriptionDeleted(2, 40);
    api.sessionLeft({ session: 2, authid: 'bob', authrole: 'user' });
    assert.deepEqual(realm.published.map(([t, a]) => [t, a]), [
      [MetaTopic.SESSION_ON_JOIN, [{ session: 2, authid: 'bob', authrole: 'user', authmethod: 'anonymous', authprovider: 'static' }]],
      [MetaTopic.REGISTRATION_ON_CREATE, [2, { id: 30, created, uri: 'com.new', match: 'exact', invoke: 'single' }]],
      [MetaTopic.REGISTRATION_ON_REGISTER, [2, 30]],
      [MetaTopic.REGISTRATION_ON_UNREGISTER, [2, 30]],
      [MetaTopic.REGISTRATION_ON_DELETE, [2, 30]],
      [MetaTopic.SUBSCRIPTION_ON_CREATE, [2, { id: 40, created, uri: 'com.new', match: 'wildcard' }]],
      [MetaTopic.SUBSCRIPTION_ON_SUBSCRIBE, [2, 40]],
      [MetaTopic.SUBSCRIPTION_ON_UNSUBSCRIBE, [2, 40]],
      [MetaTopic.SUBSCRIPTION_ON_DELETE, [2, 40]],
      [MetaTopic.SESSION_ON_LEAVE, [2, 'bob', 'user']],
    ]);
  });
});

describe('testaments', () => {
  test('added testaments are published on leave (detached first, then destroyed, each in order), then on_leave', () => {
    const { api, realm } = setup();
    const bob: PeerIdentity = { sessionId: 2, authid: 'bob', authrole: 'user' };
    assert.equal(api.call(bob, 'wamp.session.add_testament', ['com.bye', ['one']]).ok, true);
    assert.equal(api.call(bob, 'wamp.session.add_testament', ['com.bye', ['two'], { k: 1 }], { publish_options: { exclude: [3], acknowledge: true } }).ok, true);
    assert.equal(api.call(bob, 'wamp.session.add_testament', ['com.gone', ['early']], { scope: 'detached' }).ok, true);
    api.sessionLeft({ session: 2, authid: 'bob', authrole: 'user' });
    assert.deepEqual(realm.published, [
      ['com.gone', ['early'], {}, {}],
      ['com.bye', ['one'], {}, {}],
      ['com.bye', ['two'], { k: 1 }, { exclude: [3] }],
      ['wamp.session.on_leave', [2, 'bob', 'user'], undefined, undefined],
    ]);
    realm.published.length = 0;
    api.sessionLeft({ session: 2, authid: 'bob', authrole: 'user' });
    assert.equal(realm.published.length, 1, 'testaments are published once');
  });

  test('flush_testaments removes one scope only; bad arguments are refused', () => {
    const { api, realm } = setup();
    const bob: PeerIdentity = { sessionId: 2, authid: 'bob', authrole: 'user' };
    api.call(bob, 'wamp.session.add_testament', ['com.a', []], { scope: 'detached' });
    api.call(bob, 'wamp.session.add_testament', ['com.b', []]);
    assert.equal(api.call(bob, 'wamp.session.flush_testaments').ok, true);
    assert.equal(api.testaments.count(2), 1);
    assert.equal(error(api.call(bob, 'wamp.session.flush_testaments', [], { scope: 'forever' })), 'wamp.error.invalid_argument');
    assert.equal(error(api.call(bob, 'wamp.session.add_testament', ['bad uri', []])), 'wamp.error.invalid_uri');
    assert.equal(error(api.call(bob, 'wamp.session.add_testament', ['com.a', 'x'])), 'wamp.error.invalid_argument');
    assert.equal(error(api.call(bob, 'wamp.session.add_testament', ['com.a', [], {}], { scope: 'x' })), 'wamp.error.invalid_argument');
    api.sessionLeft({ session: 2, authid: 'bob', authrole: 'user' });
    assert.deepEqual(realm.published.map(([t]) => t), ['com.a', 'wamp.session.on_leave']);
  });

  test('a session holds a bounded number of testaments', () => {
    const realm = setup().realm;
    const api = new MetaApi(realm, new TestamentStore(2));
    const bob: PeerIdentity = { sessionId: 2, authid: 'bob', authrole: 'user' };
    assert.equal(api.call(bob, 'wamp.session.add_testament', ['com.a']).ok, true);
    assert.equal(api.call(bob, 'wamp.session.add_testament', ['com.a']).ok, true);
    assert.equal(error(api.call(bob, 'wamp.session.add_testament', ['com.a'])), 'wamp.error.invalid_argument');
    assert.throws(() => new TestamentStore(0), /positive integer/);
  });
});
