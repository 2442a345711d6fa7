/**
 * WAMP-over-RawSocket, the pure parts (advanced profile "RawSocket Transport"): the 4-octet
 * handshake (encode/decode), the 4-octet frame prefix (encoder), and a byte-level parser state
 * machine that splits a stream into handshake, regular messages, PINGs and PONGs. No sockets or
 * timers here; the transport feeds bytes in and writes what the encoders return.
 */
import { createError, isWampkitError } from '../errors.js';
import { ReceiveBuffer } from '../receive-buffer.js';
import { ErrorUri } from '../wamp/uris.js';
import { TransportErrorCode } from './error-codes.js';
import { ProtocolErrorCode, protocolError, type ProtocolError } from '../wamp/protocol-error.js';

/** First octet of every handshake; no HTTP request can start with it. */
export const RAWSOCKET_MAGIC = 0x7f;
export const HANDSHAKE_LENGTH = 4;
export const FRAME_HEADER_LENGTH = 4;

/** Serializer IDs in the handshake's SERIALIZER field (0 is illegal, 6-15 reserved). */
export const RawSocketSerializer = {
  JSON: 1,
  MSGPACK: 2,
  CBOR: 3,
  UBJSON: 4,
  FLATBUFFERS: 5,
} as const;
export type RawSocketSerializer = (typeof RawSocketSerializer)[keyof typeof RawSocketSerializer];

/** Error codes of a router's refusing handshake reply (0 is illegal, 5-15 reserved). */
export const RawSocketError = {
  SERIALIZER_UNSUPPORTED: 1,
  MAX_LENGTH_UNACCEPTABLE: 2,
  RESERVED_BITS_USED: 3,
  MAX_CONNECTIONS_REACHED: 4,
} as const;
export type RawSocketError = (typeof RawSocketError)[keyof typeof RawSocketError];

const ERROR_TEXT: Readonly<Record<RawSocketError, string>> = {
  [RawSocketError.SERIALIZER_UNSUPPORTED]: 'serializer unsupported',
  [RawSocketError.MAX_LENGTH_UNACCEPTABLE]: 'maximum message length unacceptable',
  [RawSocketError.RESERVED_BITS_USED]: 'use of reserved bits (unsupported feature)',
  [RawSocketError.MAX_CONNECTIONS_REACHED]: 'maximum connection count reached',
};

/** Transport message types in a frame prefix's TTT bits (3-7 reserved). */
export const RawSocketFrameType = {
  REGULAR: 0,
  PING: 1,
  PONG: 2,
} as const;
export type RawSocketFrameType = (typeof RawSocketFrameType)[keyof typeof RawSocketFrameType];

/** Handshake LENGTH field: 2^(exponent + 9) octets, 512 B .. 16 MiB. */
export const LengthExponent = {
  MIN: 0,
  MAX: 15,
  BASE_BITS: 9,
} as const;

/** Largest payload a frame can announce: 2^24 octets (with the X bit). */
export const MAX_FRAME_PAYLOAD = 2 ** 24;

const FrameBits = {
  RESERVED: 0xf0,
  EXTRA_LENGTH: 0x08,
  TYPE: 0x07,
} as const;

/** A RawSocket protocol error; `reply` is the handshake error code to answer with, if any. */
export interface RawSocketProtocolError extends ProtocolError {
  readonly reply?: RawSocketError;
}

function rawSocketError(message: string, reply?: RawSocketError): RawSocketProtocolError {
  const err = protocolError(ProtocolErrorCode.RAWSOCKET, message);
  if (reply !== undefined) Object.defineProperty(err, 'reply', { value: reply, enumerable: true });
  return err as RawSocketProtocolError;
}

/** A message whose bytes cannot be allocated (the system is out of memory) fails its connection only. */
function allocationFailed(size: number, cause: unknown): RawSocketProtocolError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return protocolError(ProtocolErrorCode.RAWSOCKET, `cannot allocate ${size} octets for a RawSocket message (${why})`, {
    wampUri: ErrorUri.PAYLOAD_SIZE_EXCEEDED,
    cause,
  }) as RawSocketProtocolError;
}

export function maxLengthOf(exponent: number): number {
  return 2 ** (exponent + LengthExponent.BASE_BITS);
}

/**
 * The handshake LENGTH exponent announcing at most `maxBytes` (largest power of two not above
 * it, capped at 16 MiB). Throws for limits below the 512-octet minimum.
 */
