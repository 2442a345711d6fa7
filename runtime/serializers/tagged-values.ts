/**
 * Values that exist on the wire of one format and have no natural JavaScript form: a CBOR tag we
 * do not map (RFC 8949 section 3.4) and a MessagePack extension type. Decoders return these,
 * and the same format's encoder writes them back exactly, so a router or an application passes
 * them on unchanged. The other formats cannot carry them (their serialize() throws
 * SERIALIZER_UNREPRESENTABLE).
 */
import { SerializerErrorCode } from './error-codes.js';
import { createError } from '../errors.js';

const MAX_TAG = 2n ** 64n - 1n;
/** Decoders hand out integers up to 2^53 as numbers (beyond, as bigint). */
const MAX_EXACT = 2 ** 53;
/** MessagePack extension types are signed bytes; -128..-1 are reserved by the spec (-1: timestamp). */
const EXT_TYPE_MIN = -128;
const EXT_TYPE_MAX = 127;

/** A CBOR tag and its content: `new CborTag(32, 'https://example.com')` writes `d8 20 73 ...`. */
export class CborTag {
  /** The tag number: an integer in 0..2^64-1 (a bigint beyond 2^53). */
  readonly tag: number | bigint;
  /** The tagged content, any value the CBOR serializer can encode. */
  readonly value: unknown;

  constructor(tag: number | bigint, value: unknown) {
    const valid =
      typeof tag === 'number' ? Number.isInteger(tag) && tag >= 0 && tag <= MAX_EXACT : typeof tag === 'bigint' && tag >= 0n && tag <= MAX_TAG;
    if (!valid) throw createError(SerializerErrorCode.INVALID_ARGUMENT, `a CBOR tag number must be an integer in 0..2^64-1, got ${String(tag)}`);
    this.tag = tag;
    this.value = value;
  }
}

/** A MessagePack extension value: its type (-128..127) and its data bytes, written as they are. */
export class MsgpackExtension {
  readonly type: number;
  /** The data; a decoded extension's data may share memory with the received message. */
  readonly data: Uint8Array;

  constructor(type: number, data: Uint8Array) {
    if (!Number.isInteger(type) || type < EXT_TYPE_MIN || type > EXT_TYPE_MAX) {
      throw createError(SerializerErrorCode.INVALID_ARGUMENT, `a MessagePack extension type must be an integer in -128..127, got ${String(type)}`);
    }
    if (!(data instanceof Uint8Array)) throw createError(SerializerErrorCode.INVALID_ARGUMENT, 'MessagePack extension data must be a Uint8Array');
    this.type = type;
    this.data = data;
  }
}
