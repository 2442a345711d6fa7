import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { closeCodeOf, connectionPair, serverWithRawClient } from './connection-helpers.js';
import { CloseCode, Opcode } from '../../runtime/websocket/constants.js';

function closePayload(code: number, reason = ''): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return Buffer.concat([b, Buffer.from(reason)]);
}

describe('connection: closing handshake', () => {
  test('client-initiated close is clean on both ends', async () => {
    const pair = await connectionPair();
    pair.client.sendClose(CloseCode.NORMAL, 'bye');
    assert.equal(pair.client.readyState, 2);
    const [c, s] = await Promise.all([pair.client.closed, pair.server.closed]);
    assert.deepEqual(s, { wasClean: true, code: 1000, reason: 'bye' });
    assert.deepEqual(c, { wasClean: true, code: 1000, reason: '' });
  });

  test('server-initiated close with an application code is clean on both ends', async () => {
    const pair = await connectionPair();
    const events: unknown[] = [];
    pair.client.on('close', (info) => events.push(info));
    pair.client.setHandler({ onClose: (wasClean, code, reason) => events.push([wasClean, code, reason]) });
    await pair.server.close(4001, 'done here');
    const c = await pair.client.closed;
    assert.deepEqual(c, { wasClean: true, code: 4001, reason: 'done here' });
    assert.deepEqual(events, [c, [true, 4001, 'done here']]);
  });

  test('a close without a code is reported as 1005 and echoed without a code', async () => {
    const { server, peer, close } = await serverWithRawClient();
    peer.send(Opcode.CLOSE, '');
    const echo = await peer.waitFor((f) => f.opcode === Opcode.CLOSE);
    assert.equal(echo.payload.length, 0);
    await peer.waitClosed();
    const info = await server.closed;
    assert.deepEqual(info, { wasClean: true, code: CloseCode.NO_STATUS, reason: '' });
    await close();
  });

  test('the server echoes the code and closes TCP first', async () => {
    const { server, peer, close } = await serverWithRawClient();
    peer.send(Opcode.CLOSE, closePayload(1001, 'going'));
    const echo = await peer.waitFor((f) => f.opcode === Opcode.CLOSE);
    assert.equal(closeCodeOf(echo), 1001);
    await peer.waitClosed();
    assert.equal((await server.closed).code, 1001);
    await close();
  });

  test('invalid codes and reasons to send throw typed errors', async () => {
    const pair = await connectionPair();
    for (const code of [999, 1004, 1005, 1006, 1015, 2000, 2999, 5000, 1000.5]) {
      assert.throws(() => pair.client.sendClose(code), { code: 'WS_INVALID_ARGUMENT' }, String(code));
    }
    assert.throws(() => pair.client.sendClose(1000, 'x'.repeat(124)), { code: 'WS_INVALID_ARGUMENT' });
    assert.throws(() => pair.client.sendClose(1000, 'é'.repeat(62)), { code: 'WS_INVALID_ARGUMENT' });
    assert.throws(() => pair.client.sendClose(undefined, 'reason without code'), { code: 'WS_INVALID_ARGUMENT' });
    assert.equal(pair.client.readyState, 1);
    pair.client.sendClose(3000, 'x'.repeat(123));
    assert.equal((await pair.server.closed).code, 3000);
    await pair.client.closed;
  });

  test('a peer that never answers the close is dropped after closeTimeout, unclean', async () => {
    const { server, peer, close } = await serverWithRawClient({ closeTimeout: 100 });
    server.sendClose(1000);
    await peer.waitFor((f) => f.opcode === Opcode.CLOSE);
    const info = await server.closed;
    assert.equal(info.wasClean, false);
    assert.equal(info.code, CloseCode.ABNORMAL);
    await close();
  });

  test('a TCP drop without a close frame is 1006', async () => {
    const pair = await connectionPair();
    pair.sockets.client.destroy();
    const info = await pair.server.closed;
    assert.deepEqual([info.wasClean, info.code], [false, CloseCode.ABNORMAL]);
    await pair.client.closed;
  });

  test('bad close payloads from the peer fail the connection with the right code', async () => {
    const cases: Array<[Buffer, number]> = [
      [Buffer.from([0x03]), CloseCode.PROTOCOL_ERROR],
      [closePayload(1005), CloseCode.PROTOCOL_ERROR],
      [closePayload(999), CloseCode.PROTOCOL_ERROR],
      [Buffer.concat([closePayload(1000), Buffer.from([0xff])]), CloseCode.INVALID_PAYLOAD],
    ];
    for (const [payload, code] of cases) {
      const { server, peer, close } = await serverWithRawClient();
      const errors: Error[] = [];
      server.on('error', (e) => errors.push(e));
      peer.send(Opcode.CLOSE, payload);
      const frame = await peer.waitFor((f) => f.opcode === Opcode.CLOSE);
      assert.equal(closeCodeOf(frame), code);
      const info = await server.closed;
      assert.equal(info.wasClean, false);
      assert.equal(errors.length, 1);
      await close();
    }
  });

  test('protocol errors close with their code, without an error listener and without throwing', async () => {
    const { server, peer, close } = await serverWithRawClient();
    peer.send(0x3, 'reserved opcode');
    const frame = await peer.waitFor((f) => f.opcode === Opcode.CLOSE);
    assert.equal(closeCodeOf(frame), CloseCode.PROTOCOL_ERROR);
    await peer.waitClosed();
    assert.equal((await server.closed).wasClean, false);
    await close();
  });

  test('invalid UTF-8 fails fast: the close 1007 arrives before the message is complete', async () => {
    const { server, peer, close } = await serverWithRawClient();
    const messages: Buffer[] = [];
    server.on('message', (m) => messages.push(m));
    peer.send(Opcode.TEXT, Buffer.from([0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5]), false);
    peer.send(Opcode.CONTINUATION, Buffer.from([0xf4, 0x90, 0x80, 0x80]), false);
    const frame = await peer.waitFor((f) => f.opcode === Opcode.CLOSE);
    assert.equal(closeCodeOf(frame), CloseCode.INVALID_PAYLOAD);
    assert.equal(messages.length, 0);
    await close();
  });

  test('maxMessagePayloadSize and maxFramePayloadSize close with 1009', async () => {
    for (const opts of [{ maxMessagePayloadSize: 1000 }, { maxFramePayloadSize: 1000 }]) {
      const { server, peer, close } = await serverWithRawClient(opts);
      peer.send(Opcode.BINARY, Buffer.alloc(600), false);
      peer.send(Opcode.CONTINUATION, Buffer.alloc(1001 - (opts.maxFramePayloadSize ? 0 : 600)), true);
      const frame = await peer.waitFor((f) => f.opcode === Opcode.CLOSE);
      assert.equal(closeCodeOf(frame), CloseCode.MESSAGE_TOO_BIG);
      await server.closed;
      await close();
    }
  });

  test('data after our close is not sent; sends return false', async () => {
    const pair = await connectionPair();
    const got: string[] = [];
    pair.server.on('message', (m) => got.push(m.toString()));
    pair.client.sendMessage('before');
    pair.client.sendClose(1000);
    assert.equal(pair.client.sendMessage('after'), false);
    await Promise.all([pair.client.closed, pair.server.closed]);
    assert.deepEqual(got, ['before']);
  });

  test('terminate() drops at once', async () => {
    const pair = await connectionPair();
    pair.client.terminate();
    const [c, s] = await Promise.all([pair.client.closed, pair.server.closed]);
    assert.equal(c.wasClean, false);
    assert.equal(s.code, CloseCode.ABNORMAL);
  });
});

describe('connection: auto ping', () => {
  test('pings an idle peer and stays open while pongs come back', async () => {
    const pair = await connectionPair({ autoPingInterval: 30, autoPingTimeout: 200 });
    let pings = 0;
    pair.client.on('ping', () => pings++);
    for (let i = 0; i < 100 && pings < 3; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(pings >= 3);
    assert.equal(pair.server.readyState, 1);
    await pair.close();
  });

  test('fails the connection when no pong comes back', async () => {
    const { server, peer, close } = await serverWithRawClient({ autoPingInterval: 20, autoPingTimeout: 50 });
    const errors: Array<{ code?: string }> = [];
    server.on('error', (e) => errors.push(e as { code?: string }));
    await peer.waitFor((f) => f.opcode === Opcode.PING);
    const info = await server.closed;
    assert.equal(info.wasClean, false);
    assert.equal(errors[0]?.code, 'WS_PING_TIMEOUT');
    await close();
  });
});
