/**
 * Every listener mode (websocket, rawsocket, both on one port) gives each connection the same
 * opening-handshake timeout from TCP accept: a connection that sends nothing, drips its HTTP
 * request or stops inside the RawSocket handshake is dropped; one that completed its handshake
 * is not. (1,000 silent connections on a shared port once exhausted file descriptors.)
 * Waits are on events with generous bounds: none asserts how long anything took.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { Router } from '../../runtime/router/router.js';
import { LISTENER_DEFAULTS, normalizeRouterOptions, type ListenerConfig } from '../../runtime/router/config.js';
import { connectWebSocketTransport } from '../../runtime/transports/websocket-transport.js';
import { connectRawSocketTransport } from '../../runtime/transports/rawsocket.js';
import { ApplicationSession, type SessionDetails } from '../../runtime/wamp/session.js';
import type { WampTransport } from '../../runtime/transports/transport.js';
import { withTimeout, delay } from './helpers.js';

const TIMEOUT = 300;
/** How long a test waits for a drop that should come after TIMEOUT (a bound, not a timing claim). */
const DROP_WAIT = 8_000;

const MODES: Array<{ name: string; listener: ListenerConfig; speaks: Array<'http' | 'rawsocket'> }> = [
  { name: 'websocket', listener: { type: 'websocket', port: 0 }, speaks: ['http'] },
  { name: 'rawsocket', listener: { type: 'rawsocket', port: 0 }, speaks: ['rawsocket'] },
  { name: 'websocket + rawsocket on one port', listener: { type: 'websocket', port: 0, rawsocket: true }, speaks: ['http', 'rawsocket'] },
];

async function start(listener: ListenerConfig): Promise<{ router: Router; port: number; urls: string[] }> {
  const router = new Router({ realms: ['realm1'], listeners: [{ ...listener, handshakeTimeout: TIMEOUT, keepalive: false }] });
  const urls = await router.start();
  return { router, port: Number(new URL(urls[0]!).port), urls };
}

/** Opens a raw TCP connection; `closedBy` resolves true when the router closes it within `limitMs`. */
async function rawConnection(port: number): Promise<{ socket: net.Socket; closedWithin(limitMs: number): Promise<boolean> }> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    socket,
    closedWithin: async (limitMs) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([closed.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), limitMs)))]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

async function join(transport: WampTransport): Promise<ApplicationSession> {
  const session = new ApplicationSession({ realm: 'realm1' });
  const joined = new Promise<SessionDetails>((resolve, reject) => {
    session.once('join', resolve);
    session.once('leave', (d) => reject(new Error(`left: ${d.reason}`)));
  });
  session.attach(transport);
  await withTimeout(joined, 10_000, 'join');
  return session;
}

describe('listener opening-handshake timeout', () => {
  for (const mode of MODES) {
    test(`${mode.name}: a connection that sends nothing is dropped`, async () => {
      const { router, port } = await start(mode.listener);
      try {
        const silent = await rawConnection(port);
        assert.ok(await silent.closedWithin(DROP_WAIT), 'the silent connection was dropped');
      } finally {
        await router.close(100);
      }
    });

    if (mode.speaks.includes('http')) {
      test(`${mode.name}: a connection dripping its HTTP upgrade request is dropped`, async () => {
        const { router, port } = await start(mode.listener);
        try {
          const drip = await rawConnection(port);
          drip.socket.write('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n');
          let stop = false;
          const dripping = (async () => {
            for (let i = 0; i < 200 && !stop && !drip.socket.destroyed; i++) {
              drip.socket.write('X');
              await delay(50);
            }
          })();
          const dropped = await drip.closedWithin(DROP_WAIT);
          stop = true;
          await dripping;
          assert.ok(dropped, 'the dripping connection was dropped');
        } finally {
          await router.close(100);
        }
      });

      test(`${mode.name}: a plain HTTP request is answered, and the kept-alive connection is then dropped when idle`, async () => {
        const { router, port } = await start(mode.listener);
        try {
          const client = await rawConnection(port);
          let answer = '';
          client.socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
          client.socket.write('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
          assert.ok(await client.closedWithin(DROP_WAIT), 'dropped after the answer, not kept open without a request');
          assert.match(answer, /^HTTP\/1\.1 426 /);
        } finally {
          await router.close(100);
        }
      });
    }

    if (mode.speaks.includes('rawsocket')) {
      test(`${mode.name}: a connection that stops inside the RawSocket handshake is dropped`, async () => {
        const { router, port } = await start(mode.listener);
        try {
          const half = await rawConnection(port);
          half.socket.write(Buffer.from([0x7f, 0xf1]));
          assert.ok(await half.closedWithin(DROP_WAIT), 'the half handshake was dropped');
        } finally {
          await router.close(100);
        }
      });
    }

    test(`${mode.name}: a connection that completed its handshake outlives the timeout`, async () => {
      const { router, urls } = await start(mode.listener);
      try {
        const ws = urls.find((u) => u.startsWith('ws://'));
        const transport = ws !== undefined ? await connectWebSocketTransport(ws) : await connectRawSocketTransport(urls[0]!);
        const session = await join(transport);
        await session.register('t.echo', (args) => args[0]);
        // Not a sleep: a silent connection opened after the session's is dropped when its own
        // timeout fires, so the session's (armed earlier) has fired by then too, had it been kept.
        const later = await rawConnection(Number(new URL(urls[0]!).port));
        assert.ok(await later.closedWithin(DROP_WAIT), 'a silent connection opened later was dropped');
        assert.equal(await session.call('t.echo', ['still here']), 'still here');
        await session.leave();
        session.disconnect();
      } finally {
        await router.close(100);
      }
    });
  }
});

describe('listener timeout options', () => {
  test('documented defaults: handshakeTimeout 10 s, keepalive every 30 s with a 10 s timeout', () => {
    assert.deepEqual(LISTENER_DEFAULTS, { handshakeTimeout: 10_000, keepalive: { interval: 30_000, timeout: 10_000 } });
  });

  test('bad values are refused, naming them', () => {
    const listen = (extra: Record<string, unknown>): unknown => normalizeRouterOptions({ realms: ['r'], listeners: [{ type: 'rawsocket', ...extra }] });
    assert.throws(() => listen({ handshakeTimeout: -1 }), /listeners\[0\]\.handshakeTimeout must be a non-negative integer, got -1/);
    assert.throws(() => listen({ keepalive: 5 }), /listeners\[0\]\.keepalive must be false or \{ interval\?, timeout\? \}, got 5/);
    assert.throws(() => listen({ keepalive: { interval: 0 } }), /listeners\[0\]\.keepalive\.interval must be a positive integer \(ms\), got 0/);
    assert.throws(() => listen({ keepalive: { every: 5 } }), /listeners\[0\]\.keepalive\.every is not one of interval, timeout/);
    assert.doesNotThrow(() => listen({ handshakeTimeout: 0, keepalive: false }));
    assert.doesNotThrow(() => listen({ keepalive: { interval: 1000 } }));
  });
});
