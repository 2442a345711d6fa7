import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connectionPair, serverWithRawClient } from './connection-helpers.js';
import { Opcode } from '../../runtime/websocket/constants.js';
import type { WebSocketConnection } from '../../runtime/websocket/connection.js';

function nextMessage(conn: WebSocketConnection): Promise<[Buffer, boolean]> {
  return once(conn, 'message') as Promise<[Buffer, boolean]>;
}

describe('connection: messages', () => {
  test('echoes text and binary messages of every size class', async () => {
    const pair = await connectionPair();
    pair.server.on('message', (data, isBinary) => pair.server.sendMessage(data, isBinary));
    for (const size of [0, 1, 125, 126, 65535, 65536, 1024 * 1024]) {
      const text = 'x'.repeat(size);
      const got = nextMessage(pair.client);
      pair.client.sendMessage(text);
      const [data, isBinary] = await got;
      assert.equal(isBinary, false);
      assert.equal(data.toString(), text);
      const bin = Buffer.alloc(size, 0xa5);
      const got2 = nextMessage(pair.client);
      pair.client.sendMessage(bin);
      const [data2, isBinary2] = await got2;
      assert.equal(isBinary2, true);
      assert.ok(data2.equals(bin));
    }
    await pair.close();
  });

  test('messages() yields messages in order', async () => {
    const pair = await connectionPair();
    const received: string[] = [];
    const loop = (async () => {
      for await (const m of pair.server.messages()) {
        received.push(m.data.toString());
        if (received.length === 50) break;
      }
    })();
    for (let i = 0; i < 50; i++) pair.client.sendMessage(`m${i}`);
    await loop;
    assert.deepEqual(received, Array.from({ length: 50 }, (_, i) => `m${i}`));
    await pair.close();
  });

  test('autoFragmentSize splits outgoing messages; the peer sees the frames and one message', async () => {
    const pair = await connectionPair({}, { autoFragmentSize: 1000 });
    const frames: Array<{ length: number; fin: boolean; opcode: number }> = [];
    pair.server.on('frameBegin', (info) => frames.push(info));
    const got = nextMessage(pair.server);
    pair.client.sendMessage(Buffer.alloc(3500, 1));
    const [data] = await got;
    assert.equal(data.length, 3500);
    assert.deepEqual(frames.map((f) => [f.opcode, f.length, f.fin]), [
      [Opcode.BINARY, 1000, false],
      [Opcode.CONTINUATION, 1000, false],
      [Opcode.CONTINUATION, 1000, false],
      [Opcode.CONTINUATION, 500, true],
    ]);
    await pair.close();
  });

  test('frame-level receive events come in Autobahn order', async () => {
    const pair = await connectionPair({}, { autoFragmentSize: 4 });
    const events: string[] = [];
    pair.server.setHandler({
      onMessageBegin: (b) => events.push(`begin:${b}`),
      onFrameBegin: (i) => events.push(`frame:${i.length}`),
      onFrameData: (c) => events.push(`data:${c.toString()}`),
      onFrameEnd: () => events.push('frameEnd'),
      onMessageEnd: () => events.push('end'),
      onMessage: (p) => events.push(`message:${p.toString()}`),
    });
    const got = nextMessage(pair.server);
    pair.client.sendMessage('abcdef');
    await got;
    assert.deepEqual(events, ['begin:false', 'frame:4', 'data:abcd', 'frameEnd', 'frame:2', 'data:ef', 'frameEnd', 'end', 'message:abcdef']);
    await pair.close();
  });

  test('streaming send: beginMessage, sendMessageFrame, endMessage', async () => {
    const pair = await connectionPair();
    const frames: number[] = [];
    pair.server.on('frameBegin', (i) => frames.push(i.opcode));
    const got = nextMessage(pair.server);
    pair.client.beginMessage(false);
    pair.client.sendMessageFrame('Hello, ');
    pair.client.sendMessageFrame('streamed ');
    pair.client.sendMessageFrame('world');
    pair.client.endMessage();
    const [data, isBinary] = await got;
    assert.equal(data.toString(), 'Hello, streamed world');
    assert.equal(isBinary, false);
    assert.deepEqual(frames, [Opcode.TEXT, Opcode.CONTINUATION, Opcode.CONTINUATION, Opcode.CONTINUATION]);
    assert.throws(() => pair.client.endMessage(), { code: 'WS_INVALID_ARGUMENT' });
    await pair.close();
  });

  test('streaming send through createMessageStream()', async () => {
    const pair = await connectionPair();
    const got = nextMessage(pair.server);
    const stream = pair.client.createMessageStream({ binary: true });
    for (let i = 0; i < 10; i++) stream.write(Buffer.alloc(10_000, i));
    stream.end();
    const [data, isBinary] = await got;
    assert.equal(isBinary, true);
    assert.equal(data.length, 100_000);
    assert.equal(data[99_999], 9);
    await pair.close();
  });

  test('hand-written frames: beginMessageFrame and sendMessageFrameData', async () => {
    const pair = await connectionPair();
    const got = nextMessage(pair.server);
    pair.client.beginMessage(true);
    pair.client.beginMessageFrame(5);
    assert.equal(pair.client.sendMessageFrameData(Buffer.from('ab')), 3);
    assert.equal(pair.client.sendMessageFrameData(Buffer.from('cdefg')), -2);
    pair.client.beginMessageFrame(1);
    assert.equal(pair.client.sendMessageFrameData(Buffer.from('z')), 0);
    pair.client.endMessage();
    const [data] = await got;
    assert.equal(data.toString(), 'abcdez');
    await pair.close();
  });

  test('pings are answered with pongs carrying the same payload', async () => {
    const pair = await connectionPair();
    const ping = once(pair.server, 'ping');
    const pong = once(pair.client, 'pong');
    pair.client.sendPing('are you there?');
    assert.equal(((await ping)[0] as Buffer).toString(), 'are you there?');
    assert.equal(((await pong)[0] as Buffer).toString(), 'are you there?');
    assert.throws(() => pair.client.sendPing(Buffer.alloc(126)), { code: 'WS_INVALID_ARGUMENT' });
    await pair.close();
  });

  test('a pong may go out between the fragments of a message being sent', async () => {
    const { server, peer, close } = await serverWithRawClient();
    server.beginMessage(false);
    server.sendMessageFrame('part1');
    peer.send(Opcode.PING, 'between');
    await peer.waitFor((f) => f.opcode === Opcode.PONG);
    server.sendMessageFrame('part2', true);
    await peer.waitFor((f) => f.opcode === Opcode.CONTINUATION && f.fin);
    assert.deepEqual(peer.frames.map((f) => [f.opcode, f.payload.toString()]), [
      [Opcode.TEXT, 'part1'],
      [Opcode.PONG, 'between'],
      [Opcode.CONTINUATION, 'part2'],
    ]);
    await close();
  });

  test('head bytes read past the handshake are parsed first', async () => {
    const { socketPair, init } = await import('./connection-helpers.js');
    const { WebSocketConnection } = await import('../../runtime/websocket/connection.js');
    const { encodeFrame } = await import('../../runtime/websocket/frame-encoder.js');
    const sockets = await socketPair();
    const key = Buffer.from([1, 2, 3, 4]);
    const head = encodeFrame(Opcode.TEXT, Buffer.from('early'), true, false, key);
    const server = new WebSocketConnection(sockets.server, head, init('server'));
    const first = nextMessage(server);
    sockets.client.write(encodeFrame(Opcode.TEXT, Buffer.from('later'), true, false, key));
    assert.equal((await first)[0].toString(), 'early');
    assert.equal((await nextMessage(server))[0].toString(), 'later');
    server.terminate();
    sockets.client.destroy();
    await server.closed;
  });

  test('exposes subprotocol, extensions, peer and readyState; onOpen runs on setHandler', async () => {
    const pair = await connectionPair({ subprotocol: 'wamp.2.json', extensions: '' });
    assert.equal(pair.server.subprotocol, 'wamp.2.json');
    assert.equal(pair.server.peer, 'tcp:test-server');
    assert.equal(pair.server.readyState, 1);
    let opened = false;
    pair.server.setHandler({ onOpen: (c) => (opened = c === pair.server) });
    assert.equal(opened, true);
    await pair.close();
    assert.equal(pair.server.readyState, 3);
    assert.equal(pair.server.sendMessage('late'), false);
  });

  test('rejects bad constructor options, naming the value', async () => {
    const { socketPair, init } = await import('./connection-helpers.js');
    const { WebSocketConnection } = await import('../../runtime/websocket/connection.js');
    const sockets = await socketPair();
    assert.throws(() => new WebSocketConnection(sockets.server, Buffer.alloc(0), init('server', { maxMessagePayloadSize: -1 })), /maxMessagePayloadSize.*-1/);
    assert.throws(() => new WebSocketConnection(sockets.server, Buffer.alloc(0), init('server', { compressionLevel: 12 })), /compressionLevel.*12/);
    assert.throws(() => new WebSocketConnection(sockets.server, Buffer.alloc(0), { ...init('server'), role: 'peer' as 'server' }), /role/);
    await sockets.close();
  });
});
