// RPC and the meta API across router nodes: one nats-server, three nodes as child processes.
// Callers and callees on different nodes, with every dealer feature of the single router:
// single and shared registrations (every invocation policy), pattern precedence across the
// cluster, progressive results and invocations, cancellation in each mode, call timeouts,
// caller disclosure, and the cluster-wide decision on a second registration; the meta API
// answering for the whole cluster, including killing a session on another node.
import { describe, before, after, afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationError, type ApplicationSession } from '../../runtime/index.js';
import { TEST_LIMIT, eventually, natsMissing, startNats, startNode, stopAll, type RouterNode } from './harness.js';
import { Inbox, NODE_CONFIG, join, leaveAll } from './fixtures.js';

const missing = natsMissing();

const isError = (uri: string) => (e: unknown): boolean => ApplicationError.is(e) && e.error === uri;

describe('cluster: RPC and the meta API across nodes', { skip: missing ?? false }, () => {
  let nodes: RouterNode[];
  const sessions: ApplicationSession[] = [];
  const open = async (i: number, authid?: 'alice' | 'bob'): Promise<ApplicationSession> => {
    const s = await join(nodes[i]!.url, authid);
    sessions.push(s);
    return s;
  };

  before(async () => {
    const nats = await startNats();
    nodes = await Promise.all(['a', 'b', 'c'].map((n) => startNode(n, [nats.url], NODE_CONFIG)));
  });
  afterEach(() => leaveAll(sessions));
  after(stopAll);

  test('a call on one node reaches a callee on another, with its arguments, result and error', TEST_LIMIT, async () => {
    const callee = await open(0);
    const caller = await open(1);
    await callee.register('com.rpc.add', ([x, y]) => (x as number) + (y as number));
    await callee.register('com.rpc.fail', () => {
      throw new ApplicationError('com.rpc.oops', ['no'], { why: 'because' });
    });
    assert.equal(await caller.call('com.rpc.add', [2, 3]), 5);
    const bytes = new Uint8Array([0, 1, 2, 255]);
    await callee.register('com.rpc.echo', (args, kwargs) => ({ args, kwargs }));
    const echoed = await caller.call('com.rpc.echo', [bytes, 2 ** 60], { big: 12345678901234567890n }) as { args: unknown[]; kwargs: Record<string, unknown> };
    assert.deepEqual(Uint8Array.from(echoed.args[0] as Uint8Array), bytes, 'binary crosses nodes intact');
    assert.equal(echoed.args[1], 2 ** 60);
    assert.equal(echoed.kwargs['big'], 12345678901234567890n, 'an integer beyond 2^53 crosses nodes exactly');
    await assert.rejects(caller.call('com.rpc.fail'), (e: unknown) => ApplicationError.is(e) && e.error === 'com.rpc.oops' && e.args[0] === 'no' && e.kwargs['why'] === 'because');
    await assert.rejects(caller.call('com.rpc.nobody'), isError('wamp.error.no_such_procedure'));
  });

  test('a second single registration anywhere in the cluster is procedure_already_exists; a different policy is refused', TEST_LIMIT, async () => {
    const first = await open(0);
    const other = await open(2);
    await first.register('com.rpc.once', () => 'first');
    await assert.rejects(other.register('com.rpc.once', () => 'second'), isError('wamp.error.procedure_already_exists'));
    await first.register('com.rpc.shared', () => 'x', { invoke: 'roundrobin' });
    await assert.rejects(other.register('com.rpc.shared', () => 'y', { invoke: 'random' }), isError('wamp.error.procedure_exists_with_different_invocation_policy'));
    // Registered at the same moment on two nodes: exactly one wins.
    const results = await Promise.allSettled([(await open(1)).register('com.rpc.race', () => 1), (await open(2)).register('com.rpc.race', () => 2)]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'one of two concurrent single registrations succeeds');
  });

  test('shared registrations over callees on three nodes: round robin from one node visits each, first and last are cluster-wide, random picks any', TEST_LIMIT, async () => {
    const callees = [await open(0), await open(1), await open(2)];
    for (let i = 0; i < 3; i++) await callees[i]!.register('com.rpc.rr', () => i, { invoke: 'roundrobin' });
    for (let i = 0; i < 3; i++) await callees[i]!.register('com.rpc.first', () => i, { invoke: 'first' });
    for (let i = 0; i < 3; i++) await callees[i]!.register('com.rpc.last', () => i, { invoke: 'last' });
    const caller = await open(1);
    const rr = [];
    for (let i = 0; i < 6; i++) rr.push(await caller.call('com.rpc.rr'));
    assert.deepEqual([...rr].sort(), [0, 0, 1, 1, 2, 2], 'six calls from one node: two per callee');
    for (const from of [0, 1, 2]) {
      const s = from === 1 ? caller : await open(from);
      assert.equal(await s.call('com.rpc.first'), 0, `first from node ${from}`);
      assert.equal(await s.call('com.rpc.last'), 2, `last from node ${from}`);
    }
    for (let i = 0; i < 3; i++) await callees[i]!.register('com.rpc.random', () => i, { invoke: 'random' });
    // Random over the callees of every node: each is picked within a bounded number of calls (a miss is 3 * (2/3)^150 likely).
    const picked = new Set<unknown>();
    for (let i = 0; i < 150 && picked.size < 3; i++) picked.add(await caller.call('com.rpc.random'));
    assert.deepEqual([...picked].sort(), [0, 1, 2], 'random picks callees on every node');
    const reg = await caller.call('wamp.registration.lookup', ['com.rpc.first']) as number;
    assert.deepEqual(await caller.call('wamp.registration.list_callees', [reg]), callees.map((s) => s.id), 'callees in registration order');
  });

  test('pattern registrations on different nodes are chosen with the spec\'s precedence', TEST_LIMIT, async () => {
    const [onA, onB, onC] = [await open(0), await open(1), await open(2)];
    await onC.register('com.rpc.pat..op', () => 'wildcard', { match: 'wildcard' });
    await onB.register('com.rpc.pat', () => 'prefix', { match: 'prefix' });
    await onA.register('com.rpc.pat.x.op', (_a, _k, d) => `exact ${d.procedure}`);
    const caller = await open(1);
    assert.equal(await caller.call('com.rpc.pat.x.op'), 'exact com.rpc.pat.x.op');
    assert.equal(await caller.call('com.rpc.pat.y.op'), 'prefix', 'a prefix beats a wildcard');
    await onB.leave();
    await eventually(async () => (await caller.call('wamp.registration.match', ['com.rpc.pat.y.op'])) !== null &&
      (await caller.call('wamp.registration.lookup', ['com.rpc.pat', { match: 'prefix' }])) === null, 'the prefix registration is gone');
    const d = await caller.call('com.rpc.pat.y.op');
    assert.equal(d, 'wildcard');
  });

  test('progressive results and progressive invocations cross nodes', TEST_LIMIT, async () => {
    const callee = await open(2);
    const caller = await open(0);
    await callee.register('com.rpc.count', (args, _k, details) => {
      for (let i = 1; i <= (args[0] as number); i++) details.progress?.([i]);
      return 'done';
    });
    const progress: unknown[] = [];
    assert.equal(await caller.call('com.rpc.count', [4], {}, { onProgress: (a) => progress.push(a[0]) }), 'done');
    assert.deepEqual(progress, [1, 2, 3, 4]);
    await callee.register('com.rpc.concat', async (args, _k, details) => {
      let text = String(args[0]);
      for await (const chunk of details.input ?? []) text += String(chunk.args[0]);
      return text;
    });
    const call = caller.callProgressive('com.rpc.concat');
    call.send(['a']);
    call.send(['b']);
    call.send(['c'], undefined, { final: true });
    assert.deepEqual((await call.result).args, ['abc']);
  });

  test('cancellation in every mode, and the dealer\'s call timeout, interrupt a callee on another node', TEST_LIMIT, async () => {
    const callee = await open(1);
    const caller = await open(2);
    const interrupted: string[] = [];
    const started: string[] = [];
    await callee.register('com.rpc.slow', (args, _k, details) => new Promise((resolve) => {
      started.push(String(args[0]));
      details.signal.addEventListener('abort', () => {
        interrupted.push(String(args[0]));
        // kill waits for the callee's answer: it answers once interrupted.
        resolve('late');
      });
    }));
    for (const mode of ['skip', 'kill', 'killnowait'] as const) {
      const controller = new AbortController();
      const pending = caller.call('com.rpc.slow', [mode], {}, { signal: controller.signal, cancelMode: mode });
      // Canceled once the callee on the other node has it (an earlier CANCEL would never reach it).
      await eventually(() => started.includes(mode), `the ${mode} invocation reached the callee`);
      controller.abort();
      await assert.rejects(pending, `canceled (${mode})`);
    }
    await eventually(() => interrupted.includes('kill') && interrupted.includes('killnowait'), 'INTERRUPT for kill and killnowait');
    assert.ok(!interrupted.includes('skip'), 'skip does not interrupt the callee');
    await assert.rejects(caller.call('com.rpc.slow', ['timeout'], {}, { timeout: 100 }), isError('wamp.error.timeout'));
    await eventually(() => interrupted.includes('timeout'), 'the timed-out call interrupted');
  });

  test('caller disclosure reaches a callee on another node', TEST_LIMIT, async () => {
    const callee = await open(0);
    const caller = await open(2, 'alice');
    await callee.register('com.rpc.who', (_a, _k, d) => [d.caller ?? null, d.callerAuthid ?? null, d.callerAuthrole ?? null]);
    assert.deepEqual(await caller.call('com.rpc.who'), [null, null, null]);
    assert.deepEqual(await caller.call('com.rpc.who', [], {}, { discloseMe: true }), [caller.id, 'alice', 'user']);
  });

  test('a callee that leaves with calls in flight from another node: each caller gets ERROR canceled', TEST_LIMIT, async () => {
    const callee = await join(nodes[0]!.url);
    const caller = await open(1);
    let started = 0;
    await callee.register('com.rpc.hang', () => {
      started++;
      return new Promise(() => {});
    });
    const calls = [caller.call('com.rpc.hang'), caller.call('com.rpc.hang')];
    await eventually(() => started === 2, 'both invocations reached the callee');
    await callee.leave();
    for (const c of calls) await assert.rejects(c, isError('wamp.error.canceled'));
  });

  test('the meta API answers for the whole cluster on every node', TEST_LIMIT, async () => {
    const s = [await open(0, 'alice'), await open(1), await open(2)];
    await s[0]!.register('com.rpc.meta.proc', () => 0, { invoke: 'roundrobin' });
    await s[2]!.register('com.rpc.meta.proc', () => 0, { invoke: 'roundrobin' });
    await s[1]!.subscribe('com.rpc.meta.topic', () => {});
    await s[2]!.subscribe('com.rpc.meta.topic', () => {});
    const ids = s.map((x) => x.id);
    for (const asker of s) {
      const list = await asker.call('wamp.session.list') as number[];
      for (const id of ids) assert.ok(list.includes(id), `session ${id} listed`);
      assert.ok((await asker.call('wamp.session.count') as number) >= 3);
      // transport.outbound holds live counters of the session's own node only (docs/cluster.md).
      const here = await s[0]!.call('wamp.session.get', [ids[0]]) as { transport: Record<string, unknown> };
      const got = await asker.call('wamp.session.get', [ids[0]]) as Record<string, unknown> & { transport: Record<string, unknown> };
      assert.equal(typeof here.transport['outbound'], 'object', 'the own node reports the outbound budget');
      if (asker !== s[0]) assert.equal(got.transport['outbound'], undefined, 'other nodes do not report a stale copy');
      const { outbound: _a, ...gotTransport } = got.transport;
      const { outbound: _b, ...hereTransport } = here.transport;
      assert.deepEqual({ ...got, transport: gotTransport }, { ...here, transport: hereTransport });
      assert.equal(got['authid'], 'alice');
      const reg = await asker.call('wamp.registration.lookup', ['com.rpc.meta.proc']) as number;
      assert.equal(await asker.call('wamp.registration.match', ['com.rpc.meta.proc']), reg);
      assert.deepEqual(await asker.call('wamp.registration.list_callees', [reg]), [ids[0], ids[2]]);
      assert.equal(await asker.call('wamp.registration.count_callees', [reg]), 2);
      assert.equal((await asker.call('wamp.registration.get', [reg]) as Record<string, unknown>)['invoke'], 'roundrobin');
      assert.ok((await asker.call('wamp.registration.list') as { exact: number[] }).exact.includes(reg));
      const sub = await asker.call('wamp.subscription.lookup', ['com.rpc.meta.topic']) as number;
      assert.deepEqual(await asker.call('wamp.subscription.match', ['com.rpc.meta.topic']), [sub]);
      assert.deepEqual([...(await asker.call('wamp.subscription.list_subscribers', [sub]) as number[])].sort(), [ids[1], ids[2]].sort());
      assert.equal(await asker.call('wamp.subscription.count_subscribers', [sub]), 2);
      assert.equal((await asker.call('wamp.subscription.get', [sub]) as Record<string, unknown>)['uri'], 'com.rpc.meta.topic');
      assert.ok((await asker.call('wamp.subscription.list') as { exact: number[] }).exact.includes(sub));
    }
  });

  test('wamp.session.kill of a session on another node is carried out by its node, with its meta events once', TEST_LIMIT, async () => {
    const admin = await open(0, 'bob');
    const victim = await join(nodes[2]!.url);
    const watcher = await open(1);
    const leaves = new Inbox();
    await watcher.subscribe('wamp.session.on_leave', leaves.handler);
    const left = new Promise<string>((resolve) => victim.once('leave', (d) => resolve(d.reason)));
    await admin.call('wamp.session.kill', [victim.id], { reason: 'wamp.close.killed', message: 'bye' });
    assert.equal(await left, 'wamp.close.killed');
    await eventually(() => leaves.events.some((e) => e.args[0] === victim.id), 'on_leave of the killed session');
    await admin.publish('wamp.never', []).catch(() => {});
    assert.equal(leaves.events.filter((e) => e.args[0] === victim.id).length, 1);
    await assert.rejects(admin.call('wamp.session.get', [victim.id]), isError('wamp.error.no_such_session'));
  });
});
