/**
 * Receiving a frame in place: a frame that spans reads is unmasked straight into one buffer
 * (FrameParser.receiveInto) instead of in place and concatenated later. Same bytes, fewer
 * passes; these tests pin the bytes, the views and what happens around such a frame.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { FrameParser, type FrameHandler, type FrameHeader } from '../../runtime/websocket/frame-parser.js';
import { encodeFrame } from '../../runtime/websocket/frame-encoder.js';
import { Opcode } from '../../runtime/websocket/constants.js';
import type { WampkitError } from '../../runtime/errors.js';
import type { Role } from '../../runtime/websocket/types.js';
import { connectionPair } from './connection-helpers.js';

class InPlace implements FrameHandler {
  parser!: FrameParser;
  targets: Buffer[] = [];
  pieces: Buffer[] = [];
  /** Per frame: the payload as reported (pieces joined) and whether it went in place. */
  frames: Array<{ opcode: number; payload: Buffer; inPlace: boolean }> = [];
  #current: { opcode: number; parts: Buffer[]; target: Buffer | null } | null = null;
  errors: WampkitError[] = [];
  constructor(readonly minSize: number) {}
  onFrameHeader(header: Readonly<FrameHeader>): void {
    let target: Buffer | null = null;
    if (header.length >= this.minSize && header.length > this.parser.payloadInChunk) {
      target = Buffer.alloc(header.length);
      this.parser.receiveInto(target);
      this.targets.push(target);
    }
    this.#current = { opcode: header.opcode, parts: [], target };
  }
  onFramePayload(chunk: Buffer): void {
    const current = this.#current!;
    if (current.target !== null) assert.equal(chunk.buffer, current.target.buffer, 'pieces are views of the target');
    this.pieces.push(chunk);
    current.parts.push(Buffer.from(chunk));
  }
  onFrameEnd(): void {
    const c = this.#current!;
    this.frames.push({ opcode: c.opcode, payload: Buffer.concat(c.parts), inPlace: c.target !== null });
  }
  onFrameError(error: WampkitError): void {
    this.errors.push(error);
  }
}

function run(bytes: Buffer, role: Role, chunk: number, minSize = 1): InPlace {
  const handler = new InPlace(minSize);
  const parser = new FrameParser(handler, { role, allowRsv1: false, maxFramePayloadSize: 0 });
  handler.parser = parser;
  for (let at = 0; at < bytes.length; at += chunk) parser.push(Buffer.from(bytes.subarray(at, at + chunk)));
  return handler;
}

describe('frame parser: receiving a frame in place', () => {
  for (const role of ['server', 'client'] as const) {
    for (const chunk of [1, 3, 997, 65536]) {
      test(`${role === 'server' ? 'masked' : 'unmasked'} frames in ${chunk}-byte reads arrive intact, with the mask phase kept across pieces`, () => {
        const key = role === 'server' ? randomBytes(4) : null;
        const big = randomBytes(70_000);
        const small = Buffer.from('after');
        const odd = randomBytes(1_027);
        const bytes = Buffer.concat([
          encodeFrame(Opcode.BINARY, big, true, false, key),
          encodeFrame(Opcode.PING, Buffer.from('p'), true, false, key),
          encodeFrame(Opcode.TEXT, small, true, false, key),
          encodeFrame(Opcode.BINARY, odd, true, false, key),
        ]);
        const h = run(bytes, role, chunk);
        assert.deepEqual(h.errors, []);
        assert.equal(h.frames.length, 4);
        assert.deepEqual(h.frames[0]!.payload, big);
        assert.deepEqual(h.frames[1]!.payload, Buffer.from('p'));
        assert.deepEqual(h.frames[2]!.payload, small);
        assert.deepEqual(h.frames[3]!.payload, odd);
        // The target holds the whole unmasked payload, not only the pieces' copies.
        assert.ok(h.frames[0]!.inPlace);
        assert.deepEqual(h.targets[0], big);
        if (h.frames[3]!.inPlace) assert.deepEqual(h.targets.at(-1), odd);
      });
    }
  }

  test('a frame wholly inside one read is not offered for in-place receipt (its pieces stay zero-copy)', () => {
    const h = run(encodeFrame(Opcode.BINARY, randomBytes(500), true, false, randomBytes(4)), 'server', 4096);
    assert.equal(h.targets.length, 0);
    assert.equal(h.frames.length, 1);
  });

  test('receiveInto refuses a buffer of the wrong size', () => {
    const handler: FrameHandler = {
      onFrameHeader: () => assert.throws(() => parser.receiveInto(Buffer.alloc(3)), RangeError),
      onFramePayload: () => {},
      onFrameEnd: () => {},
      onFrameError: () => {},
    };
    const parser = new FrameParser(handler, { role: 'client', allowRsv1: false, maxFramePayloadSize: 0 });
    parser.push(encodeFrame(Opcode.BINARY, Buffer.alloc(10), true, false, null).subarray(0, 5));
  });
});

describe('connection: a message spanning reads is received in place', () => {
  test('1 MiB binary and text messages sent in 1000-byte writes arrive intact, and the next message too', async () => {
    const pair = await connectionPair();
    try {
      const received: Array<{ data: Buffer; isBinary: boolean }> = [];
      const frames: number[] = [];
      pair.server.on('frameData', (chunk: Buffer) => frames.push(chunk.length));
      const all = new Promise<void>((resolve) =>
        pair.server.on('message', (data: Buffer, isBinary: boolean) => {
          received.push({ data, isBinary });
          if (received.length === 3) resolve();
        }),
      );
      const big = randomBytes(1 << 20);
      const text = Buffer.from('é'.repeat(300_000));
      const wire = Buffer.concat([
        encodeFrame(Opcode.BINARY, big, true, false, randomBytes(4)),
        encodeFrame(Opcode.TEXT, text, true, false, randomBytes(4)),
        encodeFrame(Opcode.TEXT, Buffer.from('next'), true, false, randomBytes(4)),
      ]);
      for (let at = 0; at < wire.length; at += 1000) pair.sockets.client.write(wire.subarray(at, at + 1000));
      await all;
      assert.deepEqual(received[0], { data: big, isBinary: true });
      assert.deepEqual(received[1], { data: text, isBinary: false });
      assert.deepEqual(received[2], { data: Buffer.from('next'), isBinary: false });
      assert.equal(frames.reduce((a, b) => a + b, 0), big.length + text.length + 4, "'frameData' still sees every byte");
    } finally {
      await pair.close();
    }
  });

  test('invalid UTF-8 early in a large text frame still fails with 1007 before the rest arrives', async () => {
    const pair = await connectionPair();
    try {
      const failed = new Promise<WampkitError>((resolve) => pair.server.once('error', (e: Error) => resolve(e as WampkitError)));
      const text = Buffer.alloc(200_000, 0x61);
      text[10] = 0xff;
      const wire = encodeFrame(Opcode.TEXT, text, true, false, randomBytes(4));
      pair.sockets.client.write(wire.subarray(0, 5_000));
      const error = await failed;
      assert.equal(error.closeCode, 1007);
      assert.match(error.message, /UTF-8 at byte 10/);
    } finally {
      await pair.close();
    }
  });
});
