// Slow consumers (issue 11): a session that stops reading while others publish or call must not
// grow the router. Over real sockets (WebSocket and RawSocket), the slow peer's socket is paused
// so the router's writes back up as behind a stalled client; the budget is scaled down (64 KiB
// rather than 16 MiB) and the tests assert the bound through the router's own counters
// (wamp.session.get: transport.outbound), never RSS or timings. The loopback kernel buffers take
// a few MB before the router's queue grows, so each flood sends a few MB;
// `bench/hostile/router-limits.ts --only slow-consumer` floods at full size and prints the
// router's peak RSS.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from '../../runtime/router/router.js';
import type { RouterOptions } from '../../runtime/router/config.js';
import { MessageType as M } from '../../runtime/wamp/message-types.js';
import { LimitErrorUri } from '../../runtime/router/limits.js';
import { OutboundCloseReason, type OutboundBudgetOptions, type OutboundStats } from '../../runtime/router/outbound-budget.js';
import { joinRaw, subscribeRaw, registerRaw, callRaw, nextWhere, type Joined } from './raw-helpers.js';
import { SlowPeer, type SocketKind } from './slow-peer.js';

const BUDGET = 64 * 1024;
const PAYLOAD = 'e'.repeat(8 * 1024);
/** One EVENT or INVOCATION of PAYLOAD, framed: the most one admitted message adds past the budget. */
const ONE_MESSAGE = PAYLOAD.length + 1024;
/** Bounds every flood: 4000 messages of 8 KiB are 32 MiB, far more than the kernel buffers take. */
const MAX_MESSAGES = 4000;
const BATCH = 50;

const routers: Router[] = [];
after(async () => {
  await Promise.all(routers.map((r) => r.close(0)));
});

async function start(outbound: Partial<OutboundBudgetOptions>, extra: Partial<RouterOptions> = {}): Promise<{ router: Router; address: Record<SocketKind, string> }> {
  const router = new Router({
    realms: [{ name: 'realm1', outbound }],
    listeners: [{ type: 'websocket', host: '127.0.0.1', port: 0 }, { type: 'rawsocket', host: '127.0.0.1', port: 0 }],
    helloTimeout: 5000,
    ...extra,
  });
  routers.push(router);
  const addresses = await router.start();
  return { router, address: { websocket: addresses.find((a) => a.startsWith('ws:'))!, rawsocket: addresses.find((a) => a.startsWith('rs:'))! } };
}

/** The router's outbound counters for `session` (meta API), or null once it is gone. */
async function outboundOf(admin: Joined, session: number): Promise<OutboundStats | null> {
  const answer = await callRaw(admin, 'wamp.session.get', [session]);
  if (answer[0] === M.ERROR) {
    assert.equal(answer[4], 'wamp.error.no_such_session');
    return null;
  }
  const details = (answer[3] as Array<{ transport: { outbound: OutboundStats } }>)[0]!;
  return details.transport.outbound;
}

