/**
 * MessagePack serialization (`wamp.2.msgpack`, RawSocket serializer 2) via @msgpack/msgpack.
 *
 * Binary values travel as `bin`, strings as `str` (MessagePack 5+, as the spec requires).
 * Integers within +-2^53 are exact numbers both ways; a bigint goes out as int64/uint64 and
 * 64-bit integers beyond +-2^53 come back as bigint (never rounded). `undefined` follows
 * JSON.stringify: a map member whose value is undefined is left out, undefined in a list is nil.
 * Extension types: only the "undefined" extension (type 0, one zero byte) that msgpackr and
 * notepack write is accepted, as undefined; any other ext (the timestamp too) is refused, and
 * nothing is encoded as an ext, so a Date is not silently turned into a timestamp. Unlike our
 * JSON and CBOR decoders, the library replaces invalid UTF-8 in strings instead of refusing it.
 */
import { Decoder, Encoder, type ExtData, type ExtensionCodecType } from '@msgpack/msgpack';
import { ProtocolErrorCode, protocolError } from '../wamp/protocol-error.js';
import { SerializerId, Subprotocol, type Serializer } from './types.js';

/** MessagePack format bytes and extension types we write or read ourselves. */
const Format = {
  UINT64: 0xcf,
  INT64: 0xd3,
} as const;
/** msgpackr's (and notepack's) extension for `undefined`, written as fixext1 `d4 00 00`. */
const EXT_UNDEFINED = { type: 0, data: 0 } as const;

/** Decoding state shared with the extension codec through the library's context argument. */
interface DecodeContext {
  sawUndefined: boolean;
}

const NO_EXTENSIONS: ExtensionCodecType<undefined> = {
  tryToEncode(): ExtData | null {
    return null;
  },
  decode(_data: Uint8Array, extType: number): unknown {
    throw new RangeError(`MessagePack extension type ${extType} is not used by WAMP`);
  },
};

const UNDEFINED_EXTENSION_ONLY: ExtensionCodecType<DecodeContext> = {
  tryToEncode(): ExtData | null {
    return null;
  },
  decode(data: Uint8Array, extType: number, context: DecodeContext): unknown {
    if (extType === EXT_UNDEFINED.type && data.length === 1 && data[0] === EXT_UNDEFINED.data) {
      context.sawUndefined = true;
      return undefined;
    }
    throw new RangeError(`MessagePack extension type ${extType} (${data.length} bytes) is not used by WAMP`);
  },
};

function stringKeysOnly(key: unknown): string {
  if (typeof key === 'string') return key;
  throw new TypeError(`map keys must be strings, got ${typeof key}`);
}

const MAX_ID = 2 ** 53;
const MAX_EXACT_BIG = 2n ** 53n;
const TWO_32 = 2 ** 32;
const UINT64_MAX = 2n ** 64n - 1n;
const INT64_MIN = -(2n ** 63n);
/** Highest 32 bits of 2^53: a 64-bit integer is exact as a number up to (HI_53 << 32). */
const HI_53 = 0x200000;
/** Same nesting limit as our CBOR codec (the library's default is 100). */
const MAX_DEPTH = 512;

interface EncoderInternals {
  doEncode(value: unknown, depth: number): void;
  encodeNumber(n: number): void;
  writeU8(b: number): void;
  writeU64(n: number): void;
  writeBigUint64(n: bigint): void;
  writeBigInt64(n: bigint): void;
}

interface DecoderInternals {
  readU32(): number;
  readI32(): number;
  readU64(): number | bigint;
  readI64(): number | bigint;
}

function hasMethods(target: object, names: readonly string[]): boolean {
  const record = target as Record<string, unknown>;
  return names.every((name) => typeof record[name] === 'function');
}

/**
 * @msgpack/msgpack writes integers only while they are "safe" (< 2^53), the largest WAMP ID,
 * 2^53 itself, as a float64 (which strict peers such as Autobahn|Python reject as an ID), and a
 * bigint only with `useBigInt64`, which also turns every number above 2^32 into a float64 and
 * wraps bigints beyond 64 bits silently. So we hook two internal methods instead: 2^53 goes out
 * as uint64, a bigint as uint64 (>= 0) or int64 (< 0) after a range check. If a future version
 * renames the internals the hooks are skipped; bigints then fail to encode (an error, not
 * corruption) and the serializer tests, which send 2^53 and bigints, fail loudly.
 */
