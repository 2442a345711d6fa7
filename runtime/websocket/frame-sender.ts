/**
 * The outgoing side of a connection: turns messages, streamed pieces and raw frames into
 * socket writes, in order.
 *
 * Data frames go out strictly in call order. Compression is asynchronous, so while a deflate
 * is pending every later data operation waits in a queue; pings and pongs do not wait (RFC 6455
 * section 5.4 lets control frames go between fragments) unless the caller is in the middle of
 * writing a frame by hand. Frames sent in one tick leave together: the first one corks the
 * socket and the end of the tick (process.nextTick) uncorks it, so a router answering a read of
 * many calls, or fanning several events out to one subscriber, makes one writev per connection
 * instead of one write system call per frame (bounded: ../tick-batch.ts). Corking changes when bytes reach the kernel, not
 * their order or what bufferedAmount counts (the socket's writableLength includes them). A
 * client's large frames over a net or tls socket are masked just in time, piece by piece, as the
 * socket takes them (./masked-writer.ts), and later operations wait likewise.
 */
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Opcode } from './constants.js';
import { encodeFrame, encodeFrameHeader, maskPayload } from './frame-encoder.js';
import { nextMaskKey } from './mask-keys.js';
import { JUST_IN_TIME_MIN, MaskedWriter, type MaskedWriterOwner } from './masked-writer.js';
import type { WampkitError } from '../errors.js';
import type { CompressCallback, PerMessageDeflateCodec } from './permessage-deflate.js';
import type { Role } from './types.js';
import { TickBatch } from '../tick-batch.js';

/** Payloads up to this size are copied next to their header: one small write beats two. */
const COPY_THRESHOLD = 1024;


const OpKind = {
  /** A whole message: compress (maybe), fragment (maybe), write. */
  MESSAGE: 0,
  /** One piece of a streamed message: compress (maybe), write as one frame. */
  PIECE: 1,
  /** Bytes already framed (frame-level API, close frames). */
  RAW: 2,
  /** End the socket after everything before it is written. */
  END: 3,
} as const;
type OpKind = (typeof OpKind)[keyof typeof OpKind];

interface SendOp {
  kind: OpKind;
  data: Buffer;
  /** MESSAGE: the data opcode; PIECE: the frame's opcode. */
  opcode: number;
  fin: boolean;
  compress: boolean;
}

/** Who hears about the asynchronous outcome of compression. */
export interface SenderOwner {
  /** Compressing failed: the connection must be failed. */
  onSenderError(error: WampkitError): void;
}

export interface SenderOptions {
  role: Role;
  codec: PerMessageDeflateCodec | null;
  autoFragmentSize: number;
}

export class FrameSender {
  readonly #socket: Duplex;
  readonly #masking: boolean;
  readonly #codec: PerMessageDeflateCodec | null;
  readonly #fragmentSize: number;
  readonly #owner: SenderOwner;
  /** Compression's callback; made only when compression is on. */
  readonly #onCompressed: CompressCallback | null;
  /** Operations waiting behind a pending compression. */
  #queue: SendOp[] | null = null;
  #queuedBytes = 0;
  /** The operation whose compression is pending. */
  #compressing: SendOp | null = null;
  /** A client's large messages over a net or tls socket; null otherwise. */
  readonly #writer: MaskedWriter | null;
  #stopped = false;
  /** This tick's frames, written in one writev (../tick-batch.ts). */
  readonly #batch: TickBatch;

  // Streamed message state, as the caller sees it.
  #streamOpen = false;
  #streamOpcode = 0;
  #streamCompress = false;
  #streamFramesSent = 0;
  // Hand-written frame state (beginMessageFrame / sendMessageFrameData).
  #frameRemaining = 0;
  #frameMaskKey: Buffer | null = null;
  #framePhase = 0;
  /** Pings and pongs held back while a hand-written frame is incomplete. */
  #heldControls: Buffer[] | null = null;
  /** The pong answering the latest ping, while it cannot go out yet (see answerPing). */
  #heldPong: Buffer | null = null;
  // Backpressure: drain() waiters and the socket 'drain' listener (made on first need), which
  // also releases the held pong.
  #drainWaiters: Array<() => void> | null = null;
  #onSocketDrain: (() => void) | null = null;
  #drainWatched = false;

