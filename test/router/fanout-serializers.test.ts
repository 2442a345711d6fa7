// Fan-out over real WebSockets: one EVENT is serialized once per serializer and the same bytes
// go to every subscriber of that serializer. Each subscriber must still get the publisher's
// payload exactly, whatever its serializer, and one that cannot take it misses only that event.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationSession, type SessionDetails } from '../../runtime/wamp/session.js';
import { connectWebSocketTransport } from '../../runtime/transports/websocket-transport.js';
import { Router } from '../../runtime/router/router.js';
import { configureLogging } from '../../runtime/log.js';
import { withTimeout, delay } from './helpers.js';

type Name = 'json' | 'msgpack' | 'cbor';

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (check()) return;
    await delay(5);
  }
  throw new Error(`timed out: ${what}`);
}

describe('router fan-out: the same event to JSON, MessagePack and CBOR subscribers over WebSocket', () => {
  test('every subscriber gets the payload exactly; one its serializer cannot carry is skipped for it only', async () => {
    const warnings: string[] = [];
    configureLogging('router:warn', { sink: (line) => void warnings.push(line) });
    const router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0 }] });
    const [url] = await router.start();
    const sessions: ApplicationSession[] = [];
    const join = async (serializer: Name): Promise<ApplicationSession> => {
      const session = new ApplicationSession({ realm: 'realm1' });
      const joined = new Promise<SessionDetails>((resolve) => session.once('join', resolve));
      session.attach(await connectWebSocketTransport(url!, { serializers: [serializer] }));
      await withTimeout(joined, 5000, `join over ${serializer}`);
      sessions.push(session);
      return session;
    };
    try {
      const names: Name[] = ['json', 'msgpack', 'cbor', 'json', 'msgpack', 'cbor'];
      const got: Array<Array<{ args: unknown[]; kwargs: Record<string, unknown> }>> = names.map(() => []);
      for (const [i, name] of names.entries()) {
        const s = await join(name);
        await s.subscribe('t.fan', (args, kwargs) => void got[i]!.push({ args, kwargs }));
      }
      const publisher = await join('cbor');
      const payload = ['héllo wörld ✓', 42, -1.5, true, null, new Uint8Array([0, 1, 254, 255]), { nested: ['a', { b: 2 }] }];
      const kwargs = { text: '日本語', list: [1, 2, 3] };
      await withTimeout(publisher.publish('t.fan', payload, kwargs, { acknowledge: true }), 5000, 'publish');
      // NaN: MessagePack and CBOR carry it, JSON has none: the JSON subscribers miss this one.
      await withTimeout(publisher.publish('t.fan', [Number.NaN], {}, { acknowledge: true }), 5000, 'publish NaN');
      await withTimeout(publisher.publish('t.fan', ['after'], {}, { acknowledge: true }), 5000, 'publish after');
      await until(() => got.every((events, i) => events.length === (names[i] === 'json' ? 2 : 3)), 'all events');
      await delay(20);
      for (const [i, events] of got.entries()) {
        const name = names[i]!;
        assert.equal(events.length, name === 'json' ? 2 : 3, `${name} subscriber ${i}`);
        const first = events[0]!;
        assert.equal(first.args.length, payload.length);
        assert.deepEqual(first.args.slice(0, 5), payload.slice(0, 5), `${name} scalars`);
        assert.deepEqual(Buffer.from(first.args[5] as Uint8Array), Buffer.from([0, 1, 254, 255]), `${name} binary`);
        assert.deepEqual(first.args[6], { nested: ['a', { b: 2 }] }, `${name} dict`);
        assert.deepEqual(first.kwargs, kwargs, `${name} kwargs`);
        if (name !== 'json') assert.ok(Number.isNaN(events[1]!.args[0]), `${name} NaN`);
        assert.deepEqual(events[events.length - 1]!.args, ['after'], `${name} last`);
      }
      assert.equal(warnings.filter((w) => / warn .*EVENT/.test(w)).length, 2, warnings.join('\n'));
      for (const s of sessions) await s.leave();
    } finally {
      configureLogging(undefined);
      await router.close(50);
    }
  });
});
