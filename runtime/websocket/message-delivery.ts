/**
 * Where a connection's received messages go, by receive mode: in 'message' mode each message
 * is gathered (../receive-buffer.ts) and also handed to the `messages()` queue; in 'stream' mode
 * each message becomes an IncomingMessage, also handed to the `incoming()` queue. No socket and
 * no events here (the connection emits them); the consumers' pace goes to the assembler, which
 * pauses reading while they are behind.
 */
import type { ReceivedMessage } from './connection-types.js';
import { WebSocketErrorCode, wsError } from './errors.js';
import { IncomingMessage, type StreamReader } from './incoming-message.js';
import { MessageQueue, type QueueFlow } from './message-queue.js';
import { ReceiveBuffer } from '../receive-buffer.js';
import type { ReceiveMode } from './types.js';

/** Messages `messages()` holds before reading is paused. */
const MESSAGE_QUEUE_LIMIT = 16;
/** Unread bytes an IncomingMessage holds before reading is paused. */
const STREAM_HIGH_WATER_MARK = 64 * 1024;

/**
 * A single-frame message up to this size gets its buffer when its header arrives (so it is
 * unmasked straight into it, no copy); a larger one is gathered and copied together at the end.
 * A header alone therefore reserves at most this much (it was up to 8 MiB).
 */
const RESERVE_AHEAD = 1024 * 1024;

/** A message that cannot be allocated fails its connection with 1009. */
function tooBig(size: number, cause: unknown): Error {
  const why = cause instanceof Error ? cause.message : String(cause);
  return wsError(WebSocketErrorCode.MESSAGE_TOO_BIG, `cannot allocate ${size} bytes for a received message (${why})`, { cause });
}

/** The consumers' pace: the message assembler. */
export interface ConsumerFlow extends QueueFlow, StreamReader {
  /** A streamed message's reader is full: stop reading for now. */
  onStreamFull(): void;
}

/** Where a frame's payload can be written straight into a buffer of ours: the message assembler. */
export interface FrameReceiver {
  /** Payload bytes of the current frame already in the chunk being read. */
  readonly payloadInHand: number;
  /** The current message is not compressed: its frames' wire bytes are its data. */
  readonly uncompressed: boolean;
  /** Write the current frame's payload into `target` from `offset`. */
  receiveFrameInto(target: Buffer, offset: number): void;
}

export class MessageDelivery {
  readonly #mode: ReceiveMode;
  readonly #flow: ConsumerFlow & FrameReceiver;
  #isBinary = false;
  /** Receive mode 'message': the message being gathered. */
  #received: ReceiveBuffer | null = null;
  #queue: MessageQueue<ReceivedMessage> | null = null;
  #streamQueue: MessageQueue<IncomingMessage> | null = null;
  /** Receive mode 'stream': the message being received. */
  #stream: IncomingMessage | null = null;
  #closed = false;

  constructor(mode: ReceiveMode, flow: ConsumerFlow & FrameReceiver) {
    this.#mode = mode;
    this.#flow = flow;
    if (mode === 'message') this.#received = new ReceiveBuffer({ allocationFailed: tooBig, reserveAhead: RESERVE_AHEAD });
  }

  messages(): AsyncIterableIterator<ReceivedMessage> {
    if (this.#mode !== 'message') throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, "messages() needs receiveMode 'message'");
    if (this.#queue !== null && !this.#queue.ended) throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, 'messages() already has a consumer');
    this.#queue = new MessageQueue<ReceivedMessage>(MESSAGE_QUEUE_LIMIT, this.#flow);
    if (this.#closed) this.#queue.end();
    return this.#queue;
  }

  incoming(): AsyncIterableIterator<IncomingMessage> {
    if (this.#mode !== 'stream') throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, "incoming() needs receiveMode 'stream'");
    if (this.#streamQueue !== null && !this.#streamQueue.ended) throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, 'incoming() already has a consumer');
    this.#streamQueue = new MessageQueue<IncomingMessage>(1, this.#flow);
    if (this.#closed) this.#streamQueue.end();
    return this.#streamQueue;
  }

  /** A message begins. In receive mode 'stream', returns its stream (to announce). */
  begin(isBinary: boolean): IncomingMessage | null {
    this.#isBinary = isBinary;
    if (this.#mode !== 'stream') return null;
    const stream = new IncomingMessage(isBinary, this.#flow, STREAM_HIGH_WATER_MARK);
    this.#stream = stream;
    this.#streamQueue?.push(stream);
    return stream;
  }

  /**
   * A data frame begins; `first`: it opens the message. A whole message in one uncompressed
   * frame may be received straight into one buffer (its size passed the limits already): the
   * receive buffer decides whether and when. Throws WS_MESSAGE_TOO_BIG when it cannot allocate.
   */
  frameBegin(length: number, fin: boolean, first: boolean): void {
    const received = this.#received;
    // Only a whole message in one frame, and only when it is not all in hand (small messages
    // are, and leave here).
    if (received === null || !fin || !first) return;
    const flow = this.#flow;
    const inHand = flow.payloadInHand;
    if (inHand >= length || !flow.uncompressed) return;
    const target = received.frameBegin(length, true, inHand);
    if (target !== null) flow.receiveFrameInto(target, 0);
  }

  /** A piece of the message. Throws WS_MESSAGE_TOO_BIG like frameBegin. */
  data(chunk: Buffer): void {
    if (this.#stream !== null) {
      if (!this.#stream.push(chunk)) this.#flow.onStreamFull();
      return;
    }
    this.#received?.add(chunk);
  }

  /** Whether the current (or last) message is binary. */
  get isBinary(): boolean {
    return this.#isBinary;
  }

  /** The message ended. In receive mode 'message', returns its data (queued for `messages()` already). */
  end(): Buffer | null {
    const stream = this.#stream;
    if (stream !== null) {
      this.#stream = null;
      stream.push(null);
      return null;
    }
    if (this.#received === null) return null;
    const data = this.#received.take();
    this.#queue?.push({ data, isBinary: this.#isBinary });
    return data;
  }

  /** The connection closed: iterations end, a message still arriving fails with `code`. */
  close(code: number): void {
    this.#closed = true;
    this.#stream?.destroy(wsError(WebSocketErrorCode.NOT_OPEN, `connection closed (${code}) before the message ended`));
    this.#stream = null;
    this.#queue?.end();
    this.#streamQueue?.end();
  }
}
