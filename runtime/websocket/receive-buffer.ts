/**
 * One received message's data in receive mode 'message', gathered from the pieces the
 * assembler hands over. Pure: no socket, no events. A message that is a single frame spanning
 * socket chunks can be received straight into one buffer (the parser unmasks into it), which
 * saves copying the pieces together at the end.
 */

const EMPTY = Buffer.alloc(0);
/** Largest single-frame message received straight into its own buffer (larger: gathered as it arrives). */
const RECEIVE_INTO_MAX = 8 * 1024 * 1024;

export class ReceiveBuffer {
  #first: Buffer | null = null;
  #parts: Buffer[] | null = null;
  /** The buffer a single-frame message is received into, or null. */
  #whole: Buffer | null = null;
  #size = 0;

  /**
   * A data frame begins. `single`: it is the whole message (first frame, FIN set) and its
   * payload may be written into a buffer of ours; `inHand`: how much of it has arrived.
   * Returns the buffer the parser should write the payload into (from offset 0), or null.
   */
  frameBegin(length: number, single: boolean, inHand: number): Buffer | null {
    if (!single || length === 0 || inHand >= length || length > RECEIVE_INTO_MAX) return null;
    this.#whole = Buffer.allocUnsafe(length);
    return this.#whole;
  }

  /** A piece of the message (when receiving into our buffer: a view of it). */
  add(chunk: Buffer): void {
    this.#size += chunk.length;
    if (this.#whole !== null) return;
    if (this.#first === null) this.#first = chunk;
    else (this.#parts ??= [this.#first]).push(chunk);
  }

  /** The message's data; the buffer is empty again afterwards. */
  take(): Buffer {
    const parts = this.#parts;
    const data = this.#whole ?? (parts !== null ? Buffer.concat(parts, this.#size) : (this.#first ?? EMPTY));
    this.#whole = null;
    this.#first = null;
    this.#parts = null;
    this.#size = 0;
    return data;
  }
}
