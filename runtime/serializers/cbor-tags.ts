/**
 * The CBOR tags we map to JavaScript values, both ways: dates (tags 0 and 1, RFC 8949 section
 * 3.4.1-2), bignums (2 and 3, section 3.4.3), RFC 8746 typed arrays (64-87) and sets (258, from
 * the IANA registry). Every other tag, and a known tag whose content is not what the tag
 * defines, stays a CborTag and is written back as it came.
 *
 * A decoded Date or typed array remembers the tag it arrived with (in a WeakMap, invisible to
 * the application), so re-encoding it for a CBOR peer writes the same tag again: a big-endian
 * Float32Array goes out big-endian, a tag-64 Uint8Array as tag 64 rather than as a byte string,
 * a tag-0 date as its original text as long as the Date still holds the same time.
 */

export const CborTagNumber = {
  DATE_TEXT: 0,
  DATE_EPOCH: 1,
  POS_BIGNUM: 2,
  NEG_BIGNUM: 3,
  /** RFC 8746 typed arrays: tag = 0b010_f_s_e_ll (float, signed, little-endian, log2 of the size). */
  UINT8_ARRAY: 64,
  SET: 258,
  SELF_DESCRIBE: 55799,
} as const;

type TypedArray =
  | Uint8Array
  | Uint8ClampedArray
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigUint64Array
  | BigInt64Array;

interface TypedArrayConstructor {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
}

export interface TypedArrayKind {
  readonly tag: number;
  readonly ctor: TypedArrayConstructor;
  readonly littleEndian: boolean;
}

const kind = (tag: number, ctor: TypedArrayConstructor, littleEndian: boolean): TypedArrayKind => ({ tag, ctor, littleEndian });

/**
 * RFC 8746 section 2.1. Not here, so kept as CborTag: 76 (reserved), float16 (80, 84) and
 * float128 (83, 87), which have no JavaScript typed array.
 */
const KINDS: readonly TypedArrayKind[] = [
  kind(64, Uint8Array, false),
  kind(65, Uint16Array, false),
  kind(66, Uint32Array, false),
  kind(67, BigUint64Array, false),
  kind(68, Uint8ClampedArray, true),
  kind(69, Uint16Array, true),
  kind(70, Uint32Array, true),
  kind(71, BigUint64Array, true),
  kind(72, Int8Array, false),
  kind(73, Int16Array, false),
  kind(74, Int32Array, false),
  kind(75, BigInt64Array, false),
  kind(77, Int16Array, true),
  kind(78, Int32Array, true),
  kind(79, BigInt64Array, true),
  kind(81, Float32Array, false),
  kind(82, Float64Array, false),
  kind(85, Float32Array, true),
  kind(86, Float64Array, true),
];

const BY_TAG = new Map<number, TypedArrayKind>(KINDS.map((k) => [k.tag, k]));
/**
 * What we write for a typed array that did not arrive by CBOR: the little-endian tag (what
 * x86 and ARM hold in memory, and what the npm `cbor` package writes there), whatever this
 * host's byte order. A plain Uint8Array is a byte string, WAMP's binary type, not tag 64.
 */
const DEFAULT_BY_CTOR = new Map<TypedArrayConstructor, TypedArrayKind>(
  KINDS.filter((k) => k.littleEndian || k.ctor.BYTES_PER_ELEMENT === 1).filter((k) => k.ctor !== Uint8Array).map((k) => [k.ctor, k]),
);

export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The tag a decoded typed array (or a tag-64 Uint8Array) arrived with. */
const arrivedWithTag = new WeakMap<object, TypedArrayKind>();

export function typedArrayKindOfTag(tag: number): TypedArrayKind | undefined {
  return BY_TAG.get(tag);
}

/**
 * The tag to write `view` with: the one it arrived with, else the default for its type;
 * undefined for a plain Uint8Array (a byte string) and for views no tag describes (DataView).
 */
export function typedArrayKindOf(view: ArrayBufferView): TypedArrayKind | undefined {
  const arrived = arrivedWithTag.get(view);
  if (arrived !== undefined && view.constructor === arrived.ctor) return arrived;
  return DEFAULT_BY_CTOR.get(view.constructor as TypedArrayConstructor);
}

/**
 * The typed array a tag's byte string holds, or undefined when the length is not a multiple of
 * the element size (the caller keeps such a tag as a CborTag). One-byte element types are views
 * of `bytes` (like byte strings); wider ones are aligned copies in host byte order.
 */
