/**
 * A client's large messages, masked just in time (RFC 6455 section 5.3 makes a client send
 * every payload XORed with a fresh key, so it cannot hand the caller's bytes to the socket).
 *
 * Masking a whole message into a full-size copy at send time means a client with many large
 * messages queued holds each of them twice, and writes every copy into fresh memory that the
 * kernel reads back only much later. Instead the payload is masked piece by piece into a few
 * recycled buffers, only as fast as the socket takes them: what is queued stays the caller's
 * buffer, at most MAX_PIECES_IN_FLIGHT pieces per connection exist at once, and they stay warm in cache.
 *
 * Only over sockets that are done with a buffer when its write callback runs (net and tls
 * sockets: the kernel or OpenSSL has copied it), never an arbitrary Duplex, which may hand the
 * very buffer to a reader. The caller's buffer is read until the message is handed over, as
 * with any stream write.
 */
import type { Duplex } from 'node:stream';
import { mask } from '../accel/index.js';
import { Opcode } from './constants.js';
import { writeFrameHeader } from './frame-encoder.js';
import { nextMaskKey } from './mask-keys.js';

/** Payload bytes masked per write. */
const PIECE_SIZE = 64 * 1024;
/** Room in each piece buffer for a frame header (2 bytes, a 64-bit length, the key). */
const HEADER_ROOM = 14;
/** Pieces handed to the socket and not yet written. */
const MAX_PIECES_IN_FLIGHT = 4;
/** Idle piece buffers kept for reuse, over all connections. */
const MAX_IDLE_PIECES = 32;

/** Messages from this size go through the writer (smaller ones: one copy is as cheap). */
export const JUST_IN_TIME_MIN = PIECE_SIZE;

const idlePieces: Buffer[] = [];

function takePiece(): Buffer {
  return idlePieces.pop() ?? Buffer.allocUnsafeSlow(PIECE_SIZE + HEADER_ROOM);
}

function returnPiece(piece: Buffer): void {
  if (idlePieces.length < MAX_IDLE_PIECES) idlePieces.push(piece);
}

/** What the writer reports to its sender. */
export interface MaskedWriterOwner {
  /** Between two frames of the message: control frames may go out now. */
  onFrameBoundary(): void;
  /** The whole message is handed to the socket: later writes may follow. */
  onMessageHandedOver(): void;
}

export class MaskedWriter {
  readonly #socket: Duplex;
  readonly #owner: MaskedWriterOwner;
  /** Piece buffers handed to the socket, oldest first (writes complete in order). */
  readonly #inFlight: Buffer[] = [];
  readonly #onPieceWritten = (error?: Error | null): void => this.#pieceWritten(error);

  #payload: Buffer | null = null;
  #opcode = 0;
  #fin = false;
  #rsv1 = false;
  #fragmentSize = 0;
  /** Payload bytes handed over so far, and where the current frame starts and ends. */
  #position = 0;
  #frameStart = 0;
  #frameEnd = 0;
  #key: Buffer | null = null;
  #pumping = false;

  constructor(socket: Duplex, owner: MaskedWriterOwner) {
    this.#socket = socket;
    this.#owner = owner;
  }

  /** A message is being handed over. */
  get active(): boolean {
    return this.#payload !== null;
  }

  /** Inside a frame: nothing else may be written now. */
  get midFrame(): boolean {
    return this.#payload !== null && this.#position < this.#frameEnd;
  }

  /** Payload bytes not handed to the socket yet. */
  get pending(): number {
    return this.#payload === null ? 0 : this.#payload.length - this.#position;
  }

  /**
   * Sends `payload` as one message (or as one frame of a streamed message when `fin` says so),
   * in frames of at most `fragmentSize` bytes (0: one frame). `opcode` is that of its first frame.
   */
  start(payload: Buffer, opcode: number, fin: boolean, rsv1: boolean, fragmentSize: number): void {
    this.#payload = payload;
    this.#opcode = opcode;
    this.#fin = fin;
    this.#rsv1 = rsv1;
    this.#fragmentSize = fragmentSize;
    this.#position = 0;
    this.#frameStart = 0;
    this.#frameEnd = 0;
    this.#pump();
  }

  /** Forgets the message (the connection is failing). */
  stop(): void {
    this.#payload = null;
    this.#key = null;
  }

  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#payload !== null && this.#inFlight.length < MAX_PIECES_IN_FLIGHT) this.#writePiece(this.#payload);
    } finally {
      this.#pumping = false;
    }
  }

  #writePiece(payload: Buffer): void {
    const piece = takePiece();
    let at = 0;
    if (this.#position === this.#frameEnd) {
      // A frame starts: its header leads the piece.
      const first = this.#position === 0;
      const remaining = payload.length - this.#position;
      const length = this.#fragmentSize > 0 && remaining > this.#fragmentSize ? this.#fragmentSize : remaining;
      const last = this.#position + length === payload.length;
      this.#key = nextMaskKey();
      at = writeFrameHeader(piece, 0, first ? this.#opcode : Opcode.CONTINUATION, length, this.#fin && last, first && this.#rsv1, this.#key);
      this.#frameStart = this.#position;
      this.#frameEnd = this.#position + length;
    }
    const start = this.#position;
    const n = Math.min(PIECE_SIZE, this.#frameEnd - start);
    mask(payload.subarray(start, start + n), this.#key!, piece, at, n, (start - this.#frameStart) & 3);
    this.#position = start + n;
    this.#inFlight.push(piece);
    this.#socket.write(at + n === piece.length ? piece : piece.subarray(0, at + n), this.#onPieceWritten);
    if (this.#position < this.#frameEnd) return;
    if (this.#position === payload.length) {
      this.#payload = null;
      this.#key = null;
      this.#owner.onMessageHandedOver();
    } else {
      this.#owner.onFrameBoundary();
    }
  }

  #pieceWritten(error: Error | null | undefined): void {
    const piece = this.#inFlight.shift();
    if (error !== null && error !== undefined) {
      // The socket is failing; it may still hold the piece, so the collector gets it.
      this.stop();
      return;
    }
    if (piece !== undefined) returnPiece(piece);
    this.#pump();
  }
}
