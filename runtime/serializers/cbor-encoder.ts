/**
 * A CBOR encoder (RFC 8949) for WAMP values: everything our decoder produces goes back out as
 * it came in (./cbor-tags.ts for dates, bignums, typed arrays and sets; CborTag for any other
 * tag; Map for maps with non-text keys). Integers use the shortest head ("preferred
 * serialization"), which is what Autobahn|Python (cbor2) writes, so our bytes match the spec's
 * test vectors; a bigint that fits 64 bits is a plain integer (major type 0/1), a larger one a
 * bignum (tag 2/3, no leading zero bytes). Floats are float64, except NaN, +-Infinity and -0,
 * which are float16 (f97e00, f97c00, f9fc00, f98000) as cbor2 and the npm `cbor` package write
 * them. undefined is f7 in a list; a dict member whose value is undefined is left out, as
 * JSON.stringify does, so an optional field left undefined arrives as absent.
 *
 * Why not cbor-x's encoder: it writes every integer beyond 32 bits as a float64
 * (5512315355 -> fb 41f488f41db00000). WAMP IDs are random integers up to 2^53, so almost every
 * session and publication ID would reach strict peers as a float, which they must reject.
 */
import { DEFAULT_MAX_DEPTH, tooDeep, unrepresentable } from './errors.js';
import { CborTagNumber, bigIntToBytes, dateForm, typedArrayKindOf, writeTypedArray } from './cbor-tags.js';
import { CborTag, MsgpackExtension } from './tagged-values.js';

const MAJOR_UINT = 0x00;
const MAJOR_NINT = 0x20;
const MAJOR_BYTES = 0x40;
const MAJOR_TEXT = 0x60;
const MAJOR_ARRAY = 0x80;
const MAJOR_MAP = 0xa0;
const MAJOR_TAG = 0xc0;
const SIMPLE_FALSE = 0xf4;
const SIMPLE_TRUE = 0xf5;
const SIMPLE_NULL = 0xf6;
const SIMPLE_UNDEFINED = 0xf7;
const FLOAT16 = 0xf9;
const FLOAT64 = 0xfb;
/** float16 bit patterns of the values every CBOR library writes in half precision. */
const Half = {
  NAN: 0x7e00,
  POS_INFINITY: 0x7c00,
  NEG_INFINITY: 0xfc00,
  NEG_ZERO: 0x8000,
} as const;
const AI_U8 = 24;
const AI_U16 = 25;
const AI_U32 = 26;
const AI_U64 = 27;

const TWO_32 = 2 ** 32;
const TWO_32_BIG = 2n ** 32n;
const TWO_64_BIG = 2n ** 64n;
const MAX_EXACT = 2 ** 53;
const INITIAL_SIZE = 8192;
/** Buffers grown beyond this for one huge message are dropped afterwards, not kept forever. */
const KEEP_SIZE = 1 << 20;

export class CborEncoder {
  readonly #maxDepth: number;
  #buf = new Uint8Array(INITIAL_SIZE);
  #view = new DataView(this.#buf.buffer);
  #pos = 0;
  readonly #utf8 = new TextEncoder();

  constructor(maxDepth: number = DEFAULT_MAX_DEPTH) {
    this.#maxDepth = maxDepth;
  }

  /** Encodes `value`; returns a fresh Uint8Array. Throws a SerializerFault for what CBOR cannot carry. */
  encode(value: unknown): Uint8Array {
    this.#pos = 0;
    try {
      this.#value(value, 1);
      return this.#buf.slice(0, this.#pos);
    } finally {
      if (this.#buf.length > KEEP_SIZE) this.#reset(INITIAL_SIZE);
    }
  }

  #reset(size: number): void {
    this.#buf = new Uint8Array(size);
    this.#view = new DataView(this.#buf.buffer);
  }

  #ensure(extra: number): void {
    const need = this.#pos + extra;
    if (need <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const old = this.#buf;
    this.#reset(size);
    this.#buf.set(old.subarray(0, this.#pos));
  }

