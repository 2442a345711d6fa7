// PubSub across router nodes: one nats-server, three nodes as child processes, clients on
// different nodes. Every broker feature of the single router, with publisher and subscribers
// on different nodes: exact, prefix and wildcard subscriptions, one EVENT per subscription,
// publish order per publisher, publisher exclusion and disclosure, black/whitelists, retention,
// testaments, and meta events published once for the cluster.
import { describe, before, after, afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApplicationSession } from '../../runtime/index.js';
import { TEST_LIMIT, natsMissing, startNats, startNode, stopAll, type RouterNode } from './harness.js';
import { Inbox, NODE_CONFIG, join, leaveAll } from './fixtures.js';

const missing = natsMissing();

describe('cluster: pubsub across nodes', { skip: missing ?? false }, () => {
  let a: RouterNode;
  let b: RouterNode;
  let c: RouterNode;
  const sessions: ApplicationSession[] = [];
  const open = async (node: RouterNode, authid?: 'alice' | 'bob'): Promise<ApplicationSession> => {
    const s = await join(node.url, authid);
    sessions.push(s);
    return s;
  };

  before(async () => {
    const nats = await startNats();
    [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => startNode(n, [nats.url], NODE_CONFIG))) as [RouterNode, RouterNode, RouterNode];
  });
  afterEach(() => leaveAll(sessions));
  after(stopAll);

  test('an event published on one node reaches exact, prefix and wildcard subscribers on the others, once per subscription', TEST_LIMIT, async () => {
    const pub = await open(a);
    const [sb, sc] = [await open(b), await open(c)];
    const exact = new Inbox();
    const prefix = new Inbox();
    const wildcard = new Inbox();
    await sb.subscribe('com.ps.one.x', exact.handler);
    await sc.subscribe('com.ps.one', prefix.handler, { match: 'prefix' });
    await sb.subscribe('com.ps..x', wildcard.handler, { match: 'wildcard' });
    await pub.publish('com.ps.one.x', ['first'], {}, { acknowledge: true });
    await pub.publish('com.ps.one.x', ['marker'], {}, { acknowledge: true });
    for (const inbox of [exact, prefix, wildcard]) assert.deepEqual((await inbox.until('marker')).map((e) => e.args), [['first']]);
    assert.equal(exact.events[0]!.details.topic, 'com.ps.one.x');
    assert.equal(prefix.events[0]!.details.topic, 'com.ps.one.x', 'a pattern subscription gets the concrete topic');
    assert.equal(wildcard.events[0]!.details.topic, 'com.ps.one.x');
    // One publication, one ID, whichever node delivered it.
    assert.equal(exact.events[0]!.details.publication, prefix.events[0]!.details.publication);
  });

  test('the events of one publisher reach subscribers on every node in publish order', TEST_LIMIT, async () => {
    const pub = await open(a);
    const inboxes = [new Inbox(), new Inbox(), new Inbox()];
    const subs = [await open(a), await open(b), await open(c)];
    for (let i = 0; i < 3; i++) await subs[i]!.subscribe('com.ps.order', inboxes[i]!.handler);
    const n = 300;
    for (let i = 0; i < n; i++) void pub.publish('com.ps.order', [i]);
    await pub.publish('com.ps.order', ['marker'], {}, { acknowledge: true });
    const expected = Array.from({ length: n }, (_, i) => i);
    for (const inbox of inboxes) assert.deepEqual((await inbox.until('marker')).map((e) => e.args[0]), expected);
  });

  test('publisher exclusion and disclosure work for subscribers on other nodes', TEST_LIMIT, async () => {
    const pub = await open(a, 'alice');
    const far = await open(b);
    const own = new Inbox();
    const remote = new Inbox();
    await pub.subscribe('com.ps.self', own.handler);
    await far.subscribe('com.ps.self', remote.handler);
    await pub.publish('com.ps.self', ['excluded'], {}, { acknowledge: true });
    await pub.publish('com.ps.self', ['included'], {}, { acknowledge: true, excludeMe: false, discloseMe: true });
    await pub.publish('com.ps.self', ['marker'], {}, { acknowledge: true, excludeMe: false });
    assert.deepEqual((await own.until('marker')).map((e) => e.args[0]), ['included']);
    const got = await remote.until('marker');
    assert.deepEqual(got.map((e) => e.args[0]), ['excluded', 'included']);
    assert.equal(got[0]!.details.publisher, undefined, 'not disclosed unless asked');
    assert.equal(got[1]!.details.publisher, pub.id);
    assert.equal(got[1]!.details.publisherAuthid, 'alice');
    assert.equal(got[1]!.details.publisherAuthrole, 'user');
  });

  test('black- and whitelists by session, authid and authrole are applied on the subscriber\'s node', TEST_LIMIT, async () => {
    const pub = await open(a);
    const alice = await open(b, 'alice');
    const bob = await open(c, 'bob');
    const guest = await open(c);
    const inbox = { alice: new Inbox(), bob: new Inbox(), guest: new Inbox() };
    await alice.subscribe('com.ps.lists', inbox.alice.handler);
    await bob.subscribe('com.ps.lists', inbox.bob.handler);
    await guest.subscribe('com.ps.lists', inbox.guest.handler);
    await pub.publish('com.ps.lists', ['not-alice'], {}, { acknowledge: true, exclude: [alice.id] });
    await pub.publish('com.ps.lists', ['only-bob'], {}, { acknowledge: true, eligibleAuthid: ['bob'] });
    await pub.publish('com.ps.lists', ['not-admins'], {}, { acknowledge: true, excludeAuthrole: ['admin'] });
    await pub.publish('com.ps.lists', ['only-guest'], {}, { acknowledge: true, eligible: [guest.id, alice.id], excludeAuthid: ['alice'] });
    await pub.publish('com.ps.lists', ['marker'], {}, { acknowledge: true });
    assert.deepEqual((await inbox.alice.until('marker')).map((e) => e.args[0]), ['not-admins']);
    assert.deepEqual((await inbox.bob.until('marker')).map((e) => e.args[0]), ['not-alice', 'only-bob']);
    assert.deepEqual((await inbox.guest.until('marker')).map((e) => e.args[0]), ['not-alice', 'not-admins', 'only-guest']);
  });

  test('a retained event published on one node is handed to a get_retained subscriber on another, with its filter', TEST_LIMIT, async () => {
    const pub = await open(a);
    await pub.publish('com.ps.kept', ['for-all'], { v: 1 }, { acknowledge: true, retain: true });
    const late = await open(c);
    const inbox = new Inbox();
    await late.subscribe('com.ps.kept', inbox.handler, { getRetained: true });
    const [got] = await inbox.count(1, 'retained events');
    assert.deepEqual(got!.args, ['for-all']);
    assert.deepEqual(got!.kwargs, { v: 1 });
    assert.equal(got!.details.retained, true);
    // A restricted retained event goes only to subscribers it was eligible for.
    const alice = await open(b, 'alice');
    await pub.publish('com.ps.kept2', ['for-alice'], {}, { acknowledge: true, retain: true, eligibleAuthid: ['alice'] });
    const guestInbox = new Inbox();
    const aliceInbox = new Inbox();
    const guest = await open(b);
    await guest.subscribe('com.ps.', guestInbox.handler, { match: 'prefix', getRetained: true });
    await alice.subscribe('com.ps.kept2', aliceInbox.handler, { getRetained: true });
    assert.deepEqual((await aliceInbox.count(1)).map((e) => e.args[0]), ['for-alice']);
    await pub.publish('com.ps.kept2', ['marker'], {}, { acknowledge: true });
    assert.deepEqual((await guestInbox.until('marker')).map((e) => e.args[0]), ['for-all'], 'the prefix subscription gets only what it may');
  });

  test('a session\'s testament is published to subscribers on other nodes when it leaves', TEST_LIMIT, async () => {
    const watcher = await open(b);
    const inbox = new Inbox();
    await watcher.subscribe('com.ps.will', inbox.handler);
    const dying = await join(a.url);
    await dying.addTestament('com.ps.will', ['gone', dying.id]);
    await dying.leave();
    const [got] = await inbox.count(1, 'testaments');
    assert.deepEqual(got!.args, ['gone', dying.id]);
  });

  test('each meta event is published once for the cluster, whichever node the session is on', TEST_LIMIT, async () => {
    const watchers = [await open(a), await open(b), await open(c)];
    const joins = watchers.map(() => new Inbox());
    const creates = watchers.map(() => new Inbox());
    const leaves = watchers.map(() => new Inbox());
    const subscribes = watchers.map(() => new Inbox());
    const regCreates = watchers.map(() => new Inbox());
    const registers = watchers.map(() => new Inbox());
    for (let i = 0; i < 3; i++) {
      await watchers[i]!.subscribe('wamp.session.on_join', joins[i]!.handler);
      await watchers[i]!.subscribe('wamp.subscription.on_create', creates[i]!.handler);
      await watchers[i]!.subscribe('wamp.subscription.on_subscribe', subscribes[i]!.handler);
      await watchers[i]!.subscribe('wamp.registration.on_create', regCreates[i]!.handler);
      await watchers[i]!.subscribe('wamp.registration.on_register', registers[i]!.handler);
      await watchers[i]!.subscribe('wamp.session.on_leave', leaves[i]!.handler);
    }
    const s = await join(c.url);
    const id = s.id;
    await s.subscribe('com.ps.meta.fresh', () => {});
    const reg = await s.register('com.ps.meta.proc', () => 0, { invoke: 'roundrobin' });
    const sub2 = await join(b.url);
    const id2 = sub2.id;
    await sub2.subscribe('com.ps.meta.fresh', () => {});
    await sub2.register('com.ps.meta.proc', () => 0, { invoke: 'roundrobin' });
    await s.leave();
    await sub2.leave();
    for (let i = 0; i < 3; i++) {
      await leaves[i]!.count(2, 'on_leave events');
      const mine = (box: Inbox): number => box.events.filter((e) => (e.args[0] as { session?: number })?.session === id || e.args[0] === id).length;
      assert.equal(mine(joins[i]!), 1, `node ${'abc'[i]}: on_join once`);
      assert.equal(mine(leaves[i]!), 1, `node ${'abc'[i]}: on_leave once`);
      assert.equal(creates[i]!.events.filter((e) => (e.args[1] as { uri?: string })?.uri === 'com.ps.meta.fresh').length, 1, 'on_create once, by the node that created it');
      assert.equal(regCreates[i]!.events.filter((e) => (e.args[1] as { uri?: string })?.uri === 'com.ps.meta.proc').length, 1, 'registration on_create once');
      for (const who of [id, id2]) {
        assert.equal(registers[i]!.events.filter((e) => e.args[0] === who && e.args[1] === reg.id).length, 1, 'on_register once per callee');
        assert.equal(subscribes[i]!.events.filter((e) => e.args[0] === who).length, 1, 'on_subscribe once per subscriber');
      }
    }
  });
});
