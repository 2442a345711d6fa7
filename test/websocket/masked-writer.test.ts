/**
 * A client's large messages over a TCP socket are masked just in time, piece by piece
 * (runtime/websocket/masked-writer.ts). What the peer sees must be exactly what a one-copy
 * sender would produce: intact payloads, the right fragmentation, control frames only between
 * frames, call order kept, and a close only after the data queued before it.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Opcode } from '../../runtime/websocket/constants.js';
import { clientWithRawServer, closeCodeOf } from './connection-helpers.js';
import { WebSocketServer } from '../../runtime/websocket/server.js';
import { connect } from '../../runtime/websocket/client.js';
import { makeSelfSignedCert } from './tls-cert.js';

const cert = makeSelfSignedCert();

function pattern(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

describe('client: large messages masked just in time', () => {
  test('payloads around the piece size and far beyond arrive intact, each in one masked frame', async () => {
    const { client, peer, close } = await clientWithRawServer();
    try {
      const sizes = [65_535, 65_536, 65_537, 131_072 + 7, 1_048_576 + 3];
      const sent = sizes.map((n, i) => pattern(n, i));
      for (const payload of sent) client.sendMessage(payload, true);
      client.sendMessage('after', false);
      await peer.waitFor((f) => f.opcode === Opcode.TEXT, 10_000);
      const data = peer.frames.filter((f) => f.opcode === Opcode.BINARY);
      assert.equal(data.length, sizes.length);
      data.forEach((frame, i) => {
        assert.ok(frame.fin, `message ${i} is one final frame`);
        assert.ok(frame.payload.equals(sent[i]!), `message ${i} (${sizes[i]} bytes) arrives intact`);
      });
      assert.equal(peer.frames.at(-1)!.payload.toString(), 'after', 'a small message queued behind goes after');
    } finally {
      await close();
    }
  });

  test('autoFragmentSize: the frames, their opcodes and FIN bits are as a one-copy sender makes them', async () => {
    const { client, peer, close } = await clientWithRawServer({ autoFragmentSize: 100_000 });
    try {
      const payload = pattern(350_000, 9);
      client.sendMessage(payload, true);
      await peer.waitFor((f) => f.fin, 10_000);
      assert.deepEqual(
        peer.frames.map((f) => [f.opcode, f.fin, f.payload.length]),
        [
          [Opcode.BINARY, false, 100_000],
          [Opcode.CONTINUATION, false, 100_000],
          [Opcode.CONTINUATION, false, 100_000],
          [Opcode.CONTINUATION, true, 50_000],
        ],
      );
      assert.ok(Buffer.concat(peer.frames.map((f) => f.payload)).equals(payload));
    } finally {
      await close();
    }
  });

  test('a ping sent while a large message is going out lands between its frames, never inside one', async () => {
    const { client, peer, close } = await clientWithRawServer({ autoFragmentSize: 64 * 1024 });
    try {
      const payload = pattern(2 * 1024 * 1024, 3);
      client.sendMessage(payload, true);
      client.sendPing('mid');
      await peer.waitFor((f) => f.opcode !== Opcode.PING && f.fin, 10_000);
      const ping = peer.frames.findIndex((f) => f.opcode === Opcode.PING);
      assert.ok(ping > 0 && ping < peer.frames.length - 1, `the ping (frame ${ping} of ${peer.frames.length}) went between data frames`);
      assert.equal(peer.frames[ping]!.payload.toString(), 'mid');
      const data = peer.frames.filter((f) => f.opcode !== Opcode.PING);
      assert.ok(Buffer.concat(data.map((f) => f.payload)).equals(payload), 'the message is intact around the ping');
    } finally {
      await close();
    }
  });

  test('bufferedAmount counts what is not handed over yet; drain() resolves once it is', async () => {
    const { client, peer, close } = await clientWithRawServer();
    try {
      const payload = pattern(4 * 1024 * 1024, 1);
      const below = client.sendMessage(payload, true);
      assert.equal(below, false, 'a 4 MiB message is above the high-water mark');
      assert.ok(client.bufferedAmount > 2 * 1024 * 1024, `bufferedAmount ${client.bufferedAmount} still counts most of the message`);
      await client.drain();
      assert.ok(client.bufferedAmount < 64 * 1024, `after drain: ${client.bufferedAmount}`);
      await peer.waitFor((f) => f.fin, 10_000);
      assert.ok(peer.frames[0]!.payload.equals(payload));
    } finally {
      await close();
    }
  });

  test('close() after large messages sends the close frame after all of them', async () => {
    const { client, peer, close } = await clientWithRawServer();
    try {
      const sent = [pattern(300_000, 5), pattern(700_000, 6)];
      for (const payload of sent) client.sendMessage(payload, true);
      client.sendClose(1000, 'done');
      const closeFrame = await peer.waitFor((f) => f.opcode === Opcode.CLOSE, 10_000);
      assert.equal(closeCodeOf(closeFrame), 1000);
      assert.deepEqual(
        peer.frames.map((f) => f.opcode),
        [Opcode.BINARY, Opcode.BINARY, Opcode.CLOSE],
      );
      peer.frames.slice(0, 2).forEach((f, i) => assert.ok(f.payload.equals(sent[i]!)));
    } finally {
      await close();
    }
  });

  test('terminate() in the middle of a large message: no throw, and the connection closes', async () => {
    const { client, close } = await clientWithRawServer();
    try {
      client.sendMessage(pattern(8 * 1024 * 1024, 2), true);
      client.sendMessage(pattern(100_000, 2), true);
      client.terminate();
      const info = await client.closed;
      assert.equal(info.wasClean, false);
    } finally {
      await close();
    }
  });

  test('over wss (a tls socket) with permessage-deflate: large messages, compressible or not, echo intact', { skip: cert === null ? 'openssl CLI not available to make a test certificate' : false }, async () => {
    const server = new WebSocketServer({
      tls: { key: cert!.key, cert: cert!.cert },
      perMessageDeflate: true,
      handler: (conn) => ({ onMessage: (p: Buffer, b: boolean) => conn.sendMessage(p, b) }),
    });
    const { port } = await server.listen({ port: 0 });
    try {
      const conn = await connect(`wss://127.0.0.1:${port}/`, { tls: { ca: cert!.cert }, perMessageDeflate: true });
      assert.match(conn.extensions, /permessage-deflate/);
      // Random bytes stay large after deflate (the writer masks the compressed frame); a pattern
      // compresses below the writer's threshold (one copy).
      const { randomBytes } = await import('node:crypto');
      const sent = [randomBytes(300_000), pattern(2 * 1024 * 1024, 4), randomBytes(65_536)];
      const echoes: Buffer[] = [];
      const all = new Promise<void>((resolve) => conn.on('message', (data: Buffer) => {
        echoes.push(data);
        if (echoes.length === sent.length) resolve();
      }));
      for (const payload of sent) conn.sendMessage(payload, true);
      await all;
      echoes.forEach((echo, i) => assert.ok(echo.equals(sent[i]!), `message ${i} (${sent[i]!.length} bytes) echoed intact`));
      await conn.close(1000);
    } finally {
      await server.close();
    }
  });
});