export function typedArrayFromBytes(k: TypedArrayKind, bytes: Uint8Array): TypedArray | undefined {
  const size = k.ctor.BYTES_PER_ELEMENT;
  let out: TypedArray;
  if (size === 1) {
    // A view of the right class (the input may be a Buffer, whose subarrays are Buffers).
    out = new k.ctor(bytes.buffer, bytes.byteOffset, bytes.length);
  } else {
    if (bytes.length % size !== 0) return undefined;
    // A copy on a fresh, aligned buffer (Buffer#slice would be a view of the shared pool).
    const copy = new Uint8Array(bytes);
    if (k.littleEndian !== HOST_LITTLE_ENDIAN) swapBytes(copy, size);
    out = new k.ctor(copy.buffer, 0, copy.length / size);
  }
  arrivedWithTag.set(out, k);
  return out;
}

/** The bytes of `view` in the tag's byte order, written into `out` at `at` (view.byteLength bytes). */
export function writeTypedArray(k: TypedArrayKind, view: ArrayBufferView, out: Uint8Array, at: number): void {
  out.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), at);
  const size = k.ctor.BYTES_PER_ELEMENT;
  if (size > 1 && k.littleEndian !== HOST_LITTLE_ENDIAN) swapBytes(out.subarray(at, at + view.byteLength), size);
}

function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) {
    for (let lo = i, hi = i + size - 1; lo < hi; lo++, hi--) {
      const t = bytes[lo] as number;
      bytes[lo] = bytes[hi] as number;
      bytes[hi] = t;
    }
  }
}

// --- dates -----------------------------------------------------------------------------------

/** RFC 3339 date-time (tag 0's content), as RFC 8949 section 3.4.1 requires. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
/** ECMAScript's time range: +-8.64e15 ms around the epoch. */
const MAX_TIME = 8.64e15;
const MS_PER_SECOND = 1000;

/** How a Date is written: its tag and either the encoded content bytes or a number of seconds. */
export interface DateForm {
  readonly tag: typeof CborTagNumber.DATE_TEXT | typeof CborTagNumber.DATE_EPOCH;
  /** The content exactly as it arrived (text, integer, float16/32/64), for an unchanged Date. */
  readonly raw?: Uint8Array;
  readonly seconds?: number;
}
const arrivedAsDate = new WeakMap<Date, { readonly form: DateForm; readonly time: number }>();

/**
 * A Date for tag 0 or 1 content, or undefined when the content is not a valid date of that
 * tag. `raw` is the content's encoding, remembered for writing an unchanged Date back.
 */
export function dateFromTag(tag: number, content: unknown, raw: Uint8Array): Date | undefined {
  let time: number;
  if (tag === CborTagNumber.DATE_TEXT) {
    if (typeof content !== 'string' || !RFC3339.test(content)) return undefined;
    time = Date.parse(content.toUpperCase());
  } else {
    // Seconds, possibly fractional; rounded to the nearest millisecond (a Date's resolution).
    if (typeof content !== 'number' || !Number.isFinite(content)) return undefined;
    time = Math.round(content * MS_PER_SECOND);
  }
  if (!(Math.abs(time) <= MAX_TIME)) return undefined;
  const date = new Date(time);
  arrivedAsDate.set(date, { form: { tag, raw } as DateForm, time });
  return date;
}

/**
 * How to write `date`: as it arrived (same tag, same content bytes) while it still holds the
 * time it arrived with; otherwise tag 1 with seconds, an integer when the time is whole
 * seconds, else the float whose thousandfold rounds to the exact millisecond. Undefined for an
 * invalid Date.
 */
export function dateForm(date: Date): DateForm | undefined {
  const time = date.getTime();
  if (Number.isNaN(time)) return undefined;
  const origin = arrivedAsDate.get(date);
  if (origin !== undefined && origin.time === time) return origin.form;
  return { tag: CborTagNumber.DATE_EPOCH, seconds: secondsOf(time) };
}

const scratch = new Float64Array(1);
const scratchBits = new BigInt64Array(scratch.buffer);

/**
 * time/1000 is within half a millisecond of `time` over the whole Date range, but the two
 * roundings (the division and the reader's multiplication) can land on the neighbouring
 * millisecond for times beyond about 2^47 ms; a neighbouring double then does.
 */
function secondsOf(time: number): number {
  const seconds = time / MS_PER_SECOND;
  if (Math.round(seconds * MS_PER_SECOND) === time) return seconds;
  for (const step of [1n, -1n, 2n, -2n]) {
    scratch[0] = seconds;
    scratchBits[0] = (scratchBits[0] as bigint) + step;
    const candidate = scratch[0] as number;
    if (Math.round(candidate * MS_PER_SECOND) === time) return candidate;
  }
  return seconds;
}

// --- bignums ---------------------------------------------------------------------------------

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** The unsigned big-endian integer in `bytes` (a bignum's content). */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let hex = '0x';
  for (let i = 0; i < bytes.length; i++) hex += HEX[bytes[i] as number] as string;
  return BigInt(hex);
}

/** The shortest big-endian bytes of a non-negative bigint (no leading zero bytes). */
export function bigIntToBytes(n: bigint): Uint8Array {
  let hex = n.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
