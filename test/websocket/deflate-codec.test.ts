import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { PerMessageDeflateCodec, type InflateSink } from '../../runtime/websocket/permessage-deflate.js';
import type { DeflateParams, Role } from '../../runtime/websocket/types.js';
import type { WampkitError } from '../../runtime/errors.js';

const TRAILER = Buffer.from([0, 0, 0xff, 0xff]);
const PARAMS: DeflateParams = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };

function codec(params: Partial<DeflateParams> = {}, role: Role = 'server', threshold = 0): PerMessageDeflateCodec {
  return new PerMessageDeflateCodec({ ...PARAMS, ...params }, role, { threshold, level: 6, memLevel: 8 });
}

function compress(c: PerMessageDeflateCodec, data: string | Buffer, fin = true): Promise<Buffer> {
  return new Promise((resolve, reject) => c.compress(Buffer.from(data), fin, (err, out) => (err ? reject(err) : resolve(out))));
}

function decompress(c: PerMessageDeflateCodec, data: Buffer, fin: boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const sink: InflateSink = {
      onInflated: (chunk) => (parts.push(chunk), true),
      onInflateDone: (err: WampkitError | null) => (err ? reject(err) : resolve(Buffer.concat(parts))),
    };
    c.decompress(data, fin, sink);
  });
}

/** Inflates a flushed (not finished) raw deflate stream, as a WebSocket message is. */
function inflate(data: Buffer, options: zlib.ZlibOptions = {}): Buffer {
  return zlib.inflateRawSync(data, { ...options, finishFlush: zlib.constants.Z_SYNC_FLUSH });
}

const TEXT = 'The quick brown fox jumps over the lazy dog. '.repeat(40);

describe('permessage-deflate codec', () => {
  test('compressed messages drop the trailer and inflate with it put back', async () => {
    const c = codec();
    const out = await compress(c, TEXT);
    assert.ok(out.length < TEXT.length / 5);
    assert.ok(!out.subarray(out.length - 4).equals(TRAILER));
    assert.equal(inflate(Buffer.concat([out, TRAILER])).toString(), TEXT);
    c.close();
  });

  test('an empty message compresses to the single byte 0x00', async () => {
    const c = codec();
    assert.deepEqual([...(await compress(c, ''))], [0]);
    c.close();
  });

  test('context takeover shrinks a repeated message; no_context_takeover does not', async () => {
    const keep = codec();
    const first = await compress(keep, TEXT);
    const second = await compress(keep, TEXT);
    assert.ok(second.length < first.length / 2, `${second.length} vs ${first.length}`);
    keep.close();
    for (const [role, params] of [['server', { serverNoContextTakeover: true }], ['client', { clientNoContextTakeover: true }]] as const) {
      const reset = codec(params, role);
      const a = await compress(reset, TEXT);
      const b = await compress(reset, TEXT);
      assert.ok(a.equals(b), role);
      assert.equal(inflate(Buffer.concat([b, TRAILER])).toString(), TEXT);
      reset.close();
    }
  });

  test('window bits of our own side are used, and 8 means 9 for zlib', async () => {
    const big = Buffer.from(Array.from({ length: 4000 }, (_, i) => String.fromCharCode(97 + ((i * 7919) % 26))).join('').repeat(2));
    for (const [role, params] of [['server', { serverMaxWindowBits: 8 }], ['client', { clientMaxWindowBits: 9 }], ['server', { serverMaxWindowBits: 10 }]] as const) {
      const c = codec(params, role);
      const out = await compress(c, big);
      const bits = Math.max(9, role === 'server' ? (params as { serverMaxWindowBits: number }).serverMaxWindowBits : (params as { clientMaxWindowBits: number }).clientMaxWindowBits);
      // An inflater with exactly that window accepts it: no distance reaches further back.
      assert.ok(inflate(Buffer.concat([out, TRAILER]), { windowBits: bits }).equals(big));
      c.close();
    }
  });

  test('streamed pieces keep their flush marker until the final piece', async () => {
    const c = codec();
    const a = await compress(c, 'first piece, ', false);
    assert.ok(a.subarray(a.length - 4).equals(TRAILER));
    const b = await compress(c, 'second piece', false);
    const end = await compress(c, '', true);
    assert.equal(inflate(Buffer.concat([a, b, end, TRAILER])).toString(), 'first piece, second piece');
    c.close();
  });

  test('inflates in pieces with the peer context kept across messages', async () => {
    const peer = zlib.createDeflateRaw();
    const chunks: Buffer[] = [];
    peer.on('data', (d: Buffer) => chunks.push(d));
    const peerCompress = (s: string): Promise<Buffer> =>
      new Promise((resolve) => {
        peer.write(s);
        peer.flush(zlib.constants.Z_SYNC_FLUSH, () => {
          const all = Buffer.concat(chunks.splice(0));
          resolve(all.subarray(0, all.length - 4));
        });
      });
    const c = codec();
    const m1 = await peerCompress(TEXT);
    const m2 = await peerCompress(TEXT);
    assert.equal((await decompress(c, m1.subarray(0, 10), false)).toString() + (await decompress(c, m1.subarray(10), true)).toString(), TEXT);
    assert.equal((await decompress(c, m2, true)).toString(), TEXT);
    peer.close();
    c.close();
  });

  test('the inflater follows the peer window (8 bits announced, 9 used)', async () => {
    const c = codec({ clientMaxWindowBits: 8 }, 'server');
    const data = zlib.deflateRawSync(Buffer.from(TEXT), { windowBits: 9 });
    assert.equal((await decompress(c, data, true)).toString(), TEXT);
    c.close();
  });

  test('threshold decides what is compressed', () => {
    const c = codec({}, 'server', 100);
    assert.equal(c.shouldCompress(99), false);
    assert.equal(c.shouldCompress(100), true);
    c.close();
  });

  test('a sink that refuses more data stops the inflater', async () => {
    const c = codec();
    const bomb = zlib.deflateRawSync(Buffer.alloc(20 * 1024 * 1024));
    let seen = 0;
    let done = false;
    c.decompress(bomb, true, {
      onInflated: (chunk) => {
        seen += chunk.length;
        return seen < 100_000;
      },
      onInflateDone: () => {
        done = true;
      },
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(seen < 1024 * 1024, `inflated ${seen}`);
    assert.equal(done, false);
    c.close();
  });
});
