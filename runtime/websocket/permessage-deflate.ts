/**
 * permessage-deflate codec (RFC 7692 sections 7.2 and 7.3) for already negotiated parameters.
 * Header negotiation lives in deflate-negotiation.ts; this file only compresses and inflates.
 *
 * Node's zlib is asynchronous, so both directions take one operation at a time: the message
 * assembler pauses the frame parser while an inflate is pending, and the sender queues
 * messages behind a pending deflate. zlib streams are created lazily, on the first compressed
 * message, because they cost far more memory than an idle connection otherwise needs.
 */
import * as zlib from 'node:zlib';
import type { WampkitError } from '../errors.js';
import { PerMessageDeflate } from './constants.js';
import { WebSocketErrorCode, wsError } from './errors.js';
import type { DeflateParams, Role } from './types.js';

/** zlib cannot deflate raw streams with an 8-bit window; 9 is what peers accept for 8 too. */
const MIN_ZLIB_WINDOW_BITS = 9;
const TRAILER = Buffer.from(PerMessageDeflate.TRAILER);
const TRAILER_LENGTH = TRAILER.length;
/** What an empty message compresses to: the receiver's trailer completes an empty stored block. */
const EMPTY_BLOCK_START = Buffer.from([0x00]);

export interface DeflateCodecOptions {
  /** Messages shorter than this go out uncompressed. */
  threshold: number;
  level: number;
  memLevel: number;
}

/** Where inflated data goes. */
export interface InflateSink {
  /** A piece of inflated data. Return false to abandon the message: no further callbacks. */
  onInflated(chunk: Buffer): boolean;
  /** The data given to `decompress` is fully inflated, or inflating failed. */
  onInflateDone(error: WampkitError | null): void;
}

export type CompressCallback = (error: WampkitError | null, data: Buffer) => void;

export class PerMessageDeflateCodec {
  readonly #role: Role;
  readonly #ownWindowBits: number;
  readonly #peerWindowBits: number;
  readonly #ownNoContextTakeover: boolean;
  readonly #peerNoContextTakeover: boolean;
  readonly #options: DeflateCodecOptions;

  #inflate: zlib.InflateRaw | null = null;
  #inflateSink: InflateSink | null = null;
  #inflateFin = false;

  #deflate: zlib.DeflateRaw | null = null;
  #deflateChunks: Buffer[] = [];
  #deflateLength = 0;
  #deflateFin = false;
  #deflateCallback: CompressCallback | null = null;
  #closed = false;

  /** The codec of a connection that negotiated `params` (null: permessage-deflate is off). */
  static forConnection(
    params: DeflateParams | null | undefined,
    role: Role,
    options: { compressionThreshold: number; compressionLevel: number; compressionMemLevel: number },
  ): PerMessageDeflateCodec | null {
    if (params === null || params === undefined) return null;
    return new PerMessageDeflateCodec(params, role, {
      threshold: options.compressionThreshold,
      level: options.compressionLevel,
      memLevel: options.compressionMemLevel,
    });
  }

  constructor(params: DeflateParams, role: Role, options: DeflateCodecOptions) {
    this.#role = role;
    const server = role === 'server';
    this.#ownWindowBits = server ? params.serverMaxWindowBits : params.clientMaxWindowBits;
    this.#peerWindowBits = server ? params.clientMaxWindowBits : params.serverMaxWindowBits;
    this.#ownNoContextTakeover = server ? params.serverNoContextTakeover : params.clientNoContextTakeover;
    this.#peerNoContextTakeover = server ? params.clientNoContextTakeover : params.serverNoContextTakeover;
    this.#options = options;
  }

  get role(): Role {
    return this.#role;
  }

  /** Whether a message of `length` bytes should be compressed. */
  shouldCompress(length: number): boolean {
    return length >= this.#options.threshold;
  }

