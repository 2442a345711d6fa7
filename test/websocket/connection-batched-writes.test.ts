import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type * as net from 'node:net';
import { connectionPair } from './connection-helpers.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, tries = 500): Promise<void> {
  for (let i = 0; i < tries && !check(); i++) await pause(10);
  assert.ok(check(), what);
}

/** Counts the writes a socket hands to libuv: single (_write) and vectored (_writev). */
function countWrites(socket: net.Socket): { single: number; vectored: number; chunks: number } {
  const counts = { single: 0, vectored: 0, chunks: 0 };
  const target = socket as unknown as {
    _write: (chunk: unknown, encoding: string, cb: (e?: Error) => void) => void;
    _writev: (chunks: unknown[], cb: (e?: Error) => void) => void;
  };
  const write = target._write.bind(socket);
  const writev = target._writev.bind(socket);
  target._write = (chunk, encoding, cb) => {
    counts.single++;
    counts.chunks++;
    write(chunk, encoding, cb);
  };
  target._writev = (chunks, cb) => {
    counts.vectored++;
    counts.chunks += chunks.length;
    writev(chunks, cb);
  };
  return counts;
}

describe('connection: frames sent in one tick leave in one write', () => {
  test('50 messages sent in one tick: one writev, received in order', async () => {
    const pair = await connectionPair();
    const received: string[] = [];
    pair.client.on('message', (m) => received.push(m.toString()));
    const counts = countWrites(pair.sockets.server);
    for (let i = 0; i < 50; i++) pair.server.sendMessage(`message ${i}`);
    await until(() => received.length === 50, 'all 50 arrive');
    assert.deepEqual(received, Array.from({ length: 50 }, (_, i) => `message ${i}`));
    assert.equal(counts.single, 0, 'no single writes');
    assert.equal(counts.vectored, 1, 'one vectored write');
    assert.equal(counts.chunks, 50);
    await pair.close();
  });

  test('messages in different ticks are not held back for each other', async () => {
    const pair = await connectionPair();
    const received: string[] = [];
    pair.client.on('message', (m) => received.push(m.toString()));
    pair.server.sendMessage('first');
    await until(() => received.length === 1, 'the first arrives on its own');
    pair.server.sendMessage('second');
    await until(() => received.length === 2, 'the second arrives');
    assert.deepEqual(received, ['first', 'second']);
    await pair.close();
  });

  test('a burst above the high-water mark: sendMessage turns false in that tick, drain() resolves, all arrive in order', async () => {
    const pair = await connectionPair();
    const received: number[] = [];
    pair.client.on('message', (m) => received.push(m[0]!));
    const highWater = pair.sockets.server.writableHighWaterMark;
    let ok = true;
    let sent = 0;
    while (ok && sent < 100) {
      ok = pair.server.sendMessage(Buffer.alloc(4096, sent));
      sent++;
    }
    assert.equal(ok, false, 'backpressure is signalled');
    assert.ok(sent * 4096 >= highWater && sent * 4096 < highWater + 2 * 4096, `false after ${sent} messages, high-water mark ${highWater}`);
    assert.ok(pair.server.bufferedAmount >= highWater, 'what the tick corked counts as buffered');
    await pair.server.drain();
    assert.ok(pair.server.bufferedAmount < highWater);
    await until(() => received.length === sent, 'all messages arrive');
    assert.deepEqual(received, Array.from({ length: sent }, (_, i) => i & 0xff));
    await pair.close();
  });

  test('terminate() right after a send still hands the message to the kernel', async () => {
    const pair = await connectionPair();
    const received: string[] = [];
    pair.client.on('message', (m) => received.push(m.toString()));
    pair.server.sendMessage('the last word');
    pair.server.terminate();
    await pair.client.closed;
    assert.deepEqual(received, ['the last word']);
    await pair.close();
  });

  test('close() after messages in the same tick: the messages, then the close frame', async () => {
    const pair = await connectionPair();
    const received: string[] = [];
    pair.client.on('message', (m) => received.push(m.toString()));
    for (let i = 0; i < 10; i++) pair.server.sendMessage(`m${i}`);
    const closed = pair.server.close(1000, 'done');
    const info = await pair.client.closed;
    await closed;
    assert.equal(info.code, 1000);
    assert.deepEqual(received, Array.from({ length: 10 }, (_, i) => `m${i}`));
    await pair.close();
  });

  test('a ping sent between messages in one tick keeps its place', async () => {
    const pair = await connectionPair();
    const seen: string[] = [];
    pair.client.on('message', (m) => seen.push(`message ${m.toString()}`));
    pair.client.on('ping', (p: Buffer) => seen.push(`ping ${p.toString()}`));
    pair.server.sendMessage('a');
    pair.server.sendPing('p');
    pair.server.sendMessage('b');
    await until(() => seen.length === 3, 'all three arrive');
    assert.deepEqual(seen, ['message a', 'ping p', 'message b']);
    await pair.close();
  });
});

describe('connection: the tick batch is bounded', () => {
  test('a frame over 16 KiB flushes the batch and goes out at once; order is kept', async () => {
    const pair = await connectionPair();
    const received: number[] = [];
    pair.client.on('message', (m) => received.push(m.length));
    const counts = countWrites(pair.sockets.server);
    pair.server.sendMessage(Buffer.alloc(10));
    pair.server.sendMessage(Buffer.alloc(20));
    pair.server.sendMessage(Buffer.alloc(64 * 1024));
    const handedBeforeTickEnd = counts.single + counts.vectored;
    pair.server.sendMessage(Buffer.alloc(30));
    await until(() => received.length === 4, 'all four arrive');
    assert.deepEqual(received, [10, 20, 64 * 1024, 30]);
    assert.ok(handedBeforeTickEnd >= 2, `the two small frames and the large one were handed over before the tick ended (${handedBeforeTickEnd} writes)`);
    await pair.close();
  });

  test('small frames past 16 KiB in one tick are handed over as the batch fills, in order', async () => {
    const pair = await connectionPair();
    const received: number[] = [];
    pair.client.on('message', (m) => received.push(m[0]!));
    const counts = countWrites(pair.sockets.server);
    for (let i = 0; i < 40; i++) pair.server.sendMessage(Buffer.alloc(1000, i));
    const handedBeforeTickEnd = counts.single + counts.vectored;
    await until(() => received.length === 40, 'all 40 arrive');
    assert.deepEqual(received, Array.from({ length: 40 }, (_, i) => i));
    assert.ok(handedBeforeTickEnd >= 2, `40 KB in one tick left in more than one batch before the tick ended (${handedBeforeTickEnd} writes)`);
    assert.ok(counts.chunks >= 40 && counts.single + counts.vectored <= 4, `still batched: ${counts.single + counts.vectored} writes for 40 frames`);
    await pair.close();
  });
});
