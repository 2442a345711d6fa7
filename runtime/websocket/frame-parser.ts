/**
 * RFC 6455 section 5 frame parser: a pure state machine over bytes.
 *
 * It owns no socket and no timer. Bytes go in through `push()`; frames come out through a
 * `FrameHandler`: one header, the payload in pieces as it arrives (unmasked, never waiting for
 * the whole frame), then the end. Payload pieces are subarrays of the pushed chunks, unmasked
 * in place; only header bytes that straddle two chunks are copied.
 *
 * The handler may call `pause()` from any callback (an inflate is pending, a consumer is slow);
 * the parser then keeps the unread bytes and continues on `resume()`.
 */
import type { WampkitError } from '../errors.js';
import { mask, unmask, unmaskAndValidateUtf8, type Utf8Validator } from '../accel/index.js';
import { FrameBits, LengthMarker, MAX_CONTROL_PAYLOAD, Opcode } from './constants.js';
import { WebSocketErrorCode, wsError } from './errors.js';
import type { Role } from './types.js';

/** A frame header as parsed. The parser reuses one object: read it during the callback only. */
export interface FrameHeader {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  /** Payload length in bytes. */
  length: number;
}

/** Where the parser reports. Every callback may call `pause()` on the parser. */
export interface FrameHandler {
  onFrameHeader(header: Readonly<FrameHeader>): void;
  /**
   * A piece of the current frame's payload, already unmasked (and, after `validateWith`, fed to
   * the validator: check its `valid`). Zero-length frames get none.
   */
  onFramePayload(chunk: Buffer): void;
  onFrameEnd(): void;
  /** A protocol violation; the parser stops for good. */
  onFrameError(error: WampkitError): void;
}

export interface FrameParserOptions {
  /** Our role: a server requires masked frames, a client requires unmasked ones. */
  role: Role;
  /** RSV1 may be set on the first frame of a data message (permessage-deflate negotiated). */
  allowRsv1: boolean;
  /** Largest payload of a single frame (0: no limit). */
  maxFramePayloadSize: number;
}

const ParserState = {
  /** The first two bytes. */
  HEADER: 0,
  /** The 16-bit extended length. */
  LENGTH_16: 1,
  /** The 64-bit extended length. */
  LENGTH_64: 2,
  MASK_KEY: 3,
  PAYLOAD: 4,
  /** After a protocol error: all further bytes are ignored. */
  FAILED: 5,
} as const;
type ParserState = (typeof ParserState)[keyof typeof ParserState];

/** Opcodes a frame may carry; anything else is a protocol error. */
const KNOWN_OPCODES: ReadonlySet<number> = new Set(Object.values(Opcode));
const CONTROL_OPCODE_BIT = 0x8;
/** Largest length a JS number holds exactly: the high 32-bit word may be at most 2^21 - 1. */
const MAX_SAFE_HIGH_WORD = 0x1fffff;
const HIGH_BIT_32 = 0x80000000;
const TWO_POW_32 = 0x100000000;
/** The longest header field gathered at once: the 64-bit length. */
const MAX_HEADER_FIELD = 8;
const EMPTY = Buffer.alloc(0);

export function isControlOpcode(opcode: number): boolean {
  return (opcode & CONTROL_OPCODE_BIT) !== 0;
}

export class FrameParser {
  readonly #handler: FrameHandler;
  readonly #requireMasked: boolean;
  readonly #allowRsv1: boolean;
  readonly #maxFramePayloadSize: number;
  /** Made on the first frame: an idle connection never needs it. */
  #header: FrameHeader | null = null;
  /** Header bytes that straddle chunks; made on first need (idle connections stay small). */
  #scratch: Buffer | null = null;
  /** The current frame's mask key; made on the first masked frame. */
  #maskKey: Buffer | null = null;
  #scratchLength = 0;
  #state: ParserState = ParserState.HEADER;
  /** The chunk being read and the read position in it; null when everything is consumed. */
  #source: Buffer | null = null;
  #offset = 0;
  /** Chunks pushed while paused or mid-run. */
  #backlog: Buffer[] | null = null;
  /** Where the header bytes gathered by `#gather` start. */
  #headerBytes: Buffer = EMPTY;
  #headerOffset = 0;
  #remaining = 0;
  #phase = 0;
  /** Where the current frame's payload goes (see `receiveInto`); null: unmasked in place. */
  #target: Buffer | null = null;
  #targetOffset = 0;
  /** Validates the current frame's payload as it is unmasked (see `validateWith`); null: none. */
  #validator: Utf8Validator | null = null;
  #paused = false;
  #running = false;

