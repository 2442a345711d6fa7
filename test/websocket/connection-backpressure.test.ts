import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connectionPair } from './connection-helpers.js';
import type { IncomingMessage } from '../../runtime/websocket/incoming-message.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, tries = 500): Promise<void> {
  for (let i = 0; i < tries && !check(); i++) await pause(10);
  assert.ok(check(), what);
}

describe('connection: backpressure and streaming', () => {
  test('a slow messages() consumer pauses the socket, and nothing is lost', async () => {
    const pair = await connectionPair();
    const count = 300;
    const size = 64 * 1024;
    const iterator = pair.server.messages();
    const first = await (async () => {
      pair.client.sendMessage(Buffer.alloc(size, 0));
      return iterator.next();
    })();
    assert.equal(first.done, false);
    for (let i = 1; i < count; i++) pair.client.sendMessage(Buffer.alloc(size, i & 0xff));
    const serverSocket = pair.sockets.server;
    await until(() => serverSocket.isPaused(), 'the server socket pauses');
    const readWhenPaused = serverSocket.bytesRead;
    await pause(100);
    assert.equal(serverSocket.bytesRead, readWhenPaused, 'no bytes are read while paused');
    assert.ok(readWhenPaused < (count * size) / 2, `read ${readWhenPaused} of ${count * size}`);
    let received = 1;
    for (;;) {
      const r = await iterator.next();
      assert.equal(r.done, false);
      assert.equal(r.value!.data[0], received & 0xff);
      received++;
      if (received === count) break;
    }
    assert.equal(received, count);
    await pair.close();
  });

  test('stream receive mode delivers a message before it is complete', async () => {
    const pair = await connectionPair({ receiveMode: 'stream' });
    const incoming = pair.server.incoming();
    pair.client.beginMessage(true);
    pair.client.sendMessageFrame(Buffer.alloc(100_000, 1));
    const next = await incoming.next();
    const message = next.value as IncomingMessage;
    assert.equal(message.isBinary, true);
    let got = 0;
    const firstData = new Promise<void>((resolve) => message.once('data', () => resolve()));
    message.on('data', (chunk: Buffer) => (got += chunk.length));
    await firstData;
    assert.ok(got > 0 && got <= 100_000);
    pair.client.sendMessageFrame(Buffer.alloc(50_000, 2));
    pair.client.endMessage();
    await once(message, 'end');
    assert.equal(got, 150_000);
    assert.throws(() => pair.server.messages(), { code: 'WS_INVALID_ARGUMENT' });
    await pair.close();
  });

  test('a slow reader of a streamed message pauses the socket', async () => {
    const pair = await connectionPair({ receiveMode: 'stream' });
    const total = 8 * 1024 * 1024;
    const streams: IncomingMessage[] = [];
    pair.server.on('messageStream', (s) => streams.push(s));
    pair.client.sendMessage(Buffer.alloc(total, 3));
    const serverSocket = pair.sockets.server;
    await until(() => serverSocket.isPaused() && streams.length === 1, 'the server socket pauses');
    assert.ok(serverSocket.bytesRead < total, `read ${serverSocket.bytesRead}`);
    let got = 0;
    for await (const chunk of streams[0]!) got += (chunk as Buffer).length;
    assert.equal(got, total);
    await pair.close();
  });

  test('sendMessage returns false above the high-water mark and drain() resolves', async () => {
    const pair = await connectionPair();
    const streams: number[] = [];
    pair.server.on('message', (m) => streams.push(m.length));
    let ok = true;
    let sent = 0;
    while (ok && sent < 100) {
      ok = pair.client.sendMessage(Buffer.alloc(256 * 1024));
      sent++;
    }
    assert.equal(ok, false);
    assert.ok(pair.client.bufferedAmount > 0);
    await pair.client.drain();
    assert.ok(pair.client.bufferedAmount < 16 * 1024 + 1);
    await until(() => streams.length === sent, 'all messages arrive');
    await pair.close();
  });

  test('a stream ended by the connection closing errors instead of hanging', async () => {
    const pair = await connectionPair({ receiveMode: 'stream' });
    const incoming = pair.server.incoming();
    pair.client.beginMessage(false);
    pair.client.sendMessageFrame('partial');
    const message = (await incoming.next()).value as IncomingMessage;
    message.resume();
    const failed = once(message, 'error');
    pair.client.terminate();
    const [error] = (await failed) as [{ code?: string }];
    assert.equal(error.code, 'WS_NOT_OPEN');
    assert.equal((await incoming.next()).done, true);
    await pair.close();
  });
});