  /**
   * Inflates one frame's worth of compressed data (or a piece of it). `fin`: the message ends
   * with this data, so the stripped trailer is put back. One call at a time: wait for
   * `onInflateDone` before the next.
   */
  decompress(data: Buffer, fin: boolean, sink: InflateSink): void {
    let inflate = this.#inflate;
    if (inflate === null) {
      inflate = zlib.createInflateRaw({ windowBits: Math.max(MIN_ZLIB_WINDOW_BITS, this.#peerWindowBits) });
      inflate.on('data', this.#onInflateData);
      inflate.on('error', this.#onInflateError);
      this.#inflate = inflate;
    }
    this.#inflateSink = sink;
    this.#inflateFin = fin;
    if (data.length > 0) inflate.write(data);
    if (fin) inflate.write(TRAILER);
    inflate.flush(this.#onInflateFlushed);
  }

  /**
   * Compresses one message (`fin`) or one piece of a streamed message. The result of a final
   * piece has its trailer removed. One call at a time: wait for the callback before the next.
   */
  compress(data: Buffer, fin: boolean, callback: CompressCallback): void {
    let deflate = this.#deflate;
    if (deflate === null) {
      deflate = zlib.createDeflateRaw({
        level: this.#options.level,
        memLevel: this.#options.memLevel,
        windowBits: Math.max(MIN_ZLIB_WINDOW_BITS, this.#ownWindowBits),
      });
      deflate.on('data', this.#onDeflateData);
      deflate.on('error', this.#onDeflateError);
      this.#deflate = deflate;
    }
    this.#deflateCallback = callback;
    this.#deflateFin = fin;
    // Written even when empty: a sync flush right after another one emits nothing, and an
    // empty final frame would then lack the 0x00 byte the receiver's trailer completes.
    deflate.write(data);
    deflate.flush(zlib.constants.Z_SYNC_FLUSH, this.#onDeflateFlushed);
  }

  /** Releases both zlib streams; pending operations never call back. */
  close(): void {
    this.#closed = true;
    this.#dropInflate();
    this.#dropDeflate();
  }

  readonly #onInflateData = (chunk: Buffer): void => {
    const sink = this.#inflateSink;
    if (sink === null) return;
    // Closing a zlib handle inside its own 'data' callback crashes the process (the handle
    // is written to again right after): close on the next tick; at most one more chunk is
    // inflated meanwhile, and nobody hears it.
    if (!sink.onInflated(chunk)) this.#dropInflate(true);
  };

  readonly #onInflateFlushed = (): void => {
    const sink = this.#inflateSink;
    if (sink === null) return;
    this.#inflateSink = null;
    if (this.#inflateFin && this.#peerNoContextTakeover) this.#inflate?.reset();
    sink.onInflateDone(null);
  };

  readonly #onInflateError = (error: Error): void => {
    const sink = this.#inflateSink;
    this.#dropInflate();
    if (sink === null || this.#closed) return;
    sink.onInflateDone(wsError(WebSocketErrorCode.INFLATE_FAILED, `cannot inflate message: ${error.message}`, { cause: error }));
  };

  /** Abandons the inflater mid-message (bomb, failure): nothing more is inflated or reported. */
  #dropInflate(deferClose = false): void {
    const inflate = this.#inflate;
    this.#inflateSink = null;
    if (inflate === null) return;
    this.#inflate = null;
    inflate.removeAllListeners('data');
    inflate.removeAllListeners('error');
    inflate.on('error', ignoreError);
    if (deferClose) process.nextTick(closeStream, inflate);
    else inflate.close();
  }

  readonly #onDeflateData = (chunk: Buffer): void => {
    this.#deflateChunks.push(chunk);
    this.#deflateLength += chunk.length;
  };

  readonly #onDeflateFlushed = (): void => {
    const callback = this.#deflateCallback;
    if (callback === null) return;
    this.#deflateCallback = null;
    const chunks = this.#deflateChunks;
    let data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.#deflateLength);
    this.#deflateChunks = [];
    this.#deflateLength = 0;
    if (this.#deflateFin) {
      if (endsWithTrailer(data)) data = data.subarray(0, data.length - TRAILER_LENGTH);
      if (data.length === 0) data = EMPTY_BLOCK_START;
      if (this.#ownNoContextTakeover) this.#deflate?.reset();
    }
    callback(null, data);
  };

  readonly #onDeflateError = (error: Error): void => {
    const callback = this.#deflateCallback;
    this.#dropDeflate();
    if (callback === null || this.#closed) return;
    callback(createDeflateError(error), Buffer.alloc(0));
  };

  #dropDeflate(): void {
    const deflate = this.#deflate;
    this.#deflateCallback = null;
    this.#deflateChunks = [];
    this.#deflateLength = 0;
    if (deflate === null) return;
    this.#deflate = null;
    deflate.removeAllListeners('data');
    deflate.removeAllListeners('error');
    deflate.on('error', ignoreError);
    deflate.close();
  }
}

function endsWithTrailer(data: Buffer): boolean {
  const start = data.length - TRAILER_LENGTH;
  if (start < 0) return false;
  for (let i = 0; i < TRAILER_LENGTH; i++) if (data[start + i] !== TRAILER[i]) return false;
  return true;
}

function createDeflateError(error: Error): WampkitError {
  // Our fault, not the peer's: the connection closes with "internal error".
  return wsError(WebSocketErrorCode.DEFLATE_FAILED, `cannot compress message: ${error.message}`, { cause: error });
}

function ignoreError(): void {}

function closeStream(stream: zlib.InflateRaw): void {
  stream.close();
}
