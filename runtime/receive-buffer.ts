/**
 * One received message's bytes, gathered from the pieces a parser hands over: the WebSocket
 * engine's messages (receive mode 'message') and RawSocket's. Pure: no socket, no events.
 * Memory follows the bytes that arrived, never what a header announces beyond a small cap,
 * and never the number of frames or socket reads:
 *
 * - A message that is one frame of up to `reserveAhead` bytes (the WebSocket engine: 1 MiB;
 *   RawSocket: 0) spanning socket chunks gets its buffer when the header arrives, and the
 *   parser unmasks straight into it: no copy. So a header alone reserves at most that much.
 * - Anything else is gathered as it arrives and copied together once, at the end (as ws does).
 *   The first piece is kept as it is (a message in one piece is never copied); later pieces of
 *   `SMALL_PIECE` bytes or more are kept by reference; smaller ones are copied into a block that
 *   grows with them, so a message sent as a million one-byte frames (or dripped a byte per TCP
 *   segment) costs about a megabyte, not a million Buffer objects.
 *
 * (Reserving a large frame's buffer once a quarter of it had arrived, and copying that quarter
 * in, saved copying in process but cost more than it saved over real sockets: the early, fresh
 * 16 MiB buffer took more page faults than one copy at the end.)
 *
 * An allocation that fails (the system is out of memory, or a size no Buffer can have) throws
 * the error the owner's `allocationFailed` makes (the WebSocket engine: WS_MESSAGE_TOO_BIG,
 * close 1009): it fails one connection, never the process.
 */

/** Pieces from this size are kept by reference; smaller ones are copied into a block. */
const SMALL_PIECE = 4 * 1024;
/** A block of small pieces starts this small and doubles up to BLOCK_MAX, then a new one starts. */
const BLOCK_MIN = 256;
const BLOCK_MAX = 64 * 1024;
const EMPTY = Buffer.alloc(0);

/** Makes the error thrown when `size` bytes cannot be allocated (`cause`: what the allocator threw). */
export type AllocationFailure = (size: number, cause: unknown) => Error;

export interface ReceiveBufferOptions {
  /** Makes the error thrown when an allocation fails. */
  allocationFailed: AllocationFailure;
  /** Largest single-frame message whose buffer is reserved as soon as its header arrives, in bytes. */
  reserveAhead: number;
}

export class ReceiveBuffer {
  readonly #allocationFailed: AllocationFailure;
  readonly #reserveAhead: number;
  /** Pieces and sealed blocks, in order (null while there is at most one piece). */
  #parts: Buffer[] | null = null;
  /** The only piece so far. */
  #first: Buffer | null = null;
  /** The block small pieces are copied into, and how much of it is used. */
  #block: Buffer | null = null;
  #blockUsed = 0;
  #size = 0;
  /** The buffer a single-frame message is received into, or null. */
  #whole: Buffer | null = null;

  constructor(options: ReceiveBufferOptions) {
    this.#allocationFailed = options.allocationFailed;
    this.#reserveAhead = options.reserveAhead;
  }

  /**
   * A data frame begins. `single`: it is the whole message (first frame, FIN set) and its
   * payload may be written into a buffer of ours; `inHand`: how much of it has arrived.
   * Returns the buffer the parser should write the payload into (from offset 0), or null.
   * Throws the owner's allocation error when that buffer cannot be allocated.
   */
  frameBegin(length: number, single: boolean, inHand: number): Buffer | null {
    if (!single || length === 0 || inHand >= length || length > this.#reserveAhead) return null;
    this.#whole = this.#allocate(length);
    return this.#whole;
  }

  /** A piece of the message (when receiving into our buffer: a view of it). Throws like frameBegin. */
  add(chunk: Buffer): void {
    this.#size += chunk.length;
    if (this.#whole !== null) return;
    if (this.#first === null && this.#parts === null) this.#first = chunk;
    else if (chunk.length >= SMALL_PIECE) this.#keep(chunk);
    else this.#copy(chunk);
  }

  /** The message's data; the buffer is empty again afterwards. Throws like frameBegin. */
  take(): Buffer {
    let data = this.#whole ?? this.#first;
    if (data === null) {
      if (this.#parts === null) data = EMPTY;
      else {
        this.#seal();
        const parts = this.#parts;
        data = parts.length === 1 ? parts[0]! : this.#concat(parts);
      }
    }
    this.#whole = null;
    this.#first = null;
    this.#parts = null;
    this.#block = null;
    this.#blockUsed = 0;
    this.#size = 0;
    return data;
  }

  #keep(chunk: Buffer): void {
    this.#seal();
    this.#parts!.push(chunk);
  }

  /** Copies a small piece into the block, growing it (or starting a new one) as needed. */
  #copy(chunk: Buffer): void {
    this.#parts ??= [this.#first!];
    this.#first = null;
    const used = this.#blockUsed;
    let block = this.#block;
    if (block === null || used + chunk.length > block.length) {
      if (used > 0 && used + chunk.length > BLOCK_MAX) {
        this.#seal();
        return this.#copy(chunk);
      }
      const grown = this.#allocate(Math.min(BLOCK_MAX, Math.max(BLOCK_MIN, 2 * (used + chunk.length))));
      if (block !== null) block.copy(grown, 0, 0, used);
      this.#block = block = grown;
    }
    chunk.copy(block, used);
    this.#blockUsed = used + chunk.length;
  }

  /** Moves the block's bytes into the parts (the next small piece starts a new block). */
  #seal(): void {
    if (this.#parts === null) {
      this.#parts = this.#first === null ? [] : [this.#first];
      this.#first = null;
    }
    if (this.#block !== null && this.#blockUsed > 0) this.#parts.push(this.#block.subarray(0, this.#blockUsed));
    this.#block = null;
    this.#blockUsed = 0;
  }

  #allocate(size: number): Buffer {
    try {
      return Buffer.allocUnsafe(size);
    } catch (error) {
      throw this.#allocationFailed(size, error);
    }
  }

  #concat(parts: Buffer[]): Buffer {
    try {
      return Buffer.concat(parts, this.#size);
    } catch (error) {
      throw this.#allocationFailed(this.#size, error);
    }
  }
}
