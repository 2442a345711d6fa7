// Our client <-> our router over real sockets, with every serializer.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from '../../runtime/router/router.js';
import { connectWebSocketTransport } from '../../runtime/transports/websocket-transport.js';
import { ApplicationSession, type SessionDetails } from '../../runtime/wamp/session.js';
import type { WampTransport } from '../../runtime/transports/transport.js';
import { withTimeout, delay } from '../router/helpers.js';

async function join(transport: WampTransport): Promise<ApplicationSession> {
  const session = new ApplicationSession({ realm: 'realm1' });
  const joined = new Promise<SessionDetails>((resolve, reject) => {
    session.once('join', resolve);
    session.once('leave', (d) => reject(new Error(`left: ${d.reason}`)));
  });
  session.attach(transport);
  await withTimeout(joined, 10000, 'join');
  return session;
}

async function exercise(a: ApplicationSession, b: ApplicationSession, label: string): Promise<void> {
  const bytes = new Uint8Array([0, 1, 2, 255]);
  await a.register(`com.${label}.add2`, ([x, y]) => (x as number) + (y as number));
  await a.register(`com.${label}.echo`, (args, kwargs) => ({ args, kwargs }));
  assert.equal(await b.call(`com.${label}.add2`, [2, 3]), 5);
  const echoed = (await b.call(`com.${label}.echo`, ['ü', 2 ** 53, bytes], { k: [1, { n: null }] })) as { args: unknown[]; kwargs: unknown };
  assert.equal(echoed.args[0], 'ü');
  assert.equal(echoed.args[1], 2 ** 53);
  assert.deepEqual(new Uint8Array(echoed.args[2] as Uint8Array), bytes);
  assert.deepEqual(echoed.kwargs, { k: [1, { n: null }] });
  const events: unknown[] = [];
  await b.subscribe(`com.${label}.topic`, (args) => void events.push(args[0]));
  await a.publish(`com.${label}.topic`, ['hello'], {}, { acknowledge: true });
  for (let i = 0; i < 2000 && events.length === 0; i++) await delay(5);
  assert.deepEqual(events, ['hello']);
}

describe('our client and our router over WebSocket', () => {
  for (const serializer of ['json', 'msgpack', 'cbor'] as const) {
    test(`WebSocket with ${serializer}: register, call, subscribe, publish`, async () => {
      const router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0 }] });
      const [url] = await router.start();
      assert.match(url!, /^ws:\/\/127\.0\.0\.1:\d+\/ws$/);
      const ta = await connectWebSocketTransport(url!, { serializers: [serializer] });
      const tb = await connectWebSocketTransport(url!, { serializers: [serializer] });
      assert.equal(ta.serializerName, serializer);
      const a = await join(ta);
      const b = await join(tb);
      await exercise(a, b, serializer);
      await a.leave();
      await b.leave();
      a.disconnect();
      b.disconnect();
      await router.close();
    });
  }

  test('router close drops WebSocket peers that never answer its GOODBYE', async () => {
    const { default: WebSocket } = await import('ws');
    const router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0 }] });
    const [url] = await router.start();
    const ws = new WebSocket(url!, ['wamp.2.json']);
    const messages: unknown[] = [];
    ws.on('message', (d) => void messages.push(JSON.parse(String(d))));
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    ws.send(JSON.stringify([1, 'realm1', { roles: { caller: {} } }]));
    for (let i = 0; i < 2000 && messages.length === 0; i++) await delay(5);
    assert.equal((messages[0] as unknown[])[0], 2);
    await withTimeout(router.close(50), 15000, 'router close');
    // 1001 "going away": the router is shutting down (RFC 6455 section 7.4.1).
    assert.equal(await withTimeout(closed, 15000, 'ws close'), 1001);
    assert.deepEqual((messages[1] as unknown[])?.slice(0, 1), [6], 'GOODBYE came first');
  });

  test('a WebSocket message over maxMessageSize closes the connection with 1009; others keep working', async () => {
    const { default: WebSocket } = await import('ws');
    const router = new Router({ realms: ['realm1'], maxMessageSize: 1024, listeners: [{ type: 'websocket', port: 0 }] });
    const [url] = await router.start();
    const good = await join(await connectWebSocketTransport(url!, { serializers: ['json'] }));
    const ws = new WebSocket(url!, ['wamp.2.json']);
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    ws.send(JSON.stringify([1, 'realm1', { roles: { caller: {} }, pad: 'x'.repeat(2000) }]));
    assert.equal(await withTimeout(closed, 10000, 'close'), 1009);
    await good.register('still.ok', () => 1);
    assert.equal(await good.call('still.ok'), 1);
    good.disconnect();
    await router.close(50);
  });

  test('the router picks the first serializer the client offers, and refuses clients offering none', async () => {
    const router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0, serializers: ['json', 'msgpack'] }] });
    const [url] = await router.start();
    const t = await connectWebSocketTransport(url!, { serializers: ['cbor', 'msgpack', 'json'] });
    assert.equal(t.serializerName, 'msgpack');
    t.close();
    await assert.rejects(connectWebSocketTransport(url!, { serializers: ['cbor'] }));
    await assert.rejects(connectWebSocketTransport(url!.replace('/ws', '/other'), { serializers: ['json'] }));
    await router.close();
  });
});
