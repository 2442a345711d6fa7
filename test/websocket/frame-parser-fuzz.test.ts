import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameParser, type FrameHeader } from '../../runtime/websocket/frame-parser.js';
import { encodeFrame } from '../../runtime/websocket/frame-encoder.js';
import { Opcode } from '../../runtime/websocket/constants.js';

interface Spec {
  opcode: number;
  fin: boolean;
  payload: Uint8Array;
  key: Uint8Array;
}

const frameSpec = fc.oneof(
  fc.record({
    opcode: fc.constantFrom(Opcode.TEXT, Opcode.BINARY, Opcode.CONTINUATION),
    fin: fc.boolean(),
    payload: fc.uint8Array({ maxLength: 70_000 }),
    key: fc.uint8Array({ minLength: 4, maxLength: 4 }),
  }),
  fc.record({
    opcode: fc.constantFrom(Opcode.PING, Opcode.PONG, Opcode.CLOSE),
    fin: fc.constant(true),
    payload: fc.uint8Array({ maxLength: 125 }),
    key: fc.uint8Array({ minLength: 4, maxLength: 4 }),
  }),
);

describe('frame parser (property)', () => {
  test('any valid frame sequence, cut anywhere, parses back to the same frames', () => {
    fc.assert(
      fc.property(fc.array(frameSpec, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), (specs: Spec[], cuts: number[]) => {
        const bytes = Buffer.concat(specs.map((s) => encodeFrame(s.opcode, s.payload, s.fin, false, s.key)));
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const got: Array<{ opcode: number; fin: boolean; payload: Buffer }> = [];
        let parts: Buffer[] = [];
        let current: { opcode: number; fin: boolean } | null = null;
        const parser = new FrameParser(
          {
            onFrameHeader: (h: Readonly<FrameHeader>) => {
              current = { opcode: h.opcode, fin: h.fin };
              parts = [];
            },
            onFramePayload: (c) => parts.push(Buffer.from(c)),
            onFrameEnd: () => got.push({ ...current!, payload: Buffer.concat(parts) }),
            onFrameError: (e) => {
              throw e;
            },
          },
          { role: 'server', allowRsv1: false, maxFramePayloadSize: 0 },
        );
        let at = 0;
        for (const p of [...points, bytes.length]) {
          parser.push(bytes.subarray(at, p));
          at = p;
        }
        assert.equal(got.length, specs.length);
        specs.forEach((s, i) => {
          assert.equal(got[i]!.opcode, s.opcode);
          assert.equal(got[i]!.fin, s.fin);
          assert.ok(got[i]!.payload.equals(Buffer.from(s.payload)));
        });
      }),
      { numRuns: 150 },
    );
  });

  test('random bytes never throw; they parse or fail with a close code', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        let error: { closeCode?: number } | null = null;
        const parser = new FrameParser(
          { onFrameHeader: () => {}, onFramePayload: () => {}, onFrameEnd: () => {}, onFrameError: (e) => (error = e) },
          { role: 'client', allowRsv1: true, maxFramePayloadSize: 1000 },
        );
        parser.push(Buffer.from(bytes));
        if (error !== null) assert.ok([1002, 1009].includes((error as { closeCode?: number }).closeCode ?? 0));
      }),
      { numRuns: 500 },
    );
  });
});