function createEncoder(): Encoder {
  const encoder = new Encoder({ extensionCodec: NO_EXTENSIONS, ignoreUndefined: true, maxDepth: MAX_DEPTH });
  const internals = encoder as unknown as EncoderInternals;
  if (!hasMethods(encoder, ['doEncode', 'encodeNumber', 'writeU8', 'writeU64', 'writeBigUint64', 'writeBigInt64'])) return encoder;
  const encodeNumber = internals.encodeNumber.bind(encoder);
  const doEncode = internals.doEncode.bind(encoder);
  internals.encodeNumber = (n: number): void => {
    if (n === MAX_ID) {
      internals.writeU8(Format.UINT64);
      internals.writeU64(n);
    } else {
      encodeNumber(n);
    }
  };
  internals.doEncode = (value: unknown, depth: number): void => {
    if (typeof value !== 'bigint') return doEncode(value, depth);
    if (value > UINT64_MAX || value < INT64_MIN) throw new RangeError(`MessagePack integers are limited to 64 bits, got ${value}`);
    if (value >= 0n) {
      internals.writeU8(Format.UINT64);
      internals.writeBigUint64(value);
    } else {
      internals.writeU8(Format.INT64);
      internals.writeBigInt64(value);
    }
  };
  return encoder;
}

/**
 * The library reads a 64-bit integer either always as a number (rounding beyond 2^53) or, with
 * `useBigInt64`, always as a bigint (so every ID above 2^32 would arrive as one). Hook its
 * 64-bit reads to return a number within +-2^53 and a bigint beyond. Without the internals the
 * hook is skipped and the serializer tests for 2^53 + 1 fail.
 */
function createDecoder(context: DecodeContext): Decoder<DecodeContext> {
  const decoder = new Decoder<DecodeContext>({ extensionCodec: UNDEFINED_EXTENSION_ONLY, context, mapKeyConverter: stringKeysOnly });
  const internals = decoder as unknown as DecoderInternals;
  if (!hasMethods(decoder, ['readU32', 'readI32', 'readU64', 'readI64'])) return decoder;
  const readU32 = internals.readU32.bind(decoder);
  const readI32 = internals.readI32.bind(decoder);
  internals.readU64 = (): number | bigint => {
    const hi = readU32();
    const lo = readU32();
    if (hi < HI_53 || (hi === HI_53 && lo === 0)) return hi * TWO_32 + lo;
    return (BigInt(hi) << 32n) + BigInt(lo);
  };
  internals.readI64 = (): number | bigint => {
    const hi = readI32();
    const lo = readU32();
    if (hi >= -HI_53 && (hi < HI_53 || (hi === HI_53 && lo === 0))) return hi * TWO_32 + lo;
    return (BigInt(hi) << 32n) + BigInt(lo);
  };
  return decoder;
}

/**
 * Applies the JSON rule to what the undefined extension produced: map members whose value is
 * undefined are removed (list elements stay undefined). Only called for messages that held the
 * extension, so ordinary messages are not walked.
 */
function dropUndefinedMembers(value: unknown, depth: number): void {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return;
  if (depth > MAX_DEPTH) throw new RangeError(`nesting deeper than ${MAX_DEPTH}`);
  if (Array.isArray(value)) {
    for (const item of value) dropUndefinedMembers(item, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (record[key] === undefined) delete record[key];
    else dropUndefinedMembers(record[key], depth + 1);
  }
}

export class MsgpackSerializer implements Serializer {
  readonly name = 'msgpack';
  readonly id = SerializerId.MSGPACK;
  readonly subprotocol = Subprotocol.MSGPACK;
  readonly isBinary = true;
  // One encoder and decoder per serializer: they reuse their internal buffers between calls.
  readonly #encoder = createEncoder();
  readonly #context: DecodeContext = { sawUndefined: false };
  readonly #decoder = createDecoder(this.#context);
  // A getter inside a message may serialize another message while we encode. The library would
  // then encode with an unhooked clone of itself, so nested calls get their own hooked encoder.
  #encoding = false;

  serialize(message: unknown[]): Uint8Array {
    const nested = this.#encoding;
    this.#encoding = true;
    try {
      return (nested ? createEncoder() : this.#encoder).encode(message);
    } catch (err) {
      throw protocolError(ProtocolErrorCode.SERIALIZATION, `MessagePack cannot encode the message: ${reason(err)}`, { cause: err });
    } finally {
      this.#encoding = nested;
    }
  }

  deserialize(data: Uint8Array | string): unknown {
    if (typeof data === 'string') {
      throw protocolError(ProtocolErrorCode.SERIALIZATION, 'MessagePack messages must be binary, got text');
    }
    this.#context.sawUndefined = false;
    try {
      const value = this.#decoder.decode(data);
      if (this.#context.sawUndefined) dropUndefinedMembers(value, 0);
      return value;
    } catch (err) {
      throw protocolError(ProtocolErrorCode.SERIALIZATION, `invalid MessagePack message: ${reason(err)}`, { cause: err });
    }
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
