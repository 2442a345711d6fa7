/**
 * From frames to messages (RFC 6455 section 5.4, RFC 7692 section 6): fragmentation rules,
 * interleaved control frames, the message size limit over the inflated size, inflation, and
 * incremental UTF-8 validation that fails on the very piece where a bad byte arrives.
 *
 * It owns the frame parser (bytes go in through `push`) and reports to a `MessageSink`. Data
 * is never assembled here: the sink receives each piece as it is ready, so a connection can
 * assemble, stream or forward frames as its users ask.
 */
import { createUtf8Validator, type Utf8Validator } from '../accel/index.js';
import type { WampkitError } from '../errors.js';
import { decodeClosePayload } from './close-frame.js';
import { Opcode } from './constants.js';
import { WebSocketErrorCode, wsError } from './errors.js';
import { FrameParser, isControlOpcode, type FrameHandler, type FrameHeader } from './frame-parser.js';
import type { ConsumerFlow, FrameReceiver } from './message-delivery.js';
import type { InflateSink, PerMessageDeflateCodec } from './permessage-deflate.js';
import type { Role } from './types.js';

export interface MessageSink {
  onMessageBegin(isBinary: boolean): void;
  /** A data frame starts; `length` is its payload on the wire (compressed, if it is). */
  onFrameBegin(length: number, fin: boolean, opcode: number): void;
  /** A piece of message data: inflated and, for text, valid UTF-8 so far. */
  onMessageData(chunk: Buffer): void;
  onFrameEnd(): void;
  onMessageEnd(): void;
  onPing(payload: Buffer): void;
  onPong(payload: Buffer): void;
  /** The peer's close frame; `code` is 1005 when it had none. */
  onCloseFrame(code: number, reason: string): void;
  /** A protocol violation: fail the connection with `error.closeCode`. Nothing follows. */
  onProtocolError(error: WampkitError): void;
  /** Reading stopped (true) or may go on (false): pause or resume the byte source. */
  onReadPaused(paused: boolean): void;
}

export interface AssemblerOptions {
  role: Role;
  maxFramePayloadSize: number;
  maxMessagePayloadSize: number;
  /** Most data frames per message (0: no limit). */
  maxFramesPerMessage: number;
  validateUtf8: boolean;
  /** The permessage-deflate codec, or null when not negotiated. */
  codec: PerMessageDeflateCodec | null;
}

/** Why reading is paused; reading goes on only when no reason is left. */
export const PauseReason = {
  INFLATE: 1,
  CONSUMER: 2,
} as const;
export type PauseReason = (typeof PauseReason)[keyof typeof PauseReason];

const EMPTY = Buffer.alloc(0);

/**
 * The assembler is also the flow control of what consumes its output (the message queues,
 * streamed messages): a consumer that falls behind pauses reading, one that catches up resumes it.
 */
export class MessageAssembler implements FrameHandler, InflateSink, ConsumerFlow, FrameReceiver {
  readonly #sink: MessageSink;
  readonly #parser: FrameParser;
  readonly #codec: PerMessageDeflateCodec | null;
  readonly #maxMessage: number;
  readonly #maxFrames: number;
  readonly #validateUtf8: boolean;
  #validator: Utf8Validator | null = null;

  #messageOpen = false;
  #compressed = false;
  /** The current message is text and is being validated. */
  #validating = false;
  #messageSize = 0;
  /** Data frames of the current message so far. */
  #frames = 0;
  /** Opcode and FIN of the frame in progress. */
  #frameOpcode = 0;
  #frameFin = false;
  /** The trailer of the compressed message was fed to the inflater. */
  #inflateFinished = false;
  /** The frame ended while its last inflate was pending. */
  #endAfterInflate = false;
  /** Control frame payload, gathered (at most 125 bytes). */
  #control: Buffer | null = null;
  #pauseReasons = 0;
  #failed = false;

