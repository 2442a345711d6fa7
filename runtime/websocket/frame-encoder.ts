/**
 * RFC 6455 section 5.2 frame encoding: pure functions, no socket.
 *
 * A server sends unmasked frames, so the payload is never copied: the header goes out in its
 * own small buffer next to the caller's payload (one corked write). A client must mask, which
 * needs a copy anyway, so header and masked payload share one buffer.
 */
import { mask } from '../accel/index.js';
import { FrameBits, LengthMarker } from './constants.js';

/** Largest payload that fits the 7-bit length field. */
const MAX_SHORT_LENGTH = 125;
const MAX_U16_LENGTH = 0xffff;
const TWO_POW_32 = 0x100000000;
const MASK_KEY_SIZE = 4;

/** Bytes of the header of a frame with `length` payload bytes. */
export function frameHeaderSize(length: number, masked: boolean): number {
  const base = length <= MAX_SHORT_LENGTH ? 2 : length <= MAX_U16_LENGTH ? 4 : 10;
  return masked ? base + MASK_KEY_SIZE : base;
}

/**
 * Writes a frame header into `target` at `offset`; returns the offset after it.
 * `maskKey` (4 bytes) is copied in when given, and the MASK bit is set.
 */
export function writeFrameHeader(
  target: Uint8Array,
  offset: number,
  opcode: number,
  length: number,
  fin: boolean,
  rsv1: boolean,
  maskKey: Uint8Array | null,
): number {
  target[offset] = (fin ? FrameBits.FIN : 0) | (rsv1 ? FrameBits.RSV1 : 0) | opcode;
  const maskBit = maskKey === null ? 0 : FrameBits.MASK;
  let p = offset + 2;
  if (length <= MAX_SHORT_LENGTH) {
    target[offset + 1] = maskBit | length;
  } else if (length <= MAX_U16_LENGTH) {
    target[offset + 1] = maskBit | LengthMarker.U16;
    target[p] = length >>> 8;
    target[p + 1] = length & 0xff;
    p += 2;
  } else {
    target[offset + 1] = maskBit | LengthMarker.U64;
    const high = Math.floor(length / TWO_POW_32);
    const low = length >>> 0;
    target[p] = high >>> 24;
    target[p + 1] = (high >>> 16) & 0xff;
    target[p + 2] = (high >>> 8) & 0xff;
    target[p + 3] = high & 0xff;
    target[p + 4] = low >>> 24;
    target[p + 5] = (low >>> 16) & 0xff;
    target[p + 6] = (low >>> 8) & 0xff;
    target[p + 7] = low & 0xff;
    p += 8;
  }
  if (maskKey !== null) {
    target[p] = maskKey[0]!;
    target[p + 1] = maskKey[1]!;
    target[p + 2] = maskKey[2]!;
    target[p + 3] = maskKey[3]!;
    p += MASK_KEY_SIZE;
  }
  return p;
}

/** The header of a frame carrying `length` payload bytes, as its own buffer. */
export function encodeFrameHeader(
  opcode: number,
  length: number,
  fin: boolean,
  rsv1: boolean,
  maskKey: Uint8Array | null,
): Buffer {
  const header = Buffer.allocUnsafe(frameHeaderSize(length, maskKey !== null));
  writeFrameHeader(header, 0, opcode, length, fin, rsv1, maskKey);
  return header;
}

/**
 * A whole frame in one buffer: header, then the payload (masked with `maskKey` when given).
 * The caller's payload is never modified.
 */
export function encodeFrame(
  opcode: number,
  payload: Uint8Array,
  fin: boolean,
  rsv1: boolean,
  maskKey: Uint8Array | null,
): Buffer {
  const length = payload.length;
  const frame = Buffer.allocUnsafe(frameHeaderSize(length, maskKey !== null) + length);
  const offset = writeFrameHeader(frame, 0, opcode, length, fin, rsv1, maskKey);
  if (maskKey === null) frame.set(payload, offset);
  else mask(payload, maskKey, frame, offset, length, 0);
  return frame;
}

/**
 * Masks `payload` into a new buffer, starting at key index `phase`: for payload written in
 * pieces after a header that was sent on its own.
 */
export function maskPayload(payload: Uint8Array, maskKey: Uint8Array, phase: number): Buffer {
  const out = Buffer.allocUnsafe(payload.length);
  mask(payload, maskKey, out, 0, payload.length, phase);
  return out;
}
