import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FrameParser, type FrameHandler, type FrameHeader } from '../../runtime/websocket/frame-parser.js';
import { encodeFrame } from '../../runtime/websocket/frame-encoder.js';
import { CloseCode, Opcode } from '../../runtime/websocket/constants.js';
import type { WampkitError } from '../../runtime/errors.js';
import type { Role } from '../../runtime/websocket/types.js';
import { createUtf8Validator } from '../../runtime/accel/index.js';

type Event =
  | { kind: 'header'; header: FrameHeader }
  | { kind: 'payload'; data: Buffer }
  | { kind: 'end' }
  | { kind: 'error'; error: WampkitError };

class Recorder implements FrameHandler {
  events: Event[] = [];
  onFrameHeader(header: Readonly<FrameHeader>): void {
    this.events.push({ kind: 'header', header: { ...header } });
  }
  onFramePayload(chunk: Buffer): void {
    this.events.push({ kind: 'payload', data: Buffer.from(chunk) });
  }
  onFrameEnd(): void {
    this.events.push({ kind: 'end' });
  }
  onFrameError(error: WampkitError): void {
    this.events.push({ kind: 'error', error });
  }
  /** Frames as [opcode, fin, payload] with payload pieces joined, plus the error if any. */
  frames(): { frames: Array<[number, boolean, string]>; error: WampkitError | null } {
    const frames: Array<[number, boolean, string]> = [];
    let current: { opcode: number; fin: boolean; parts: Buffer[] } | null = null;
    let error: WampkitError | null = null;
    for (const e of this.events) {
      if (e.kind === 'header') current = { opcode: e.header.opcode, fin: e.header.fin, parts: [] };
      else if (e.kind === 'payload') current!.parts.push(e.data);
      else if (e.kind === 'end') frames.push([current!.opcode, current!.fin, Buffer.concat(current!.parts).toString('latin1')]);
      else error = e.error;
    }
    return { frames, error };
  }
}

const KEY = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

function parse(bytes: Buffer, role: Role = 'client', opts: { allowRsv1?: boolean; max?: number; split?: number[] } = {}): Recorder {
  const rec = new Recorder();
  const parser = new FrameParser(rec, { role, allowRsv1: opts.allowRsv1 ?? false, maxFramePayloadSize: opts.max ?? 0 });
  const cuts = [0, ...(opts.split ?? []), bytes.length];
  for (let i = 0; i + 1 < cuts.length; i++) parser.push(Buffer.from(bytes.subarray(cuts[i], cuts[i + 1])));
  return rec;
}

function errorCloseCode(rec: Recorder): number | undefined {
  return rec.frames().error?.closeCode;
}

