/**
 * The server's lean handshake path: one timer for all handshake deadlines (HandshakeClock),
 * repeats of single-valued headers found on rawHeaders (so node's headersDistinct is built only
 * then), and a ConnectionRequest whose path and query are parsed on first read.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { HandshakeClock } from '../../runtime/websocket/handshake-clock.js';
import { createHash, randomBytes } from 'node:crypto';
import { computeAccept, repeatsSingleHeader } from '../../runtime/websocket/handshake.js';
import * as http from 'node:http';
import { HttpDenial, WebSocketServer, type ConnectionRequest } from '../../runtime/websocket/server.js';
import { connect } from '../../runtime/websocket/client.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** Resolves once `check()` holds, polling every 5 ms; fails after `limitMs`. */
async function until(check: () => boolean, limitMs = 3000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Sends a raw request; resolves with what came back once the server closes (bounded). */
function raw(port: number, payload: string, limitMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => sock.destroy(), limitMs);
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    sock.on('connect', () => {
      if (payload !== '') sock.write(payload);
    });
  });
}

const statusOf = (text: string): number => Number(/^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1] ?? 0);

describe('HandshakeClock', () => {
  test('expires keys in arrival order; stopped keys never expire', async () => {
    const expired: string[] = [];
    const clock = new HandshakeClock<{ name: string }>(20, (k) => expired.push(k.name));
    const a = { name: 'a' };
    const b = { name: 'b' };
    const c = { name: 'c' };
    clock.start(a);
    clock.start(b);
    clock.start(c);
    assert.equal(clock.stop(b), true);
    assert.equal(clock.stop(b), false);
    assert.equal(clock.size, 2);
    await until(() => expired.length === 2);
    assert.deepEqual(expired, ['a', 'c']);
    assert.equal(clock.size, 0);
    assert.equal(clock.has(a), false);
  });

  test('a key started while others expire gets its own full deadline', async () => {
    const expired: string[] = [];
    const late = { name: 'late' };
    const clock = new HandshakeClock<{ name: string }>(15, (k) => {
      expired.push(k.name);
      if (k.name === 'first') clock.start(late);
    });
    clock.start({ name: 'first' });
    await until(() => expired.length === 1);
    assert.equal(clock.has(late), true);
    await until(() => expired.length === 2);
    assert.deepEqual(expired, ['first', 'late']);
  });

  test('clear() returns the running keys and stops the timer', async () => {
    const expired: string[] = [];
    const clock = new HandshakeClock<{ name: string }>(10, (k) => expired.push(k.name));
    clock.start({ name: 'x' });
    clock.start({ name: 'y' });
    assert.deepEqual(clock.clear().map((k) => k.name), ['x', 'y']);
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(expired, []);
  });
});

describe('repeatsSingleHeader', () => {
  test('finds repeats of Host, Origin and the Sec-WebSocket single headers, in any case', () => {
    assert.equal(repeatsSingleHeader(['Host', 'a', 'Upgrade', 'websocket', 'Upgrade', 'x']), false);
    assert.equal(repeatsSingleHeader(['Host', 'a', 'HOST', 'b']), true);
    assert.equal(repeatsSingleHeader(['sec-websocket-key', KEY, 'Sec-WebSocket-Key', KEY]), true);
    assert.equal(repeatsSingleHeader(['Origin', 'x', 'Sec-WebSocket-Origin', 'y']), false);
    assert.equal(repeatsSingleHeader(['Sec-WebSocket-Version', '13', 'sec-websocket-version', '13']), true);
    assert.equal(repeatsSingleHeader(['Hosts', 'a', 'Host', 'b']), false);
    assert.equal(repeatsSingleHeader([]), false);
  });
});

describe('computeAccept', () => {
  test('the one-shot digest gives what a Hash object gives', () => {
    for (let i = 0; i < 20; i++) {
      const key = randomBytes(16).toString('base64');
      const expected = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
      assert.equal(computeAccept(key), expected);
    }
  });
});