export function lengthExponentFor(maxBytes: number): number {
  if (!Number.isInteger(maxBytes) || maxBytes < maxLengthOf(LengthExponent.MIN)) {
    throw createError(TransportErrorCode.INVALID_ARGUMENT, `RawSocket maximum message length must be an integer >= 512, got ${String(maxBytes)}`);
  }
  const exponent = Math.floor(Math.log2(maxBytes)) - LengthExponent.BASE_BITS;
  return Math.min(exponent, LengthExponent.MAX);
}

export interface RawSocketHandshake {
  /** SERIALIZER field (a RawSocketSerializer value, or another non-zero value). */
  serializer: number;
  /** LENGTH field: the sender accepts messages up to `maxLengthOf(lengthExponent)` octets. */
  lengthExponent: number;
}

function checkHandshakeFields(h: RawSocketHandshake): void {
  if (!Number.isInteger(h.serializer) || h.serializer < 1 || h.serializer > 15) {
    throw createError(TransportErrorCode.INVALID_ARGUMENT, `RawSocket serializer must be 1..15, got ${String(h.serializer)}`);
  }
  if (!Number.isInteger(h.lengthExponent) || h.lengthExponent < LengthExponent.MIN || h.lengthExponent > LengthExponent.MAX) {
    throw createError(TransportErrorCode.INVALID_ARGUMENT, `RawSocket length exponent must be 0..15, got ${String(h.lengthExponent)}`);
  }
}

/** A client's handshake request, or a router's accepting reply (same layout). */
export function encodeHandshake(h: RawSocketHandshake): Uint8Array {
  checkHandshakeFields(h);
  return Uint8Array.of(RAWSOCKET_MAGIC, (h.lengthExponent << 4) | h.serializer, 0, 0);
}

/** A router's refusing reply. */
export function encodeHandshakeError(error: RawSocketError): Uint8Array {
  if (ERROR_TEXT[error] === undefined) {
    throw createError(TransportErrorCode.INVALID_ARGUMENT, `RawSocket handshake error must be 1..4, got ${String(error)}`);
  }
  return Uint8Array.of(RAWSOCKET_MAGIC, error << 4, 0, 0);
}

/**
 * Decodes a client's handshake request (router side). Throws a RawSocketProtocolError whose
 * `reply` says which error reply to send, if any: none for a wrong magic octet (not RawSocket:
 * just fail the connection), RESERVED_BITS_USED for non-zero reserved octets,
 * SERIALIZER_UNSUPPORTED for the illegal serializer 0.
 */
export function decodeHandshakeRequest(bytes: Uint8Array): RawSocketHandshake {
  checkMagic(bytes);
  if (bytes[2] !== 0 || bytes[3] !== 0) {
    throw rawSocketError('RawSocket handshake uses reserved bits', RawSocketError.RESERVED_BITS_USED);
  }
  const octet = bytes[1] as number;
  const serializer = octet & 0x0f;
  if (serializer === 0) throw rawSocketError('RawSocket handshake requests the illegal serializer 0', RawSocketError.SERIALIZER_UNSUPPORTED);
  return { serializer, lengthExponent: octet >> 4 };
}

/**
 * Decodes a router's reply (client side) to a request for `requestedSerializer`. Throws for a
 * refusal (naming the router's reason), a wrong magic octet, reserved bits, or a serializer the
 * router did not echo.
 */
export function decodeHandshakeReply(bytes: Uint8Array, requestedSerializer: number): RawSocketHandshake {
  checkMagic(bytes);
  if (bytes[2] !== 0 || bytes[3] !== 0) throw rawSocketError('RawSocket handshake reply uses reserved bits');
  const octet = bytes[1] as number;
  const serializer = octet & 0x0f;
  if (serializer === 0) {
    const code = octet >> 4;
    const why = ERROR_TEXT[code as RawSocketError] ?? `undefined error ${code}`;
    throw rawSocketError(`router refused the RawSocket handshake: ${why}`);
  }
  if (serializer !== requestedSerializer) {
    throw rawSocketError(`router answered with serializer ${serializer}, requested ${requestedSerializer}`);
  }
  return { serializer, lengthExponent: octet >> 4 };
}

