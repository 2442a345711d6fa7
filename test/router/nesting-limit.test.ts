// The nesting limit beyond the serializers (issue 13, h13ser's leftovers): the router's
// `maxNestingDepth` reaches its listeners' serializers, the shared-event cache is keyed by
// serializer instance (two instances of a format with different limits share neither bytes nor
// a failure), and client transport configs take a serializer instance or a `maxDepth`.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createSerializer, json } from '../../runtime/serializers/index.js';
import { SerializerErrorCode } from '../../runtime/serializers/errors.js';
import { Router } from '../../runtime/router/router.js';
import { RouterErrorCode } from '../../runtime/router/config.js';
import { deliverShared, SharedMessage } from '../../runtime/router/outbound.js';
import { eventMessage } from '../../runtime/wamp/messages.js';
import { WebSocketTransport, connectWebSocketTransport } from '../../runtime/transports/websocket-transport.js';
import { connectRawSocketTransport } from '../../runtime/transports/rawsocket.js';
import { nodeTransportFactory } from '../../runtime/transports/connectors.js';
import type { WebSocketConnection } from '../../runtime/websocket/connection.js';
import type { WampTransport } from '../../runtime/transports/transport.js';
import { ApplicationSession, type CloseDetails, type SessionDetails } from '../../runtime/wamp/session.js';
import { configureLogging } from '../../runtime/log.js';
import { withTimeout } from './helpers.js';

function nested(depth: number): unknown[] {
  let value: unknown[] = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function hasCode(code: string) {
  return (e: unknown) => (e as { code?: string }).code === code;
}

/** Joins `realm1` over `transport`; resolves with the session and a promise of its leave. */
async function joinOver(transport: WampTransport) {
  const session = new ApplicationSession({ realm: 'realm1' });
  const left = new Promise<CloseDetails>((resolve) => session.once('leave', resolve));
  const joined = new Promise<SessionDetails>((resolve) => session.once('join', resolve));
  session.attach(transport);
  await withTimeout(joined, 10_000, 'join');
  return { session, left };
}

describe('router option maxNestingDepth', () => {
  test('is validated: 16..1024, default 512', () => {
    assert.equal(new Router({ realms: ['realm1'] }).options.maxNestingDepth, 512);
    assert.equal(new Router({ realms: ['realm1'], maxNestingDepth: 16 }).options.maxNestingDepth, 16);
    for (const bad of [15, 1025, 64.5, '64']) {
      assert.throws(() => new Router({ realms: ['realm1'], maxNestingDepth: bad as number }), (e: unknown) =>
        hasCode(RouterErrorCode.INVALID_OPTION)(e) && /maxNestingDepth/.test((e as Error).message));
    }
  });

  for (const kind of ['websocket', 'rawsocket'] as const) {
    test(`${kind} listener: a message nested deeper than the router's limit is refused with ABORT protocol_violation`, async () => {
      configureLogging('router:error');
      const router = new Router({ realms: ['realm1'], maxNestingDepth: 16, listeners: [{ type: kind, port: 0 }] });
      const [url] = (await router.start()) as [string];
      try {
        // Our client allows 1024 levels, so the 20 levels go out and the router must refuse them.
        const transport = kind === 'websocket'
          ? await connectWebSocketTransport(url, { serializers: ['json'], maxDepth: 1024 })
          : await connectRawSocketTransport(url, { serializer: 'cbor', maxDepth: 1024 });
        const { session, left } = await joinOver(transport);
        await session.register('deep.echo', (args) => args[0]);
        assert.deepEqual(await session.call('deep.echo', [nested(8)]), nested(8)); // within the limit
        void session.call('deep.echo', [nested(20)]).catch(() => {});
        const details = await withTimeout(left, 10_000, 'leave');
        assert.equal(details.reason, 'wamp.error.protocol_violation');
        assert.match(details.message ?? '', /nesting deeper than 16/);
      } finally {
        await router.close(50);
        configureLogging(undefined);
      }
    });
  }
});

/** A WebSocketTransport over a stand-in connection that records what it sends. */
function recordingTransport(serializer: ReturnType<typeof createSerializer>): { transport: WebSocketTransport; sent: Array<string | Buffer> } {
  const sent: Array<string | Buffer> = [];
  const connection = { peer: 'test', on: () => connection, sendMessage: (data: string | Buffer) => void sent.push(data) };
  return { transport: new WebSocketTransport(connection as unknown as WebSocketConnection, serializer), sent };
}

describe('the shared-event cache is keyed by serializer instance', () => {
  test('a JSON subscriber with a limit of 16 misses a 20-deep event; one with the default limit still gets it', () => {
    configureLogging('router:error');
    try {
      const shallow = recordingTransport(createSerializer('json', { maxDepth: 16 }));
      const deep = recordingTransport(json);
      const event = new SharedMessage(eventMessage(1, 2, {}, [nested(20)]));
      assert.equal(deliverShared(shallow.transport, 11, event), false);
      assert.equal(deliverShared(deep.transport, 12, event), true);
      assert.equal(deep.sent.length, 1);
      assert.deepEqual(json.deserialize(deep.sent[0] as string), [36, 1, 2, {}, [nested(20)]]);
    } finally {
      configureLogging(undefined);
    }
  });

  test('two instances of one format each encode once, and never take each other\'s bytes', () => {
    const a = recordingTransport(createSerializer('cbor', { maxDepth: 64 }));
    const a2 = recordingTransport(createSerializer('cbor', { maxDepth: 64 })); // the same shared instance
    const b = recordingTransport(createSerializer('cbor'));
    const event = new SharedMessage(eventMessage(1, 2, {}, ['x']));
    for (const t of [a, a2, b]) assert.equal(deliverShared(t.transport, 1, event), true);
    assert.equal(event.encoded.size, 2);
    const bytes = (t: { sent: Array<string | Buffer> }): Buffer => t.sent[0] as Buffer;
    assert.equal(bytes(a).buffer, bytes(a2).buffer); // one encoding shared by the sessions of one instance
    assert.notEqual(bytes(a).buffer, bytes(b).buffer); // and another for the other instance
    assert.deepEqual(bytes(a), bytes(b));
  });
});

describe('client transports take a serializer instance or maxDepth', () => {
  test('connectWebSocketTransport and a Component-style config: maxDepth limits what the client sends', async () => {
    const router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0, rawsocket: true }] });
    const [ws, rs] = (await router.start()) as [string, string];
    try {
      const viaOptions = await joinOver(await connectWebSocketTransport(ws, { maxDepth: 16 }));
      const viaInstance = await joinOver(await connectWebSocketTransport(ws, { serializers: [createSerializer('msgpack', { maxDepth: 16 })] }));
      const viaConfig = await joinOver(await nodeTransportFactory({ url: rs, serializers: ['json'], maxDepth: 16 })());
      const viaConfigWs = await joinOver(await nodeTransportFactory({ url: ws, serializers: [createSerializer('cbor', { maxDepth: 16 })] })());
      await viaOptions.session.register('deep.echo', (args) => args[0]);
      for (const { session } of [viaOptions, viaInstance, viaConfig, viaConfigWs]) {
        assert.deepEqual(await session.call('deep.echo', [nested(8)]), nested(8));
        await assert.rejects(session.call('deep.echo', [nested(20)]), hasCode(SerializerErrorCode.TOO_DEEP));
        assert.ok(session.isOpen);
      }
      await assert.rejects(nodeTransportFactory({ url: ws, maxDepth: 8 })(), hasCode(SerializerErrorCode.INVALID_ARGUMENT));
    } finally {
      await router.close(50);
    }
  });
});
