import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Component, connect, retryDelay } from '../../runtime/wamp/component.js';
import { createMemoryPair } from '../../runtime/transports/memory.js';
import type { WampTransport } from '../../runtime/transports/transport.js';
import { ApplicationSession, type SessionDetails } from '../../runtime/wamp/session.js';
import { Router } from '../../runtime/router/router.js';
import { makeRouter, joinSession, withTimeout, delay } from '../router/helpers.js';

const fast = { initialRetryDelay: 5, retryDelayGrowth: 2, retryDelayJitter: 0, maxRetryDelay: 50 };

function memoryConnector(router: Router, serverSides: WampTransport[]) {
  return () => {
    const [client, server] = createMemoryPair();
    router.attach(server);
    serverSides.push(server);
    return Promise.resolve(client as WampTransport);
  };
}

describe('Component: connect, reconnect, restore', () => {
  test('after the transport is lost, it reconnects and restores registrations and subscriptions', async () => {
    const router = makeRouter();
    const serverSides: WampTransport[] = [];
    const events: unknown[] = [];
    let joins = 0;
    const component = new Component({
      transports: memoryConnector(router, serverSides),
      realm: 'realm1',
      ...fast,
      onJoin: async (session) => {
        joins++;
        await session.register('c.add2', ([x, y]) => (x as number) + (y as number));
        await session.subscribe('c.topic', (args) => void events.push(args[0]));
      },
    });
    const rejoined = new Promise<SessionDetails>((resolve) => component.on('join', (_s, d) => d.rejoined && resolve(d)));
    const done = component.start();
    const other = await joinSession(router);
    for (let i = 0; i < 2000 && component.session.registrations.length === 0; i++) await delay(5);
    assert.equal(await other.session.call('c.add2', [1, 2]), 3);

    serverSides[0]!.close(); // the network drops
    const details = await withTimeout(rejoined, 10000, 'rejoin');
    assert.equal(details.rejoined, true);
    for (let i = 0; i < 2000 && component.session.registrations.length === 0; i++) await delay(5);
    assert.equal(await other.session.call('c.add2', [20, 22]), 42, 'the registration was restored');
    await other.session.publish('c.topic', ['after'], {}, { acknowledge: true });
    for (let i = 0; i < 2000 && events.length === 0; i++) await delay(5);
    assert.deepEqual(events, ['after'], 'the subscription was restored');
    assert.equal(joins, 1, 'onJoin ran once; the restore did the rest');
    assert.equal(component.session.registrations[0]!.active, true);

    await component.stop();
    await withTimeout(done, 10000, 'done');
    await router.close(50);
  });

  test('gives up after maxRetries failed attempts, reporting each failure', async () => {
    let attempts = 0;
    const component = new Component({
      transports: () => {
        attempts++;
        return Promise.reject(new Error('refused'));
      },
      realm: 'realm1',
      ...fast,
      maxRetries: 2,
    });
    const failures: number[] = [];
    component.on('connectfailure', (_e, n) => void failures.push(n));
    await assert.rejects(withTimeout(component.start(), 10000, 'start'), (e: unknown) => (e as { code?: string }).code === 'WAMP_RETRIES_EXHAUSTED');
    assert.equal(attempts, 3);
    assert.deepEqual(failures, [1, 2, 3]);
  });

  test('transports are tried round robin', async () => {
    const router = makeRouter();
    const tried: string[] = [];
    const serverSides: WampTransport[] = [];
    const ok = memoryConnector(router, serverSides);
    const session = await withTimeout(connect({
      transports: [() => {
        tried.push('a');
        return Promise.reject(new Error('down'));
      }, () => {
        tried.push('b');
        return ok();
      }],
      realm: 'realm1',
      ...fast,
    }), 3000, 'connect');
    assert.deepEqual(tried, ['a', 'b']);
    assert.ok(session.isOpen);
    await session.leave();
    await router.close(50);
  });

  test('an unknown realm is fatal: start() rejects, no reconnect loop', async () => {
    const router = makeRouter();
    const component = new Component({ transports: memoryConnector(router, []), realm: 'nope', ...fast });
    await assert.rejects(withTimeout(component.start(), 10000, 'start'), /no_such_realm/);
    await router.close(50);
  });

  test('a deliberate leave ends the component; a session subclass is used', async () => {
    const router = makeRouter();
    class Mine extends ApplicationSession {
      override async onJoin(): Promise<void> {
        await this.leave();
      }
    }
    const component = new Component({ transports: memoryConnector(router, []), realm: 'realm1', session: Mine, ...fast });
    assert.ok(component.session instanceof Mine);
    await withTimeout(component.start(), 10000, 'start');
    await router.close(50);
  });

  test('a deliberate leave while waiting to reconnect stops the component at once', async () => {
    const router = makeRouter();
    const serverSides: WampTransport[] = [];
    const first = memoryConnector(router, serverSides);
    let attempts = 0;
    const component = new Component({
      // The first attempt connects; every later one would only be tried after a minute.
      transports: () => (++attempts === 1 ? first() : Promise.reject(new Error('down'))),
      realm: 'realm1',
      initialRetryDelay: 60_000,
      retryDelayJitter: 0,
    });
    const joined = new Promise<void>((resolve) => component.once('join', () => resolve()));
    const done = component.start();
    await withTimeout(joined, 10000, 'join');
    const disconnected = new Promise<void>((resolve) => component.once('disconnect', () => resolve()));
    serverSides[0]!.close(); // the network drops; the component now waits to reconnect
    await withTimeout(disconnected, 10000, 'disconnect');
    assert.equal(component.session.isConnected, false);
    const left: string[] = [];
    component.session.once('leave', (d) => void left.push(d.reason));
    await component.session.leave();
    await withTimeout(done, 5000, 'the component stops');
    assert.deepEqual(left, ['wamp.close.normal']);
    assert.equal(component.session.leftDeliberately, true);
    assert.equal(attempts, 1, 'no reconnect attempt after the leave');
    await router.close(50);
  });

  test('over a real WebSocket URL', async () => {
    const router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0 }] });
    const [url] = await router.start();
    const session = await withTimeout(connect({ transports: [{ url: url!, serializers: ['msgpack'] }], realm: 'realm1', ...fast }), 10000, 'connect');
    await session.register('c.ws', () => 'ok');
    assert.equal(await session.call('c.ws'), 'ok');
    await session.leave();
    await router.close(50);
  });

  test('retry delays grow, jitter spreads them, the maximum caps them; options are validated', () => {
    const o = { initialRetryDelay: 100, retryDelayGrowth: 2, retryDelayJitter: 0.5, maxRetryDelay: 1000 };
    assert.equal(retryDelay(1, o, () => 0.5), 100);
    assert.equal(retryDelay(3, o, () => 0.5), 400);
    assert.equal(retryDelay(10, o, () => 0.5), 1000);
    assert.equal(retryDelay(1, o, () => 0), 50);
    assert.equal(retryDelay(1, o, () => 1), 150);
    assert.throws(() => new Component({ transports: [], realm: 'r' }), /transports must list/);
    assert.throws(() => new Component({ transports: 'ws://x/ws', realm: 'r', retryDelayGrowth: 0.5 }), /retryDelayGrowth must be a number >= 1, got 0.5/);
    assert.throws(() => new Component({ transports: 'http://x', realm: 'r' }), /unsupported transport URL "http:\/\/x"/);
  });
});
