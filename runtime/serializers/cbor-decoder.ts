/**
 * A CBOR decoder (RFC 8949) for WAMP messages. It accepts every well-formed encoding (any
 * integer width, definite or indefinite lengths, float16/32/64) and keeps every value a peer can
 * send: integers of any size (bigint beyond +-2^53, number within, whatever the wire form),
 * undefined, -0, NaN, every tag (./cbor-tags.ts maps dates, bignums, typed arrays and sets;
 * any other tag becomes a CborTag), and maps with non-text keys (as a Map; maps whose keys are
 * all text are plain objects). Refused: malformed input, text that is not UTF-8, simple values
 * other than false/true/null/undefined, duplicate keys, trailing bytes and nesting beyond
 * `maxDepth`.
 *
 * A map member whose value is undefined (simple value 23, as cbor-x and the npm `cbor` package
 * write an undefined property) is left out, the rule our encoders and JSON apply; undefined in
 * an array stays undefined.
 */
import { DEFAULT_MAX_DEPTH } from './errors.js';
import { CborTagNumber, bytesToBigInt, dateFromTag, typedArrayFromBytes, typedArrayKindOfTag } from './cbor-tags.js';
import { CborTag } from './tagged-values.js';

/** CBOR major types (RFC 8949 section 3.1). */
const Major = {
  UINT: 0,
  NINT: 1,
  BYTES: 2,
  TEXT: 3,
  ARRAY: 4,
  MAP: 5,
  TAG: 6,
  SIMPLE: 7,
} as const;
const BREAK = 0xff;
const TWO_32 = 2 ** 32;
const MAX_EXACT = 2 ** 53;
const MAX_EXACT_BIG = 2n ** 53n;
const SIMPLE_FALSE = 20;
const SIMPLE_TRUE = 21;
const SIMPLE_NULL = 22;
const SIMPLE_UNDEFINED = 23;
const AI_U8 = 24;
const AI_U16 = 25;
const AI_U32 = 26;
const AI_U64 = 27;
const AI_INDEFINITE = 31;
const SHORT_TEXT = 32;

/** Thrown for malformed or unsupported CBOR; the serializer turns it into a ProtocolError. */
export class CborDecodeError extends Error {
  override readonly name = 'CborDecodeError';
}

/** Thrown for nesting beyond the limit; the serializer turns it into SERIALIZER_TOO_DEEP. */
export class CborDepthError extends Error {
  override readonly name = 'CborDepthError';
}

const EMPTY = new Uint8Array(0);

