/**
 * A CBOR encoder (RFC 8949) for WAMP values: integers, floats, strings, byte strings, lists,
 * dicts, booleans and null. A bigint is written as a 64-bit integer (major type 0 or 1, refused
 * beyond 64 bits); undefined follows JSON.stringify (dict member left out, null in a list). Output uses the shortest header for every length and integer
 * ("preferred serialization"), which is what Autobahn|Python (cbor2) writes, so our bytes match
 * the spec's test vectors.
 *
 * Why not cbor-x's encoder: it writes every integer beyond 32 bits as a float64
 * (5512315355 -> fb 41f488f41db00000). WAMP IDs are random integers up to 2^53, so almost every
 * session and publication ID would reach strict peers as a float, which they must reject.
 */

const MAJOR_UINT = 0x00;
const MAJOR_NINT = 0x20;
const MAJOR_BYTES = 0x40;
const MAJOR_TEXT = 0x60;
const MAJOR_ARRAY = 0x80;
const MAJOR_MAP = 0xa0;
const SIMPLE_FALSE = 0xf4;
const SIMPLE_TRUE = 0xf5;
const SIMPLE_NULL = 0xf6;
const FLOAT64 = 0xfb;
const AI_U8 = 24;
const AI_U16 = 25;
const AI_U32 = 26;
const AI_U64 = 27;

const TWO_32 = 2 ** 32;
const MAX_EXACT = 2 ** 53;
const MAX_DEPTH = 512;
const INITIAL_SIZE = 8192;
/** Buffers grown beyond this for one huge message are dropped afterwards, not kept forever. */
const KEEP_SIZE = 1 << 20;

export class CborEncoder {
  #buf = new Uint8Array(INITIAL_SIZE);
  #view = new DataView(this.#buf.buffer);
  #pos = 0;
  readonly #utf8 = new TextEncoder();

  /** Encodes `value`; returns a fresh Uint8Array. Throws TypeError/RangeError for unencodable values. */
  encode(value: unknown): Uint8Array {
    this.#pos = 0;
    try {
      this.#value(value, 0);
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

  /** Writes a major type with its argument in the shortest form. `n` is a non-negative integer < 2^64. */
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

  #value(v: unknown, depth: number): void {
    switch (typeof v) {
      case 'number':
        return this.#number(v);
      case 'string':
        return this.#string(v);
      case 'boolean':
        this.#ensure(1);
        this.#buf[this.#pos++] = v ? SIMPLE_TRUE : SIMPLE_FALSE;
        return;
      case 'bigint':
        return this.#bigint(v);
      case 'undefined':
        // Only reached inside lists (dict members that are undefined are left out): null, as
        // JSON.stringify writes it, rather than CBOR's own undefined, which peers may not map.
        this.#ensure(1);
        this.#buf[this.#pos++] = SIMPLE_NULL;
        return;
      case 'object':
        return this.#object(v, depth);
      default:
        throw new TypeError(`CBOR cannot encode a ${typeof v}`);
    }
  }

  #number(v: number): void {
    // Integers within +-2^53 are exact and go out as CBOR integers. Larger numbers are doubles
    // that merely look integral; they stay floats so they come back as the same number.
    if (Number.isInteger(v) && v >= -MAX_EXACT && v <= MAX_EXACT) {
      if (v >= 0) this.#head(MAJOR_UINT, v);
      else this.#head(MAJOR_NINT, -1 - v);
      return;
    }
    this.#ensure(9);
    this.#buf[this.#pos++] = FLOAT64;
    this.#view.setFloat64(this.#pos, v);
    this.#pos += 8;
  }

  #bigint(v: bigint): void {
    const neg = v < 0n;
    const n = neg ? -1n - v : v;
    if (n >= 1n << 64n) throw new RangeError('CBOR integers are limited to 64 bits');
    this.#ensure(9);
    this.#buf[this.#pos++] = (neg ? MAJOR_NINT : MAJOR_UINT) | AI_U64;
    this.#view.setBigUint64(this.#pos, n);
    this.#pos += 8;
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
    if (v === null) {
      this.#ensure(1);
      this.#buf[this.#pos++] = SIMPLE_NULL;
      return;
    }
    if (depth >= MAX_DEPTH) throw new RangeError(`CBOR nesting deeper than ${MAX_DEPTH}`);
    if (v instanceof Uint8Array) {
      this.#head(MAJOR_BYTES, v.length);
      this.#ensure(v.length);
      this.#buf.set(v, this.#pos);
      this.#pos += v.length;
      return;
    }
    if (Array.isArray(v)) {
      this.#head(MAJOR_ARRAY, v.length);
      for (let i = 0; i < v.length; i++) this.#value(v[i], depth + 1);
      return;
    }
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Map || v instanceof Set) {
      throw new TypeError(`CBOR cannot encode a ${v.constructor.name} (use Uint8Array, lists and dicts)`);
    }
    // As JSON.stringify does, a member whose value is undefined is left out: an optional field
    // left undefined must arrive as absent, not as null (which typed receivers reject).
    const obj = v as Record<string, unknown>;
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
}
