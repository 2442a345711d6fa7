// Nodes joining and leaving a running cluster: one nats-server, router nodes as child
// processes. A node joining late sees everything that exists; a node killed with SIGKILL takes
// its sessions with it (calls in flight to its callees end with ERROR, its registrations and
// subscriptions go everywhere with their meta events once, its testaments are published, its
// clients move to another node with what they held); a node cut off from NATS, or stalled past
// the liveness window, closes its own sessions and later serves again.
import { describe, before, after, afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationError, type ApplicationSession, type Component } from '../../runtime/index.js';
import { TEST_LIMIT, eventually, natsMissing, sleep, startNats, startNode, startProxy, stopAll, type NatsServer, type RouterNode } from './harness.js';
import { Inbox, NODE_CONFIG, component, join, leaveAll } from './fixtures.js';

const missing = natsMissing();

/** Time after the last cleanup event for a second (wrong) copy of it to show up. */
const DUPLICATE_WINDOW_MS = 1500;

describe('cluster: nodes joining, dying and cut off', { skip: missing ?? false }, () => {
  let nats: NatsServer;
  let a: RouterNode;
  let b: RouterNode;
  const sessions: ApplicationSession[] = [];
  const components: Component[] = [];
  const open = async (node: RouterNode): Promise<ApplicationSession> => {
    const s = await join(node.url);
    sessions.push(s);
    return s;
  };

  before(async () => {
    nats = await startNats();
    [a, b] = await Promise.all(['a', 'b'].map((n) => startNode(n, [nats.url], NODE_CONFIG))) as [RouterNode, RouterNode];
  });
  afterEach(async () => {
    await Promise.all(components.splice(0).map((c) => c.stop().catch(() => {})));
    await leaveAll(sessions);
  });
  after(stopAll);

  test('a node joining a running cluster sees every existing registration and subscription', TEST_LIMIT, async () => {
    const callee = await open(a);
    const subscriber = await open(b);
    await callee.register('com.join.proc', () => 'from a');
    await callee.register('com.join.pat', (_x, _y, d) => d.procedure, { match: 'prefix' });
    const inbox = new Inbox();
    await subscriber.subscribe('com.join.topic', inbox.handler);
    const late = await startNode('late', [nats.url], NODE_CONFIG);
    try {
      const s = await open(late);
      assert.equal(await s.call('com.join.proc'), 'from a');
      assert.equal(await s.call('com.join.pat.x'), 'com.join.pat.x');
      const sub = await s.call('wamp.subscription.lookup', ['com.join.topic']);
      assert.equal(sub, await subscriber.call('wamp.subscription.lookup', ['com.join.topic']), 'the same subscription ID');
      assert.deepEqual(await s.call('wamp.subscription.list_subscribers', [sub]), [subscriber.id]);
      assert.deepEqual(await s.call('wamp.registration.list_callees', [await s.call('wamp.registration.lookup', ['com.join.proc'])]), [callee.id]);
      await s.publish('com.join.topic', ['hello'], {}, { acknowledge: true });
      assert.deepEqual((await inbox.count(1)).map((e) => e.args[0]), ['hello']);
    } finally {
      await leaveAll(sessions);
      await late.stop();
    }
  });

  test('a node killed with SIGKILL: calls in flight to it end with ERROR, its registrations, subscriptions and sessions go with their meta events once, its testaments are published, its clients move', TEST_LIMIT, async (t) => {
    const c = await startNode('c', [nats.url], NODE_CONFIG);
    const watchers = [await open(a), await open(b)];
    const topics = ['wamp.registration.on_unregister', 'wamp.registration.on_delete', 'wamp.subscription.on_unsubscribe',
      'wamp.subscription.on_delete', 'wamp.session.on_leave', 'com.loss.will'];
    const inboxes = watchers.map(() => new Map(topics.map((topic) => [topic, new Inbox()])));
    for (let i = 0; i < 2; i++) for (const [topic, box] of inboxes[i]!) await watchers[i]!.subscribe(topic, box.handler);
    // On the node that will die: a callee that never answers, a subscriber, a testament.
    const doomed = await join(c.url);
    let started = 0;
    const reg = await doomed.register('com.loss.hang', () => {
      started++;
      return new Promise(() => {});
    });
    const sub = await doomed.subscribe('com.loss.only-there', () => {});
    await doomed.addTestament('com.loss.will', ['c died', doomed.id]);
    // A client with two transports, first on the doomed node.
    const held = new Inbox();
    const comp = component([c.url, a.url], async (s) => {
      await s.register('com.loss.moving', () => 'served');
      await s.subscribe('com.loss.moving-topic', held.handler);
    });
    components.push(comp);
    const joins: number[] = [];
    comp.on('join', (s) => joins.push(s.id));
    void comp.start();
    await eventually(() => joins.length === 1, 'the component joined on the doomed node');
    const caller = await open(b);
    await eventually(async () => (await caller.call('wamp.registration.lookup', ['com.loss.moving'])) !== null, 'the component registered');
    const inFlight = [caller.call('com.loss.hang'), (await open(a)).call('com.loss.hang')];
    const settled = inFlight.map((p) => p.then(() => 'answered', (e: unknown) => (ApplicationError.is(e) ? e.error : String(e))));
    await eventually(() => started === 2, 'both calls reached the doomed callee');

    const killedAt = Date.now();
    await c.kill();
    assert.deepEqual(await Promise.all(settled), ['wamp.error.canceled', 'wamp.error.canceled']);
    t.diagnostic(`calls in flight to the killed node failed ${Date.now() - killedAt} ms after SIGKILL`);
    for (const w of watchers) {
      // Routing to the dead node stopped with the calls above; the registry entries go with the cleanup (bounded wait).
      assert.equal(await w.call('wamp.registration.lookup', ['com.loss.hang']), null);
      await assert.rejects(w.call('wamp.session.get', [doomed.id]), (e: unknown) => ApplicationError.is(e) && e.error === 'wamp.error.no_such_session');
      await eventually(async () => (await w.call('wamp.subscription.lookup', ['com.loss.only-there'])) === null, 'the dead node\'s subscription is gone');
    }
    // The component is back, on node a, with its registration and subscription.
    await eventually(() => joins.length === 2, 'the component rejoined on another node', 15_000);
    await eventually(async () => (await caller.call('com.loss.moving').catch(() => null)) === 'served', 'its registration restored');
    await eventually(async () => {
      await caller.publish('com.loss.moving-topic', ['ping'], {}, { acknowledge: true });
      return held.events.length > 0;
    }, 'its subscription restored');
    // Each cleanup event once for the cluster: the killed session's on_leave last, then nothing more.
    for (const box of inboxes) await eventually(() => box.get('wamp.session.on_leave')!.events.some((e) => e.args[0] === doomed.id), 'on_leave of the killed session');
    await sleep(DUPLICATE_WINDOW_MS);
    for (const box of inboxes) {
      const about = (topic: string, id: number): number => box.get(topic)!.events.filter((e) => e.args[0] === doomed.id && e.args[1] === id).length;
      assert.equal(about('wamp.registration.on_unregister', reg.id), 1);
      assert.equal(about('wamp.registration.on_delete', reg.id), 1);
      assert.equal(about('wamp.subscription.on_unsubscribe', sub.id), 1);
      assert.equal(about('wamp.subscription.on_delete', sub.id), 1);
      assert.equal(box.get('wamp.session.on_leave')!.events.filter((e) => e.args[0] === doomed.id).length, 1);
      assert.deepEqual(box.get('com.loss.will')!.events.map((e) => e.args), [['c died', doomed.id]], 'the testament, once');
    }
  });

  test('a node stopped cleanly (SIGTERM): its sessions leave as on one router, each meta event and testament once (the node cleaning up after it adds none)', TEST_LIMIT, async () => {
    const d = await startNode('d', [nats.url], NODE_CONFIG);
    const watchers = [await open(a), await open(b)];
    const topics = ['wamp.registration.on_unregister', 'wamp.registration.on_delete', 'wamp.subscription.on_unsubscribe',
      'wamp.subscription.on_delete', 'wamp.session.on_leave', 'com.stop.will'];
    const inboxes = watchers.map(() => new Map(topics.map((topic) => [topic, new Inbox()])));
    for (let i = 0; i < 2; i++) for (const [topic, box] of inboxes[i]!) await watchers[i]!.subscribe(topic, box.handler);
    // Several sessions on the stopping node, each holding a registration, a subscription and a testament.
    const held = [];
    for (let i = 0; i < 4; i++) {
      const s = await join(d.url);
      const reg = await s.register(`com.stop.proc${i}`, () => i);
      const sub = await s.subscribe(`com.stop.topic${i}`, () => {});
      await s.addTestament('com.stop.will', ['stopped', s.id]);
      held.push({ id: s.id, reg: reg.id, sub: sub.id, procedure: `com.stop.proc${i}` });
    }
    await d.stop();
    for (const box of inboxes) {
      for (const h of held) await eventually(() => box.get('wamp.session.on_leave')!.events.some((e) => e.args[0] === h.id), `on_leave of session ${h.id}`);
    }
    // Long enough for the cleaner's copies, were there any.
    await sleep(DUPLICATE_WINDOW_MS);
    for (const box of inboxes) {
      for (const h of held) {
        const about = (topic: string, id: number): number => box.get(topic)!.events.filter((e) => e.args[0] === h.id && e.args[1] === id).length;
        assert.equal(about('wamp.registration.on_unregister', h.reg), 1, `on_unregister of ${h.reg}`);
        assert.equal(about('wamp.registration.on_delete', h.reg), 1, `on_delete of ${h.reg}`);
        assert.equal(about('wamp.subscription.on_unsubscribe', h.sub), 1, `on_unsubscribe of ${h.sub}`);
        assert.equal(about('wamp.subscription.on_delete', h.sub), 1, `on_delete of ${h.sub}`);
        assert.equal(box.get('wamp.session.on_leave')!.events.filter((e) => e.args[0] === h.id).length, 1, `on_leave of ${h.id}`);
        assert.equal(box.get('com.stop.will')!.events.filter((e) => e.args[1] === h.id).length, 1, `the testament of ${h.id}`);
      }
    }
    for (const h of held) assert.equal(await watchers[0]!.call('wamp.registration.lookup', [h.procedure]), null);
  });

  test('a node cut off from NATS closes its own sessions, its registrations go everywhere, and it serves again once back', TEST_LIMIT, async () => {
    const proxy = await startProxy(nats.url);
    const cut = await startNode('cut', [proxy.url], NODE_CONFIG);
    try {
      const there = await join(cut.url);
      await there.register('com.cut.proc', () => 'cut');
      const caller = await open(a);
      assert.equal(await caller.call('com.cut.proc'), 'cut');
      const left = new Promise<string>((resolve) => there.once('leave', (d) => resolve(d.reason)));
      proxy.cut();
      assert.equal(await left, 'wamp.close.system_shutdown', 'the node ended its session itself');
      await eventually(async () => (await caller.call('wamp.registration.lookup', ['com.cut.proc'])) === null, 'its registration is gone from the cluster');
      proxy.restore();
      // Back on NATS, it serves again (a new incarnation): a client there reaches the cluster.
      await eventually(async () => {
        const s = await join(cut.url).catch(() => null);
        if (s === null) return false;
        sessions.push(s);
        await s.register('com.cut.back', () => 'back');
        return true;
      }, 'the node serves again', 15_000);
      assert.equal(await caller.call('com.cut.back'), 'back');
    } finally {
      await leaveAll(sessions);
      await cut.kill();
    }
  });

  test('a node stalled past the liveness window finds itself counted dead, closes its sessions, and serves again', TEST_LIMIT, async () => {
    const stalled = await startNode('stalled', [nats.url], NODE_CONFIG);
    try {
      const there = await join(stalled.url);
      await there.register('com.stall.proc', () => 'stalled');
      const caller = await open(b);
      const left = new Promise<string>((resolve) => there.once('leave', (d) => resolve(d.reason)));
      stalled.signal('SIGSTOP');
      await eventually(async () => (await caller.call('wamp.registration.lookup', ['com.stall.proc'])) === null, 'the cluster counted it dead and cleaned up');
      stalled.signal('SIGCONT');
      assert.equal(await left, 'wamp.close.system_shutdown');
      await eventually(async () => {
        const s = await join(stalled.url).catch(() => null);
        if (s === null) return false;
        sessions.push(s);
        return (await s.call('wamp.session.count') as number) > 0;
      }, 'the node serves again', 15_000);
    } finally {
      stalled.signal('SIGCONT');
      await leaveAll(sessions);
      await stalled.kill();
    }
  });
});