  #byte(b: number): void {
    this.#ensure(1);
    this.#buf[this.#pos++] = b;
  }

  /** Writes a major type with its argument in the shortest form. `n` is a non-negative integer <= 2^53. */
  #head(major: number, n: number): void {
    this.#ensure(9);
    const b = this.#buf;
    if (n < AI_U8) {
      b[this.#pos++] = major | n;
    } else if (n < 0x100) {
      b[this.#pos++] = major | AI_U8;
      b[this.#pos++] = n;
    } else if (n < 0x10000) {
      b[this.#pos++] = major | AI_U16;
      this.#view.setUint16(this.#pos, n);
      this.#pos += 2;
    } else if (n < TWO_32) {
      b[this.#pos++] = major | AI_U32;
      this.#view.setUint32(this.#pos, n);
      this.#pos += 4;
    } else {
      b[this.#pos++] = major | AI_U64;
      this.#view.setUint32(this.#pos, Math.floor(n / TWO_32));
      this.#view.setUint32(this.#pos + 4, n % TWO_32);
      this.#pos += 8;
    }
  }

  /** #head for an argument given as a bigint in 0..2^64-1. */
  #headBig(major: number, n: bigint): void {
    if (n < TWO_32_BIG) return this.#head(major, Number(n));
    this.#ensure(9);
    this.#buf[this.#pos++] = major | AI_U64;
    this.#view.setBigUint64(this.#pos, n);
    this.#pos += 8;
  }

  /** `depth` is the level `v` has if it is a container (the message array is level 1). */
  #value(v: unknown, depth: number): void {
    switch (typeof v) {
      case 'number':
        return this.#number(v);
      case 'string':
        return this.#string(v);
      case 'boolean':
        return this.#byte(v ? SIMPLE_TRUE : SIMPLE_FALSE);
      case 'bigint':
        return this.#bigint(v);
      case 'undefined':
        // Only reached inside lists and at the top: dict members that are undefined are left out.
        return this.#byte(SIMPLE_UNDEFINED);
      case 'object':
        return this.#object(v, depth);
      default:
        throw unrepresentable(v, 'has no CBOR form');
    }
  }

  #number(v: number): void {
    // Integers within +-2^53 are exact and go out as CBOR integers. Larger numbers are doubles
    // that merely look integral; they stay floats so they come back as the same number.
    if (Number.isInteger(v) && v >= -MAX_EXACT && v <= MAX_EXACT && !(v === 0 && 1 / v < 0)) {
      if (v >= 0) this.#head(MAJOR_UINT, v);
      else this.#head(MAJOR_NINT, -1 - v);
      return;
    }
    const half = Number.isNaN(v) ? Half.NAN : v === Infinity ? Half.POS_INFINITY : v === -Infinity ? Half.NEG_INFINITY : v === 0 ? Half.NEG_ZERO : -1;
    this.#ensure(9);
    if (half >= 0) {
      this.#buf[this.#pos++] = FLOAT16;
      this.#view.setUint16(this.#pos, half);
      this.#pos += 2;
      return;
    }
    this.#buf[this.#pos++] = FLOAT64;
    this.#view.setFloat64(this.#pos, v);
    this.#pos += 8;
  }

  #bigint(v: bigint): void {
    const neg = v < 0n;
    const n = neg ? -1n - v : v;
    if (n < TWO_64_BIG) return this.#headBig(neg ? MAJOR_NINT : MAJOR_UINT, n);
    this.#head(MAJOR_TAG, neg ? CborTagNumber.NEG_BIGNUM : CborTagNumber.POS_BIGNUM);
    this.#bytes(bigIntToBytes(n));
  }

  #bytes(v: Uint8Array): void {
    this.#head(MAJOR_BYTES, v.length);
    this.#ensure(v.length);
    this.#buf.set(v, this.#pos);
    this.#pos += v.length;
  }

  #string(s: string): void {
    const len = s.length;
    if (len < 64) {
      // Short strings: write ASCII by hand (most keys and URIs), else fall through.
      this.#ensure(len + 2);
      const b = this.#buf;
      const start = this.#pos + (len < AI_U8 ? 1 : 2);
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[start + i] = c;
      }
      if (i === len) {
        if (len < AI_U8) {
          b[this.#pos] = MAJOR_TEXT | len;
        } else {
          b[this.#pos] = MAJOR_TEXT | AI_U8;
          b[this.#pos + 1] = len;
        }
        this.#pos = start + len;
        return;
      }
    }
    // Reserve the header for the worst case (3 bytes per UTF-16 unit), then shift the text left
    // if the actual length needs a shorter header.
    const max = len * 3;
    const headLen = max < AI_U8 ? 1 : max < 0x100 ? 2 : max < 0x10000 ? 3 : 5;
    // Room for the largest header too, so #head below never reallocates under the text.
    this.#ensure(9 + max);
    const at = this.#pos + headLen;
    const { written } = this.#utf8.encodeInto(s, this.#buf.subarray(at));
    this.#head(MAJOR_TEXT, written);
    if (this.#pos !== at) this.#buf.copyWithin(this.#pos, at, at + written);
    this.#pos += written;
  }

  #object(v: object | null, depth: number): void {
    if (v === null) return this.#byte(SIMPLE_NULL);
    if (Array.isArray(v)) {
      if (depth > this.#maxDepth) throw tooDeep(v, this.#maxDepth);
      this.#head(MAJOR_ARRAY, v.length);
      for (let i = 0; i < v.length; i++) this.#value(v[i], depth + 1);
      return;
    }
    if (v instanceof Uint8Array && v.constructor !== Uint8Array) return this.#bytes(v); // Buffer
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto === Object.prototype || proto === null) return this.#dict(v as Record<string, unknown>, depth);
    if (ArrayBuffer.isView(v)) return this.#arrayView(v);
    if (v instanceof Date) return this.#date(v);
    if (v instanceof Map) return this.#map(v, depth);
    if (v instanceof Set) return this.#set(v, depth);
    if (v instanceof CborTag) {
      if (depth > this.#maxDepth) throw tooDeep(v, this.#maxDepth);
      if (typeof v.tag === 'bigint') this.#headBig(MAJOR_TAG, v.tag);
      else this.#head(MAJOR_TAG, v.tag);
      return this.#value(v.value, depth + 1);
    }
    if (v instanceof MsgpackExtension) throw unrepresentable(v, 'is MessagePack-only; CBOR has no form for it');
    if (v instanceof ArrayBuffer) throw unrepresentable(v, 'has no CBOR form (send a Uint8Array)');
    // Any other object: its own enumerable properties, as JSON.stringify would write it.
    return this.#dict(v as Record<string, unknown>, depth);
  }

  #dict(obj: Record<string, unknown>, depth: number): void {
    if (depth > this.#maxDepth) throw tooDeep(obj, this.#maxDepth);
    // As JSON.stringify does, a member whose value is undefined is left out: an optional field
    // left undefined must arrive as absent, not as null (which typed receivers reject).
    const keys = Object.keys(obj);
    let size = keys.length;
    for (let i = 0; i < keys.length; i++) if (obj[keys[i] as string] === undefined) size--;
    this.#head(MAJOR_MAP, size);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const member = obj[key];
      if (member === undefined) continue;
      this.#string(key);
      this.#value(member, depth + 1);
    }
  }

  #map(map: Map<unknown, unknown>, depth: number): void {
    if (depth > this.#maxDepth) throw tooDeep(map, this.#maxDepth);
    let size = 0;
    for (const value of map.values()) if (value !== undefined) size++;
    this.#head(MAJOR_MAP, size);
    for (const [key, value] of map) {
      if (value === undefined) continue;
      this.#value(key, depth + 1);
      this.#value(value, depth + 1);
    }
  }

  #set(set: Set<unknown>, depth: number): void {
    if (depth > this.#maxDepth) throw tooDeep(set, this.#maxDepth);
    this.#head(MAJOR_TAG, CborTagNumber.SET);
    this.#head(MAJOR_ARRAY, set.size);
    for (const item of set) this.#value(item, depth + 1);
  }

  #date(date: Date): void {
    const form = dateForm(date);
    if (form === undefined) throw unrepresentable(date, 'has no CBOR form (its time is NaN)');
    this.#head(MAJOR_TAG, form.tag);
    if (form.raw === undefined) return this.#number(form.seconds as number);
    this.#ensure(form.raw.length);
    this.#buf.set(form.raw, this.#pos);
    this.#pos += form.raw.length;
  }

  /** A typed array (RFC 8746) or a plain Uint8Array (a byte string, unless it arrived as tag 64). */
  #arrayView(view: ArrayBufferView): void {
    const kind = typedArrayKindOf(view);
    if (kind === undefined) {
      if (view instanceof Uint8Array) return this.#bytes(view);
      throw unrepresentable(view, 'has no CBOR form (RFC 8746 tags cover typed arrays only)');
    }
    this.#head(MAJOR_TAG, kind.tag);
    this.#head(MAJOR_BYTES, view.byteLength);
    this.#ensure(view.byteLength);
    writeTypedArray(kind, view, this.#buf, this.#pos);
    this.#pos += view.byteLength;
  }
}
