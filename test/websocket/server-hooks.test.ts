import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { HttpDenial, WebSocketServer, type ConnectionRequest } from '../../runtime/websocket/server.js';
import { connect } from '../../runtime/websocket/client.js';
import type { WebSocketConnection } from '../../runtime/websocket/connection.js';

async function withServer(
  options: ConstructorParameters<typeof WebSocketServer>[0],
  body: (url: string, server: WebSocketServer) => Promise<void>,
): Promise<void> {
  const server = new WebSocketServer(options);
  const { port } = await server.listen({ port: 0 });
  try {
    await body(`ws://127.0.0.1:${port}`, server);
  } finally {
    await server.close();
  }
}

async function closeClean(conn: WebSocketConnection): Promise<void> {
  conn.sendClose(1000);
  await conn.closed;
}

function nextMessage(conn: WebSocketConnection): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => conn.once('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary })));
}

describe('onConnect and subprotocols', () => {
  test('onConnect sees the request and can choose the subprotocol and add headers', async () => {
    let seen: ConnectionRequest | undefined;
    await withServer(
      {
        subprotocols: ['wamp.2.json'],
        perMessageDeflate: true,
        onConnect: async (req) => {
          seen = req;
          await new Promise((r) => setTimeout(r, 5));
          return { subprotocol: 'wamp.2.cbor', headers: { 'X-Session': 'abc' } };
        },
      },
      async (url) => {
        const conn = await connect(`${url}/ws/path?token=t1&x=2`, {
          protocols: ['wamp.2.cbor', 'wamp.2.json'],
          origin: 'https://app.example',
          headers: { 'X-Custom': 'yes' },
          perMessageDeflate: true,
        });
        assert.equal(conn.subprotocol, 'wamp.2.cbor');
        assert.ok(seen);
        assert.equal(seen.path, '/ws/path');
        assert.equal(seen.query.get('token'), 't1');
        assert.equal(seen.headers['x-custom'], 'yes');
        assert.equal(seen.origin, 'https://app.example');
        assert.deepEqual(seen.protocols, ['wamp.2.cbor', 'wamp.2.json']);
        assert.equal(seen.extensions[0]?.name, 'permessage-deflate');
        assert.match(seen.peer, /^tcp:127\.0\.0\.1:\d+$/);
        assert.equal(seen.version, 13);
        assert.equal(seen.secure, false);
        await closeClean(conn);
      },
    );
  });

  test('without onConnect the first of the client list that we speak wins; none means no subprotocol', async () => {
    await withServer({ subprotocols: ['b', 'c'] }, async (url) => {
      const conn = await connect(url, { protocols: ['a', 'c', 'b'] });
      assert.equal(conn.subprotocol, 'c');
      await closeClean(conn);
      const none = await connect(url, { protocols: ['x'] });
      assert.equal(none.subprotocol, null);
      await closeClean(none);
    });
  });

  test('selectSubprotocol decides when given', async () => {
    await withServer({ selectSubprotocol: (offered) => offered[offered.length - 1] ?? null }, async (url) => {
      const conn = await connect(url, { protocols: ['a', 'z'] });
      assert.equal(conn.subprotocol, 'z');
      await closeClean(conn);
    });
  });

  test('onConnect denies by throwing or returning HttpDenial; other errors are 500', async () => {
    const errors: Error[] = [];
    await withServer(
      {
        onConnect: (req) => {
          const mode = req.query.get('mode');
          if (mode === 'throw') throw new HttpDenial(401, 'no token', { 'WWW-Authenticate': 'Bearer' });
          if (mode === 'return') return new HttpDenial(403, 'forbidden here');
          if (mode === 'bug') throw new Error('hook bug');
          if (mode === 'bad-proto') return { subprotocol: 'never-offered' };
          return undefined;
        },
      },
      async (url, server) => {
        server.on('error', (e) => errors.push(e));
        await assert.rejects(connect(`${url}/?mode=throw`), { code: 'WS_HANDSHAKE_FAILED', httpStatus: 401, message: /401.*no token/ });
        await assert.rejects(connect(`${url}/?mode=return`), { code: 'WS_HANDSHAKE_FAILED', httpStatus: 403 });
        await assert.rejects(connect(`${url}/?mode=bug`), { code: 'WS_HANDSHAKE_FAILED', httpStatus: 500 });
        await assert.rejects(connect(`${url}/?mode=bad-proto`), { code: 'WS_HANDSHAKE_FAILED', httpStatus: 500 });
        assert.equal(errors.length, 2);
        assert.match(errors[0]!.message, /hook bug/);
        const ok = await connect(`${url}/?mode=ok`);
        await closeClean(ok);
      },
    );
  });

  test('allowedOrigins: wildcard accepted, foreign origin refused with 403', async () => {
    await withServer({ allowedOrigins: ['https://*.example.com'] }, async (url) => {
      await closeClean(await connect(url, { origin: 'https://app.example.com' }));
      await assert.rejects(connect(url, { origin: 'https://evil.com' }), { httpStatus: 403 });
    });
  });
});