export class CborDecoder {
  readonly #maxDepth: number;
  #buf: Uint8Array = EMPTY;
  #pos = 0;
  // Floats are copied through this scratch view: a DataView per message costs more than the copy.
  readonly #scratch = new Uint8Array(8);
  readonly #scratchView = new DataView(this.#scratch.buffer);
  readonly #utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  constructor(maxDepth: number = DEFAULT_MAX_DEPTH) {
    this.#maxDepth = maxDepth;
  }

  decode(bytes: Uint8Array): unknown {
    this.#buf = bytes;
    this.#pos = 0;
    try {
      const value = this.#item(1);
      if (this.#pos !== bytes.length) throw new CborDecodeError(`${bytes.length - this.#pos} trailing bytes after the message`);
      return value;
    } finally {
      // Do not keep the caller's buffer alive between messages.
      this.#buf = EMPTY;
    }
  }

  /** Big-endian unsigned integer of `n` (1, 2 or 4) octets at the read position. */
  #uint(n: number): number {
    this.#need(n);
    const b = this.#buf;
    const p = this.#pos;
    this.#pos += n;
    if (n === 1) return b[p] as number;
    if (n === 2) return ((b[p] as number) << 8) | (b[p + 1] as number);
    return (b[p] as number) * 0x1000000 + (((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number));
  }

  /** Copies `n` octets into the scratch view for float reads. */
  #float(n: 2 | 4 | 8): DataView {
    this.#need(n);
    this.#scratch.set(this.#buf.subarray(this.#pos, this.#pos + n));
    this.#pos += n;
    return this.#scratchView;
  }

  #need(n: number): void {
    if (this.#pos + n > this.#buf.length) throw new CborDecodeError('unexpected end of CBOR data');
  }

  /** Reads the argument of a head with additional info `ai` (not 28..31). */
  #argument(ai: number): number | bigint {
    if (ai < AI_U8) return ai;
    switch (ai) {
      case AI_U8:
        return this.#uint(1);
      case AI_U16:
        return this.#uint(2);
      case AI_U32:
        return this.#uint(4);
      case AI_U64: {
        this.#need(8);
        const hi = this.#uint(4);
        const lo = this.#uint(4);
        // Exact as a number up to 2^53; beyond that keep every bit as a bigint.
        if (hi < 0x200000 || (hi === 0x200000 && lo === 0)) return hi * TWO_32 + lo;
        return (BigInt(hi) << 32n) | BigInt(lo);
      }
      default:
        throw new CborDecodeError(`reserved additional information ${ai}`);
    }
  }

  /** A length or count: must fit the remaining input (each item takes at least `perItem` bytes). */
  #length(ai: number, perItem: number): number {
    const n = this.#argument(ai);
    if (typeof n === 'bigint' || n * perItem > this.#buf.length - this.#pos) {
      throw new CborDecodeError(`length ${String(n)} exceeds the message`);
    }
    return n;
  }

  /** `depth` is the level the item has if it is a container (the message array is level 1). */
  #item(depth: number): unknown {
    this.#need(1);
    const initial = this.#buf[this.#pos++] as number;
    const major = initial >> 5;
    const ai = initial & 0x1f;
    switch (major) {
      case Major.UINT:
        return this.#argument(ai);
      case Major.NINT: {
        const n = this.#argument(ai);
        return typeof n === 'bigint' || n >= MAX_EXACT ? -1n - BigInt(n) : -1 - n;
      }
      case Major.BYTES:
        return ai === AI_INDEFINITE ? this.#indefiniteBytes() : this.#bytes(this.#length(ai, 1));
      case Major.TEXT:
        return ai === AI_INDEFINITE ? this.#indefiniteText() : this.#text(this.#length(ai, 1));
      case Major.ARRAY:
        return this.#array(ai, depth);
      case Major.MAP:
        return this.#map(ai, depth);
      case Major.TAG:
        return this.#tag(ai, depth);
      default:
        return this.#simple(ai);
    }
  }

  #checkDepth(depth: number): void {
    if (depth > this.#maxDepth) throw new CborDepthError(`nesting deeper than ${this.#maxDepth}`);
  }

  #bytes(n: number): Uint8Array {
    const out = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  #text(n: number): string {
    const start = this.#pos;
    this.#pos += n;
    const b = this.#buf;
    if (n < SHORT_TEXT) {
      // Short ASCII (keys, URIs) without crossing into TextDecoder.
      let s = '';
      for (let i = start; i < start + n; i++) {
        const c = b[i] as number;
        if (c >= 0x80) return this.#utf8.decode(b.subarray(start, start + n));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return this.#utf8.decode(b.subarray(start, start + n));
  }

  #chunks(major: number): Uint8Array[] {
    const chunks: Uint8Array[] = [];
    for (;;) {
      this.#need(1);
      const initial = this.#buf[this.#pos++] as number;
      if (initial === BREAK) return chunks;
      const ai = initial & 0x1f;
      if (initial >> 5 !== major || ai === AI_INDEFINITE) throw new CborDecodeError('bad chunk in an indefinite-length string');
      chunks.push(this.#bytes(this.#length(ai, 1)));
    }
  }

  #indefiniteBytes(): Uint8Array {
    const chunks = this.#chunks(Major.BYTES);
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  #indefiniteText(): string {
    // Each chunk must be valid UTF-8 on its own (RFC 8949 section 3.2.3).
    return this.#chunks(Major.TEXT)
      .map((c) => this.#utf8.decode(c))
      .join('');
  }

  #array(ai: number, depth: number): unknown[] {
    this.#checkDepth(depth);
    if (ai === AI_INDEFINITE) {
      const out: unknown[] = [];
      while (!this.#atBreak()) out.push(this.#item(depth + 1));
      return out;
    }
    const n = this.#length(ai, 1);
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = this.#item(depth + 1);
    return out;
  }

  #map(ai: number, depth: number): Record<string, unknown> | Map<unknown, unknown> {
    this.#checkDepth(depth);
    const indefinite = ai === AI_INDEFINITE;
    const n = indefinite ? Infinity : this.#length(ai, 2);
    const start = this.#pos;
    const out: Record<string, unknown> = {};
    // Keys whose undefined value was dropped, still counted for the duplicate check.
    let dropped: Set<string> | undefined;
    for (let i = 0; i < n && !(indefinite && this.#atBreak()); i++) {
      const key = this.#item(depth + 1);
      if (typeof key !== 'string') {
        // Rare: read the whole map again, into a Map that keeps every key as it is.
        this.#pos = start;
        return this.#mapWithAnyKeys(n, indefinite, depth);
      }
      // Cheap test first; hasOwn only for keys that look present (possibly inherited, e.g. "toString").
      if ((out[key] !== undefined && Object.hasOwn(out, key)) || dropped?.has(key) === true) {
        throw new CborDecodeError(`duplicate map key ${JSON.stringify(key)}`);
      }
      const value = this.#item(depth + 1);
      if (value === undefined) {
        (dropped ??= new Set()).add(key);
        continue;
      }
      // An own "__proto__" property, as JSON.parse makes, never a prototype change.
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
    }
    return out;
  }

  /**
   * A map with a non-text key. Duplicates are detected for scalar keys (strings, numbers,
   * bigints, booleans, null); keys that are lists, dicts or bytes are compared by identity, so
   * equal ones are not recognised.
   */
  #mapWithAnyKeys(n: number, indefinite: boolean, depth: number): Map<unknown, unknown> {
    const out = new Map<unknown, unknown>();
    for (let i = 0; i < n && !(indefinite && this.#atBreak()); i++) {
      const key = this.#item(depth + 1);
      if (out.has(key)) throw new CborDecodeError(`duplicate map key ${typeof key === 'string' ? JSON.stringify(key) : String(key)}`);
      const value = this.#item(depth + 1);
      out.set(key, value);
    }
    for (const [key, value] of out) if (value === undefined) out.delete(key);
    return out;
  }

  #atBreak(): boolean {
    this.#need(1);
    if (this.#buf[this.#pos] !== BREAK) return false;
    this.#pos++;
    return true;
  }

  #tag(ai: number, depth: number): unknown {
    const tag = this.#argument(ai);
    if (typeof tag === 'bigint') return this.#unknownTag(tag, depth);
    switch (tag) {
      case CborTagNumber.SELF_DESCRIBE:
        // A magic number marking the data as CBOR, not a value: nothing to keep.
        return this.#item(depth);
      case CborTagNumber.POS_BIGNUM:
      case CborTagNumber.NEG_BIGNUM:
        return this.#bignum(tag, depth);
      case CborTagNumber.DATE_TEXT:
      case CborTagNumber.DATE_EPOCH: {
        const start = this.#pos;
        const content = this.#item(depth);
        // A copy of the content's bytes (a Buffer's subarray would be a view of the input).
        const raw = new Uint8Array(this.#buf.subarray(start, this.#pos));
        return dateFromTag(tag, content, raw) ?? new CborTag(tag, content);
      }
      case CborTagNumber.SET: {
        // The tag and its array are one container level, like the Set they become.
        const content = this.#item(depth);
        return Array.isArray(content) ? new Set(content) : new CborTag(tag, content);
      }
      default: {
        const typed = typedArrayKindOfTag(tag);
        if (typed === undefined) return this.#unknownTag(tag, depth);
        const content = this.#item(depth);
        return (content instanceof Uint8Array ? typedArrayFromBytes(typed, content) : undefined) ?? new CborTag(tag, content);
      }
    }
  }

  #unknownTag(tag: number | bigint, depth: number): CborTag {
    this.#checkDepth(depth);
    return new CborTag(tag, this.#item(depth + 1));
  }

  /** Integers of any size; within +-2^53 a number, as for every integer we decode. */
  #bignum(tag: number, depth: number): unknown {
    const content = this.#item(depth);
    if (!(content instanceof Uint8Array)) return new CborTag(tag, content);
    const n = bytesToBigInt(content);
    const value = tag === CborTagNumber.POS_BIGNUM ? n : -1n - n;
    return value >= -MAX_EXACT_BIG && value <= MAX_EXACT_BIG ? Number(value) : value;
  }

  #simple(ai: number): unknown {
    switch (ai) {
      case SIMPLE_FALSE:
        return false;
      case SIMPLE_TRUE:
        return true;
      case SIMPLE_NULL:
        return null;
      case SIMPLE_UNDEFINED:
        return undefined;
      case AI_U16:
        return float16(this.#uint(2));
      case AI_U32:
        return this.#float(4).getFloat32(0);
      case AI_U64:
        return this.#float(8).getFloat64(0);
      default:
        throw new CborDecodeError(ai === AI_INDEFINITE ? 'unexpected break' : `simple value ${ai} is not used by WAMP`);
    }
  }
}

/** IEEE 754 binary16, exactly (every half-precision value is a double). */
function float16(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : Number.NaN;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