describe('server handshake without headersDistinct and URL up front', () => {
  test('repeated single headers are still refused (node drops a second Host from req.headers)', async () => {
    const server = new WebSocketServer();
    const { port } = await server.listen({ port: 0 });
    try {
      const base = ['GET / HTTP/1.1', 'Host: 127.0.0.1', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${KEY}`, 'Sec-WebSocket-Version: 13'];
      const cases: [string, string[], RegExp][] = [
        ['two Host headers', [...base, 'Host: other'], /exactly one Host/],
        ['two keys', [...base, `sec-websocket-key: ${KEY}`], /Key repeated/],
        ['two Origin headers', [...base, 'Origin: https://a.example', 'Origin: https://b.example'], /Origin repeated/],
        ['two versions', [...base, 'Sec-WebSocket-Version: 13'], /Sec-WebSocket-Version/],
      ];
      for (const [what, lines, reason] of cases) {
        const answer = await raw(port, lines.join('\r\n') + '\r\n\r\n');
        assert.ok([400, 426].includes(statusOf(answer)), `${what}: ${answer.split('\r\n')[0]}`);
        assert.match(answer, reason, what);
      }
      // Repeated list headers are one list, as before: still a good handshake.
      const listed = await raw(port, [...base, 'Connection: keep-alive', 'Sec-WebSocket-Protocol: a', 'Sec-WebSocket-Protocol: b'].join('\r\n') + '\r\n\r\n', 300);
      assert.equal(statusOf(listed), 101);
    } finally {
      await server.close();
    }
  });

  test('path, query and headers of the request read as before', async () => {
    const server = new WebSocketServer();
    const seen = new Promise<ConnectionRequest>((resolve) => server.once('connection', (_conn, request) => resolve(request)));
    const { port } = await server.listen({ port: 0 });
    try {
      const client = await connect(`ws://127.0.0.1:${port}/a/../room%20one?token=t%201&x=2`, { protocols: ['p1'] });
      const request = await seen;
      assert.equal(request.path, '/room%20one');
      assert.equal(request.query.get('token'), 't 1');
      assert.equal(request.query.get('x'), '2');
      assert.equal(request.query, request.query, 'parsed once');
      assert.equal(request.headers, request.httpRequest.headers);
      assert.equal(request.headers['sec-websocket-version'], '13');
      assert.deepEqual(request.protocols, ['p1']);
      assert.deepEqual(request.extensions, []);
      assert.equal(request.version, 13);
      assert.equal(request.secure, false);
      assert.match(request.peer, /^tcp:127\.0\.0\.1:\d+$/);
      client.terminate();
    } finally {
      await server.close();
    }
  });

  test('several slow handshakes on one clock all get their 408', async () => {
    const server = new WebSocketServer({ handshakeTimeout: 50 });
    const statuses: number[] = [];
    server.on('rejected', (r) => statuses.push(r.status));
    const { port } = await server.listen({ port: 0 });
    try {
      const answers = await Promise.all([raw(port, 'GET / HTTP/1.1\r\n'), raw(port, ''), raw(port, 'GET / HTTP/1.1\r\nHost: x\r\n')]);
      // Each one is answered 408 (a socket that sent nothing may see just the close).
      assert.ok(answers.filter((a) => statusOf(a) === 408).length >= 2, answers.map((a) => a.split('\r\n')[0]).join(' | '));
      assert.deepEqual(statuses, [408, 408, 408]);
    } finally {
      await server.close();
    }
  });

  test('a synchronous hook is answered at once and gives its maxConnections slot back', async () => {
    const server = new WebSocketServer({ maxConnections: 1, onConnect: (req) => (req.query.get('deny') === '1' ? new HttpDenial(403, 'no') : undefined) });
    const { port } = await server.listen({ port: 0 });
    try {
      for (let i = 0; i < 3; i++) {
        await assert.rejects(connect(`ws://127.0.0.1:${port}/?deny=1`), { httpStatus: 403 });
        const client = await connect(`ws://127.0.0.1:${port}/`);
        await assert.rejects(connect(`ws://127.0.0.1:${port}/`), { httpStatus: 503 });
        await client.close();
        await until(() => server.connections.size === 0);
      }
    } finally {
      await server.close();
    }
  });

  test('handleUpgrade returns a promise of the connection with a synchronous, an async or no hook', async () => {
    const hooks = [undefined, () => undefined, async () => undefined];
    for (const onConnect of hooks) {
      const server = new WebSocketServer(onConnect === undefined ? {} : { onConnect });
      const httpServer = http.createServer();
      const results: Promise<unknown>[] = [];
      httpServer.on('upgrade', (req, socket, head) => {
        const result = server.handleUpgrade(req, socket, head);
        assert.ok(result instanceof Promise);
        results.push(result);
      });
      await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = httpServer.address() as net.AddressInfo;
        const client = await connect(`ws://127.0.0.1:${port}/`);
        const conn = await results[0];
        assert.ok(conn !== null && typeof conn === 'object' && server.connections.has(conn as never));
        client.terminate();
      } finally {
        await server.close();
        httpServer.closeAllConnections();
        await new Promise((resolve) => httpServer.close(resolve));
      }
    }
  });
});