describe('connections', () => {
  test("'connection' event, handler factory and ProtocolOptions reach the connection", async () => {
    const opened: string[] = [];
    await withServer(
      {
        maxMessagePayloadSize: 1000,
        handler: (conn) => ({
          onOpen: () => opened.push(conn.peer),
          onMessage: (payload: Buffer, isBinary: boolean) => conn.sendMessage(payload, isBinary),
        }),
      },
      async (url, server) => {
        const events: string[] = [];
        server.on('connection', (_c, req) => events.push(req.path));
        const conn = await connect(`${url}/h`);
        const echo = nextMessage(conn);
        conn.sendMessage(Buffer.from([1, 2, 3]), true);
        const got = await echo;
        assert.deepEqual([...got.data], [1, 2, 3]);
        assert.equal(got.isBinary, true);
        assert.deepEqual(events, ['/h']);
        // The server was told maxMessagePayloadSize 1000: a bigger message closes with 1009.
        conn.sendMessage('x'.repeat(2000));
        const info = await conn.closed;
        assert.equal(info.code, 1009);
        assert.ok(opened.length <= 1);
      },
    );
  });

  test('permessage-deflate is negotiated end to end and messages survive compression', async () => {
    await withServer(
      {
        perMessageDeflate: { serverNoContextTakeover: true, clientMaxWindowBits: 10 },
        handler: (conn) => ({ onMessage: (p: Buffer, b: boolean) => conn.sendMessage(p, b) }),
      },
      async (url) => {
        const conn = await connect(url, { perMessageDeflate: { clientMaxWindowBits: 12 } });
        assert.equal(conn.extensions, 'permessage-deflate; server_no_context_takeover; client_max_window_bits=10');
        // Two empty messages in a row once broke the codec's stream (now fixed there).
        for (const text of ['hello', 'hello'.repeat(1000), '', '', 'after empties']) {
          const echo = nextMessage(conn);
          conn.sendMessage(text);
          assert.equal((await echo).data.toString(), text);
        }
        await closeClean(conn);
      },
    );
  });

  test('close() closes open connections with 1001 and stops listening', async () => {
    const server = new WebSocketServer({});
    const { port } = await server.listen({ port: 0 });
    const conn = await connect(`ws://127.0.0.1:${port}/`);
    await server.close();
    const info = await conn.closed;
    assert.equal(info.code, 1001);
    assert.equal(info.reason, 'server shutting down');
    await assert.rejects(connect(`ws://127.0.0.1:${port}/`, { handshakeTimeout: 2000 }), { code: 'WS_HANDSHAKE_FAILED' });
  });
});

