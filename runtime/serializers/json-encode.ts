/**
 * JSON encoding of WAMP messages. One walk over the message (which JSON.stringify cannot be
 * told to do) prepares it for JSON.stringify:
 *
 * - a Uint8Array becomes "\0" + Base64 (the spec's binary convention);
 * - a bigint becomes an exact integer literal, -0 the literal `-0.0`, and an integral double
 *   beyond 2^53 exponent notation (`1.152921504606847e+18`), so that our decoder, which reads
 *   integer literals beyond 2^53 as bigint, gives back a number for a number;
 * - a Map whose keys are all strings becomes a dict;
 * - what JSON would silently turn into something else is refused with a SerializerFault:
 *   NaN and +-Infinity (null), Sets, Maps with other keys and typed arrays other than
 *   Uint8Array ({}), CBOR tags, MessagePack extensions, functions and symbols (dropped), invalid
 *   Dates (null), strings starting with U+0000 (a receiver would read them as binary);
 * - nesting beyond the limit (or a cycle) is refused before JSON.stringify could overflow.
 *
 * Containers are copied only on the path to a replaced value; the caller's message is never
 * modified. Exact literals cannot pass through JSON.stringify (Node 20 has no JSON.rawJSON), so
 * a message that needs one is written by `write` below.
 */
import { bytesToBase64 } from './binary-json.js';
import { DEFAULT_MAX_DEPTH, tooDeep, unrepresentable } from './errors.js';
import { CborTag, MsgpackExtension } from './tagged-values.js';

const NUL = '\u0000';
const MAX_EXACT = 2 ** 53;
/** From 1e21 on, JSON.stringify writes doubles in exponent notation itself. */
const EXPONENT_FROM = 1e21;

/** A JSON literal to write as it is. */
class RawJson {
  constructor(readonly text: string) {}
}
const NEGATIVE_ZERO = new RawJson('-0.0');

export class JsonEncoder {
  readonly #maxDepth: number;
  #sawRaw = false;

  constructor(maxDepth: number = DEFAULT_MAX_DEPTH) {
    this.#maxDepth = maxDepth;
  }

  /** The JSON text of `message`; throws a SerializerFault (or what JSON.stringify throws). */
  encode(message: unknown[]): string {
    this.#sawRaw = false;
    const prepared = this.#array(message, 1);
    return this.#sawRaw ? write(prepared) : JSON.stringify(prepared);
  }