function checkMagic(bytes: Uint8Array): void {
  if (bytes.length !== HANDSHAKE_LENGTH) throw rawSocketError(`RawSocket handshake must be 4 octets, got ${bytes.length}`);
  if (bytes[0] !== RAWSOCKET_MAGIC) throw rawSocketError(`not a RawSocket handshake (first octet 0x${(bytes[0] as number).toString(16)})`);
}

/** The 4-octet prefix of a transport message of `type` with `length` payload octets. */
export function encodeFrameHeader(type: RawSocketFrameType, length: number): Uint8Array {
  if (type !== RawSocketFrameType.REGULAR && type !== RawSocketFrameType.PING && type !== RawSocketFrameType.PONG) {
    throw createError(TransportErrorCode.INVALID_ARGUMENT, `RawSocket frame type must be 0, 1 or 2, got ${String(type)}`);
  }
  if (!Number.isInteger(length) || length < 0 || length > MAX_FRAME_PAYLOAD) {
    throw createError(TransportErrorCode.INVALID_ARGUMENT, `RawSocket payload length must be 0..2^24, got ${String(length)}`);
  }
  if (length === MAX_FRAME_PAYLOAD) return Uint8Array.of(FrameBits.EXTRA_LENGTH | type, 0, 0, 0);
  return Uint8Array.of(type, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff);
}

/** Header and payload of one transport message, ready for one vectored write. */
export function encodeFrame(type: RawSocketFrameType, payload: Uint8Array): [Uint8Array, Uint8Array] {
  return [encodeFrameHeader(type, payload.length), payload];
}

/** What the parser reports. Payloads may share memory with the pushed chunks. */
export interface RawSocketHandler {
  /** The peer's 4 handshake octets (only with `expectHandshake`); decode them with the functions above. */
  onHandshake?(bytes: Uint8Array): void;
  /** A regular WAMP message, still serialized. */
  onMessage(payload: Uint8Array): void;
  /** A PING: answer with exactly one PONG echoing `payload`. */
  onPing(payload: Uint8Array): void;
  onPong(payload: Uint8Array): void;
  /** A protocol violation; the parser ignores all later input. Fail the connection. */
  onError(error: RawSocketProtocolError): void;
}

export interface RawSocketParserOptions {
  /** Read a 4-octet handshake before the first frame. Default false. */
  expectHandshake?: boolean;
  /** Largest payload accepted, in octets (what we announced in our handshake). Default 16 MiB. */
  maxPayload?: number;
}

const State = {
  HANDSHAKE: 0,
  HEADER: 1,
  PAYLOAD: 2,
  FAILED: 3,
} as const;
type State = (typeof State)[keyof typeof State];

/**
 * Splits a RawSocket byte stream into handshake and transport messages. Push chunks as they
 * arrive; the handler is called synchronously for every complete unit.
 *
 * A payload in one chunk is handed out as a view of it. One that spans chunks is gathered by a
 * ReceiveBuffer (../receive-buffer.ts) and copied together once it is complete: nothing is
 * reserved for what a header announces, so a peer announcing 16 MiB and sending nothing costs
 * nothing, and one dripping a byte per read costs about a byte per byte.
 */
export class RawSocketParser {
  readonly #handler: RawSocketHandler;
  #state: State;
  #maxPayload: number;
  /** Header/handshake octets collected so far (both are 4 octets). */
  readonly #head = new Uint8Array(FRAME_HEADER_LENGTH);
  #headFill = 0;
  #type: RawSocketFrameType = RawSocketFrameType.REGULAR;
  /** The payload when it lies whole in the chunk being read; else null. */
  #view: Uint8Array | null = null;
  /** A payload spanning chunks: its length, how much has arrived, where it is gathered. */
  #length = 0;
  #fill = 0;
  #gathered: ReceiveBuffer | null = null;

  constructor(handler: RawSocketHandler, options: RawSocketParserOptions = {}) {
    this.#handler = handler;
    this.#state = options.expectHandshake === true ? State.HANDSHAKE : State.HEADER;
    this.#maxPayload = MAX_FRAME_PAYLOAD;
    this.maxPayload = options.maxPayload ?? MAX_FRAME_PAYLOAD;
  }

  /** The limit can change once the handshake has settled it. */
  get maxPayload(): number {
    return this.#maxPayload;
  }

