/**
 * A CBOR decoder (RFC 8949) for WAMP messages. It accepts every well-formed encoding of the
 * WAMP value types (any integer width, definite or indefinite lengths, float16/32/64) and
 * refuses what WAMP does not use: tags other than bignums (2, 3) and the self-describe tag
 * 55799, simple values other than false/true/null/undefined, non-text map keys, duplicate
 * keys. Nothing is turned into Dates, Maps, Sets or shared references behind the caller's back.
 *
 * Integers beyond 2^53 come back as bigint so they never silently lose precision. A map member
 * whose value is undefined (simple value 23, as cbor-x writes an undefined property) is left
 * out, the rule our encoders and JSON apply; undefined in an array stays undefined.
 */

const MAX_DEPTH = 512;
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
const MAX_ID_BIG = 2n ** 53n;
const TAG_POS_BIGNUM = 2;
const TAG_NEG_BIGNUM = 3;
const TAG_SELF_DESCRIBE = 55799;
const SIMPLE_FALSE = 20;
const SIMPLE_TRUE = 21;
const SIMPLE_NULL = 22;
const SIMPLE_UNDEFINED = 23;
const AI_U8 = 24;
const AI_U16 = 25;
const AI_U32 = 26;
const AI_U64 = 27;
const AI_INDEFINITE = 31;

/** Thrown for malformed or unsupported CBOR; the serializer turns it into a ProtocolError. */
export class CborDecodeError extends Error {
  override readonly name = 'CborDecodeError';
}

const EMPTY = new Uint8Array(0);

export class CborDecoder {
  #buf: Uint8Array = EMPTY;
  #pos = 0;
  // Floats are copied through this scratch view: a DataView per message costs more than the copy.
  readonly #scratch = new Uint8Array(8);
  readonly #scratchView = new DataView(this.#scratch.buffer);
  readonly #utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  decode(bytes: Uint8Array): unknown {
    this.#buf = bytes;
    this.#pos = 0;
    try {
      const value = this.#item(0);
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

  /** A length or count: must fit the remaining input (each item takes at least one byte). */
  #length(ai: number, perItem: number): number {
    const n = this.#argument(ai);
    if (typeof n === 'bigint' || n * perItem > this.#buf.length - this.#pos) {
      throw new CborDecodeError(`length ${String(n)} exceeds the message`);
    }
    return n;
  }

  #item(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new CborDecodeError(`nesting deeper than ${MAX_DEPTH}`);
    this.#need(1);
    const initial = this.#buf[this.#pos++] as number;
    const major = initial >> 5;
    const ai = initial & 0x1f;
    switch (major) {
      case Major.UINT:
        return this.#argument(ai);
      case Major.NINT: {
        const n = this.#argument(ai);
        return typeof n === 'bigint' || n >= 2 ** 53 ? -1n - BigInt(n) : -1 - n;
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

  #bytes(n: number): Uint8Array {
    const out = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  #text(n: number): string {
    const start = this.#pos;
    this.#pos += n;
    const b = this.#buf;
    if (n < 32) {
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

  #map(ai: number, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const indefinite = ai === AI_INDEFINITE;
    const n = indefinite ? Infinity : this.#length(ai, 2);
    // Keys whose undefined value was dropped, still counted for the duplicate check.
    let dropped: Set<string> | undefined;
    for (let i = 0; i < n && !(indefinite && this.#atBreak()); i++) {
      const key = this.#item(depth + 1);
      if (typeof key !== 'string') throw new CborDecodeError('map keys must be text strings');
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

  #atBreak(): boolean {
    this.#need(1);
    if (this.#buf[this.#pos] !== BREAK) return false;
    this.#pos++;
    return true;
  }

  #tag(ai: number, depth: number): unknown {
    const tag = this.#argument(ai);
    if (tag === TAG_SELF_DESCRIBE) return this.#item(depth + 1);
    if (tag === TAG_POS_BIGNUM || tag === TAG_NEG_BIGNUM) {
      const bytes = this.#item(depth + 1);
      if (!(bytes instanceof Uint8Array) || bytes.length > 64) throw new CborDecodeError('bad bignum');
      let n = 0n;
      for (const b of bytes) n = (n << 8n) | BigInt(b);
      const value = tag === TAG_POS_BIGNUM ? n : -1n - n;
      return value >= 1n && value <= MAX_ID_BIG ? Number(value) : value;
    }
    throw new CborDecodeError(`CBOR tag ${String(tag)} is not used by WAMP`);
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

function float16(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : Number.NaN;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
