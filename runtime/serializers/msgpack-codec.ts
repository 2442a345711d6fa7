/**
 * @msgpack/msgpack's Encoder and Decoder, configured and hooked for WAMP (see ./msgpack.ts for
 * the rules they implement). The library offers no option for several of them, so a few of its
 * internal methods are wrapped. If a future version renames them the hooks are skipped and the
 * serializer tests (2^53, bigints, -0, invalid UTF-8, depth) fail loudly; nothing corrupts
 * silently.
 */
import {
  Decoder,
  EXT_TIMESTAMP,
  Encoder,
  ExtData,
  decodeTimestampToTimeSpec,
  encodeDateToTimeSpec,
  encodeTimeSpecToTimestamp,
  type ExtensionCodecType,
} from '@msgpack/msgpack';
import { tooDeep, unrepresentable } from './errors.js';
import { CborTag, MsgpackExtension } from './tagged-values.js';

/** MessagePack format bytes we write ourselves. */
const Format = {
  FLOAT64: 0xcb,
  UINT64: 0xcf,
  INT64: 0xd3,
} as const;
/** msgpackr's (and notepack's) extension for `undefined`, written as fixext1 `d4 00 00`. */
const EXT_UNDEFINED = { type: 0, data: 0 } as const;

const MAX_ID = 2 ** 53;
const TWO_32 = 2 ** 32;
const UINT64_MAX = 2n ** 64n - 1n;
const INT64_MIN = -(2n ** 63n);
/** Highest 32 bits of 2^53: a 64-bit integer is exact as a number up to (HI_53 << 32). */
const HI_53 = 0x200000;
const MS_PER_SECOND = 1000;
const NS_PER_MS = 1e6;
/** ECMAScript's time range: +-8.64e15 ms around the epoch. */
const MAX_TIME = 8.64e15;
/** Strings up to this many bytes are checked for ASCII in JS before the library decodes them. */
const ASCII_SCAN_MAX = 64;
const PROTO_KEY = '__proto__';

/** Decoding state shared with the extension codec and the hooks through the library's context. */
export interface DecodeContext {
  sawUndefined: boolean;
  /** A container was opened at exactly the depth limit: empty ones below it need a check. */
  reachedLimit: boolean;
}

// --- timestamps (extension -1) ----------------------------------------------------------------

/** The data a decoded Date arrived with, so an unchanged Date is written back byte for byte. */
const arrivedAsTimestamp = new WeakMap<Date, { readonly data: Uint8Array; readonly time: number }>();

function dateFromTimestamp(data: Uint8Array): Date | undefined {
  if (data.length !== 4 && data.length !== 8 && data.length !== 12) return undefined;
  const { sec, nsec } = decodeTimestampToTimeSpec(data);
  // A Date holds milliseconds: nanoseconds below that are dropped here (and kept in `data`).
  const time = sec * MS_PER_SECOND + Math.floor(nsec / NS_PER_MS);
  if (!(Math.abs(time) <= MAX_TIME) || nsec >= 1e9) return undefined;
  const date = new Date(time);
  arrivedAsTimestamp.set(date, { data: data.slice(), time });
  return date;
}

function timestampOf(date: Date): Uint8Array {
  const time = date.getTime();
  if (Number.isNaN(time)) throw unrepresentable(date, 'has no MessagePack form (its time is NaN)');
  const origin = arrivedAsTimestamp.get(date);
  if (origin !== undefined && origin.time === time) return origin.data;
  return encodeTimeSpecToTimestamp(encodeDateToTimeSpec(date));
}

const EXTENSIONS: ExtensionCodecType<DecodeContext> = {
  // Called for every object the encoder meets, lists included: as little as possible.
  tryToEncode(object: unknown): ExtData | null {
    if (Array.isArray(object)) return null;
    if (object instanceof MsgpackExtension) return new ExtData(object.type, object.data);
    if (object instanceof Date) return new ExtData(EXT_TIMESTAMP, timestampOf(object));
    return null;
  },
  decode(data: Uint8Array, extType: number, context: DecodeContext): unknown {
    if (extType === EXT_UNDEFINED.type && data.length === 1 && data[0] === EXT_UNDEFINED.data) {
      context.sawUndefined = true;
      return undefined;
    }
    if (extType === EXT_TIMESTAMP) {
      const date = dateFromTimestamp(data);
      if (date !== undefined) return date;
    }
    return new MsgpackExtension(extType, data);
  },
};

