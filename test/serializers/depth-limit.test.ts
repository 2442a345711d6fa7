/**
 * One nesting limit for all three serializers (default 512, configurable): a deeper message is
 * refused at the door with SERIALIZER_TOO_DEEP (wamp.error.protocol_violation), which the
 * session and the router turn into ABORT; a deeper value is refused by serialize() with the same
 * code, never a RangeError from the stack.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  CborSerializer,
  DEFAULT_MAX_DEPTH,
  JsonSerializer,
  MsgpackSerializer,
  SERIALIZERS,
  createSerializer,
  json,
  type Serializer,
} from '../../runtime/serializers/index.js';
import { isSerializerError, SerializerErrorCode } from '../../runtime/serializers/errors.js';
import { createMemoryPair } from '../../runtime/transports/memory.js';
import type { TransportSerializer } from '../../runtime/transports/transport.js';
import { ApplicationSession, type CloseDetails } from '../../runtime/wamp/session.js';
import { serializersOf } from '../../runtime/transports/serializer-choice.js';
import { connectWebSocketTransport } from '../../runtime/transports/websocket-transport.js';
import { Router } from '../../runtime/router/router.js';
import { makeRouter, RawPeer, joinSession, withTimeout } from '../router/helpers.js';

/** `n` nested lists, innermost empty, in each format's bytes (written by hand: our encoders refuse). */
function nestedLists(s: Serializer, n: number): Uint8Array | string {
  if (s.name === 'json') return '['.repeat(n) + ']'.repeat(n);
  const [open, empty] = s.name === 'msgpack' ? ['91', '90'] : ['81', '80'];
  return new Uint8Array(Buffer.from(open.repeat(n - 1) + empty, 'hex'));
}

/** `n` nested lists/dicts alternating, with a scalar innermost, as a value. */
function nestedValue(n: number): unknown[] {
  const root: unknown[] = [];
  let cur: unknown[] | Record<string, unknown> = root;
  for (let level = 2; level <= n; level++) {
    const next: unknown[] | Record<string, unknown> = level % 2 === 0 ? { k: null } : [];
    if (Array.isArray(cur)) cur.push(next);
    else cur['k'] = next;
    cur = next;
  }
  if (Array.isArray(cur)) cur.push(1);
  else cur['k'] = 1;
  return root;
}

const tooDeepOnReceipt = (err: unknown): boolean => isSerializerError(err) && err.code === SerializerErrorCode.TOO_DEEP && err.wampUri === 'wamp.error.protocol_violation';
const tooDeepToSend = (err: unknown): boolean => isSerializerError(err) && err.code === SerializerErrorCode.TOO_DEEP && err.wampUri === undefined;

for (const s of SERIALIZERS) {
  describe(`${s.name}: nesting limit ${DEFAULT_MAX_DEPTH}`, () => {
    test('decoding: exactly the limit is accepted, one more level refused at the door', () => {
      assert.doesNotThrow(() => s.deserialize(nestedLists(s, DEFAULT_MAX_DEPTH)));
      assert.throws(() => s.deserialize(nestedLists(s, DEFAULT_MAX_DEPTH + 1)), tooDeepOnReceipt);
      assert.throws(() => s.deserialize(nestedLists(s, 100_000)), tooDeepOnReceipt);
    });

    test('encoding: exactly the limit is written, one more level is SERIALIZER_TOO_DEEP naming the path', () => {
      const ok = s.serialize(nestedValue(DEFAULT_MAX_DEPTH));
      assert.deepEqual(s.deserialize(ok), nestedValue(DEFAULT_MAX_DEPTH));
      assert.throws(() => s.serialize(nestedValue(DEFAULT_MAX_DEPTH + 1)), (err: unknown) => tooDeepToSend(err) && /^message\[0\]\.k\[0\]\.k/.test((err as { path: string }).path));
    });

    test('a value 100,000 levels deep is SERIALIZER_TOO_DEEP, not a stack overflow', () => {
      let deep: unknown = 1;
      for (let i = 0; i < 100_000; i++) deep = [deep];
      assert.throws(() => s.serialize([deep]), tooDeepToSend);
    });

    test('the limit is configurable; a lower one applies both ways', () => {
      const Class = { json: JsonSerializer, msgpack: MsgpackSerializer, cbor: CborSerializer }[s.name];
      const small = new Class({ maxDepth: 16 });
      assert.equal(small.maxDepth, 16);
      assert.doesNotThrow(() => small.deserialize(nestedLists(s, 16)));
      assert.throws(() => small.deserialize(nestedLists(s, 17)), tooDeepOnReceipt);
      assert.doesNotThrow(() => small.serialize(nestedValue(16)));
      assert.throws(() => small.serialize(nestedValue(17)), tooDeepToSend);
      assert.equal(createSerializer(s.name), s);
      assert.equal(createSerializer(s.name, { maxDepth: 16 }), createSerializer(s.name, { maxDepth: 16 }));
      assert.equal(createSerializer(s.name, { maxDepth: 16 }).maxDepth, 16);
      for (const bad of [0, 15, -1, 16.5, 1025, Number.NaN, '16']) {
        assert.throws(() => new Class({ maxDepth: bad as number }), /maxDepth must be an integer in 16\.\.1024/, String(bad));
      }
    });
  });
}

describe('the largest configurable limit, 1024, fits the stack in every format', () => {
  for (const s of SERIALIZERS) {
    test(`${s.name}: 1024 levels both ways, 1025 refused as too deep (not a stack overflow)`, () => {
      const big = createSerializer(s.name, { maxDepth: 1024 });
      assert.deepEqual(big.deserialize(big.serialize(nestedValue(1024))), nestedValue(1024));
      assert.doesNotThrow(() => big.deserialize(nestedLists(s, 1024)));
      assert.throws(() => big.serialize(nestedValue(1025)), tooDeepToSend);
      assert.throws(() => big.deserialize(nestedLists(s, 1025)), tooDeepOnReceipt);
    });
  }
});