describe('frame parser', () => {
  test('parses unmasked frames of every length class on the client side', () => {
    for (const length of [0, 1, 125, 126, 65535, 65536, 70000]) {
      const payload = Buffer.alloc(length, 0x61);
      const rec = parse(encodeFrame(Opcode.BINARY, payload, true, false, null));
      const { frames, error } = rec.frames();
      assert.equal(error, null);
      assert.equal(frames.length, 1);
      assert.equal(frames[0]![0], Opcode.BINARY);
      assert.equal(frames[0]![2].length, length);
      const header = rec.events[0]!;
      assert.ok(header.kind === 'header' && header.header.length === length && !header.header.masked);
    }
  });

  test('unmasks masked frames on the server side, split at every byte position', () => {
    const payload = Buffer.from('Hello, WebSocket! ünïcödé');
    const frame = Buffer.concat([
      encodeFrame(Opcode.TEXT, payload, false, false, KEY),
      encodeFrame(Opcode.PING, Buffer.from('pp'), true, false, KEY),
      encodeFrame(Opcode.CONTINUATION, Buffer.from('!'), true, false, KEY),
    ]);
    for (let cut = 0; cut <= frame.length; cut++) {
      const rec = parse(frame, 'server', { split: [cut] });
      const { frames, error } = rec.frames();
      assert.equal(error, null, `cut ${cut}`);
      assert.deepEqual(
        frames,
        [
          [Opcode.TEXT, false, payload.toString('latin1')],
          [Opcode.PING, true, 'pp'],
          [Opcode.CONTINUATION, true, '!'],
        ],
        `cut ${cut}`,
      );
    }
  });

  test('handles byte-by-byte delivery of a 64-bit length frame', () => {
    const payload = Buffer.alloc(65536 + 3, 7);
    const frame = encodeFrame(Opcode.BINARY, payload, true, false, KEY);
    const rec = new Recorder();
    const parser = new FrameParser(rec, { role: 'server', allowRsv1: false, maxFramePayloadSize: 0 });
    for (let i = 0; i < 20; i++) parser.push(frame.subarray(i, i + 1));
    parser.push(frame.subarray(20));
    const { frames, error } = rec.frames();
    assert.equal(error, null);
    assert.equal(frames.length, 1);
    assert.ok(Buffer.from(frames[0]![2], 'latin1').equals(payload));
  });

  test('receiveInto: a frame spanning chunks is unmasked (or copied) straight into the target, split anywhere', () => {
    const payload = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff));
    for (const role of ['server', 'client'] as const) {
      const frame = Buffer.concat([
        encodeFrame(Opcode.BINARY, payload, true, false, role === 'server' ? KEY : null),
        encodeFrame(Opcode.TEXT, Buffer.from('next'), true, false, role === 'server' ? KEY : null),
      ]);
      for (const cut of [3, 9, 10, 11, 50, 150, 305, 306]) {
        const target = Buffer.alloc(payload.length + 5, 0xee);
        const pieces: Buffer[] = [];
        const frames: Array<[number, string]> = [];
        let inHand: number | null = null;
        let parser: FrameParser | null = null;
        let first = true;
        const handler: FrameHandler = {
          onFrameHeader: (header) => {
            if (!first) return;
            first = false;
            inHand = parser!.payloadInHand;
            parser!.receiveInto(target, 5);
            void header;
          },
          onFramePayload: (chunk) => {
            pieces.push(chunk);
          },
          onFrameEnd: () => {
            frames.push([pieces.length, Buffer.concat(pieces).toString('latin1')]);
            pieces.length = 0;
          },
          onFrameError: (error) => assert.fail(error),
        };
        parser = new FrameParser(handler, { role, allowRsv1: false, maxFramePayloadSize: 0 });
        parser.push(Buffer.from(frame.subarray(0, cut)));
        const before = pieces.slice();
        parser.push(Buffer.from(frame.subarray(cut)));
        const headerSize = role === 'server' ? 8 : 4;
        // In hand: what the chunk where the header completes holds of the payload.
        const inFirst = cut < headerSize ? payload.length : Math.min(payload.length, cut - headerSize);
        assert.equal(inHand, inFirst, `${role} cut ${cut}`);
        assert.ok(target.subarray(5).equals(payload), `${role} cut ${cut}: target holds the unmasked payload`);
        assert.deepEqual(target.subarray(0, 5), Buffer.alloc(5, 0xee), 'nothing written before the offset');
        assert.equal(frames[0]![1], payload.toString('latin1'));
        assert.equal(frames[1]![1], 'next', 'the next frame is not written into the target');
        for (const piece of before) assert.equal(piece.buffer, target.buffer, 'pieces are views of the target');
      }
    }
  });

  test('receiveInto refuses a target without room, or outside a payload', () => {
    const frame = encodeFrame(Opcode.BINARY, Buffer.alloc(200, 1), true, false, null);
    let parser: FrameParser | null = null;
    let thrown: unknown = null;
    parser = new FrameParser(
      {
        onFrameHeader: () => {
          try {
            parser!.receiveInto(Buffer.alloc(199), 0);
          } catch (error) {
            thrown = error;
          }
        },
        onFramePayload: () => {},
        onFrameEnd: () => {},
        onFrameError: (error) => assert.fail(error),
      },
      { role: 'client', allowRsv1: false, maxFramePayloadSize: 0 },
    );
    parser.push(frame.subarray(0, 10));
    assert.ok(thrown instanceof RangeError);
    assert.throws(() => new FrameParser(new Recorder(), { role: 'client', allowRsv1: false, maxFramePayloadSize: 0 }).receiveInto(Buffer.alloc(10), 0), RangeError);
  });

  test('delivers payload as it arrives, before the frame is complete', () => {
    const frame = encodeFrame(Opcode.BINARY, Buffer.alloc(1000, 1), true, false, null);
    const rec = parse(frame.subarray(0, 500));
    assert.equal(rec.events[0]!.kind, 'header');
    assert.equal(rec.events[1]!.kind, 'payload');
    assert.ok(rec.events.every((e) => e.kind !== 'end'));
  });

  test('pause keeps unread bytes and resume continues', () => {
    const bytes = Buffer.concat([
      encodeFrame(Opcode.TEXT, Buffer.from('a'), true, false, null),
      encodeFrame(Opcode.TEXT, Buffer.from('b'), true, false, null),
    ]);
    const rec = new Recorder();
    let parser: FrameParser | null = null;
    const handler: FrameHandler = {
      onFrameHeader: (h) => rec.onFrameHeader(h),
      onFramePayload: (c) => rec.onFramePayload(c),
      onFrameEnd: () => {
        rec.onFrameEnd();
        parser!.pause();
      },
      onFrameError: (e) => rec.onFrameError(e),
    };
    parser = new FrameParser(handler, { role: 'client', allowRsv1: false, maxFramePayloadSize: 0 });
    parser.push(bytes);
    assert.equal(rec.frames().frames.length, 1);
    assert.equal(parser.bufferedBytes, 3);
    parser.resume();
    assert.deepEqual(rec.frames().frames.map((f) => f[2]), ['a', 'b']);
  });

  test('masking rule per role fails with 1002', () => {
    assert.equal(errorCloseCode(parse(encodeFrame(Opcode.TEXT, Buffer.from('x'), true, false, null), 'server')), CloseCode.PROTOCOL_ERROR);
    assert.equal(errorCloseCode(parse(encodeFrame(Opcode.TEXT, Buffer.from('x'), true, false, KEY), 'client')), CloseCode.PROTOCOL_ERROR);
  });

  test('reserved bits and opcodes fail with 1002', () => {
    const text = encodeFrame(Opcode.TEXT, Buffer.from('x'), true, false, null);
    for (const bits of [0x40, 0x20, 0x10]) {
      const bad = Buffer.from(text);
      bad[0] = bad[0]! | bits;
      assert.equal(errorCloseCode(parse(bad)), CloseCode.PROTOCOL_ERROR, `bits ${bits}`);
    }
    for (const opcode of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
      assert.equal(errorCloseCode(parse(encodeFrame(opcode, Buffer.alloc(0), true, false, null))), CloseCode.PROTOCOL_ERROR);
    }
  });

  test('RSV1 is allowed only on the first frame of a data message when deflate is on', () => {
    assert.equal(parse(encodeFrame(Opcode.TEXT, Buffer.from('x'), true, true, null), 'client', { allowRsv1: true }).frames().error, null);
    assert.equal(errorCloseCode(parse(encodeFrame(Opcode.CONTINUATION, Buffer.from('x'), true, true, null), 'client', { allowRsv1: true })), CloseCode.PROTOCOL_ERROR);
    assert.equal(errorCloseCode(parse(encodeFrame(Opcode.PING, Buffer.from('x'), true, true, null), 'client', { allowRsv1: true })), CloseCode.PROTOCOL_ERROR);
  });

  test('control frames: at most 125 bytes, never fragmented', () => {
    assert.equal(parse(encodeFrame(Opcode.PING, Buffer.alloc(125), true, false, null)).frames().error, null);
    assert.equal(errorCloseCode(parse(encodeFrame(Opcode.PING, Buffer.alloc(126), true, false, null))), CloseCode.PROTOCOL_ERROR);
    assert.equal(errorCloseCode(parse(encodeFrame(Opcode.CLOSE, Buffer.alloc(2), false, false, null))), CloseCode.PROTOCOL_ERROR);
  });

  test('64-bit length with the most significant bit set fails with 1002', () => {
    const bytes = Buffer.from([0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1]);
    assert.equal(errorCloseCode(parse(bytes)), CloseCode.PROTOCOL_ERROR);
    const huge = Buffer.from([0x82, 127, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1]);
    assert.equal(errorCloseCode(parse(huge)), CloseCode.MESSAGE_TOO_BIG);
  });

  test('maxFramePayloadSize fails with 1009 at the header', () => {
    const rec = parse(encodeFrame(Opcode.BINARY, Buffer.alloc(101), true, false, null).subarray(0, 4), 'client', { max: 100 });
    assert.equal(errorCloseCode(rec), CloseCode.MESSAGE_TOO_BIG);
    assert.equal(parse(encodeFrame(Opcode.BINARY, Buffer.alloc(100), true, false, null), 'client', { max: 100 }).frames().error, null);
  });

  test('keeps working after a handler throws', () => {
    const rec = new Recorder();
    let thrown = false;
    const parser = new FrameParser(
      {
        onFrameHeader: (h) => rec.onFrameHeader(h),
        onFramePayload: (c) => rec.onFramePayload(c),
        onFrameEnd: () => {
          rec.onFrameEnd();
          if (!thrown) {
            thrown = true;
            throw new Error('listener bug');
          }
        },
        onFrameError: (e) => rec.onFrameError(e),
      },
      { role: 'client', allowRsv1: false, maxFramePayloadSize: 0 },
    );
    assert.throws(() => parser.push(encodeFrame(Opcode.TEXT, Buffer.from('a'), true, false, null)), /listener bug/);
    parser.push(encodeFrame(Opcode.TEXT, Buffer.from('b'), true, false, null));
    assert.deepEqual(rec.frames().frames.map((f) => f[2]), ['a', 'b']);
  });

  test('ignores everything after an error', () => {
    const bytes = Buffer.concat([Buffer.from([0x83, 0]), encodeFrame(Opcode.TEXT, Buffer.from('x'), true, false, null)]);
    const rec = parse(bytes);
    assert.equal(rec.events.length, 1);
    assert.equal(rec.events[0]!.kind, 'error');
  });
});