  constructor(handler: FrameHandler, options: FrameParserOptions) {
    this.#handler = handler;
    this.#requireMasked = options.role === 'server';
    this.#allowRsv1 = options.allowRsv1;
    this.#maxFramePayloadSize = options.maxFramePayloadSize;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** True once a protocol error stopped the parser. */
  get failed(): boolean {
    return this.#state === ParserState.FAILED;
  }

  /** Bytes pushed but not parsed yet (while paused). */
  get bufferedBytes(): number {
    let total = this.#source === null ? 0 : this.#source.length - this.#offset;
    if (this.#backlog !== null) for (const chunk of this.#backlog) total += chunk.length;
    return total;
  }

  /** Payload bytes of the current frame still to come (0 between frames). */
  get frameRemaining(): number {
    return this.#state === ParserState.PAYLOAD ? this.#remaining : 0;
  }

  /** How many of the current frame's remaining payload bytes are already in the chunk being read. */
  get payloadInHand(): number {
    if (this.#state !== ParserState.PAYLOAD || this.#source === null) return 0;
    return Math.min(this.#source.length - this.#offset, this.#remaining);
  }

  /**
   * From `onFrameHeader` of a frame with a payload: write the payload, unmasked, into
   * `target[offset, offset + length)` as it arrives instead of unmasking it in place.
   */
  receiveInto(target: Buffer, offset: number): void {
    if (this.#state !== ParserState.PAYLOAD || offset < 0 || target.length - offset < this.#remaining) {
      throw new RangeError(`receiveInto needs room for ${this.#remaining} payload bytes at offset ${offset} of ${target.length}`);
    }
    this.#target = target;
    this.#targetOffset = offset;
  }

  /**
   * From `onFrameHeader` of a text frame: feed its payload to `validator` as it is unmasked, in
   * one pass where the accelerator fuses the two (the NVX kernels' unmaskAndValidateUtf8), so a
   * piece is validated while it is still in cache and the handler only reads `validator.valid`.
   */
  validateWith(validator: Utf8Validator): void {
    this.#validator = validator;
  }

  /** Stops for good without reporting anything (a later stage failed the connection). */
  stop(): void {
    this.#target = null;
    this.#validator = null;
    this.#state = ParserState.FAILED;
    this.#source = null;
    this.#backlog = null;
  }

  push(chunk: Buffer): void {
    if (this.#state === ParserState.FAILED || chunk.length === 0) return;
    if (this.#source === null) {
      this.#source = chunk;
      this.#offset = 0;
    } else {
      (this.#backlog ??= []).push(chunk);
    }
    this.#run();
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#run();
  }

  #run(): void {
    if (this.#running) return;
    this.#running = true;
    try {
      this.#loop();
    } finally {
      // A throwing handler must not leave the parser believing it is still running.
      this.#running = false;
    }
  }

  #loop(): void {
    while (!this.#paused) {
      const state = this.#state;
      if (state === ParserState.PAYLOAD && this.#remaining === 0) {
        this.#endFrame();
        continue;
      }
      if (state === ParserState.FAILED) {
        this.#source = null;
        this.#backlog = null;
        break;
      }
      if (this.#source === null || this.#offset >= this.#source.length) {
        const next = this.#backlog?.shift();
        if (next === undefined) {
          this.#source = null;
          break;
        }
        this.#source = next;
        this.#offset = 0;
        continue;
      }
      switch (state) {
        case ParserState.HEADER:
          this.#readHeader();
          break;
        case ParserState.LENGTH_16:
          this.#readLength16();
          break;
        case ParserState.LENGTH_64:
          this.#readLength64();
          break;
        case ParserState.MASK_KEY:
          this.#readMaskKey();
          break;
        case ParserState.PAYLOAD:
          this.#readPayload();
          break;
      }
    }
  }

  /**
   * Makes `n` header bytes readable at `#headerBytes[#headerOffset]`: straight from the source
   * when it holds them all, else gathered into the scratch buffer. False: not enough bytes yet.
   */
  #gather(n: number): boolean {
    const source = this.#source!;
    const available = source.length - this.#offset;
    if (this.#scratchLength === 0 && available >= n) {
      this.#headerBytes = source;
      this.#headerOffset = this.#offset;
      this.#offset += n;
      return true;
    }
    const scratch = (this.#scratch ??= Buffer.allocUnsafe(MAX_HEADER_FIELD));
    const take = Math.min(n - this.#scratchLength, available);
    source.copy(scratch, this.#scratchLength, this.#offset, this.#offset + take);
    this.#scratchLength += take;
    this.#offset += take;
    if (this.#scratchLength < n) return false;
    this.#headerBytes = scratch;
    this.#headerOffset = 0;
    this.#scratchLength = 0;
    return true;
  }

  #readLength16(): void {
    if (!this.#gather(2)) return;
    this.#setLength(this.#headerBytes.readUInt16BE(this.#headerOffset));
  }

  #readLength64(): void {
    if (!this.#gather(8)) return;
    const high = this.#headerBytes.readUInt32BE(this.#headerOffset);
    const low = this.#headerBytes.readUInt32BE(this.#headerOffset + 4);
    if (high >= HIGH_BIT_32) {
      this.#fail(wsError(WebSocketErrorCode.PROTOCOL_ERROR, 'frame length has its most significant bit set'));
      return;
    }
    if (high > MAX_SAFE_HIGH_WORD) {
      this.#fail(wsError(WebSocketErrorCode.MESSAGE_TOO_BIG, 'frame length exceeds 2^53 - 1 bytes'));
      return;
    }
    this.#setLength(high * TWO_POW_32 + low);
  }

  #readMaskKey(): void {
    if (!this.#gather(4)) return;
    this.#headerBytes.copy((this.#maskKey ??= Buffer.allocUnsafe(4)), 0, this.#headerOffset, this.#headerOffset + 4);
    this.#startPayload();
  }

  #readHeader(): void {
    if (!this.#gather(2)) return;
    const b0 = this.#headerBytes[this.#headerOffset]!;
    const b1 = this.#headerBytes[this.#headerOffset + 1]!;
    const header = (this.#header ??= { fin: false, rsv1: false, rsv2: false, rsv3: false, opcode: 0, masked: false, length: 0 });
    header.fin = (b0 & FrameBits.FIN) !== 0;
    header.rsv1 = (b0 & FrameBits.RSV1) !== 0;
    header.rsv2 = (b0 & FrameBits.RSV2) !== 0;
    header.rsv3 = (b0 & FrameBits.RSV3) !== 0;
    header.opcode = b0 & FrameBits.OPCODE;
    header.masked = (b1 & FrameBits.MASK) !== 0;
    const error = this.#checkHeader(header);
    if (error !== null) {
      this.#fail(wsError(WebSocketErrorCode.PROTOCOL_ERROR, error));
      return;
    }
    const length = b1 & FrameBits.LENGTH;
    if (length === LengthMarker.U16) this.#state = ParserState.LENGTH_16;
    else if (length === LengthMarker.U64) this.#state = ParserState.LENGTH_64;
    else this.#setLength(length);
  }

  /** The RFC 6455 section 5.2 rules that the first two bytes alone decide; null when fine. */
  #checkHeader(header: FrameHeader): string | null {
    const opcode = header.opcode;
    if (!KNOWN_OPCODES.has(opcode)) return `unknown opcode 0x${opcode.toString(16)}`;
    if (header.rsv2 || header.rsv3) return 'reserved bits RSV2/RSV3 set without a negotiated extension';
    if (header.rsv1) {
      if (!this.#allowRsv1) return 'reserved bit RSV1 set without permessage-deflate';
      if (opcode === Opcode.CONTINUATION || isControlOpcode(opcode)) {
        return 'RSV1 set on a frame other than the first frame of a data message';
      }
    }
    if (isControlOpcode(opcode) && !header.fin) return 'fragmented control frame';
    if (header.masked !== this.#requireMasked) {
      return this.#requireMasked ? 'client frame is not masked' : 'server frame is masked';
    }
    return null;
  }

  #setLength(length: number): void {
    const header = this.#header!;
    if (isControlOpcode(header.opcode) && length > MAX_CONTROL_PAYLOAD) {
      this.#fail(wsError(WebSocketErrorCode.PROTOCOL_ERROR, `control frame payload of ${length} bytes exceeds 125`));
      return;
    }
    if (this.#maxFramePayloadSize > 0 && length > this.#maxFramePayloadSize) {
      this.#fail(
        wsError(
          WebSocketErrorCode.MESSAGE_TOO_BIG,
          `frame payload of ${length} bytes exceeds maxFramePayloadSize ${this.#maxFramePayloadSize}`,
        ),
      );
      return;
    }
    header.length = length;
    if (header.masked) this.#state = ParserState.MASK_KEY;
    else this.#startPayload();
  }

  #startPayload(): void {
    const header = this.#header!;
    this.#remaining = header.length;
    this.#phase = 0;
    this.#state = ParserState.PAYLOAD;
    this.#handler.onFrameHeader(header);
  }

  #readPayload(): void {
    const source = this.#source!;
    const offset = this.#offset;
    const available = source.length - offset;
    const n = available < this.#remaining ? available : this.#remaining;
    let piece = offset === 0 && n === source.length ? source : source.subarray(offset, offset + n);
    this.#offset = offset + n;
    this.#remaining -= n;
    const masked = this.#header!.masked;
    const target = this.#target;
    const validator = this.#validator;
    if (target !== null) {
      // Unmasked from the socket chunk into the target, then validated there (still in cache).
      const at = this.#targetOffset;
      if (masked) mask(piece, this.#maskKey!, target, at, n, this.#phase);
      else target.set(piece, at);
      this.#targetOffset = at + n;
      piece = target.subarray(at, at + n);
      validator?.push(piece);
    } else if (masked) {
      if (validator === null) unmask(piece, this.#maskKey!, this.#phase);
      else unmaskAndValidateUtf8(piece, this.#maskKey!, this.#phase, validator);
    } else if (validator !== null) {
      validator.push(piece);
    }
    if (masked) this.#phase = (this.#phase + n) & 3;
    this.#handler.onFramePayload(piece);
  }

  #endFrame(): void {
    this.#target = null;
    this.#validator = null;
    this.#state = ParserState.HEADER;
    this.#handler.onFrameEnd();
  }

  #fail(error: WampkitError): void {
    this.#target = null;
    this.#validator = null;
    this.#state = ParserState.FAILED;
    this.#source = null;
    this.#backlog = null;
    this.#handler.onFrameError(error);
  }
}
