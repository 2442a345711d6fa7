import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as zlib from 'node:zlib';
import { closeCodeOf, connectionPair, serverWithRawClient, type RawFrame } from './connection-helpers.js';
import { CloseCode, Opcode } from '../../runtime/websocket/constants.js';
import type { DeflateParams } from '../../runtime/websocket/types.js';

const BASE: DeflateParams = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
const TRAILER = Buffer.from([0, 0, 0xff, 0xff]);
const TEXT = 'WAMP is a routed protocol, with all components connecting to a WAMP Router. '.repeat(30);

const VARIANTS: Array<[string, DeflateParams]> = [
  ['defaults', BASE],
  ['server_no_context_takeover', { ...BASE, serverNoContextTakeover: true }],
  ['client_no_context_takeover', { ...BASE, clientNoContextTakeover: true }],
  ['server_max_window_bits=9', { ...BASE, serverMaxWindowBits: 9 }],
  ['client_max_window_bits=8', { ...BASE, clientMaxWindowBits: 8 }],
];

/** A raw peer's inflater for the frames it receives (context carried across messages). */
class PeerInflater {
  #inflate = zlib.createInflateRaw();
  #out: Buffer[] = [];
  constructor() {
    this.#inflate.on('data', (d: Buffer) => this.#out.push(d));
  }
  inflate(payload: Buffer): Promise<string> {
    return new Promise((resolve) => {
      this.#inflate.write(Buffer.concat([payload, TRAILER]));
      this.#inflate.flush(() => resolve(Buffer.concat(this.#out.splice(0)).toString()));
    });
  }
  close(): void {
    this.#inflate.close();
  }
}

