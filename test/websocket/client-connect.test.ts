import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { WebSocketServer as WsServer, WebSocket as WsClient } from 'ws';
import { connect } from '../../runtime/websocket/client.js';
import { WebSocketServer } from '../../runtime/websocket/server.js';
import { computeAccept } from '../../runtime/websocket/handshake.js';

/** A raw TCP server that answers each connection with `respond(requestHead)` (or stays silent). */
async function rawServer(respond: (head: string) => string | null): Promise<{ port: number; closed: Promise<void>[]; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const closed: Promise<void>[] = [];
  const server = net.createServer((sock) => {
    sockets.add(sock);
    closed.push(new Promise((r) => sock.on('close', () => r())));
    sock.on('error', () => undefined);
    let head = '';
    sock.on('data', (c) => {
      head += c.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      const answer = respond(head);
      if (answer !== null) sock.write(answer);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    closed,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

const keyOf = (head: string): string => /sec-websocket-key: *(\S+)/i.exec(head)?.[1] ?? '';

describe('client handshake failures are typed', () => {
  test('a redirect is refused naming the Location', async () => {
    const s = await rawServer(() => 'HTTP/1.1 301 Moved Permanently\r\nLocation: ws://elsewhere.example/new\r\nContent-Length: 0\r\n\r\n');
    try {
      await assert.rejects(connect(`ws://127.0.0.1:${s.port}/`), (err: Error & { code?: string; httpStatus?: number }) => {
        assert.equal(err.code, 'WS_REDIRECT_REFUSED');
        assert.equal(err.httpStatus, 301);
        assert.match(err.message, /ws:\/\/elsewhere\.example\/new/);
        return true;
      });
    } finally {
      await s.stop();
    }
  });

  test('a non-101 answer rejects with WS_HANDSHAKE_FAILED carrying httpStatus', async () => {
    const s = await rawServer(() => 'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 4\r\n\r\nnope');
    try {
      await assert.rejects(connect(`ws://127.0.0.1:${s.port}/`), { code: 'WS_HANDSHAKE_FAILED', httpStatus: 502, message: /502.*: nope$/ });
    } finally {
      await s.stop();
    }
  });

  test('a wrong Sec-WebSocket-Accept is refused and the socket dropped', async () => {
    const s = await rawServer(
      () => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAccept('wrong')}\r\n\r\n`,
    );
    try {
      await assert.rejects(connect(`ws://127.0.0.1:${s.port}/`), { code: 'WS_HANDSHAKE_FAILED', message: /Accept/ });
      await s.closed[0];
    } finally {
      await s.stop();
    }
  });

  test('an unoffered subprotocol or extension in the 101 is refused', async () => {
    const s = await rawServer((head) =>
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAccept(keyOf(head))}\r\n` +
      (head.includes('/proto') ? 'Sec-WebSocket-Protocol: mqtt\r\n' : 'Sec-WebSocket-Extensions: permessage-deflate\r\n') +
      '\r\n',
    );
    try {
      await assert.rejects(connect(`ws://127.0.0.1:${s.port}/proto`, { protocols: ['wamp.2.json'] }), { message: /subprotocol "mqtt"/ });
      await assert.rejects(connect(`ws://127.0.0.1:${s.port}/ext`), { message: /did not offer/ });
    } finally {
      await s.stop();
    }
  });

  test('a server that never answers hits handshakeTimeout; the socket is destroyed', async () => {
    const s = await rawServer(() => null);
    try {
      await assert.rejects(connect(`ws://127.0.0.1:${s.port}/`, { handshakeTimeout: 150 }), { code: 'WS_HANDSHAKE_TIMEOUT' });
      await s.closed[0];
    } finally {
      await s.stop();
    }
  });

  test('connection refused is a typed handshake failure with the cause', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    await assert.rejects(connect(`ws://127.0.0.1:${port}/`), (err: Error & { code?: string; cause?: { code?: string } }) => {
      assert.equal(err.code, 'WS_HANDSHAKE_FAILED');
      assert.equal(err.cause?.code, 'ECONNREFUSED');
      return true;
    });
  });

  test('an AbortSignal cancels the handshake', async () => {
    const s = await rawServer(() => null);
    try {
      const ac = new AbortController();
      const p = connect(`ws://127.0.0.1:${s.port}/`, { signal: ac.signal });
      setTimeout(() => ac.abort(new Error('user gave up')), 20);
      await assert.rejects(p, { message: 'user gave up' });
    } finally {
      await s.stop();
    }
  });

  test('options are validated at the boundary', async () => {
    await assert.rejects(connect('http://x/'), { code: 'WS_INVALID_ARGUMENT', message: /ws:/ });
    await assert.rejects(connect('ws://x/#frag'), { code: 'WS_INVALID_ARGUMENT', message: /fragment/ });
    await assert.rejects(connect('not a url'), { code: 'WS_INVALID_ARGUMENT' });
    await assert.rejects(connect('ws://x/', { protocols: ['a,b'] }), { code: 'WS_INVALID_ARGUMENT', message: /a,b/ });
    await assert.rejects(connect('ws://x/', { handshakeTimeout: -1 }), { code: 'WS_INVALID_ARGUMENT' });
    await assert.rejects(connect('ws://x/', { perMessageDeflate: { serverMaxWindowBits: 3 } }), { code: 'WS_INVALID_ARGUMENT', message: /3/ });
    await assert.rejects(connect('ws://x/', { proxy: 'socks5://p:1' }), { code: 'WS_INVALID_ARGUMENT', message: /proxy/ });
    await assert.rejects(connect('ws://x/', { headers: { Upgrade: 'h2c' } }), { code: 'WS_INVALID_ARGUMENT', message: /Upgrade/ });
  });
});

describe('client protocol options', () => {
  test('ProtocolOptions reach the client connection: an oversized message closes with 1009', async () => {
    const server = new WebSocketServer({});
    const serverSide = new Promise<number>((resolve) =>
      server.on('connection', (conn) => {
        conn.sendMessage(Buffer.alloc(100));
        void conn.closed.then((info) => resolve(info.code));
      }),
    );
    const { port } = await server.listen({ port: 0 });
    try {
      const conn = await connect(`ws://127.0.0.1:${port}/`, { maxMessagePayloadSize: 10 });
      await conn.closed;
      // The client failed the connection with 1009; the server saw that code.
      assert.equal(await serverSide, 1009);
    } finally {
      await server.close();
    }
  });
});

describe('interop with ws', () => {
  test('our client talks to a ws server, with permessage-deflate and the response hook', async () => {
    const wss = new WsServer({ port: 0, host: '127.0.0.1', perMessageDeflate: { serverMaxWindowBits: 11 }, handleProtocols: (p) => [...p][0] ?? false });
    wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
    await new Promise((r) => wss.once('listening', r));
    const port = (wss.address() as net.AddressInfo).port;
    try {
      let hookSaw = '';
      const conn = await connect(`ws://127.0.0.1:${port}/`, {
        protocols: ['wamp.2.json'],
        perMessageDeflate: { accept: (res) => { hookSaw = JSON.stringify(res); return true; } },
      });
      assert.equal(conn.subprotocol, 'wamp.2.json');
      assert.match(conn.extensions, /^permessage-deflate/);
      assert.match(hookSaw, /"serverMaxWindowBits":11/);
      const got = new Promise<Buffer>((r) => conn.once('message', (d: Buffer) => r(d)));
      conn.sendMessage('x'.repeat(10_000));
      assert.equal((await got).toString(), 'x'.repeat(10_000));
      conn.sendClose(1000);
      assert.equal((await conn.closed).code, 1000);
    } finally {
      await new Promise((r) => wss.close(r));
    }
  });

  test('a ws client talks to our server with permessage-deflate', async () => {
    const server = new WebSocketServer({ perMessageDeflate: true, subprotocols: ['chat'] });
    server.on('connection', (conn) => conn.on('message', (d: Buffer, b: boolean) => conn.sendMessage(d, b)));
    const { port } = await server.listen({ port: 0 });
    try {
      const ws = new WsClient(`ws://127.0.0.1:${port}/`, ['chat'], { perMessageDeflate: true });
      await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
      assert.equal(ws.protocol, 'chat');
      assert.match(ws.extensions, /permessage-deflate/);
      const got = new Promise<Buffer>((r) => ws.once('message', (d) => r(d as Buffer)));
      ws.send(Buffer.alloc(5000, 7));
      assert.deepEqual(await got, Buffer.alloc(5000, 7));
      const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
      ws.close(1000);
      assert.equal(await closed, 1000);
    } finally {
      await server.close();
    }
  });

  test('a ws client is refused with our status codes', async () => {
    const server = new WebSocketServer({ allowedOrigins: ['https://ok'] });
    const { port } = await server.listen({ port: 0 });
    try {
      const ws = new WsClient(`ws://127.0.0.1:${port}/`, { origin: 'https://bad' });
      const status = await new Promise<number>((resolve) => {
        ws.once('unexpected-response', (_req: http.ClientRequest, res: http.IncomingMessage) => {
          resolve(res.statusCode ?? 0);
          res.resume();
          ws.terminate();
        });
        ws.once('error', () => undefined);
      });
      assert.equal(status, 403);
    } finally {
      await server.close();
    }
  });
});
