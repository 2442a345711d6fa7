import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationSession, type SessionDetails } from '../../runtime/wamp/session.js';
import { ApplicationError, Result } from '../../runtime/wamp/application-error.js';
import { createMemoryPair } from '../../runtime/transports/memory.js';
import { makeRouter, joinSession, withTimeout, delay } from '../router/helpers.js';
import type { EventDetails } from '../../runtime/wamp/types.js';

describe('ApplicationSession over the embedded router (memory transport)', () => {
  test('the seed component ports line for line: subscribe, publish, register add2, call add2', async () => {
    const router = makeRouter();
    const log: string[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));

    class MyComponent extends ApplicationSession {
      override async onJoin(details: SessionDetails): Promise<void> {
        log.push(`joined ${details.realm}`);
        // 1. subscribe to a topic
        await this.subscribe('com.myapp.hello', (args) => {
          log.push(`event: ${String(args[0])}`);
        });
        // 2. publish an event (acknowledged, and not to ourselves by default)
        await this.publish('com.myapp.hello', ['Hello, world!'], {}, { acknowledge: true, excludeMe: false });
        // 3. register a procedure for remote calling
        await this.register('com.myapp.add2', ([x, y]) => (x as number) + (y as number));
        // 4. call a remote procedure
        const res = await this.call('com.myapp.add2', [2, 3]);
        log.push(`result: ${String(res)}`);
        await this.leave();
      }
      override onLeave(): void {
        this.disconnect();
      }
      override onDisconnect(): void {
        done();
      }
    }

    const [client, server] = createMemoryPair();
    router.attach(server);
    new MyComponent({ realm: 'realm1' }).attach(client);
    await withTimeout(finished, 10000, 'component');
    assert.deepEqual(log, ['joined realm1', 'event: Hello, world!', 'result: 5']);
    await router.close();
  });

  test('call returns the single result, a Result for several, undefined for none; callResult gives all', async () => {
    const router = makeRouter();
    const { session } = await joinSession(router);
    await session.register('r.one', () => 42);
    await session.register('r.many', () => new Result([1, 2], { k: 'v' }));
    await session.register('r.none', () => undefined);
    await session.register('r.echo', (args, kwargs) => new Result(args, kwargs));
    assert.equal(await session.call('r.one'), 42);
    const many = await session.call('r.many');
    assert.ok(Result.is(many));
    assert.deepEqual([many.args, many.kwargs], [[1, 2], { k: 'v' }]);
    assert.equal(await session.call('r.none'), undefined);
    assert.deepEqual(await session.callResult('r.echo', ['a'], { b: 1 }), { args: ['a'], kwargs: { b: 1 } });
    // call() settles from the RESULT itself: one positional result and keyword results is a
    // Result; empty kwargs count as none; callResult fills in what the RESULT left out.
    const withKwargs = await session.call('r.echo', ['a'], { b: 1 });
    assert.ok(Result.is(withKwargs));
    assert.deepEqual([withKwargs.args, withKwargs.kwargs], [['a'], { b: 1 }]);
    assert.equal(await session.call('r.echo', ['a'], {}), 'a');
    assert.deepEqual(await session.callResult('r.none'), { args: [], kwargs: {} });
    await session.leave();
    await router.close();
  });

  test('errors in a procedure reach the caller: ApplicationError keeps its URI, others become runtime_error', async () => {
    const router = makeRouter();
    const a = await joinSession(router);
    const b = await joinSession(router);
    await a.session.register('r.app', () => {
      throw new ApplicationError('com.example.error.bad', ['reason'], { code: 7 });
    });
    await a.session.register('r.boom', async () => {
      throw new Error('kaputt');
    });
    await assert.rejects(b.session.call('r.app'), (e: unknown) => {
      assert.ok(ApplicationError.is(e));
      assert.equal(e.error, 'com.example.error.bad');
      assert.deepEqual(e.args, ['reason']);
      assert.deepEqual(e.kwargs, { code: 7 });
      return true;
    });
    await assert.rejects(b.session.call('r.boom'), (e: unknown) => {
      assert.ok(ApplicationError.is(e));
      assert.equal(e.error, 'wamp.error.runtime_error');
      assert.deepEqual(e.args, ['kaputt']);
      return true;
    });
    await assert.rejects(b.session.call('r.nothing'), (e: unknown) => ApplicationError.is(e) && e.error === 'wamp.error.no_such_procedure');
    await assert.rejects(b.session.register('r.app', () => 1), (e: unknown) => ApplicationError.is(e) && e.error === 'wamp.error.procedure_already_exists');
    await router.close();
  });

  test('events carry details; the publisher is excluded by default; disclose_me identifies it', async () => {
    const router = makeRouter();
    const a = await joinSession(router);
    const b = await joinSession(router);
    const gotA: unknown[] = [];
    const gotB: Array<[unknown[], Record<string, unknown>, EventDetails]> = [];
    await a.session.subscribe('t.x', (args) => void gotA.push(args));
    const sub = await b.session.subscribe('t.x', (args, kwargs, details) => void gotB.push([args, kwargs, details]));
    const pub = await a.session.publish('t.x', [1], { k: 2 }, { acknowledge: true, discloseMe: true });
    assert.ok(pub !== undefined && pub.id > 0);
    for (let i = 0; i < 2000 && gotB.length === 0; i++) await delay(5);
    assert.equal(gotB.length, 1);
    const [args, kwargs, details] = gotB[0]!;
    assert.deepEqual(args, [1]);
    assert.deepEqual(kwargs, { k: 2 });
    assert.equal(details.topic, 't.x');
    assert.equal(details.subscription, sub.id);
    assert.equal(details.publication, pub.id);
    assert.equal(details.publisher, a.session.id);
    assert.deepEqual(gotA, [], 'the publisher does not receive its own event');
    await sub.unsubscribe();
    assert.equal(sub.active, false);
    await a.session.publish('t.x', [2], {}, { acknowledge: true });
    await delay(10);
    assert.equal(gotB.length, 1, 'no events after unsubscribe');
    await router.close();
  });

  test('progressive call results and caller cancel (kill, skip)', async () => {
    const router = makeRouter();
    const callee = await joinSession(router);
    const caller = await joinSession(router);
    await callee.session.register('r.count', async ([n], _kw, details) => {
      for (let i = 1; i <= (n as number); i++) details.progress?.([i]);
      return 'done';
    });
    let interrupted = 0;
    await callee.session.register('r.slow', (_a, _k, details) => new Promise((_, reject) => {
      details.signal.addEventListener('abort', () => {
        interrupted++;
        reject(details.signal.reason);
      });
    }));
    const progress: unknown[] = [];
    const final = await caller.session.call('r.count', [3], {}, { onProgress: (args) => void progress.push(args[0]) });
    assert.equal(final, 'done');
    assert.deepEqual(progress, [1, 2, 3]);

    for (const mode of ['kill', 'skip', 'killnowait'] as const) {
      const controller = new AbortController();
      const pending = caller.session.call('r.slow', [], {}, { signal: controller.signal, cancelMode: mode });
      await delay(10);
      controller.abort(new Error(`stop ${mode}`));
      await assert.rejects(withTimeout(pending, 10000, `cancel ${mode}`), (e: unknown) => e instanceof Error && e.message === `stop ${mode}`);
    }
    await delay(20);
    assert.equal(interrupted, 2, 'kill and killnowait interrupt the callee; skip does not');
    await router.close();
  });

  test('the Autobahn-style hooks run in order: onConnect, onJoin, onLeave, onDisconnect', async () => {
    const router = makeRouter();
    const order: string[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    class Hooks extends ApplicationSession {
      override onConnect() {
        order.push('connect');
        return super.onConnect();
      }
      override async onJoin() {
        order.push('join');
        await this.leave('wamp.close.normal', 'bye');
      }
      override onLeave(details: { reason: string }) {
        order.push(`leave:${details.reason}`);
        super.onLeave(details);
      }
      override onDisconnect() {
        order.push('disconnect');
        done();
      }
    }
    const [client, server] = createMemoryPair();
    router.attach(server);
    new Hooks({ realm: 'realm1' }).attach(client);
    await withTimeout(finished, 10000, 'hooks');
    assert.deepEqual(order, ['connect', 'join', 'leave:wamp.close.goodbye_and_out', 'disconnect']);
    await router.close();
  });

  test('requests before joining reject with WAMP_NOT_JOINED; bad arguments are named', async () => {
    const session = new ApplicationSession({ realm: 'realm1' });
    await assert.rejects(session.call('x.y'), (e: unknown) => (e as { code?: string }).code === 'WAMP_NOT_JOINED');
    await assert.rejects(session.call('', []), /procedure must be a non-empty URI/);
    await assert.rejects(session.publish('t', 'no' as never), /args must be an array/);
  });
});