function stringKeysOnly(key: unknown): string {
  if (typeof key === 'string') return key;
  throw new TypeError(`map keys must be strings, got ${typeof key}`);
}

// --- the encoder --------------------------------------------------------------------------------

interface EncoderInternals {
  doEncode(value: unknown, depth: number): void;
  encodeNumber(n: number): void;
  writeU8(b: number): void;
  writeU64(n: number): void;
  writeF64(n: number): void;
  writeBigUint64(n: bigint): void;
  writeBigInt64(n: bigint): void;
}

interface DecoderInternals {
  bytes: Uint8Array;
  pos: number;
  stack: { readonly length: number };
  readU32(): number;
  readI32(): number;
  readU64(): number | bigint;
  readI64(): number | bigint;
  pushArrayState(size: number): void;
  pushMapState(size: number): void;
  decodeUtf8String(byteLength: number, headerOffset: number): string;
}

function hasMethods(target: object, names: readonly string[]): boolean {
  const record = target as Record<string, unknown>;
  return names.every((name) => typeof record[name] === 'function');
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Lists, dicts, Maps and Sets count as nesting levels; bytes, Dates and extensions do not. */
function isContainer(value: object): boolean {
  return Array.isArray(value) || value instanceof Map || value instanceof Set || value instanceof CborTag || !(ArrayBuffer.isView(value) || value instanceof Date || value instanceof MsgpackExtension);
}

/**
 * What the library would write wrongly or silently lossy, refused or rewritten before it sees
 * it: a Map (as a dict when its keys are strings), a Set, typed arrays other than Uint8Array
 * (the library writes their raw bytes as `bin`), ArrayBuffer and DataView, CBOR tags.
 */
function checkObject(value: object): object {
  if (value instanceof Map) {
    const dict: Record<string, unknown> = {};
    for (const [key, member] of value) {
      if (typeof key !== 'string') throw unrepresentable(value, 'with a non-string key has no MessagePack form our peers read (WAMP dicts have string keys)');
      if (key === PROTO_KEY) throw unrepresentable(value, `with the key "${PROTO_KEY}" has no MessagePack form our peers accept`);
      Object.defineProperty(dict, key, { value: member, enumerable: true, writable: true, configurable: true });
    }
    return dict;
  }
  if (value instanceof Uint8Array || value instanceof Date || value instanceof MsgpackExtension) return value;
  if (value instanceof Set) throw unrepresentable(value, 'has no MessagePack form (send a list)');
  if (value instanceof CborTag) throw unrepresentable(value, 'is CBOR-only; MessagePack has no form for it');
  if (ArrayBuffer.isView(value)) throw unrepresentable(value, 'has no MessagePack form (send a list of numbers, or a Uint8Array of its bytes)');
  if (value instanceof ArrayBuffer) throw unrepresentable(value, 'has no MessagePack form (send a Uint8Array)');
  return value;
}

/**
 * @msgpack/msgpack writes integers only while they are "safe" (< 2^53), the largest WAMP ID,
 * 2^53 itself, as a float64 (which strict peers such as Autobahn|Python reject as an ID), -0 as
 * the integer 0, a bigint only with `useBigInt64` (which also turns every number above 2^32 into
 * a float64 and wraps bigints beyond 64 bits silently), and a Map, Set or Float32Array as
 * something else. So `doEncode` and `encodeNumber` are wrapped.
 */
export function createEncoder(maxDepth: number): Encoder<DecodeContext> {
  // One more level than ours for the library: its depth counts scalars too. (The context is
  // the codec's type parameter; encoding does not use it.)
  const context: DecodeContext = { sawUndefined: false, reachedLimit: false };
  const encoder = new Encoder<DecodeContext>({ extensionCodec: EXTENSIONS, context, ignoreUndefined: true, maxDepth: maxDepth + 1 });
  const internals = encoder as unknown as EncoderInternals;
  if (!hasMethods(encoder, ['doEncode', 'encodeNumber', 'writeU8', 'writeU64', 'writeF64', 'writeBigUint64', 'writeBigInt64'])) return encoder;
  const encodeNumber = internals.encodeNumber.bind(encoder);
  const doEncode = internals.doEncode.bind(encoder);
  internals.encodeNumber = (n: number): void => {
    if (n === MAX_ID) {
      internals.writeU8(Format.UINT64);
      internals.writeU64(n);
    } else if (n === 0 && 1 / n < 0) {
      internals.writeU8(Format.FLOAT64);
      internals.writeF64(n);
    } else {
      encodeNumber(n);
    }
  };
  internals.doEncode = (value: unknown, depth: number): void => {
    switch (typeof value) {
      case 'object':
        if (value === null || Array.isArray(value)) break;
        if (!isPlainObject(value)) value = checkObject(value);
        // MessagePack decoders (ours, @msgpack/msgpack) refuse this key: the receiver would abort.
        else if (Object.hasOwn(value, PROTO_KEY)) throw unrepresentable(value, `with the key "${PROTO_KEY}" has no MessagePack form our peers accept`);
        break;
      case 'bigint':
        if (value > UINT64_MAX || value < INT64_MIN) throw unrepresentable(value, 'is beyond the 64-bit integers of MessagePack');
        if (value >= 0n) {
          internals.writeU8(Format.UINT64);
          internals.writeBigUint64(value);
        } else {
          internals.writeU8(Format.INT64);
          internals.writeBigInt64(value);
        }
        return;
      case 'function':
      case 'symbol':
        throw unrepresentable(value, 'has no MessagePack form');
      default:
        break;
    }
    if (depth > maxDepth && typeof value === 'object' && value !== null && isContainer(value)) throw tooDeep(value, maxDepth);
    doEncode(value, depth);
  };
  return encoder;
}

// --- the decoder --------------------------------------------------------------------------------

/**
 * The library reads a 64-bit integer either always as a number (rounding beyond 2^53) or, with
 * `useBigInt64`, always as a bigint (so every ID above 2^32 would arrive as one); it has no
 * nesting limit; and it replaces invalid UTF-8 in strings with U+FFFD. Hooked: 64-bit reads
 * return a number within +-2^53 and a bigint beyond; opening a list or map beyond `maxDepth`
 * throws; strings that are not ASCII are decoded by a fatal TextDecoder.
 */
export function createDecoder(context: DecodeContext, maxDepth: number, onTooDeep: () => Error): Decoder<DecodeContext> {
  const decoder = new Decoder<DecodeContext>({ extensionCodec: EXTENSIONS, context, mapKeyConverter: stringKeysOnly });
  const internals = decoder as unknown as DecoderInternals;
  const methods = ['readU32', 'readI32', 'readU64', 'readI64', 'pushArrayState', 'pushMapState', 'decodeUtf8String'];
  if (!hasMethods(decoder, methods)) return decoder;
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
  const depthChecked = (push: (size: number) => void) => (size: number): void => {
    // The new container's level: the open ones plus itself (the message array is level 1).
    const depth = internals.stack.length + 1;
    if (depth > maxDepth) throw onTooDeep();
    if (depth === maxDepth) context.reachedLimit = true;
    push(size);
  };
  internals.pushArrayState = depthChecked(internals.pushArrayState.bind(decoder));
  internals.pushMapState = depthChecked(internals.pushMapState.bind(decoder));
  const decodeUtf8String = internals.decodeUtf8String.bind(decoder);
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  internals.decodeUtf8String = (byteLength: number, headerOffset: number): string => {
    const bytes = internals.bytes;
    const start = internals.pos + headerOffset;
    const end = start + byteLength;
    // Out of data: the library reports it; ASCII: the library decodes it (and caches keys).
    if (end > bytes.length) return decodeUtf8String(byteLength, headerOffset);
    if (byteLength <= ASCII_SCAN_MAX) {
      let i = start;
      while (i < end && (bytes[i] as number) < 0x80) i++;
      if (i === end) return decodeUtf8String(byteLength, headerOffset);
    }
    let text: string;
    try {
      text = strict.decode(bytes.subarray(start, end));
    } catch {
      throw new TypeError(`a string of ${byteLength} bytes is not valid UTF-8`);
    }
    internals.pos = end;
    return text;
  };
  return decoder;
}

/**
 * Applies the JSON rule to what the undefined extension produced (map members whose value is
 * undefined are removed; list elements stay undefined) and finds empty containers nested past
 * the limit (the library opens no state for them, so the push hook cannot see them). Only
 * called for the rare messages that need it.
 */
export function afterDecode(value: unknown, context: DecodeContext, maxDepth: number, onTooDeep: () => Error): void {
  const walk = (v: unknown, depth: number): void => {
    if (typeof v !== 'object' || v === null || !isContainer(v)) return;
    if (depth > maxDepth) throw onTooDeep();
    if (Array.isArray(v)) {
      for (const item of v) walk(item, depth + 1);
      return;
    }
    const record = v as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (record[key] === undefined && context.sawUndefined) delete record[key];
      else walk(record[key], depth + 1);
    }
  };
  walk(value, 1);
}
