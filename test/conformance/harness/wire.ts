/**
 * Byte-level frame writing and reading for the conformance harness, written from RFC 6455
 * section 5.2 independently of the engine under test, so the suite does not test the engine
 * with itself. Anything may be crafted here, including frames the RFC forbids.
 */
import { randomFillSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { FrameBits, LengthMarker, Opcode } from '../../../runtime/websocket/constants.js';

export interface FrameSpec {
  opcode: number;
  payload?: Uint8Array | string;
  /** Defaults to true. */
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /** Mask the frame (a client must; a server must not). Undefined: the raw peer's role decides. */
  mask?: boolean;
  /** Force a longer length encoding than needed (still legal for 126; used for 127 cases). */
  lengthEncoding?: 'auto' | 'u16' | 'u64';
}

const U16_LIMIT = 0xffff;

interface MaskHelper {
  mask(source: Buffer, mask: Buffer, output: Buffer, offset: number, length: number): void;
  unmask(buffer: Buffer, mask: Buffer): void;
}

/**
 * Masking for the harness: bufferutil (ws's native helper, a dev dependency and no part of
 * our engine) when present, since the large cases mask megabytes; plain JS otherwise.
 */
const helper: MaskHelper = (() => {
  try {
    return createRequire(import.meta.url)('bufferutil') as MaskHelper;
  } catch {
    return {
      mask(source, key, output, offset, length) {
        for (let i = 0; i < length; i++) output[offset + i] = (source[i] as number) ^ (key[i & 3] as number);
      },
      unmask(buffer, key) {
        for (let i = 0; i < buffer.length; i++) buffer[i] = (buffer[i] as number) ^ (key[i & 3] as number);
      },
    };
  }
})();

const keyPool = Buffer.allocUnsafe(4 * 1024);
let keyAt = keyPool.length;

function nextMaskKey(): Buffer {
  if (keyAt === keyPool.length) {
    randomFillSync(keyPool);
    keyAt = 0;
  }
  keyAt += 4;
  return keyPool.subarray(keyAt - 4, keyAt);
}

export function toBytes(payload: Uint8Array | string | undefined): Buffer {
  if (payload === undefined) return Buffer.alloc(0);
  return typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

/** Encodes one frame; masked frames get a random key. */
export function encodeFrame(spec: FrameSpec, mask: boolean): Buffer {
  const payload = toBytes(spec.payload);
  const length = payload.length;
  const encoding = spec.lengthEncoding ?? 'auto';
  let lengthBytes: number;
  let marker: number;
  if (encoding === 'u64' || (encoding === 'auto' && length > U16_LIMIT)) {
    lengthBytes = 8;
    marker = LengthMarker.U64;
  } else if (encoding === 'u16' || (encoding === 'auto' && length >= LengthMarker.U16)) {
    lengthBytes = 2;
    marker = LengthMarker.U16;
  } else {
    lengthBytes = 0;
    marker = length;
  }
  const maskBytes = mask ? 4 : 0;
  const out = Buffer.allocUnsafe(2 + lengthBytes + maskBytes + length);
  out[0] =
    (spec.fin === false ? 0 : FrameBits.FIN) |
    (spec.rsv1 ? FrameBits.RSV1 : 0) |
    (spec.rsv2 ? FrameBits.RSV2 : 0) |
    (spec.rsv3 ? FrameBits.RSV3 : 0) |
    (spec.opcode & FrameBits.OPCODE);
  out[1] = (mask ? FrameBits.MASK : 0) | marker;
  if (lengthBytes === 2) out.writeUInt16BE(length, 2);
  else if (lengthBytes === 8) out.writeBigUInt64BE(BigInt(length), 2);
  const payloadStart = 2 + lengthBytes + maskBytes;
  if (mask) {
    const key = nextMaskKey();
    key.copy(out, 2 + lengthBytes);
    if (length > 0) helper.mask(payload, key, out, payloadStart, length);
  } else {
    payload.copy(out, payloadStart);
  }
  return out;
}

export interface ReceivedFrame {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

/** Splits a byte stream into frames; one instance per connection. */
export class FrameReader {
  // Chunks are only joined once a whole frame is there, so a 16 MiB frame costs one copy.
  #chunks: Buffer[] = [];
  #total = 0;
  #needed = 2;

  /** Adds bytes; returns every complete frame now available. */
  push(chunk: Buffer): ReceivedFrame[] {
    this.#chunks.push(chunk);
    this.#total += chunk.length;
    if (this.#total < this.#needed) return [];
    let buf = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks, this.#total);
    const frames: ReceivedFrame[] = [];
    for (;;) {
      const taken = this.#takeOne(buf);
      if (taken === null) break;
      frames.push(taken.frame);
      buf = buf.subarray(taken.used);
    }
    this.#chunks = buf.length === 0 ? [] : [buf];
    this.#total = buf.length;
    return frames;
  }

  get pendingBytes(): number {
    return this.#total;
  }

  #takeOne(buf: Buffer): { frame: ReceivedFrame; used: number } | null {
    this.#needed = 2;
    if (buf.length < 2) return null;
    const b0 = buf[0] as number;
    const b1 = buf[1] as number;
    const masked = (b1 & FrameBits.MASK) !== 0;
    let length = b1 & FrameBits.LENGTH;
    let offset = 2;
    if (length === LengthMarker.U16) {
      this.#needed = 4;
      if (buf.length < 4) return null;
      length = buf.readUInt16BE(2);
      offset = 4;
    } else if (length === LengthMarker.U64) {
      this.#needed = 10;
      if (buf.length < 10) return null;
      length = Number(buf.readBigUInt64BE(2));
      offset = 10;
    }
    const keyOffset = offset;
    if (masked) offset += 4;
    this.#needed = offset + length;
    if (buf.length < offset + length) return null;
    const payload = Buffer.from(buf.subarray(offset, offset + length));
    if (masked && length > 0) helper.unmask(payload, buf.subarray(keyOffset, keyOffset + 4));
    this.#needed = 2;
    return {
      frame: {
        fin: (b0 & FrameBits.FIN) !== 0,
        rsv1: (b0 & FrameBits.RSV1) !== 0,
        rsv2: (b0 & FrameBits.RSV2) !== 0,
        rsv3: (b0 & FrameBits.RSV3) !== 0,
        opcode: b0 & FrameBits.OPCODE,
        masked,
        payload,
      },
      used: offset + length,
    };
  }
}

export function isControl(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}

/** A close frame payload: 2-byte code then reason. */
export function closePayload(code: number, reason: Uint8Array | string = ''): Buffer {
  const reasonBytes = toBytes(reason);
  const out = Buffer.allocUnsafe(2 + reasonBytes.length);
  out.writeUInt16BE(code, 0);
  reasonBytes.copy(out, 2);
  return out;
}

export function closeCodeOf(frame: ReceivedFrame): number | null {
  return frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : null;
}

export const OP = Opcode;