  constructor(sink: MessageSink, options: AssemblerOptions) {
    this.#sink = sink;
    this.#codec = options.codec;
    this.#maxMessage = options.maxMessagePayloadSize;
    this.#maxFrames = options.maxFramesPerMessage;
    this.#validateUtf8 = options.validateUtf8;
    this.#parser = new FrameParser(this, {
      role: options.role,
      allowRsv1: options.codec !== null,
      maxFramePayloadSize: options.maxFramePayloadSize,
    });
  }

  /** Bytes from the socket. */
  push(chunk: Buffer): void {
    this.#parser.push(chunk);
  }

  get paused(): boolean {
    return this.#pauseReasons !== 0;
  }

  /** Bytes received but not parsed yet (while paused). */
  get bufferedBytes(): number {
    return this.#parser.bufferedBytes;
  }

  pause(reason: PauseReason): void {
    const was = this.#pauseReasons;
    this.#pauseReasons = was | reason;
    if (was === 0) {
      this.#parser.pause();
      this.#sink.onReadPaused(true);
    }
  }

  resume(reason: PauseReason): void {
    if ((this.#pauseReasons & reason) === 0) return;
    this.#pauseReasons &= ~reason;
    if (this.#pauseReasons === 0) {
      this.#sink.onReadPaused(false);
      this.#parser.resume();
    }
  }

  /** From `MessageSink.onFrameBegin`: how many of the frame's payload bytes are in the chunk at hand. */
  get payloadInHand(): number {
    return this.#parser.payloadInHand;
  }

  /** The current message is not compressed: its frames' wire bytes are its data. */
  get uncompressed(): boolean {
    return !this.#compressed;
  }

  /**
   * From `MessageSink.onFrameBegin` of an uncompressed message: write the frame's payload into
   * `target` at `offset` as it arrives (see FrameParser.receiveInto).
   */
  receiveFrameInto(target: Buffer, offset: number): void {
    if (this.#compressed) throw new RangeError('a compressed frame cannot be received into a buffer: its wire bytes are not its data');
    this.#parser.receiveInto(target, offset);
  }

  // ConsumerFlow: the pace of the message queues and streamed messages.

  onQueueFull(): void {
    this.pause(PauseReason.CONSUMER);
  }

  onQueueRoom(): void {
    this.resume(PauseReason.CONSUMER);
  }

  onQueueAbandoned(): void {
    this.resume(PauseReason.CONSUMER);
  }

  onStreamRead(): void {
    this.resume(PauseReason.CONSUMER);
  }

  onStreamFull(): void {
    this.pause(PauseReason.CONSUMER);
  }

  /** Stops everything: the connection is closing for another reason. */
  stop(): void {
    this.#failed = true;
    this.#parser.stop();
  }

  // FrameHandler

  onFrameHeader(header: Readonly<FrameHeader>): void {
    const opcode = header.opcode;
    this.#frameOpcode = opcode;
    this.#frameFin = header.fin;
    if (isControlOpcode(opcode)) {
      this.#control = null;
      return;
    }
    if (opcode === Opcode.CONTINUATION) {
      if (!this.#messageOpen) return this.#fail(wsError(WebSocketErrorCode.PROTOCOL_ERROR, 'continuation frame without a message to continue'));
    } else {
      if (this.#messageOpen) return this.#fail(wsError(WebSocketErrorCode.PROTOCOL_ERROR, 'new data frame while a fragmented message is open'));
      this.#beginMessage(opcode === Opcode.BINARY, header.rsv1);
      if (this.#failed) return;
    }
    if (++this.#frames > this.#maxFrames && this.#maxFrames > 0) {
      return this.#fail(
        wsError(WebSocketErrorCode.TOO_MANY_FRAMES, `message of more than ${this.#maxFrames} frames exceeds maxFramesPerMessage`),
      );
    }
    if (!this.#compressed && this.#maxMessage > 0 && this.#messageSize + header.length > this.#maxMessage) {
      return this.#tooBig(this.#messageSize + header.length);
    }
    // Uncompressed text is validated by the parser as it unmasks (one pass with NVX);
    // compressed text only once inflated, here.
    if (this.#validating && !this.#compressed && header.length > 0) this.#parser.validateWith(this.#validator!);
    this.#sink.onFrameBegin(header.length, header.fin, opcode);
  }

  onFramePayload(chunk: Buffer): void {
    if (this.#failed) return;
    if (isControlOpcode(this.#frameOpcode)) {
      this.#control = this.#control === null ? chunk : Buffer.concat([this.#control, chunk]);
      return;
    }
    if (!this.#compressed) {
      this.#messageSize += chunk.length;
      this.#deliver(chunk, true);
      return;
    }
    const last = this.#frameFin && this.#parser.frameRemaining === 0;
    this.#inflateFinished = last;
    this.pause(PauseReason.INFLATE);
    this.#codec!.decompress(chunk, last, this);
  }

  onFrameEnd(): void {
    if (this.#failed) return;
    const opcode = this.#frameOpcode;
    if (isControlOpcode(opcode)) return this.#endControlFrame(opcode);
    if (this.#compressed && this.#frameFin && !this.#inflateFinished) {
      // A final frame whose payload was empty: the trailer still needs inflating.
      this.#inflateFinished = true;
      this.#endAfterInflate = true;
      this.pause(PauseReason.INFLATE);
      this.#codec!.decompress(EMPTY, true, this);
      return;
    }
    this.#endDataFrame();
  }

  onFrameError(error: WampkitError): void {
    this.#fail(error);
  }

  // InflateSink

  onInflated(chunk: Buffer): boolean {
    if (this.#failed) return false;
    this.#messageSize += chunk.length;
    if (this.#maxMessage > 0 && this.#messageSize > this.#maxMessage) {
      this.#tooBig(this.#messageSize);
      return false;
    }
    this.#deliver(chunk, false);
    return !this.#failed;
  }

  onInflateDone(error: WampkitError | null): void {
    if (this.#failed) return;
    if (error !== null) return this.#fail(error);
    if (this.#endAfterInflate) {
      this.#endAfterInflate = false;
      this.#endDataFrame();
      if (this.#failed) return;
    }
    this.resume(PauseReason.INFLATE);
  }

  // Internals

  #beginMessage(isBinary: boolean, compressed: boolean): void {
    this.#messageOpen = true;
    this.#compressed = compressed;
    this.#inflateFinished = false;
    this.#messageSize = 0;
    this.#frames = 0;
    this.#validating = !isBinary && this.#validateUtf8;
    if (this.#validating) {
      if (this.#validator === null) this.#validator = createUtf8Validator();
      else this.#validator.reset();
    }
    this.#sink.onMessageBegin(isBinary);
  }

  /** Hands a piece on, failing fast on invalid UTF-8; `checked`: the parser has fed it to the validator. */
  #deliver(chunk: Buffer, checked: boolean): void {
    if (this.#validating && !(checked ? this.#validator!.valid : this.#validator!.push(chunk))) {
      return this.#fail(
        wsError(WebSocketErrorCode.INVALID_UTF8, `text message is not valid UTF-8 at byte ${this.#validator!.invalidOffset}`),
      );
    }
    this.#sink.onMessageData(chunk);
  }

  #endDataFrame(): void {
    const fin = this.#frameFin;
    if (fin && this.#validating && !this.#validator!.finish()) {
      return this.#fail(wsError(WebSocketErrorCode.INVALID_UTF8, 'text message ends inside a UTF-8 sequence'));
    }
    this.#sink.onFrameEnd();
    if (fin && !this.#failed) {
      this.#messageOpen = false;
      this.#sink.onMessageEnd();
    }
  }

  #endControlFrame(opcode: number): void {
    const payload = this.#control ?? EMPTY;
    this.#control = null;
    if (opcode === Opcode.PING) return this.#sink.onPing(payload);
    if (opcode === Opcode.PONG) return this.#sink.onPong(payload);
    const close = decodeClosePayload(payload);
    if (close instanceof Error) return this.#fail(close);
    this.stop();
    this.#sink.onCloseFrame(close.code, close.reason);
  }

  #tooBig(size: number): void {
    this.#fail(
      wsError(WebSocketErrorCode.MESSAGE_TOO_BIG, `message of ${size}+ bytes exceeds maxMessagePayloadSize ${this.#maxMessage}`),
    );
  }

  #fail(error: WampkitError): void {
    if (this.#failed) return;
    this.stop();
    this.#sink.onProtocolError(error);
  }
}