describe('frame parser: UTF-8 validation as it unmasks (validateWith)', () => {
  const KEY2 = Buffer.from([0x3c, 0xa5, 0x0f, 0x96]);

  /** A validator that records what it is fed (so the test sees unmasked bytes, piece by piece). */
  class Recording {
    readonly fed: Buffer[] = [];
    readonly #inner = createUtf8Validator();
    push(chunk: Uint8Array, start = 0, end = chunk.length): boolean {
      this.fed.push(Buffer.from(chunk.subarray(start, end)));
      return this.#inner.push(chunk, start, end);
    }
    finish(): boolean { return this.#inner.finish(); }
    get valid(): boolean { return this.#inner.valid; }
    get atBoundary(): boolean { return this.#inner.atBoundary; }
    get invalidOffset(): number { return this.#inner.invalidOffset; }
    get bytesSeen(): number { return this.#inner.bytesSeen; }
    reset(): void { this.#inner.reset(); }
  }

  for (const role of ['server', 'client'] as const) {
    for (const into of [false, true]) {
      test(`${role}${into ? ', received into a target' : ', in place'}: every payload byte reaches the validator unmasked, once, and validity is known per piece`, () => {
        const text = Buffer.from('añb€c😀d'.repeat(40));
        const bad = Buffer.from(text);
        bad[200] = 0xff;
        for (const [payload, validAll] of [[text, true], [bad, false]] as const) {
          const wire = encodeFrame(Opcode.TEXT, payload, true, false, role === 'server' ? KEY2 : null);
          for (const cut of [1, 7, 9, 150, 201, 202, wire.length - 1]) {
            const validator = new Recording();
            const validity: boolean[] = [];
            const pieces: Buffer[] = [];
            let parser: FrameParser | null = null;
            const target = Buffer.alloc(payload.length);
            parser = new FrameParser(
              {
                onFrameHeader: () => {
                  parser!.validateWith(validator);
                  if (into) parser!.receiveInto(target, 0);
                },
                onFramePayload: (chunk) => {
                  pieces.push(Buffer.from(chunk));
                  validity.push(validator.valid);
                },
                onFrameEnd: () => {},
                onFrameError: (e) => assert.fail(e),
              },
              { role, allowRsv1: false, maxFramePayloadSize: 0 },
            );
            parser.push(Buffer.from(wire.subarray(0, cut)));
            parser.push(Buffer.from(wire.subarray(cut)));
            assert.ok(Buffer.concat(pieces).equals(payload), `${role} cut ${cut}: the handler gets the unmasked payload`);
            assert.ok(Buffer.concat(validator.fed).equals(payload), `${role} cut ${cut}: the validator was fed each byte once, unmasked`);
            assert.equal(validator.valid, validAll);
            if (!validAll) {
              assert.equal(validator.invalidOffset, 200);
              // Fail fast: the first piece that holds byte 200 is the first reported invalid.
              let seen = 0;
              const firstBad = pieces.findIndex((p) => (seen += p.length) > 200);
              assert.equal(validity.indexOf(false), firstBad, `${role} cut ${cut}`);
            }
          }
        }
      });
    }
  }

  test('without validateWith nothing is validated; the next frame is not validated either', () => {
    const validator = new Recording();
    let first = true;
    let parser: FrameParser | null = null;
    parser = new FrameParser(
      {
        onFrameHeader: () => {
          if (first) parser!.validateWith(validator);
          first = false;
        },
        onFramePayload: () => {},
        onFrameEnd: () => {},
        onFrameError: (e) => assert.fail(e),
      },
      { role: 'server', allowRsv1: false, maxFramePayloadSize: 0 },
    );
    parser.push(Buffer.concat([encodeFrame(Opcode.TEXT, Buffer.from('one'), true, false, KEY2), encodeFrame(Opcode.BINARY, Buffer.from([0xff]), true, false, KEY2)]));
    assert.deepEqual(validator.fed.map((b) => b.toString()), ['one']);
    assert.equal(validator.valid, true);
  });
});