  constructor(socket: Duplex, owner: SenderOwner, options: SenderOptions) {
    this.#socket = socket;
    this.#batch = new TickBatch(socket);
    this.#owner = owner;
    this.#masking = options.role === 'client';
    this.#codec = options.codec;
    this.#fragmentSize = options.autoFragmentSize;
    this.#onCompressed = options.codec === null ? null : (error, data) => this.#compressed(error, data);
    this.#writer = this.#masking && socket instanceof Socket ? new MaskedWriter(socket, this.#writerOwner()) : null;
  }

  #writerOwner(): MaskedWriterOwner {
    return {
      onFrameBoundary: () => {
        if (this.#frameRemaining === 0) this.#flushHeldControls();
      },
      onMessageHandedOver: () => {
        if (this.#frameRemaining === 0) this.#flushHeldControls();
        this.#drainQueue();
      },
    };
  }

  /** An operation is under way (compressing, or handing a message over piece by piece). */
  get #busy(): boolean {
    return this.#compressing !== null || (this.#writer !== null && this.#writer.active);
  }

  /** Bytes accepted but not yet handed to the socket, plus what the socket buffers. */
  get bufferedAmount(): number {
    return this.#queuedBytes + (this.#writer?.pending ?? 0) + this.#socket.writableLength;
  }

  /** Below the socket's high-water mark: more may be sent without waiting for drain(). */
  get belowHighWater(): boolean {
    return this.bufferedAmount < this.#socket.writableHighWaterMark;
  }

