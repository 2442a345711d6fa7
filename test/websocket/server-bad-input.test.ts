import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { WebSocketServer } from '../../runtime/websocket/server.js';
import { connect } from '../../runtime/websocket/client.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const GOOD = [
  'GET /chat HTTP/1.1',
  'Host: 127.0.0.1',
  'Upgrade: websocket',
  'Connection: Upgrade',
  `Sec-WebSocket-Key: ${KEY}`,
  'Sec-WebSocket-Version: 13',
];

/** Sends raw bytes, collects everything until the server closes (bounded by `limitMs`). */
function raw(port: number, payload: string | Buffer, limitMs = 3000): Promise<{ text: string; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closedByServer: false });
    }, limitMs);
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closedByServer: true });
    });
    sock.on('connect', () => {
      if (payload.length > 0) sock.write(payload);
    });
    sock.on('timeout', () => reject(new Error('unexpected')));
  });
}

const statusOf = (text: string): number => Number(/^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1] ?? 0);
const request = (lines: string[]): string => lines.join('\r\n') + '\r\n\r\n';
const without = (name: string): string[] => GOOD.filter((l) => !l.toLowerCase().startsWith(name.toLowerCase() + ':'));
const replace = (name: string, line: string): string[] => [...without(name), line];

describe('server answers bad handshakes with the right status and keeps serving', () => {
  let server: WebSocketServer;
  let port = 0;
  const rejected: number[] = [];

  before(async () => {
    server = new WebSocketServer({
      handshakeTimeout: 300,
      maxHeaderSize: 4096,
      allowedOrigins: ['https://good.example'],
      subprotocols: ['echo'],
    });
    server.on('rejected', (r) => rejected.push(r.status));
    server.on('connection', (conn) => conn.on('message', (data, isBinary) => conn.sendMessage(data, isBinary)));
    port = (await server.listen({ port: 0 })).port;
  });
  after(() => server.close());

  const cases: [string, string | Buffer, number, RegExp][] = [
    ['a POST', request(['POST /chat HTTP/1.1', ...GOOD.slice(1)]), 400, /GET/],
    ['HTTP/1.0', request(['GET /chat HTTP/1.0', ...GOOD.slice(1)]), 400, /HTTP\/1\.1/],
    ['a plain GET', request(['GET / HTTP/1.1', 'Host: x']), 400, /Upgrade/],
    ['no Connection: Upgrade', request(replace('Connection', 'Connection: keep-alive')), 400, /Connection/],
    ['no key', request(without('Sec-WebSocket-Key')), 400, /Key/],
    ['a 10-byte key', request(replace('Sec-WebSocket-Key', `Sec-WebSocket-Key: ${Buffer.alloc(10).toString('base64')}`)), 400, /16 bytes/],
    ['version 7', request(replace('Sec-WebSocket-Version', 'Sec-WebSocket-Version: 7')), 426, /Version/],
    ['a foreign origin', request([...GOOD, 'Origin: https://evil.example']), 403, /origin/],
    ['a malformed extension header', request([...GOOD, 'Sec-WebSocket-Extensions: permessage-deflate; a; a']), 400, /duplicate/],
    ['oversized headers', request([...GOOD, `X-Big: ${'a'.repeat(8000)}`]), 431, /too large/],
    ['garbage', 'NOT HTTP AT ALL\r\n\r\n', 400, /malformed/],
    ['a CONNECT', request(['CONNECT 127.0.0.1:1 HTTP/1.1', 'Host: 127.0.0.1:1']), 400, /GET/],
  ];
  for (const [what, payload, status, reason] of cases) {
    test(`${what} -> ${status}`, async () => {
      const res = await raw(port, payload);
      assert.equal(statusOf(res.text), status, res.text);
      assert.match(res.text.split('\r\n\r\n').slice(1).join(''), reason);
      assert.equal(res.closedByServer, true);
      if (status === 426) assert.match(res.text, /\r\nSec-WebSocket-Version: 13, 8\r\n/);
    });
  }

  test('a partial handshake is dropped after handshakeTimeout with 408', async () => {
    const res = await raw(port, 'GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    assert.equal(res.closedByServer, true);
    assert.equal(statusOf(res.text), 408);
  });

  test('a silent connection is dropped after handshakeTimeout', async () => {
    const res = await raw(port, '');
    assert.equal(res.closedByServer, true);
  });

  test('a good client works while bad and slow ones are pending', async () => {
    const slow = [raw(port, 'GET /chat HTTP/1.1\r\n'), raw(port, ''), raw(port, request(without('Sec-WebSocket-Key')))];
    const conn = await connect(`ws://127.0.0.1:${port}/chat`, { protocols: ['echo'] });
    assert.equal(conn.subprotocol, 'echo');
    const echoed = new Promise<string>((resolve) => conn.on('message', (d) => resolve(d.toString())));
    conn.sendMessage('still serving');
    assert.equal(await echoed, 'still serving');
    conn.sendClose(1000);
    await conn.closed;
    const results = await Promise.all(slow);
    assert.deepEqual(results.map((r) => r.closedByServer), [true, true, true]);
    assert.ok(rejected.includes(408));
  });

  test('a version 8 (hybi-10) handshake is accepted too', async () => {
    const res = await raw(port, request([...replace('Sec-WebSocket-Version', 'Sec-WebSocket-Version: 8'), 'Sec-WebSocket-Origin: https://evil.example']), 300);
    // Version 8 reads its origin from Sec-WebSocket-Origin: the allow-list applies.
    assert.equal(statusOf(res.text), 403);
    const ok = await raw(port, request([...replace('Sec-WebSocket-Version', 'Sec-WebSocket-Version: 8'), 'Sec-WebSocket-Origin: https://good.example']), 300);
    assert.equal(statusOf(ok.text), 101);
  });

  test('a valid raw handshake gets 101 with the right accept value', async () => {
    const res = await raw(port, request([...GOOD, 'Sec-WebSocket-Protocol: other, echo']), 300);
    assert.equal(statusOf(res.text), 101);
    assert.match(res.text, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
    assert.match(res.text, /\r\nSec-WebSocket-Protocol: echo\r\n/);
  });
});

describe('server limits', () => {
  test('maxConnections answers 503 beyond the limit', async () => {
    const server = new WebSocketServer({ maxConnections: 1 });
    const unbound = server.address;
    assert.equal(unbound, null);
    const { port } = await server.listen({ port: 0 });
    const bound = server.address;
    assert.equal(bound?.port, port);
    assert.notEqual(port, 0);
    try {
      const first = await connect(`ws://127.0.0.1:${port}/`);
      await assert.rejects(connect(`ws://127.0.0.1:${port}/`), { code: 'WS_HANDSHAKE_FAILED', httpStatus: 503 });
      first.sendClose(1000);
      await first.closed;
      // The slot is free again once the first connection closed.
      for (let i = 0; i < 50 && server.connections.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
      const again = await connect(`ws://127.0.0.1:${port}/`);
      again.sendClose(1000);
      await again.closed;
    } finally {
      await server.close();
    }
  });

  test('handshakes still in onConnect count against maxConnections', async () => {
    const server = new WebSocketServer({ maxConnections: 2, onConnect: () => new Promise((r) => setTimeout(r, 50)) });
    const { port } = await server.listen({ port: 0 });
    try {
      const results = await Promise.allSettled([1, 2, 3, 4].map(() => connect(`ws://127.0.0.1:${port}/`)));
      const opened = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r) => r.status === 'rejected' && (r.reason as { httpStatus?: number }).httpStatus === 503);
      assert.equal(opened.length, 2);
      assert.equal(refused.length, 2);
      for (const r of opened) if (r.status === 'fulfilled') r.value.terminate();
    } finally {
      await server.close();
    }
  });

  test('a hook that never settles times out with 408 and frees its slot', async () => {
    const server = new WebSocketServer({
      maxConnections: 1,
      handshakeTimeout: 150,
      onConnect: (req) => (req.query.has('hang') ? new Promise<undefined>(() => undefined) : undefined),
    });
    const { port } = await server.listen({ port: 0 });
    try {
      await assert.rejects(connect(`ws://127.0.0.1:${port}/?hang`), { code: 'WS_HANDSHAKE_FAILED', httpStatus: 408 });
      const ok = await connect(`ws://127.0.0.1:${port}/`);
      ok.terminate();
    } finally {
      await server.close();
    }
  });

  test('options are validated naming the bad value', () => {
    assert.throws(() => new WebSocketServer({ maxConnections: -1 }), { code: 'WS_INVALID_ARGUMENT', message: /maxConnections.*-1/ });
    assert.throws(() => new WebSocketServer({ handshakeTimeout: 0 }), { code: 'WS_INVALID_ARGUMENT', message: /handshakeTimeout/ });
    assert.throws(() => new WebSocketServer({ subprotocols: ['a b'] }), { code: 'WS_INVALID_ARGUMENT', message: /a b/ });
    assert.throws(() => new WebSocketServer({ perMessageDeflate: { serverMaxWindowBits: 99 } }), { code: 'WS_INVALID_ARGUMENT', message: /99/ });
    assert.throws(() => new WebSocketServer({ allowedOrigins: 'x' as never }), { code: 'WS_INVALID_ARGUMENT', message: /allowedOrigins/ });
  });
});