describe('JSON depth check before JSON.parse', () => {
  test('brackets inside strings do not count; a wide message with many brackets is not deep', () => {
    const inString = JSON.stringify(['['.repeat(5000), '{'.repeat(5000), '"\\]'.repeat(100)]);
    assert.deepEqual(json.deserialize(inString), JSON.parse(inString));
    const wide = JSON.stringify([Array.from({ length: 2000 }, (_, i) => ({ i, l: [i] }))]);
    assert.deepEqual(json.deserialize(wide), JSON.parse(wide));
  });

  test('closing brackets hidden in strings cannot mask real depth', () => {
    const text = `["${']'.repeat(600)}",${'['.repeat(DEFAULT_MAX_DEPTH)}${']'.repeat(DEFAULT_MAX_DEPTH)}]`;
    assert.throws(() => json.deserialize(text), tooDeepOnReceipt);
  });

  test('a deep message with an integer beyond 2^53 is refused too (the exact parser has the same limit)', () => {
    const text = `[${'['.repeat(DEFAULT_MAX_DEPTH)}12345678901234567890${']'.repeat(DEFAULT_MAX_DEPTH)}]`;
    assert.throws(() => json.deserialize(text), tooDeepOnReceipt);
  });
});

/** A serializer that sends `['raw', bytes]` as those bytes: lets a test put any bytes on the wire. */
function rawCapable(s: Serializer): TransportSerializer {
  return {
    name: s.name,
    isBinary: s.isBinary,
    serialize: (m: unknown[]) => (m[0] === 'raw' ? (m[1] as Uint8Array | string) : s.serialize(m)),
    deserialize: (d: Uint8Array | string) => s.deserialize(d),
  };
}

for (const s of SERIALIZERS) {
  describe(`${s.name}: a too-deep message ends the session with ABORT protocol_violation`, () => {
    test('sent to the router', async () => {
      const router = makeRouter();
      try {
        const peer = new RawPeer(router, rawCapable(s));
        await peer.hello();
        peer.send(['raw', nestedLists(s, DEFAULT_MAX_DEPTH + 1)]);
        const abort = await peer.next(3);
        assert.equal(abort[2], 'wamp.error.protocol_violation');
        assert.match(String((abort[1] as { message?: string }).message), /nesting deeper than 512/);
      } finally {
        await router.close(100);
      }
    });

    test('sent to our client', async () => {
      const router = makeRouter();
      try {
        const [client, server] = createMemoryPair({ serializer: rawCapable(s) });
        router.attach(server);
        const session = new ApplicationSession({ realm: 'realm1' });
        const joined = new Promise<void>((resolve) => session.once('join', () => resolve()));
        const left = new Promise<CloseDetails>((resolve) => session.once('leave', resolve));
        const sent: unknown[][] = [];
        const send = client.send.bind(client);
        client.send = (m: unknown[]): void => {
          sent.push(m);
          send(m);
        };
        session.attach(client);
        await withTimeout(joined, 5000, 'join');
        server.send(['raw', nestedLists(s, DEFAULT_MAX_DEPTH + 1)]);
        const details = await withTimeout(left, 5000, 'leave');
        assert.equal(details.reason, 'wamp.error.protocol_violation');
        assert.ok(sent.some((m) => m[0] === 3 && m[2] === 'wamp.error.protocol_violation'), `sent ${JSON.stringify(sent.map((m) => m[0]))}`);
      } finally {
        await router.close(100);
      }
    });
  });
}

describe('a configured limit reaches the transport', () => {
  test('serializersOf(names, { maxDepth }) gives configured instances; instances pass unchanged', () => {
    const [j, c] = serializersOf(['json', 'cbor'], { maxDepth: 16 }) as [Serializer, Serializer];
    assert.equal(j.maxDepth, 16);
    assert.equal(c.maxDepth, 16);
    assert.throws(() => c.deserialize(nestedLists(c, 17)), tooDeepOnReceipt);
    const mine = new JsonSerializer({ maxDepth: 20 });
    assert.equal(serializersOf([mine], { maxDepth: 16 })[0], mine);
    assert.deepEqual(serializersOf(['msgpack']), [createSerializer('msgpack')]);
    assert.throws(() => serializersOf(['json'], { maxDepth: 0 }), /maxDepth/);
  });

  test('a client over WebSocket with maxDepth 16 leaves with protocol_violation when an event nests deeper', async () => {
    const router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0 }] });
    try {
      const [url] = (await router.start()) as [string];
      const session = new ApplicationSession({ realm: 'realm1' });
      const joined = new Promise<void>((resolve) => session.once('join', () => resolve()));
      const left = new Promise<CloseDetails>((resolve) => session.once('leave', resolve));
      session.attach(await connectWebSocketTransport(url, { serializers: [createSerializer('json', { maxDepth: 16 })] }));
      await withTimeout(joined, 5000, 'join');
      let events = 0;
      await session.subscribe('deep', () => void events++);
      const publisher = await joinSession(router);
      // EVENT: level 1 the message, 2 the arguments, then one per list: 16 is fine, 17 is not.
      await publisher.session.publish('deep', nestedValue(15), {}, { acknowledge: true });
      await publisher.session.publish('deep', nestedValue(16), {}, { acknowledge: true });
      const details = await withTimeout(left, 5000, 'leave');
      assert.equal(details.reason, 'wamp.error.protocol_violation');
      assert.equal(events, 1, 'the first event (16 levels) was delivered');
    } finally {
      await router.close(100);
    }
  });
});