describe('attach to an existing http server', () => {
  test('serves its path; other paths and normal requests stay the owner\'s', async () => {
    const httpServer = http.createServer((_req, res) => res.end('plain page'));
    httpServer.on('upgrade', (req, socket) => {
      if (req.url === '/other') socket.end('HTTP/1.1 418 I am a teapot\r\nConnection: close\r\n\r\n');
    });
    await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
    const port = (httpServer.address() as net.AddressInfo).port;
    const wss = new WebSocketServer({ handler: (c) => ({ onMessage: (p: Buffer) => c.sendMessage(p, false) }) }).attach(httpServer, { path: '/ws' });
    try {
      const conn = await connect(`ws://127.0.0.1:${port}/ws?x=1`);
      const echo = nextMessage(conn);
      conn.sendMessage('hi');
      assert.equal((await echo).data.toString(), 'hi');
      await closeClean(conn);
      const page = await fetch(`http://127.0.0.1:${port}/ws`).then((r) => r.text());
      assert.equal(page, 'plain page');
      await assert.rejects(connect(`ws://127.0.0.1:${port}/other`), { httpStatus: 418 });
    } finally {
      await wss.close();
      httpServer.closeAllConnections();
      await new Promise((r) => httpServer.close(r));
    }
  });

  test('an unclaimed upgrade path gets 404 when nobody else listens for upgrades', async () => {
    const httpServer = http.createServer((_req, res) => res.end('x'));
    await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
    const port = (httpServer.address() as net.AddressInfo).port;
    const a = new WebSocketServer({}).attach(httpServer, { path: '/a' });
    const b = new WebSocketServer({ subprotocols: ['b'] }).attach(httpServer, { path: '/b' });
    try {
      await assert.rejects(connect(`ws://127.0.0.1:${port}/nowhere`), { httpStatus: 404 });
      const cb = await connect(`ws://127.0.0.1:${port}/b`, { protocols: ['b'] });
      assert.equal(cb.subprotocol, 'b');
      await closeClean(cb);
      const ca = await connect(`ws://127.0.0.1:${port}/a`, { protocols: ['b'] });
      assert.equal(ca.subprotocol, null);
      await closeClean(ca);
    } finally {
      await a.close();
      await b.close();
      httpServer.closeAllConnections();
      await new Promise((r) => httpServer.close(r));
    }
  });
});

describe('handleSocket: one port, several protocols', () => {
  test('a sniffing listener hands WebSocket clients over with the bytes it already read', async () => {
    const RAWSOCKET_MAGIC = 0x7f;
    const wss = new WebSocketServer({ subprotocols: ['wamp.2.json'], handler: (c) => ({ onMessage: (p: Buffer, b: boolean) => c.sendMessage(p, b) }) });
    const sockets = new Set<net.Socket>();
    const front = net.createServer((sock) => {
      sockets.add(sock);
      sock.once('data', (first: Buffer) => {
        if (first[0] === RAWSOCKET_MAGIC) sock.end(Buffer.from([RAWSOCKET_MAGIC, 0xf1, 0, 0]));
        else wss.handleSocket(sock, first);
      });
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    const port = (front.address() as net.AddressInfo).port;
    try {
      const conn = await connect(`ws://127.0.0.1:${port}/`, { protocols: ['wamp.2.json'] });
      assert.equal(conn.subprotocol, 'wamp.2.json');
      const echo = nextMessage(conn);
      conn.sendMessage('shared port');
      assert.equal((await echo).data.toString(), 'shared port');
      await closeClean(conn);
      const rawReply = await new Promise<Buffer>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => s.write(Buffer.from([RAWSOCKET_MAGIC, 0xf1, 0, 0])));
        const chunks: Buffer[] = [];
        s.on('data', (d) => chunks.push(d));
        s.on('close', () => resolve(Buffer.concat(chunks)));
      });
      assert.equal(rawReply[0], RAWSOCKET_MAGIC);
      // The HTTP phase is ours: a bad handshake still gets its status.
      await assert.rejects(connect(`ws://127.0.0.1:${port}/`, { headers: { Host: '' } }), { httpStatus: 400 });
    } finally {
      await wss.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => front.close(r));
    }
  });
});