  /** The replacement for one member, or the member itself when it needs none. */
  #member(item: unknown, depth: number): unknown {
    switch (typeof item) {
      case 'object':
        return item === null ? item : this.#object(item, depth);
      case 'number':
        return item > -MAX_EXACT && item < MAX_EXACT && item !== 0 ? item : this.#number(item);
      case 'string':
        if (item.charCodeAt(0) === 0) throw unrepresentable(item, 'has no JSON form: JSON strings starting with U+0000 carry binaries');
        return item;
      case 'boolean':
      case 'undefined':
        return item;
      case 'bigint':
        this.#sawRaw = true;
        return new RawJson(String(item));
      default:
        throw unrepresentable(item, 'has no JSON form');
    }
  }

  #number(v: number): unknown {
    if (v !== v || v === Infinity || v === -Infinity) throw unrepresentable(v, 'has no JSON form');
    if (v === 0) {
      if (1 / v > 0) return v;
      this.#sawRaw = true;
      return NEGATIVE_ZERO;
    }
    const abs = Math.abs(v);
    if (abs <= MAX_EXACT || abs >= EXPONENT_FROM) return v;
    this.#sawRaw = true;
    return new RawJson(v.toExponential());
  }

  #array(a: readonly unknown[], depth: number): unknown[] {
    if (depth > this.#maxDepth) throw tooDeep(a, this.#maxDepth);
    let out: unknown[] | undefined;
    for (let i = 0; i < a.length; i++) {
      const item = a[i];
      // Most members are short strings and small numbers: skip them without a call.
      if (typeof item === 'string' ? item.charCodeAt(0) !== 0 : typeof item === 'number' && item > -MAX_EXACT && item < MAX_EXACT && item !== 0) continue;
      const mapped = this.#member(item, depth + 1);
      if (mapped !== item) {
        out ??= a.slice();
        out[i] = mapped;
      }
    }
    return (out ?? a) as unknown[];
  }

  /**
   * A dict's members. `for...in` (faster than Object.keys here) also visits inherited enumerable
   * keys, which plain objects have none of; class instances are walked by their own keys only,
   * as JSON.stringify writes them.
   */
  #dict(obj: Record<string, unknown>, depth: number): Record<string, unknown> {
    if (depth > this.#maxDepth) throw tooDeep(obj, this.#maxDepth);
    let out: Record<string, unknown> | undefined;
    for (const key in obj) {
      const item = obj[key];
      if (typeof item === 'string' ? item.charCodeAt(0) !== 0 : typeof item === 'number' && item > -MAX_EXACT && item < MAX_EXACT && item !== 0) continue;
      const mapped = this.#member(item, depth + 1);
      if (mapped !== item) {
        out ??= { ...obj };
        setMember(out, key, mapped);
      }
    }
    return out ?? obj;
  }

  #object(o: object, depth: number): unknown {
    if (Array.isArray(o)) return this.#array(o, depth);
    const proto = Object.getPrototypeOf(o) as unknown;
    if (proto === Object.prototype || proto === null) return this.#dict(o as Record<string, unknown>, depth);
    if (o instanceof Uint8Array) return NUL + bytesToBase64(o);
    if (o instanceof Date) {
      if (Number.isNaN(o.getTime())) throw unrepresentable(o, 'has no JSON form (its time is NaN)');
      return o; // JSON.stringify writes its toJSON(): the ISO 8601 string
    }
    if (o instanceof Map) return this.#dict(dictOfMap(o), depth);
    if (o instanceof Set) throw unrepresentable(o, 'has no JSON form (send a list)');
    if (o instanceof CborTag) throw unrepresentable(o, 'is CBOR-only; JSON has no form for it');
    if (o instanceof MsgpackExtension) throw unrepresentable(o, 'is MessagePack-only; JSON has no form for it');
    if (ArrayBuffer.isView(o)) throw unrepresentable(o, 'has no JSON form (send a list of numbers, or a Uint8Array of its bytes)');
    if (o instanceof ArrayBuffer) throw unrepresentable(o, 'has no JSON form (send a Uint8Array)');
    // An object that says how it wants to be written is left to JSON.stringify.
    if (typeof (o as { toJSON?: unknown }).toJSON === 'function') return o;
    return this.#dict(ownMembers(o), depth);
  }
}

/**
 * JSON text for a prepared value that holds RawJson literals (rare: bigints, -0, big doubles).
 * Lists and dicts are written here, everything else by JSON.stringify. (Marking the copied
 * containers instead, to hand the rest to JSON.stringify whole, measured slower: an object in a
 * Set gets an identity hash, and JSON.stringify then leaves its fast path.)
 */
function write(v: unknown): string {
  if (v instanceof RawJson) return v.text;
  if (Array.isArray(v)) {
    const parts = new Array<string>(v.length);
    for (let i = 0; i < v.length; i++) parts[i] = write(v[i]);
    return `[${parts.join(',')}]`;
  }
  if (typeof v === 'object' && v !== null) {
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto === Object.prototype || proto === null) {
      const parts: string[] = [];
      const obj = v as Record<string, unknown>;
      for (const key in obj) {
        const member = obj[key];
        if (member !== undefined) parts.push(`${JSON.stringify(key)}:${write(member)}`);
      }
      return `{${parts.join(',')}}`;
    }
  }
  return JSON.stringify(v) ?? 'null';
}

/** Assigns without ever invoking the `__proto__` setter. */
function setMember(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** A class instance's own enumerable members as a plain dict (what JSON.stringify writes of it). */
function ownMembers(o: object): Record<string, unknown> {
  const dict: Record<string, unknown> = {};
  for (const key of Object.keys(o)) setMember(dict, key, (o as Record<string, unknown>)[key]);
  return dict;
}

function dictOfMap(map: Map<unknown, unknown>): Record<string, unknown> {
  const dict: Record<string, unknown> = {};
  for (const [key, value] of map) {
    if (typeof key !== 'string') throw unrepresentable(map, 'with a non-string key has no JSON form');
    setMember(dict, key, value);
  }
  return dict;
}
