import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { Router } from '../../runtime/router/router.js';
import { connectRawSocketTransport, parseRawSocketUrl } from '../../runtime/transports/rawsocket.js';
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

/**
 * Opens a raw TCP connection, writes `bytes`, collects what comes back until close, timeout, or
 * (when given) until `enough` bytes arrived: a bound that a loaded machine cannot make too short.
 */
async function rawExchange(port: number, bytes: number[], waitMs = 1000, enough = Infinity): Promise<{ data: Buffer; closed: boolean }> {
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let closed = false;
  let received = 0;
  let gotEnough: () => void = () => {};
  const enoughArrived = new Promise<void>((resolve) => (gotEnough = resolve));
  socket.on('data', (c: Buffer) => {
    chunks.push(c);
    received += c.length;
    if (received >= enough) gotEnough();
  });
  socket.on('error', () => {});
  const ended = new Promise<void>((resolve) => socket.on('close', () => {
    closed = true;
    resolve();
  }));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(Buffer.from(bytes));
  await Promise.race([ended, enoughArrived, delay(waitMs)]);
  socket.destroy();
  return { data: Buffer.concat(chunks), closed };
}

describe('RawSocket transport', () => {
  for (const serializer of ['json', 'msgpack', 'cbor'] as const) {
    test(`our client and router over RawSocket/TCP with ${serializer}`, async () => {
      const router = new Router({ realms: ['realm1'], listeners: [{ type: 'rawsocket', port: 0 }] });
      const [url] = await router.start();
      assert.match(url!, /^rs:\/\/127\.0\.0\.1:\d+$/);
      const a = await join(await connectRawSocketTransport(url!, { serializer }));
      const b = await join(await connectRawSocketTransport(url!, { serializer }));
      await a.register('rs.add2', ([x, y]) => (x as number) + (y as number));
      assert.equal(await b.call('rs.add2', [20, 22]), 42);
      const got: unknown[] = [];
      await b.subscribe('rs.topic', (args) => void got.push(args[0]));
      await a.publish('rs.topic', [new Uint8Array([1, 2, 3])], {}, { acknowledge: true });
      for (let i = 0; i < 2000 && got.length === 0; i++) await delay(5);
      assert.deepEqual(got.map((x) => [...(x as Uint8Array)]), [[1, 2, 3]]);
      await a.leave();
      await b.leave();
      a.disconnect();
      b.disconnect();
      await router.close(100);
    });
  }

  test('over a Unix socket', async () => {
    const dir = mkdtempSync(joinPath(tmpdir(), 'wampkit-rs-'));
    const path = joinPath(dir, 'router.sock');
    const router = new Router({ realms: ['realm1'], listeners: [{ type: 'rawsocket', unixPath: path }] });
    try {
      const [url] = await router.start();
      assert.equal(url, `unix:${path}`);
      const a = await join(await connectRawSocketTransport(url!, { serializer: 'msgpack' }));
      await a.register('u.ping', () => 'pong');
      assert.equal(await a.call('u.ping'), 'pong');
      a.disconnect();
    } finally {
      await router.close(100);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('WebSocket and RawSocket on one port: the first byte decides', async () => {
    const router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0, rawsocket: true }] });
    const [wsUrl, rsUrl] = await router.start();
    assert.equal(new URL(wsUrl!).port, new URL(rsUrl!).port);
    const ws = await join(await connectWebSocketTransport(wsUrl!, { serializers: ['json'] }));
    const rs = await join(await connectRawSocketTransport(rsUrl!, { serializer: 'cbor' }));
    await ws.register('both.echo', ([x]) => x);
    assert.equal(await rs.call('both.echo', ['across']), 'across');
    ws.disconnect();
    rs.disconnect();
    await router.close(100);
  });

  test('handshake: unsupported serializer and reserved bits get error replies; non-RawSocket bytes are dropped', async () => {
    const router = new Router({ realms: ['realm1'], listeners: [{ type: 'rawsocket', port: 0, serializers: ['json'] }] });
    const [url] = await router.start();
    const { port } = parseRawSocketUrl(url!) as { port: number };
    // msgpack (2) is not offered: error 1 (serializer unsupported) in the high nibble.
    const unsupported = await rawExchange(port, [0x7f, 0xf2, 0, 0]);
    assert.deepEqual([...unsupported.data], [0x7f, 0x10, 0, 0]);
    assert.ok(unsupported.closed);
    const reserved = await rawExchange(port, [0x7f, 0xf1, 0, 1]);
    assert.deepEqual([...reserved.data], [0x7f, 0x30, 0, 0]);
    const notRawSocket = await rawExchange(port, [0x47, 0x45, 0x54, 0x20]);
    assert.equal(notRawSocket.data.length, 0);
    assert.ok(notRawSocket.closed);
    // Accepted: the reply echoes the serializer and announces the router's maximum (16 MiB: exponent 15).
    const ok = await rawExchange(port, [0x7f, 0x01, 0, 0], 5_000, 4);
    assert.deepEqual([...ok.data], [0x7f, 0xf1, 0, 0]);
    await router.close(100);
  });

  test('PING is answered with a PONG echoing its payload; bad frames close the connection', async () => {
    const router = new Router({ realms: ['realm1'], listeners: [{ type: 'rawsocket', port: 0 }] });
    const [url] = await router.start();
    const { port } = parseRawSocketUrl(url!) as { port: number };
    const pong = await rawExchange(port, [0x7f, 0xf1, 0, 0, 0x01, 0, 0, 3, 9, 8, 7], 5_000, 11);
    assert.deepEqual([...pong.data], [0x7f, 0xf1, 0, 0, 0x02, 0, 0, 3, 9, 8, 7]);
    const badType = await rawExchange(port, [0x7f, 0xf1, 0, 0, 0x05, 0, 0, 0]);
    assert.ok(badType.closed);
    await router.close(100);
  });

  test('max length negotiation: the client refuses to send more than the router accepts; a client that sends too much is dropped', async () => {
    const router = new Router({ realms: ['realm1'], maxMessageSize: 1024, listeners: [{ type: 'rawsocket', port: 0 }] });
    const [url] = await router.start();
    const t = await connectRawSocketTransport(url!, { serializer: 'json' });
    assert.equal(t.peerMaxMessageSize, 1024);
    const s = await join(t);
    await assert.rejects(s.call('x.y', ['z'.repeat(2000)]), (e: unknown) => (e as { code?: string }).code === 'WAMP_MESSAGE_TOO_BIG');
    const { port } = parseRawSocketUrl(url!) as { port: number };
    // A frame announcing 2000 octets to a router that accepts 1024.
    const tooBig = await rawExchange(port, [0x7f, 0xf1, 0, 0, 0x00, 0, 0x07, 0xd0]);
    assert.ok(tooBig.closed);
    s.disconnect();
    await router.close(100);
  });

  test('a client that never completes the handshake is dropped after the timeout', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { RawSocketTransport } = await import('../../runtime/transports/rawsocket.js');
    const { serializerByName } = await import('../../runtime/serializers/index.js');
    const accepted = new Promise<import('../../runtime/transports/rawsocket.js').RawSocketTransport>((resolve) => server.once('connection', (socket: net.Socket) => {
      resolve(RawSocketTransport.accept(socket, [serializerByName('json')!], { handshakeTimeout: 50 }));
    }));
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    client.on('error', () => {});
    const t = await accepted;
    await assert.rejects(withTimeout(t.ready, 10000, 'handshake'), /did not complete/);
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('URL parsing names the bad value', () => {
    assert.deepEqual(parseRawSocketUrl('rs://127.0.0.1:8081'), { host: '127.0.0.1', port: 8081 });
    assert.deepEqual(parseRawSocketUrl('tcp://[::1]:9'), { host: '::1', port: 9 });
    assert.deepEqual(parseRawSocketUrl('unix:///tmp/x.sock'), { path: '/tmp/x.sock' });
    assert.throws(() => parseRawSocketUrl('ws://a:1'), /"ws:\/\/a:1"/);
  });
});
