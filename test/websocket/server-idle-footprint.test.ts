/**
 * What an open server connection keeps: after the handshake nothing of the server's handshake
 * machinery may stay attached to the socket (each listener closure holds its context, and the
 * idle-memory target is per connection), and the server still forgets closed connections.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { WebSocketServer, type ConnectionRequest } from '../../runtime/websocket/server.js';
import { connect } from '../../runtime/websocket/client.js';
import { formatPeer } from '../../runtime/websocket/handshake.js';
import type { WebSocketConnection } from '../../runtime/websocket/connection.js';

async function acceptOne(
  server: WebSocketServer,
  url: string,
): Promise<{ client: WebSocketConnection; conn: WebSocketConnection; request: ConnectionRequest }> {
  const accepted = new Promise<[WebSocketConnection, ConnectionRequest]>((resolve) =>
    server.once('connection', (conn, request) => resolve([conn, request])),
  );
  const client = await connect(url);
  const [conn, request] = await accepted;
  return { client, conn, request };
}

describe('server connection footprint', () => {
  test('after the 101 the socket has one close, error and data listener each: the connection’s', async () => {
    const server = new WebSocketServer();
    const { port } = await server.listen({ port: 0 });
    try {
      const { client, conn, request } = await acceptOne(server, `ws://127.0.0.1:${port}/`);
      const socket: Socket = request.httpRequest.socket;
      // Let the handshake's pending promise reactions run out.
      await new Promise((r) => setImmediate(r));
      for (const event of ['close', 'error', 'data'] as const) {
        assert.equal(socket.listenerCount(event), 1, `${event} listeners on the upgraded socket`);
      }
      assert.equal(conn.listenerCount('close'), 1, 'the server tracks the connection with one listener');
      client.terminate();
      await conn.closed;
    } finally {
      await server.close();
    }
  });

  test('a closed connection leaves server.connections, before user close listeners run', async () => {
    const server = new WebSocketServer();
    const { port } = await server.listen({ port: 0 });
    try {
      const { client, conn } = await acceptOne(server, `ws://127.0.0.1:${port}/`);
      assert.equal(server.connections.size, 1);
      let sizeSeenByListener = -1;
      conn.on('close', () => {
        sizeSeenByListener = server.connections.size;
      });
      await client.close();
      await conn.closed;
      assert.equal(sizeSeenByListener, 0);
      assert.equal(server.connections.size, 0);
    } finally {
      await server.close();
    }
  });

  test('many connections open and close without listeners piling up on the server', async () => {
    const server = new WebSocketServer();
    const { port } = await server.listen({ port: 0 });
    try {
      for (let i = 0; i < 20; i++) {
        const { client, conn } = await acceptOne(server, `ws://127.0.0.1:${port}/`);
        await client.close();
        await conn.closed;
      }
      assert.equal(server.connections.size, 0);
      assert.ok(server.listenerCount('connection') === 0);
    } finally {
      await server.close();
    }
  });

  test('peer strings are formatted the same way for IPv4, IPv6 and unknown addresses', () => {
    assert.equal(formatPeer('127.0.0.1', 8080), 'tcp:127.0.0.1:8080');
    assert.equal(formatPeer('::1', 443), 'tcp:[::1]:443');
    assert.equal(formatPeer(undefined, 1), 'tcp:unknown');
    assert.equal(formatPeer('10.0.0.1', undefined), 'tcp:10.0.0.1:0');
  });
});