describe('connection: permessage-deflate', () => {
  for (const [name, params] of VARIANTS) {
    test(`echo through two connections with ${name}`, async () => {
      const pair = await connectionPair({ deflate: params }, { deflate: params });
      pair.server.on('message', (d, b) => pair.server.sendMessage(d, b));
      for (const text of [TEXT, '', 'short', TEXT + 'x', Buffer.alloc(200_000, 7).toString()]) {
        const got = once(pair.client, 'message');
        pair.client.sendMessage(text);
        assert.equal(((await got)[0] as Buffer).toString(), text);
      }
      await pair.close();
    });

    test(`server compression on the wire with ${name}`, async () => {
      const { server, peer, close } = await serverWithRawClient({ deflate: params });
      server.sendMessage(TEXT);
      server.sendMessage(TEXT);
      await peer.waitFor((f: RawFrame) => f.opcode === Opcode.TEXT && peer.frames.length === 2);
      const [a, b] = peer.frames as [RawFrame, RawFrame];
      assert.equal(a.rsv1, true);
      assert.equal(b.rsv1, true);
      const inflater = new PeerInflater();
      assert.equal(await inflater.inflate(a.payload), TEXT);
      assert.equal(await inflater.inflate(b.payload), TEXT);
      inflater.close();
      if (params.serverNoContextTakeover) assert.ok(a.payload.equals(b.payload));
      else assert.ok(b.payload.length < a.payload.length / 2, `${b.payload.length} vs ${a.payload.length}`);
      if (params.serverMaxWindowBits < 15) {
        // Must inflate with the announced window (8 means 9 to zlib).
        const bits = Math.max(9, params.serverMaxWindowBits);
        zlib.inflateRawSync(Buffer.concat([a.payload, TRAILER]), { windowBits: bits, finishFlush: zlib.constants.Z_SYNC_FLUSH });
      }
      await close();
    });

    test(`client-compressed frames crafted with zlib are inflated with ${name}`, async () => {
      const { server, peer, close } = await serverWithRawClient({ deflate: params });
      const windowBits = Math.max(9, params.clientMaxWindowBits);
      const deflate = zlib.createDeflateRaw({ windowBits });
      const chunks: Buffer[] = [];
      deflate.on('data', (d: Buffer) => chunks.push(d));
      const compress = (s: string): Promise<Buffer> =>
        new Promise((resolve) => {
          deflate.write(s);
          deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            const all = Buffer.concat(chunks.splice(0));
            if (params.clientNoContextTakeover) deflate.reset();
            resolve(all.subarray(0, all.length - 4));
          });
        });
      const received: string[] = [];
      server.on('message', (d) => received.push(d.toString()));
      const one = await compress(TEXT);
      const two = await compress(TEXT + 'second');
      peer.send(Opcode.TEXT, one, true, true);
      // The second message fragmented: RSV1 on the first frame only.
      peer.send(Opcode.TEXT, two.subarray(0, 3), false, true);
      peer.send(Opcode.PING, 'mid');
      peer.send(Opcode.CONTINUATION, two.subarray(3), true, false);
      peer.send(Opcode.BINARY, 'uncompressed', true, false);
      for (let i = 0; i < 200 && received.length < 3; i++) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(received, [TEXT, TEXT + 'second', 'uncompressed']);
      deflate.close();
      await close();
    });
  }

  test('a deflate bomb closes with 1009 before it is inflated', async () => {
    const { server, peer, close } = await serverWithRawClient({ deflate: BASE, maxMessagePayloadSize: 1024 * 1024 });
    const bomb = zlib.deflateRawSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 });
    assert.ok(bomb.length < 20_000);
    peer.send(Opcode.BINARY, bomb, true, true);
    const frame = await peer.waitFor((f) => f.opcode === Opcode.CLOSE);
    assert.equal(closeCodeOf(frame), CloseCode.MESSAGE_TOO_BIG);
    await server.closed;
    await close();
  });

  test('invalid UTF-8 inside compressed text fails with 1007', async () => {
    const { peer, close } = await serverWithRawClient({ deflate: BASE });
    const data = zlib.deflateRawSync(Buffer.from([0x61, 0xff, 0x62]), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    peer.send(Opcode.TEXT, data.subarray(0, data.length - 4), true, true);
    const frame = await peer.waitFor((f) => f.opcode === Opcode.CLOSE);
    assert.equal(closeCodeOf(frame), CloseCode.INVALID_PAYLOAD);
    await close();
  });

  test('RSV1 without negotiated deflate is a protocol error', async () => {
    const { peer, close } = await serverWithRawClient();
    peer.send(Opcode.TEXT, 'x', true, true);
    const frame = await peer.waitFor((f) => f.opcode === Opcode.CLOSE);
    assert.equal(closeCodeOf(frame), CloseCode.PROTOCOL_ERROR);
    await close();
  });

  test('compressionThreshold leaves small messages uncompressed', async () => {
    const { server, peer, close } = await serverWithRawClient({ deflate: BASE, compressionThreshold: 100 });
    server.sendMessage('small');
    server.sendMessage(TEXT);
    server.sendMessage('after');
    await peer.waitFor(() => peer.frames.length === 3);
    assert.deepEqual(peer.frames.map((f) => f.rsv1), [false, true, false]);
    assert.equal(peer.frames[2]!.payload.toString(), 'after');
    await close();
  });

  test('a streamed message is compressed frame by frame, RSV1 on the first frame only', async () => {
    const { server, peer, close } = await serverWithRawClient({ deflate: BASE });
    server.beginMessage(false);
    server.sendMessageFrame(TEXT);
    server.sendPing('p');
    server.sendMessageFrame(TEXT);
    server.endMessage();
    await peer.waitFor((f) => f.opcode === Opcode.CONTINUATION && f.fin);
    const data = peer.frames.filter((f) => f.opcode !== Opcode.PING);
    assert.deepEqual(data.map((f) => [f.opcode, f.rsv1]), [
      [Opcode.TEXT, true],
      [Opcode.CONTINUATION, false],
      [Opcode.CONTINUATION, false],
    ]);
    const inflater = new PeerInflater();
    assert.equal(await inflater.inflate(Buffer.concat(data.map((f) => f.payload))), TEXT + TEXT);
    inflater.close();
    await close();
  });

  test('compressed and uncompressed sends stay in call order', async () => {
    const pair = await connectionPair({ deflate: BASE, compressionThreshold: 50 }, { deflate: BASE, compressionThreshold: 50 });
    const got: string[] = [];
    pair.server.on('message', (d) => got.push(d.toString()));
    const sent: string[] = [];
    for (let i = 0; i < 100; i++) {
      const m = i % 3 === 0 ? `${i}:${TEXT}` : `${i}`;
      sent.push(m);
      pair.client.sendMessage(m);
    }
    for (let i = 0; i < 400 && got.length < 100; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(got, sent);
    await pair.close();
  });
});