/** Waits until the router reports `pred` of the session's counters (bounded). */
async function until(admin: Joined, session: number, pred: (s: OutboundStats | null) => boolean, what: string): Promise<OutboundStats | null> {
  let stats: OutboundStats | null = null;
  for (let i = 0; i < 500; i++) {
    stats = await outboundOf(admin, session);
    if (pred(stats)) return stats;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what}: never; last ${JSON.stringify(stats)}`);
}

/** Publishes `count` acknowledged events numbered from `from`; resolves once every PUBLISHED is in. */
async function publish(pub: Joined, topic: string, from: number, count: number): Promise<void> {
  const requests = new Set<number>();
  for (let i = 0; i < count; i++) {
    const r = pub.req();
    requests.add(r);
    pub.peer.send([M.PUBLISH, r, { acknowledge: true }, topic, [from + i, PAYLOAD]]);
  }
  for (let round = 0; round < 2000 && requests.size > 0; round++) {
    for (let i = pub.peer.received.length - 1; i >= 0; i--) {
      const m = pub.peer.received[i] as unknown[];
      if (m[0] === M.PUBLISHED && requests.delete(m[1] as number)) pub.peer.received.splice(i, 1);
      else if (m[0] === M.ERROR) throw new Error(`publish refused: ${JSON.stringify(m)}`);
    }
    if (requests.size > 0) await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(requests.size, 0, 'the publisher got PUBLISHED for every event');
}

/** Publishes batches until the slow session's counters satisfy `pred`; returns how many were published. */
async function floodUntil(pub: Joined, admin: Joined, slow: number, from: number, pred: (s: OutboundStats | null) => boolean): Promise<number> {
  let sent = 0;
  while (sent < MAX_MESSAGES) {
    await publish(pub, 'com.flood', from + sent, BATCH);
    sent += BATCH;
    if (pred(await outboundOf(admin, slow))) return sent;
  }
  throw new Error(`${sent} events did not bring the slow session to the expected state`);
}

function eventNumbers(received: readonly unknown[]): number[] {
  return received.filter((m) => Array.isArray(m) && m[0] === M.EVENT).map((m) => ((m as unknown[])[4] as number[])[0]!);
}

async function eventsArrive(received: () => readonly unknown[], count: number, who: string): Promise<number[]> {
  for (let i = 0; i < 1000 && eventNumbers(received()).length < count; i++) await new Promise((r) => setTimeout(r, 10));
  const got = eventNumbers(received());
  assert.equal(got.length, count, `${who} got every event`);
  return got;
}

const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

/** A memory session that tells which sessions left (wamp.session.on_leave). */
async function leaveWatcher(router: Router): Promise<{ left: (session: number) => Promise<void> }> {
  const w = await joinRaw(router);
  await subscribeRaw(w, 'wamp.session.on_leave');
  return {
    left: async (session) => {
      await nextWhere(w.peer, M.EVENT, (m) => (m[4] as unknown[])[0] === session, 10_000);
    },
  };
}

for (const kind of ['websocket', 'rawsocket'] as const) {
  describe(`slow consumers over ${kind}`, () => {
    test('a subscriber that stops reading: its queue stays within the budget, its events are dropped and counted, everyone else gets every event in order, and it gets events again once it reads', async () => {
      const { router, address } = await start({ budget: BUDGET, grace: 0 });
      const slow = await SlowPeer.connect(kind, address[kind]);
      const slowId = await slow.join();
      await slow.subscribe('com.flood');
      const fastNet = await SlowPeer.connect(kind, address[kind]);
      await fastNet.join();
      await fastNet.subscribe('com.flood');
      const fastMem = await joinRaw(router);
      await subscribeRaw(fastMem, 'com.flood');
      const pub = await joinRaw(router);
      const admin = await joinRaw(router);
      slow.pause();

      let n = await floodUntil(pub, admin, slowId, 0, (s) => s !== null && s.dropped_events > 0);
      await publish(pub, 'com.flood', n, 4 * BATCH);
      n += 4 * BATCH;
      const over = (await outboundOf(admin, slowId))!;
      assert.equal(over.congested, true);
      assert.equal(over.budget, BUDGET);
      assert.ok(over.buffered < BUDGET + ONE_MESSAGE, `queued for the slow session: ${over.buffered} bytes, budget ${BUDGET}`);
      assert.ok(over.dropped_events >= 4 * BATCH, `dropped ${over.dropped_events}`);
      assert.equal(over.episodes, 1);

      assert.deepEqual(await eventsArrive(() => fastMem.peer.received, n, 'the memory subscriber'), range(0, n));
      assert.deepEqual(await eventsArrive(() => fastNet.received, n, `the ${kind} subscriber that reads`), range(0, n));

      // Reading again: it gets what was queued before the episode, in order; then, below half the
      // budget, deliveries resume. Every event was either delivered or counted as dropped.
      slow.resume();
      const drained = await until(admin, slowId, (s) => s !== null && !s.congested, 'the slow session drains');
      const dropped = drained!.dropped_events;
      const before = await eventsArrive(() => slow.received, n - dropped, 'the slow subscriber (before the episode)');
      assert.deepEqual(before, range(0, n - dropped), 'what it got before the episode is the first events, in order');
      await publish(pub, 'com.flood', n, 10);
      const all = await eventsArrive(() => slow.received, n - dropped + 10, 'the slow subscriber (after it drained)');
      assert.deepEqual(all.slice(-10), range(n, 10));
      assert.equal((await outboundOf(admin, slowId))!.dropped_events, dropped, 'nothing dropped once it reads');
      slow.end();
      fastNet.end();
    });

    test('a subscriber that stays over its budget for the grace period is closed with GOODBYE wampkit.close.slow_consumer; the publisher and the others carry on', async () => {
      const { router, address } = await start({ budget: BUDGET, grace: 200 });
      const watcher = await leaveWatcher(router);
      const slow = await SlowPeer.connect(kind, address[kind]);
      const slowId = await slow.join();
      await slow.subscribe('com.flood');
      const fastMem = await joinRaw(router);
      await subscribeRaw(fastMem, 'com.flood');
      const pub = await joinRaw(router);
      const admin = await joinRaw(router);
      slow.pause();

      const n = await floodUntil(pub, admin, slowId, 0, (s) => s === null || s.congested);
      await watcher.left(slowId);
      assert.equal(await outboundOf(admin, slowId), null, 'the slow session is gone');
      await publish(pub, 'com.flood', n, 1);
      assert.deepEqual(await eventsArrive(() => fastMem.peer.received, n + 1, 'the memory subscriber'), range(0, n + 1));

      // The GOODBYE waits behind what was queued: a client that reads again sees why it was closed.
      slow.resume();
      const goodbye = await slow.next((m) => m[0] === M.GOODBYE, 10_000);
      assert.equal(goodbye[2], OutboundCloseReason.SLOW_CONSUMER);
      assert.equal(goodbye[2], 'wampkit.close.slow_consumer');
      assert.match(String((goodbye[1] as { message: string }).message), /outbound budget/);
      const closed = await slow.closed;
      if (kind === 'websocket') assert.equal(closed.code, 1008);
    });

    test('a callee that stops reading: new calls to it get ERROR wampkit.error.callee_overloaded, a shared registration\'s other callee takes its share, and once it reads again calls reach it', async () => {
      const { router, address } = await start({ budget: BUDGET, grace: 0 });
      const slow = await SlowPeer.connect(kind, address[kind]);
      const slowId = await slow.join();
      await slow.register('com.slow');
      await slow.register('com.shared', { invoke: 'roundrobin' });
      const other = await joinRaw(router);
      await registerRaw(other, 'com.shared', { invoke: 'roundrobin' });
      other.peer.transport.on('message', (m) => {
        const msg = m as unknown[];
        if (msg[0] === M.INVOCATION) other.peer.send([M.YIELD, msg[1], {}, ['other']]);
      });
      const caller = await joinRaw(router);
      const admin = await joinRaw(router);
      slow.pause();

      // Calls pile up at the callee (it answers nothing) until it is over its budget.
      const accepted: number[] = [];
      let overloaded: unknown[] | undefined;
      for (let sent = 0; sent < MAX_MESSAGES && overloaded === undefined; sent += BATCH) {
        const batch: number[] = [];
        for (let i = 0; i < BATCH; i++) {
          const r = caller.req();
          batch.push(r);
          caller.peer.send([M.CALL, r, {}, 'com.slow', [PAYLOAD]]);
        }
        await callRaw(caller, 'wamp.session.count'); // answered after every CALL before it
        for (const r of batch) {
          const at = caller.peer.received.findIndex((m) => Array.isArray(m) && m[0] === M.ERROR && m[2] === r);
          if (at < 0) {
            accepted.push(r);
            continue;
          }
          const error = caller.peer.received.splice(at, 1)[0] as unknown[];
          assert.equal(error[4], LimitErrorUri.CALLEE_OVERLOADED, JSON.stringify(error));
          overloaded ??= error;
        }
      }
      assert.ok(overloaded !== undefined, 'a call was refused');
      assert.equal(overloaded[4], 'wampkit.error.callee_overloaded');
      const stats = (await outboundOf(admin, slowId))!;
      assert.equal(stats.congested, true);
      assert.ok(stats.buffered < BUDGET + ONE_MESSAGE, `queued for the slow callee: ${stats.buffered} bytes, budget ${BUDGET}`);
      assert.equal((await callRaw(caller, 'com.slow', [PAYLOAD]))[4], LimitErrorUri.CALLEE_OVERLOADED);
      for (let i = 0; i < 4; i++) assert.deepEqual((await callRaw(caller, 'com.shared'))[3], ['other'], 'the reading callee takes every shared call');

      // Reading again, it answers what reached it; below half its budget, calls go to it again.
      slow.onMessage = (m) => {
        if (m[0] === M.INVOCATION) slow.send([M.YIELD, m[1], {}, ['slow']]);
      };
      slow.resume();
      for (const r of accepted) {
        const answer = await nextWhere(caller.peer, M.RESULT, (m) => m[1] === r, 10_000);
        assert.deepEqual(answer[3], ['slow']);
      }
      await until(admin, slowId, (s) => s !== null && !s.congested, 'the slow callee drains');
      assert.deepEqual((await callRaw(caller, 'com.slow', [PAYLOAD]))[3], ['slow']);
      slow.end();
    });

    test('a caller that does not read its results is closed at the hard cap (results are still sent while over budget), even with no grace period', async () => {
      const hardCap = 8 * BUDGET;
      const { router, address } = await start({ budget: BUDGET, grace: 0, hardCap });
      const watcher = await leaveWatcher(router);
      const callee = await joinRaw(router);
      await registerRaw(callee, 'com.big');
      callee.peer.transport.on('message', (m) => {
        const msg = m as unknown[];
        if (msg[0] === M.INVOCATION) callee.peer.send([M.YIELD, msg[1], {}, [PAYLOAD]]);
      });
      const slow = await SlowPeer.connect(kind, address[kind]);
      const slowId = await slow.join();
      const admin = await joinRaw(router);
      slow.pause();

      let gone = false;
      const left = watcher.left(slowId).then(() => (gone = true));
      // Few calls at a time, so the router's counters are seen between the budget and the cap.
      let overBudget = 0;
      for (let sent = 0; sent < MAX_MESSAGES && !gone; sent += 5) {
        for (let i = 0; i < 5; i++) slow.send([M.CALL, slow.req(), {}, 'com.big', []]);
        const stats = await outboundOf(admin, slowId);
        if (stats?.congested === true) {
          overBudget = Math.max(overBudget, stats.buffered);
          assert.ok(stats.buffered < hardCap + ONE_MESSAGE, `${stats.buffered} bytes queued, hard cap ${hardCap}`);
        }
      }
      await left;
      assert.equal(await outboundOf(admin, slowId), null, 'the caller was closed');
      assert.ok(overBudget > BUDGET + ONE_MESSAGE, `results still went out while it was over its budget (${overBudget} bytes queued at most)`);
      slow.resume();
      const goodbye = await slow.next((m) => m[0] === M.GOODBYE, 10_000);
      assert.equal(goodbye[2], OutboundCloseReason.SLOW_CONSUMER);
      assert.match(String((goodbye[1] as { message: string }).message), /hard cap of 524288/);
      // The callee, and calls from anyone else, are fine.
      const caller = await joinRaw(router);
      assert.deepEqual((await callRaw(caller, 'com.big'))[3], [PAYLOAD]);
    });
  });
}

test('the outbound budget in force: a listener\'s keys over the realm\'s over the router\'s; a transport attached directly takes the realm\'s', async () => {
  const router = new Router({
    realms: [{ name: 'realm1', outbound: { budget: 256 * 1024 } }, 'realm2'],
    outbound: { budget: 1024 * 1024, grace: 3000 },
    listeners: [{ type: 'websocket', host: '127.0.0.1', port: 0, outbound: { budget: 128 * 1024 } }, { type: 'rawsocket', host: '127.0.0.1', port: 0 }],
    helloTimeout: 5000,
  });
  routers.push(router);
  const [ws, rs] = await router.start();
  const viaWs = await SlowPeer.connect('websocket', ws!);
  const viaRs = await SlowPeer.connect('rawsocket', rs!);
  const admin = await joinRaw(router);
  assert.equal((await outboundOf(admin, await viaWs.join()))!.budget, 128 * 1024);
  assert.equal((await outboundOf(admin, await viaRs.join()))!.budget, 256 * 1024);
  assert.equal((await outboundOf(admin, admin.id))!.budget, 256 * 1024);
  const other = await SlowPeer.connect('rawsocket', rs!);
  other.send([M.HELLO, 'realm2', { roles: { caller: {} } }]);
  const welcome = await other.next((m) => m[0] === M.WELCOME);
  const r = other.req();
  other.send([M.CALL, r, {}, 'wamp.session.get', [welcome[1]]]);
  const result = await other.next((m) => m[0] === M.RESULT && m[1] === r);
  assert.equal((result[3] as Array<{ transport: { outbound: OutboundStats } }>)[0]!.transport.outbound.budget, 1024 * 1024);
  for (const p of [viaWs, viaRs, other]) p.end();
});
