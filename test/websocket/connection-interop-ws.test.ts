// Interop of the connection layer with `ws` 8, the opening handshake done by hand here so
// these tests depend on nothing but the connection side.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { WebSocketConnection } from '../../runtime/websocket/connection.js';
import { HANDSHAKE_GUID } from '../../runtime/websocket/constants.js';
import type { DeflateParams } from '../../runtime/websocket/types.js';
import { init } from './connection-helpers.js';

const DEFLATE: DeflateParams = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
const accept = (key: string) => createHash('sha1').update(key + HANDSHAKE_GUID).digest('base64');

/** Our server connection behind a hand-made upgrade; `ws` as the client. */
async function oursServing(deflate: boolean, extra = {}): Promise<{ server: Promise<WebSocketConnection>; client: WebSocket; close(): Promise<void> }> {
  const httpServer = http.createServer();
  let resolveConn!: (c: WebSocketConnection) => void;
  const server = new Promise<WebSocketConnection>((r) => (resolveConn = r));
  httpServer.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const offered = String(req.headers['sec-websocket-extensions'] ?? '').includes('permessage-deflate');
    const useDeflate = deflate && offered;
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept(String(req.headers['sec-websocket-key']))}\r\n` +
        (useDeflate ? 'Sec-WebSocket-Extensions: permessage-deflate\r\n' : '') +
        '\r\n',
    );
    resolveConn(new WebSocketConnection(socket, head, init('server', { deflate: useDeflate ? DEFLATE : null, ...extra })));
  });
  httpServer.listen(0, '127.0.0.1');
  await once(httpServer, 'listening');
  const { port } = httpServer.address() as AddressInfo;
  const client = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: deflate ? { clientMaxWindowBits: 15 } : false });
  await once(client, 'open');
  return {
    server,
    client,
    async close() {
      client.terminate();
      (await server).terminate();
      await (await server).closed;
      httpServer.close();
    },
  };
}

/** `ws` as the server; our client connection behind a hand-made upgrade request. */
async function wsServing(deflate: boolean, extra = {}): Promise<{ wss: WebSocketServer; client: WebSocketConnection; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: deflate ? { threshold: 0 } : false });
  await once(wss, 'listening');
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  const { port } = wss.address() as AddressInfo;
  const key = randomBytes(16).toString('base64');
  const req = http.request({
    host: '127.0.0.1',
    port,
    path: '/',
    headers: {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': key,
      ...(deflate ? { 'Sec-WebSocket-Extensions': 'permessage-deflate' } : {}),
    },
  });
  req.end();
  const [res, socket, head] = (await once(req, 'upgrade')) as [http.IncomingMessage, Duplex, Buffer];
  assert.equal(res.headers['sec-websocket-accept'], accept(key));
  const negotiated = String(res.headers['sec-websocket-extensions'] ?? '');
  assert.equal(negotiated.includes('permessage-deflate'), deflate);
  const client = new WebSocketConnection(socket, head, init('client', { deflate: deflate ? DEFLATE : null, ...extra }));
  return {
    wss,
    client,
    async close() {
      client.terminate();
      await client.closed;
      for (const ws of wss.clients) ws.terminate();
      await new Promise((r) => wss.close(r));
    },
  };
}

const SIZES = [0, 16, 125, 126, 1024, 65535, 65536, 1024 * 1024];

describe('connection interop with ws', () => {
  for (const deflate of [false, true]) {
    test(`ws client -> our server: echo of every size class (deflate ${deflate})`, async () => {
      const { server, client, close } = await oursServing(deflate, { autoFragmentSize: 50_000 });
      const conn = await server;
      conn.on('message', (d, b) => conn.sendMessage(d, b));
      for (const size of SIZES) {
        const text = 'é'.repeat(size >> 1);
        const got = once(client, 'message');
        client.send(text);
        const [data, isBinary] = (await got) as [Buffer, boolean];
        assert.equal(isBinary, false);
        assert.equal(data.toString(), text);
        const bin = randomBytes(size);
        const got2 = once(client, 'message');
        client.send(bin);
        const [data2, isBinary2] = (await got2) as [Buffer, boolean];
        assert.equal(isBinary2, true);
        assert.ok(Buffer.from(data2).equals(bin));
      }
      await close();
    });

    test(`our client -> ws server: echo of every size class (deflate ${deflate})`, async () => {
      const { client, close } = await wsServing(deflate, { autoFragmentSize: 50_000 });
      for (const size of SIZES) {
        const bin = randomBytes(size);
        const got = once(client, 'message');
        client.sendMessage(bin);
        const [data, isBinary] = (await got) as [Buffer, boolean];
        assert.equal(isBinary, true);
        assert.ok(data.equals(bin));
        const text = 'a€'.repeat(size >> 2);
        const got2 = once(client, 'message');
        client.sendMessage(text);
        assert.equal(((await got2)[0] as Buffer).toString(), text);
      }
      await close();
    });
  }

  test('ping/pong and a clean close initiated by ws', async () => {
    const { server, client, close } = await oursServing(false);
    const conn = await server;
    const pong = once(client, 'pong');
    client.ping('hello');
    assert.equal(((await pong)[0] as Buffer).toString(), 'hello');
    const clientPong = once(conn, 'pong');
    conn.sendPing('back');
    assert.equal(((await clientPong)[0] as Buffer).toString(), 'back');
    const closed = once(client, 'close');
    client.close(4000, 'ws says bye');
    const info = await conn.closed;
    assert.deepEqual(info, { wasClean: true, code: 4000, reason: 'ws says bye' });
    const [code] = (await closed) as [number];
    assert.equal(code, 4000);
    await close();
  });

  test('our client closes cleanly against a ws server', async () => {
    const { client, close } = await wsServing(true);
    const info = await client.close(1000, 'done');
    assert.deepEqual(info, { wasClean: true, code: 1000, reason: 'done' });
    await close();
  });

  test('our server fails a ws client that sends invalid UTF-8 with 1007', async () => {
    const { server, client, close } = await oursServing(false);
    await server;
    const closed = once(client, 'close');
    // ws does not validate what it sends: raw invalid bytes as a text frame.
    client.send(Buffer.from([0x61, 0xc0, 0xaf]), { binary: false });
    const [code] = (await closed) as [number];
    assert.equal(code, 1007);
    await close();
  });

  test('streamed send from our client arrives at ws as one message', async () => {
    const { client, close } = await wsServing(true);
    const got = once(client, 'message');
    const stream = client.createMessageStream({ binary: false });
    stream.write('one, ');
    stream.write('two, ');
    stream.end('three');
    assert.equal(((await got)[0] as Buffer).toString(), 'one, two, three');
    await close();
  });
});
