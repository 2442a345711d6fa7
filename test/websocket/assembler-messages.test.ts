import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { MessageAssembler, type MessageSink } from '../../runtime/websocket/message-assembler.js';
import { PerMessageDeflateCodec } from '../../runtime/websocket/permessage-deflate.js';
import { encodeFrame } from '../../runtime/websocket/frame-encoder.js';
import { CloseCode, Opcode } from '../../runtime/websocket/constants.js';
import type { WampkitError } from '../../runtime/errors.js';

const KEY = Buffer.from([9, 8, 7, 6]);

class Sink implements MessageSink {
  messages: Array<{ binary: boolean; data: string }> = [];
  controls: string[] = [];
  frames = 0;
  error: WampkitError | null = null;
  #binary = false;
  #parts: Buffer[] = [];
  onMessageBegin(isBinary: boolean): void {
    this.#binary = isBinary;
    this.#parts = [];
  }
  onFrameBegin(): void {
    this.frames++;
  }
  onMessageData(chunk: Buffer): void {
    this.#parts.push(Buffer.from(chunk));
  }
  onFrameEnd(): void {}
  onMessageEnd(): void {
    this.messages.push({ binary: this.#binary, data: Buffer.concat(this.#parts).toString() });
  }
  onPing(p: Buffer): void {
    this.controls.push(`ping:${p.toString()}`);
  }
  onPong(p: Buffer): void {
    this.controls.push(`pong:${p.toString()}`);
  }
  onCloseFrame(code: number, reason: string): void {
    this.controls.push(`close:${code}:${reason}`);
  }
  onProtocolError(error: WampkitError): void {
    this.error = error;
  }
  onReadPaused(): void {}
}

function frame(opcode: number, payload: Buffer | string, fin = true, rsv1 = false): Buffer {
  return encodeFrame(opcode, Buffer.from(payload), fin, rsv1, KEY);
}

function assembler(opts: { max?: number; maxFrames?: number; deflate?: boolean } = {}): { sink: Sink; asm: MessageAssembler } {
  const sink = new Sink();
  const codec = opts.deflate
    ? new PerMessageDeflateCodec(
        { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 },
        'server',
        { threshold: 0, level: 6, memLevel: 8 },
      )
    : null;
  const asm = new MessageAssembler(sink, { role: 'server', maxFramePayloadSize: 0, maxMessagePayloadSize: opts.max ?? 0, maxFramesPerMessage: opts.maxFrames ?? 0, validateUtf8: true, codec });
  return { sink, asm };
}

async function settle(sink: Sink, done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done() && sink.error === null; i++) await new Promise((r) => setTimeout(r, 5));
}

describe('message assembler', () => {
  test('assembles fragments with interleaved control frames', () => {
    const { sink, asm } = assembler();
    asm.push(Buffer.concat([frame(Opcode.TEXT, 'Hel', false), frame(Opcode.PING, 'p'), frame(Opcode.CONTINUATION, 'lo', false), frame(Opcode.CONTINUATION, '!')]));
    assert.equal(sink.error, null);
    assert.deepEqual(sink.messages, [{ binary: false, data: 'Hello!' }]);
    assert.deepEqual(sink.controls, ['ping:p']);
    assert.equal(sink.frames, 3);
  });

  test('maxFramesPerMessage: a message in exactly that many frames passes, one more fails with 1008 at that frame\'s header', () => {
    const frames = (n: number, opcode: number): Buffer =>
      Buffer.concat(Array.from({ length: n }, (_, i) => frame(i === 0 ? opcode : Opcode.CONTINUATION, 'x', i === n - 1)));
    const ok = assembler({ maxFrames: 5 });
    ok.asm.push(Buffer.concat([frames(5, Opcode.TEXT), frames(5, Opcode.BINARY)]));
    assert.equal(ok.sink.error, null);
    assert.deepEqual(ok.sink.messages, [{ binary: false, data: 'xxxxx' }, { binary: true, data: 'xxxxx' }], 'the count starts over per message');
    // Control frames between fragments do not count.
    const pings = assembler({ maxFrames: 2 });
    pings.asm.push(Buffer.concat([frame(Opcode.TEXT, 'a', false), frame(Opcode.PING, ''), frame(Opcode.PING, ''), frame(Opcode.CONTINUATION, 'b')]));
    assert.equal(pings.sink.error, null);
    assert.deepEqual(pings.sink.messages, [{ binary: false, data: 'ab' }]);
    const over = assembler({ maxFrames: 5 });
    over.asm.push(frames(5, Opcode.TEXT).subarray(0, -frame(Opcode.CONTINUATION, 'x').length));
    assert.equal(over.sink.error, null, 'four frames so far');
    over.asm.push(Buffer.concat([frame(Opcode.CONTINUATION, 'x', false), frame(Opcode.CONTINUATION, 'x', false)]));
    const error = over.sink.error as WampkitError | null;
    assert.equal(error?.code, 'WS_TOO_MANY_FRAMES');
    assert.equal(error?.closeCode, 1008);
    assert.equal(over.sink.frames, 5, 'the sixth frame is refused at its header');
  });

  test('maxFramesPerMessage defaults to 100,000 (Autobahn sends up to 65,536) and 0 turns it off', async () => {
    const { PROTOCOL_DEFAULTS } = await import('../../runtime/websocket/types.js');
    assert.equal(PROTOCOL_DEFAULTS.maxFramesPerMessage, 100_000);
    const off = assembler({ maxFrames: 0 });
    const n = 70_000;
    off.asm.push(Buffer.concat(Array.from({ length: n }, (_, i) => frame(i === 0 ? Opcode.BINARY : Opcode.CONTINUATION, 'y', i === n - 1))));
    assert.equal(off.sink.error, null);
    assert.equal(off.sink.messages[0]?.data.length, n);
  });

  test('continuation without a message start fails with 1002', () => {
    const { sink, asm } = assembler();
    asm.push(frame(Opcode.CONTINUATION, 'x'));
    assert.equal(sink.error?.closeCode, CloseCode.PROTOCOL_ERROR);
  });

  test('a new data frame while a message is open fails with 1002', () => {
    const { sink, asm } = assembler();
    asm.push(Buffer.concat([frame(Opcode.TEXT, 'a', false), frame(Opcode.BINARY, 'b')]));
    assert.equal(sink.error?.closeCode, CloseCode.PROTOCOL_ERROR);
  });

  test('invalid UTF-8 fails on the frame where the bad byte arrives', () => {
    const { sink, asm } = assembler();
    asm.push(frame(Opcode.TEXT, Buffer.from([0x68, 0x69, 0xc0, 0xaf]), false));
    assert.equal(sink.error?.closeCode, CloseCode.INVALID_PAYLOAD);
    assert.equal(sink.messages.length, 0);
  });

  test('invalid UTF-8 fails within a frame split in pieces, before the frame ends', () => {
    const { sink, asm } = assembler();
    const bytes = frame(Opcode.TEXT, Buffer.concat([Buffer.from('abc'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.alloc(100, 0x61)]));
    asm.push(bytes.subarray(0, 6 + 5));
    assert.equal(sink.error?.closeCode, CloseCode.INVALID_PAYLOAD);
  });

  test('a code point split across fragments is accepted; a truncated one at the end is not', () => {
    const euro = Buffer.from('€');
    const ok = assembler();
    ok.asm.push(Buffer.concat([frame(Opcode.TEXT, euro.subarray(0, 1), false), frame(Opcode.CONTINUATION, euro.subarray(1))]));
    assert.deepEqual(ok.sink.messages, [{ binary: false, data: '€' }]);
    const bad = assembler();
    bad.asm.push(frame(Opcode.TEXT, euro.subarray(0, 2)));
    assert.equal(bad.sink.error?.closeCode, CloseCode.INVALID_PAYLOAD);
  });

  test('binary messages are not validated', () => {
    const { sink, asm } = assembler();
    asm.push(frame(Opcode.BINARY, Buffer.from([0xff, 0xfe])));
    assert.equal(sink.error, null);
    assert.equal(sink.messages.length, 1);
  });

  test('close frame payload rules', () => {
    const payload = (code: number, reason: Buffer = Buffer.alloc(0)): Buffer => {
      const b = Buffer.alloc(2);
      b.writeUInt16BE(code);
      return Buffer.concat([b, reason]);
    };
    const cases: Array<[Buffer, number | string]> = [
      [Buffer.alloc(0), 'close:1005:'],
      [payload(1000, Buffer.from('bye')), 'close:1000:bye'],
      [payload(4999), 'close:4999:'],
      [Buffer.from([0x03]), CloseCode.PROTOCOL_ERROR],
      [payload(999), CloseCode.PROTOCOL_ERROR],
      [payload(1005), CloseCode.PROTOCOL_ERROR],
      [payload(1006), CloseCode.PROTOCOL_ERROR],
      [payload(1015), CloseCode.PROTOCOL_ERROR],
      [payload(1016), CloseCode.PROTOCOL_ERROR],
      [payload(2999), CloseCode.PROTOCOL_ERROR],
      [payload(5000), CloseCode.PROTOCOL_ERROR],
      [payload(1000, Buffer.from([0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80])), CloseCode.INVALID_PAYLOAD],
    ];
    for (const [p, expected] of cases) {
      const { sink, asm } = assembler();
      asm.push(frame(Opcode.CLOSE, p));
      if (typeof expected === 'string') assert.deepEqual(sink.controls, [expected]);
      else assert.equal(sink.error?.closeCode, expected, p.toString('hex'));
    }
  });

  test('nothing is processed after a close frame', () => {
    const { sink, asm } = assembler();
    asm.push(Buffer.concat([frame(Opcode.CLOSE, ''), frame(Opcode.TEXT, 'late')]));
    assert.equal(sink.messages.length, 0);
  });

  test('maxMessagePayloadSize over fragments fails with 1009 at the frame header', () => {
    const { sink, asm } = assembler({ max: 10 });
    asm.push(frame(Opcode.BINARY, Buffer.alloc(6), false));
    assert.equal(sink.error, null);
    asm.push(frame(Opcode.CONTINUATION, Buffer.alloc(5)).subarray(0, 6));
    assert.equal((sink.error as WampkitError | null)?.closeCode, CloseCode.MESSAGE_TOO_BIG);
  });

  test('inflates compressed messages, fragmented or not, keeping order with control frames', async () => {
    const { sink, asm } = assembler({ deflate: true });
    const deflate = zlib.createDeflateRaw();
    const compress = (text: string): Promise<Buffer> =>
      new Promise((resolve) => {
        const out: Buffer[] = [];
        const onData = (c: Buffer) => out.push(c);
        deflate.on('data', onData);
        deflate.write(text);
        deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
          deflate.off('data', onData);
          const all = Buffer.concat(out);
          resolve(all.subarray(0, all.length - 4));
        });
      });
    const a = await compress('hello hello hello');
    const b = await compress('hello again, with context');
    asm.push(Buffer.concat([frame(Opcode.TEXT, a, true, true), frame(Opcode.PING, '1'), frame(Opcode.TEXT, b.subarray(0, 5), false, true), frame(Opcode.CONTINUATION, b.subarray(5)), frame(Opcode.BINARY, 'raw')]));
    await settle(sink, () => sink.messages.length === 3);
    assert.equal(sink.error, null);
    assert.deepEqual(sink.messages, [
      { binary: false, data: 'hello hello hello' },
      { binary: false, data: 'hello again, with context' },
      { binary: true, data: 'raw' },
    ]);
    assert.deepEqual(sink.controls, ['ping:1']);
    deflate.close();
  });

  test('a deflate bomb fails with 1009 without inflating the rest', async () => {
    const { sink, asm } = assembler({ deflate: true, max: 64 * 1024 });
    const bomb = zlib.deflateRawSync(Buffer.alloc(50 * 1024 * 1024), { level: 9 });
    asm.push(frame(Opcode.BINARY, bomb, true, true));
    await settle(sink, () => false);
    assert.equal(sink.error?.closeCode, CloseCode.MESSAGE_TOO_BIG);
    assert.equal(sink.messages.length, 0);
  });

  test('corrupt compressed data fails with 1007', async () => {
    const { sink, asm } = assembler({ deflate: true });
    asm.push(frame(Opcode.BINARY, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x12]), true, true));
    await settle(sink, () => false);
    assert.equal(sink.error?.closeCode, CloseCode.INVALID_PAYLOAD);
  });

  test('random frame sequences never throw: messages, or one error with a close code', () => {
    const spec = fc.record({
      opcode: fc.constantFrom(0, 1, 2, 8, 9, 10),
      fin: fc.boolean(),
      payload: fc.uint8Array({ maxLength: 130 }),
    });
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 8 }), (frames) => {
        const { sink, asm } = assembler({ max: 200 });
        asm.push(Buffer.concat(frames.map((f) => frame(f.opcode, Buffer.from(f.payload), f.fin))));
        if (sink.error !== null) assert.ok([1002, 1007, 1009].includes(sink.error.closeCode ?? 0));
      }),
      { numRuns: 300 },
    );
  });
});
