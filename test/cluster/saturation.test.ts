// Liveness under load: a node whose main event loop is busy for longer than deadAfterMs (in
// bursts, below the stall limit) is not counted dead, because its heartbeats go from a thread
// and a NATS connection of their own (runtime/router/cluster/heartbeats.ts); it does not count
// the others dead either. Killed with SIGKILL it is still found dead (calls in flight to it end
// with ERROR). A node stuck for longer than the stall limit is let be counted dead. A node whose
// heartbeat thread cannot run heartbeats from its main thread instead.
import { describe, before, after, afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ApplicationError, type ApplicationSession } from '../../runtime/index.js';
import { CLUSTER_DEFAULTS } from '../../runtime/router/cluster/options.js';
import { stallLimitMs } from '../../runtime/router/cluster/heartbeats.js';
import { TEST_LIMIT, eventually, natsMissing, sleep, startNats, startNode, stopAll, type NatsServer, type RouterNode } from './harness.js';
import { NODE_CONFIG, join, leaveAll } from './fixtures.js';

const missing = natsMissing();
const BUSY_LOOP = fileURLToPath(new URL('./fixtures/busy-loop.ts', import.meta.url));
const NO_WORKER = fileURLToPath(new URL('./fixtures/no-worker.ts', import.meta.url));
/** Each burst keeps the node's main thread busy for twice the default liveness window. */
const BURST_MS = CLUSTER_DEFAULTS.deadAfterMs * 2;
const BURSTS = 3;
/** A burst this long outlasts the stall limit by several liveness windows. */
const STUCK_MS = stallLimitMs(CLUSTER_DEFAULTS.deadAfterMs) + CLUSTER_DEFAULTS.deadAfterMs * 4;

describe('cluster: liveness of a saturated node', { skip: missing ?? false }, () => {
  let nats: NatsServer;
  let a: RouterNode;
  const sessions: ApplicationSession[] = [];
  const open = async (url: string): Promise<ApplicationSession> => {
    const s = await join(url);
    sessions.push(s);
    return s;
  };
  const busyNode = (name: string, ms: number): Promise<RouterNode> =>
    startNode(name, [nats.url], NODE_CONFIG, { execArgv: ['--import', BUSY_LOOP], env: { WK_TEST_BUSY_MS: String(ms) } });
  /** Sends the node SIGUSR2 and waits (bounded) until its burst number `n` is over. */
  const burst = async (node: RouterNode, n: number, ms: number): Promise<void> => {
    node.signal('SIGUSR2');
    await eventually(() => node.output().includes(`busy burst ${n} done`), `busy burst ${n} of node ${node.name}`, ms + 30_000);
  };

  before(async () => {
    nats = await startNats();
    a = await startNode('a', [nats.url], NODE_CONFIG);
  });
  afterEach(() => leaveAll(sessions));
  after(stopAll);

  test('a node busy for longer than deadAfterMs, again and again, keeps its sessions and its view of the others; SIGKILL still ends calls in flight to it', { timeout: 180_000 }, async () => {
    const busy = await busyNode('busy', BURST_MS);
    try {
      const there = await open(busy.url);
      let left: string | null = null;
      there.once('leave', (d) => (left = d.reason));
      await there.register('com.busy.proc', () => 'busy');
      let hung = 0;
      await there.register('com.busy.hang', () => {
        hung++;
        return new Promise(() => {});
      });
      const here = await open(a.url);
      await here.register('com.busy.peer', () => 'a');
      assert.equal(await here.call('com.busy.proc'), 'busy');
      for (let n = 1; n <= BURSTS; n++) {
        await burst(busy, n, BURST_MS);
        assert.equal(left, null, `the busy node's session is still joined after burst ${n}`);
        assert.equal(await here.call('com.busy.proc'), 'busy', `node a still routes to the busy node after burst ${n}`);
        assert.equal(await there.call('com.busy.peer'), 'a', `the busy node still routes to node a after burst ${n}`);
        assert.equal((await here.call('wamp.session.get', [there.id]) as { session: number }).session, there.id);
      }
      assert.doesNotMatch(busy.output(), /counted dead|stops serving/);
      assert.doesNotMatch(a.output(), /counted dead|stops serving/);
      // Its heartbeat thread dies with it.
      const inFlight = here.call('com.busy.hang').then(() => 'answered', (e: unknown) => (ApplicationError.is(e) ? e.error : String(e)));
      await eventually(() => hung === 1, 'the call reached the busy node\'s callee');
      await busy.kill();
      assert.equal(await inFlight, 'wamp.error.canceled');
    } finally {
      await busy.kill();
    }
  });

  test('a node stuck for longer than the stall limit is counted dead (its heartbeat thread stops vouching for it) and serves again after', { timeout: 180_000 }, async () => {
    const stuck = await busyNode('stuck', STUCK_MS);
    try {
      const there = await open(stuck.url);
      await there.register('com.stuck.proc', () => 'stuck');
      const left = new Promise<string>((resolve) => there.once('leave', (d) => resolve(d.reason)));
      const here = await open(a.url);
      assert.equal(await here.call('com.stuck.proc'), 'stuck');
      stuck.signal('SIGUSR2');
      await eventually(async () => (await here.call('wamp.registration.lookup', ['com.stuck.proc'])) === null,
        'the cluster counted the stuck node dead and cleaned up', STUCK_MS + 30_000);
      assert.equal(await left, 'wamp.close.system_shutdown', 'the stuck node, back, found itself counted dead');
      await eventually(async () => {
        const s = await join(stuck.url).catch(() => null);
        if (s === null) return false;
        sessions.push(s);
        return (await s.call('wamp.session.count') as number) > 0;
      }, 'the node serves again', 15_000);
    } finally {
      await stuck.kill();
    }
  });

  test('a node whose heartbeat thread cannot start heartbeats from its main thread: it is not counted dead, and its peers are heard', TEST_LIMIT, async () => {
    const plain = await startNode('plain', [nats.url], NODE_CONFIG, { execArgv: ['--import', NO_WORKER] });
    try {
      assert.match(plain.output(), /heartbeats go from the main thread/);
      const there = await open(plain.url);
      let left: string | null = null;
      there.once('leave', (d) => (left = d.reason));
      await there.register('com.plain.proc', () => 'plain');
      const here = await open(a.url);
      await here.register('com.plain.peer', () => 'a');
      // Several liveness windows, each ended by calls both ways.
      for (let i = 0; i < 3; i++) {
        await sleep(CLUSTER_DEFAULTS.deadAfterMs * 2);
        assert.equal(await here.call('com.plain.proc'), 'plain');
        assert.equal(await there.call('com.plain.peer'), 'a');
      }
      assert.equal(left, null);
      assert.doesNotMatch(plain.output(), /counted dead|stops serving/);
    } finally {
      await plain.kill();
    }
  });
});
