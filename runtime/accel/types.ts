/**
 * The one interface through which the WebSocket engine masks payloads and validates UTF-8.
 * The TypeScript implementation (./ts-*.ts) is the reference; a native one (NVX, ../../native)
 * may replace it once, at load, with identical results.
 */

/** Incremental UTF-8 validation: feed chunk after chunk of one text message. */
export interface Utf8Validator {
  /**
   * Validates `chunk[start, end)` as the continuation of everything fed before.
   * Returns false as soon as the bytes so far cannot be (a prefix of) valid UTF-8.
   * Once invalid, further calls return false and change nothing.
   */
  push(chunk: Uint8Array, start?: number, end?: number): boolean;
  /** Ends the message: false if invalid, or if it stops inside a code point. */
  finish(): boolean;
  /** Everything fed so far is valid or a valid prefix. */
  readonly valid: boolean;
  /** Everything fed so far ends on a code point boundary. */
  readonly atBoundary: boolean;
  /**
   * Absolute offset (counted over all chunks since the last reset) of the first invalid byte,
   * or -1. After `finish()` on a truncated sequence, the offset of that sequence's lead byte.
   */
  readonly invalidOffset: number;
  /** Bytes fed since the last reset. */
  readonly bytesSeen: number;
  /** Starts over for a new message. */
  reset(): void;
}

export interface Accelerator {
  /** Which kernel is active: 'ts', 'scalar', 'sse2', 'sse4.1', 'avx2', 'avx512', 'neon'. */
  readonly implementation: string;
  /**
   * XORs `source[0, length)` with `maskKey` into `output[outputOffset, outputOffset + length)`.
   * `phase` (0..3) is the index into the key of the first byte, so a frame can be masked in pieces.
   */
  mask(source: Uint8Array, maskKey: Uint8Array, output: Uint8Array, outputOffset: number, length: number, phase?: number): void;
  /** XORs `buffer` with `maskKey` in place, starting at key index `phase`. */
  unmask(buffer: Uint8Array, maskKey: Uint8Array, phase?: number): void;
  /** Whole-buffer UTF-8 validation. */
  isValidUtf8(buffer: Uint8Array): boolean;
  /** A new incremental validator. */
  createUtf8Validator(): Utf8Validator;
  /**
   * Unmasks `buffer` in place (from key index `phase`) and feeds it to `validator`, in one pass
   * where the implementation can. Returns what `validator.push` returns. On a false return the
   * buffer is still fully unmasked.
   */
  unmaskAndValidateUtf8(buffer: Uint8Array, maskKey: Uint8Array, phase: number, validator: Utf8Validator): boolean;
}