  /** Resolves when the sender is below the high-water mark again, or when `release()` is called. */
  drain(): Promise<void> {
    if (this.belowHighWater) return Promise.resolve();
    return new Promise<void>((resolve) => {
      (this.#drainWaiters ??= []).push(resolve);
      this.#watchDrain();
    });
  }

  /** The connection closed: every drain() waiter resolves now. */
  release(): void {
    this.#settleDrain(true);
  }

  get streamOpen(): boolean {
    return this.#streamOpen;
  }

  get inFrame(): boolean {
    return this.#frameRemaining > 0;
  }

  sendMessage(data: Buffer, isBinary: boolean): void {
    const compress = this.#codec !== null && this.#codec.shouldCompress(data.length);
    this.#submit(OpKind.MESSAGE, data, isBinary ? Opcode.BINARY : Opcode.TEXT, true, compress);
  }

  /** Ping or pong: ahead of queued data, but never inside a hand-written frame. */
  sendControl(opcode: number, payload: Buffer): void {
    if (this.#stopped) return;
    const frame = encodeFrame(opcode, payload, true, false, this.#masking ? nextMaskKey() : null);
    if (this.#midFrame) (this.#heldControls ??= []).push(frame);
    else this.#socket.write(frame);
  }

  /**
   * Answers a ping. While writes are backed up (the socket asked us to wait for 'drain') or a
   * frame is half written, at most one answer waits and a later ping's pong replaces it: RFC
   * 6455 section 5.5.3 lets an endpoint answer only the most recent ping. So a peer that sends
   * pings and never reads cannot make us queue a pong per ping.
   */
  answerPing(payload: Buffer): void {
    if (this.#stopped) return;
    const frame = encodeFrame(Opcode.PONG, payload, true, false, this.#masking ? nextMaskKey() : null);
    const midFrame = this.#midFrame;
    if (!midFrame && !this.#socket.writableNeedDrain) {
      this.#heldPong = null;
      this.#socket.write(frame);
      return;
    }
    this.#heldPong = frame;
    if (!midFrame) this.#watchDrain();
  }

  get #midFrame(): boolean {
    return this.#frameRemaining > 0 || this.#writer?.midFrame === true;
  }

  /** A close frame, after all data sent before it; `end` closes the socket after it. */
  sendClose(payload: Buffer, end: boolean): void {
    if (this.#stopped) return;
    const frame = encodeFrame(Opcode.CLOSE, payload, true, false, this.#masking ? nextMaskKey() : null);
    if (this.#frameRemaining > 0) {
      // A hand-written frame is incomplete: a close frame cannot follow it validly.
      this.#submit(OpKind.END, frame, 0, true, false);
    } else {
      // A ping answered late is still answered, before our close frame.
      const pong = this.#heldPong;
      this.#heldPong = null;
      if (pong !== null) this.#submit(OpKind.RAW, pong, 0, true, false);
      this.#submit(OpKind.RAW, frame, 0, true, false);
      if (end) this.#submit(OpKind.END, frame, 0, true, false);
    }
    this.#stopped = true;
  }

  /** Ends the socket after everything queued is written. */
  endSocket(): void {
    this.#submit(OpKind.END, EMPTY, 0, true, false);
  }

  /**
   * Fails fast: forgets queued data and writes `closeFrame` now (if the socket is between
   * frames), then ends the socket.
   */
  abort(closePayload: Buffer | null): void {
    const midFrame = this.#midFrame;
    this.#writer?.stop();
    this.#stopped = true;
    this.#queue = null;
    this.#queuedBytes = 0;
    this.#compressing = null;
    this.#heldControls = null;
    this.#heldPong = null;
    if (closePayload !== null && !midFrame) {
      this.#socket.write(encodeFrame(Opcode.CLOSE, closePayload, true, false, this.#masking ? nextMaskKey() : null));
    }
    this.#socket.end();
  }

  // Streaming: beginMessage, sendMessageFrame..., endMessage.

  beginMessage(isBinary: boolean): void {
    this.#streamOpen = true;
    this.#streamOpcode = isBinary ? Opcode.BINARY : Opcode.TEXT;
    this.#streamCompress = this.#codec !== null;
    this.#streamFramesSent = 0;
  }

  /** One frame of the open message, compressed when the message is. */
  sendMessageFrame(data: Buffer, fin: boolean): void {
    const opcode = this.#streamFramesSent === 0 ? this.#streamOpcode : Opcode.CONTINUATION;
    this.#streamFramesSent++;
    if (fin) this.#streamOpen = false;
    this.#submit(OpKind.PIECE, data, opcode, fin, this.#streamCompress);
  }

  /** Ends the open message with an empty final frame (or with what compression flushes). */
  endMessage(): void {
    this.sendMessageFrame(EMPTY, true);
  }

  /** Starts a hand-written, uncompressed frame of exactly `length` bytes (never final). */
  beginMessageFrame(length: number): void {
    const opcode = this.#streamFramesSent === 0 ? this.#streamOpcode : Opcode.CONTINUATION;
    this.#streamFramesSent++;
    this.#streamCompress = false;
    const key = this.#masking ? nextMaskKey() : null;
    this.#frameMaskKey = key;
    this.#framePhase = 0;
    this.#frameRemaining = length;
    this.#submit(OpKind.RAW, encodeFrameHeader(opcode, length, false, false, key), 0, false, false);
    if (length === 0) this.#frameCompleted();
  }

  /**
   * Payload of the hand-written frame. Returns the bytes the frame still needs, 0 when it is
   * complete, or minus the bytes of `data` that did not fit (and were not sent).
   */
  sendMessageFrameData(data: Buffer): number {
    const n = Math.min(data.length, this.#frameRemaining);
    if (n > 0) {
      let piece = n === data.length ? data : data.subarray(0, n);
      if (this.#frameMaskKey !== null) {
        piece = maskPayload(piece, this.#frameMaskKey, this.#framePhase);
        this.#framePhase = (this.#framePhase + n) & 3;
      }
      this.#frameRemaining -= n;
      this.#submit(OpKind.RAW, piece, 0, false, false);
      if (this.#frameRemaining === 0) this.#frameCompleted();
    }
    if (this.#frameRemaining > 0) return this.#frameRemaining;
    return n - data.length;
  }

  /** Whether a streamed message may take hand-written frames (it has not compressed yet). */
  get streamCompressed(): boolean {
    return this.#streamCompress && this.#streamFramesSent > 0;
  }

  /** Pings and pongs held while the writer was inside a frame: between frames now. */
  #flushHeldControls(): void {
    const held = this.#heldControls;
    this.#heldControls = null;
    if (held !== null) for (const frame of held) this.#socket.write(frame);
    this.#releaseHeldPong(false);
  }

  #frameCompleted(): void {
    const held = this.#heldControls;
    this.#frameMaskKey = null;
    this.#heldControls = null;
    if (held !== null) for (const frame of held) this.#submit(OpKind.RAW, frame, 0, true, false);
    this.#releaseHeldPong(true);
  }

  /** Between frames: the held pong goes out, unless writes are still backed up (then on 'drain'). */
  #releaseHeldPong(submit: boolean): void {
    const pong = this.#heldPong;
    if (pong === null) return;
    if (this.#socket.writableNeedDrain) return this.#watchDrain();
    this.#heldPong = null;
    if (submit) this.#submit(OpKind.RAW, pong, 0, true, false);
    else this.#socket.write(pong);
  }

  #submit(kind: OpKind, data: Buffer, opcode: number, fin: boolean, compress: boolean): void {
    const op: SendOp = { kind, data, opcode, fin, compress };
    if (this.#busy || this.#queue !== null) {
      (this.#queue ??= []).push(op);
      this.#queuedBytes += data.length;
      return;
    }
    this.#run(op);
  }

  /** Executes one operation; compressing it, or handing it over in pieces, leaves the sender #busy. */
  #run(op: SendOp): void {
    switch (op.kind) {
      case OpKind.RAW:
        this.#socket.write(op.data);
        return;
      case OpKind.END:
        this.#socket.end();
        return;
    }
    if (!op.compress) {
      this.#writeData(op, op.data, false);
      return;
    }
    this.#compressing = op;
    this.#codec!.compress(op.data, op.fin, this.#onCompressed!);
  }

  #compressed(error: WampkitError | null, data: Buffer): void {
    const op = this.#compressing;
    if (op === null) return;
    this.#compressing = null;
    if (error !== null) {
      this.#owner.onSenderError(error);
      return;
    }
    this.#writeData(op, data, op.kind === OpKind.MESSAGE || op.opcode !== Opcode.CONTINUATION);
    this.#drainQueue();
  }


  #drainQueue(): void {
    let queue = this.#queue;
    while (queue !== null && !this.#busy) {
      const op = queue.shift();
      if (op === undefined) break;
      this.#queuedBytes -= op.data.length;
      this.#run(op);
      queue = this.#queue;
    }
    if (!this.#busy && this.#queue !== null && this.#queue.length === 0) {
      this.#queue = null;
      this.#queuedBytes = 0;
    }
    if (!this.#busy && this.#queue === null) this.#settleDrain(false);
  }

  #watchDrain(): void {
    if (this.#drainWatched) return;
    this.#drainWatched = true;
    this.#onSocketDrain ??= () => this.#drained();
    this.#socket.on('drain', this.#onSocketDrain);
  }

  #drained(): void {
    if (!this.#midFrame) this.#releaseHeldPong(false);
    this.#settleDrain(false);
  }

  /** Resolves drain() waiters once below the high-water mark (`all`: now); stops watching when nothing waits. */
  #settleDrain(all: boolean): void {
    const waiters = this.#drainWaiters;
    if (waiters !== null && (all || this.belowHighWater)) {
      this.#drainWaiters = null;
      for (const resolve of waiters) resolve();
    }
    if (this.#drainWatched && this.#drainWaiters === null && (all || this.#heldPong === null)) {
      this.#drainWatched = false;
      this.#socket.off('drain', this.#onSocketDrain!);
    }
  }

  /** Writes a message (fragmented when it is larger than autoFragmentSize) or one piece. */
  #writeData(op: SendOp, payload: Buffer, rsv1: boolean): void {
    const size = this.#fragmentSize;
    if (this.#writer !== null && payload.length >= JUST_IN_TIME_MIN) {
      this.#writer.start(payload, op.opcode, op.fin, rsv1, op.kind === OpKind.PIECE ? 0 : size);
      return;
    }
    if (op.kind === OpKind.PIECE || size === 0 || payload.length <= size) {
      this.#writeFrame(op.opcode, payload, op.fin, rsv1);
      return;
    }
    let opcode = op.opcode;
    let first = true;
    for (let offset = 0; offset < payload.length; offset += size) {
      const end = Math.min(offset + size, payload.length);
      this.#writeFrame(opcode, payload.subarray(offset, end), end === payload.length, first && rsv1);
      opcode = Opcode.CONTINUATION;
      first = false;
    }
  }

  /** Hands what this tick's frames corked to the socket now (before a destroy, which would drop it). */
  flush(): void {
    this.#batch.flush();
  }

  #writeFrame(opcode: number, payload: Buffer, fin: boolean, rsv1: boolean): void {
    const socket = this.#socket;
    this.#batch.before(payload.length);
    if (this.#masking || payload.length <= COPY_THRESHOLD) {
      socket.write(encodeFrame(opcode, payload, fin, rsv1, this.#masking ? nextMaskKey() : null));
    } else {
      socket.cork();
      socket.write(encodeFrameHeader(opcode, payload.length, fin, rsv1, null));
      socket.write(payload);
      socket.uncork();
    }
    this.#batch.after(payload.length);
  }
}

const EMPTY = Buffer.alloc(0);