  set maxPayload(value: number) {
    if (!Number.isInteger(value) || value < 0 || value > MAX_FRAME_PAYLOAD) {
      throw createError(TransportErrorCode.INVALID_ARGUMENT, `maxPayload must be an integer in 0..2^24, got ${String(value)}`);
    }
    this.#maxPayload = value;
  }

  get failed(): boolean {
    return this.#state === State.FAILED;
  }

  push(bytes: Uint8Array): void {
    // Buffers from here on (ReceiveBuffer gathers Buffers); a Uint8Array is viewed, not copied.
    const chunk = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    while (at < chunk.length && this.#state !== State.FAILED) {
      at = this.#state === State.PAYLOAD ? this.#readPayload(chunk, at) : this.#readHead(chunk, at);
    }
  }

  #readHead(chunk: Buffer, at: number): number {
    const take = Math.min(FRAME_HEADER_LENGTH - this.#headFill, chunk.length - at);
    this.#head.set(chunk.subarray(at, at + take), this.#headFill);
    this.#headFill += take;
    if (this.#headFill < FRAME_HEADER_LENGTH) return at + take;
    this.#headFill = 0;
    if (this.#state === State.HANDSHAKE) {
      this.#state = State.HEADER;
      this.#handler.onHandshake?.(this.#head.slice());
    } else {
      this.#onHeader(chunk, at + take);
    }
    return at + take;
  }

  #onHeader(chunk: Buffer, at: number): void {
    const h = this.#head;
    const first = h[0] as number;
    if ((first & FrameBits.RESERVED) !== 0) return this.#fail('RawSocket frame uses reserved bits');
    const type = first & FrameBits.TYPE;
    if (type !== RawSocketFrameType.REGULAR && type !== RawSocketFrameType.PING && type !== RawSocketFrameType.PONG) {
      return this.#fail(`RawSocket frame has reserved type ${type}`);
    }
    let length = ((h[1] as number) << 16) | ((h[2] as number) << 8) | (h[3] as number);
    if ((first & FrameBits.EXTRA_LENGTH) !== 0) {
      if (length !== 0) return this.#fail('RawSocket frame length exceeds 2^24');
      length = MAX_FRAME_PAYLOAD;
    }
    if (length > this.#maxPayload) {
      return this.#fail(`RawSocket message of ${length} octets exceeds the limit of ${this.#maxPayload}`);
    }
    this.#type = type;
    if (length === 0) return this.#deliver(new Uint8Array(0));
    this.#state = State.PAYLOAD;
    const inHand = chunk.length - at;
    // Whole payload inside this chunk: hand out a view, no copy.
    if (inHand >= length) {
      this.#view = chunk.subarray(at, at + length);
      return;
    }
    this.#length = length;
    this.#fill = 0;
    // Nothing reserved ahead: every byte is copied once into the message either way (here at
    // the end), so reserving at the header would save no copy.
    this.#gathered ??= new ReceiveBuffer({ allocationFailed, reserveAhead: 0 });
  }

  #readPayload(chunk: Buffer, at: number): number {
    const view = this.#view;
    if (view !== null) {
      // The view set up by #onHeader: consume its octets from this same chunk.
      this.#view = null;
      this.#deliver(view);
      return at + view.length;
    }
    const take = Math.min(this.#length - this.#fill, chunk.length - at);
    this.#fill += take;
    const gathered = this.#gathered!;
    let payload: Buffer | null = null;
    try {
      gathered.add(chunk.subarray(at, at + take));
      if (this.#fill === this.#length) payload = gathered.take();
    } catch (error) {
      this.#allocationFailed(error);
      return chunk.length;
    }
    if (payload !== null) this.#deliver(payload);
    return at + take;
  }

  /** The payload's bytes could not be allocated: this connection fails, nothing else. */
  #allocationFailed(error: unknown): void {
    if (!isWampkitError(error)) throw error;
    this.#state = State.FAILED;
    this.#gathered = null;
    this.#handler.onError(error as RawSocketProtocolError);
  }

  #deliver(payload: Uint8Array): void {
    this.#state = State.HEADER;
    this.#length = 0;
    this.#fill = 0;
    if (this.#type === RawSocketFrameType.REGULAR) this.#handler.onMessage(payload);
    else if (this.#type === RawSocketFrameType.PING) this.#handler.onPing(payload);
    else this.#handler.onPong(payload);
  }

  #fail(message: string): void {
    this.#state = State.FAILED;
    this.#handler.onError(rawSocketError(message));
  }
}
