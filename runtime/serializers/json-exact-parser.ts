/**
 * A JSON parser (RFC 8259) for the messages JSON.parse would get wrong: those holding integer
 * literals beyond +-2^53, which it rounds. Here such a literal becomes a bigint; everything else
 * comes out as JSON.parse makes it (own "__proto__" properties, the last of duplicate keys,
 * -0), with the WAMP binary convention applied ("\0"-prefixed string values become bytes). Only
 * the rare messages that ./json-scan.ts flags come here: it is simple rather than fast.
 */
import { decodeBinaryString } from './binary-json.js';

const MAX_EXACT = 2n ** 53n;
/** RFC 8259 section 6, anchored at the read position. */
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
/** The run of string characters that need no attention: not a quote, backslash or control. */
const PLAIN_CHARS = /[^"\\\u0000-\u001f]*/y;
const WHITESPACE = /[ \t\n\r]*/y;
/** Digits from which an integer literal may exceed 2^53 (9007199254740992 has 16). */
const MAX_EXACT_DIGITS = 16;

/** Thrown for nesting beyond the limit (the JSON serializer turns it into SERIALIZER_TOO_DEEP). */
export class JsonDepthError extends Error {
  override readonly name = 'JsonDepthError';
}

export function parseJsonExact(text: string, maxDepth: number): unknown {
  const parser = new ExactParser(text, maxDepth);
  const value = parser.value(1);
  parser.end();
  return value;
}

class ExactParser {
  #pos = 0;
  constructor(
    readonly text: string,
    readonly maxDepth: number,
  ) {}

  end(): void {
    this.#ws();
    if (this.#pos !== this.text.length) this.#fail('unexpected text after the value');
  }

  #fail(what: string): never {
    throw new SyntaxError(`${what} at position ${this.#pos}`);
  }

  #ws(): void {
    WHITESPACE.lastIndex = this.#pos;
    WHITESPACE.test(this.text);
    this.#pos = WHITESPACE.lastIndex;
  }

  #expect(literal: string, value: unknown): unknown {
    if (!this.text.startsWith(literal, this.#pos)) this.#fail('unexpected token');
    this.#pos += literal.length;
    return value;
  }

  /** `depth` is the level the value has if it is a list or dict (the message array is level 1). */
  value(depth: number): unknown {
    this.#ws();
    switch (this.text[this.#pos]) {
      case '[':
        return this.#array(depth);
      case '{':
        return this.#object(depth);
      case '"': {
        const s = this.#string();
        return s.charCodeAt(0) === 0 ? decodeBinaryString(s) : s;
      }
      case 't':
        return this.#expect('true', true);
      case 'f':
        return this.#expect('false', false);
      case 'n':
        return this.#expect('null', null);
      default:
        return this.#number();
    }
  }

  #number(): number | bigint {
    NUMBER.lastIndex = this.#pos;
    const m = NUMBER.exec(this.text);
    if (m === null) this.#fail('unexpected token');
    const literal = m[0];
    this.#pos += literal.length;
    const integral = m[1] === undefined && m[2] === undefined;
    const digits = literal.length - (literal.charCodeAt(0) === 0x2d ? 1 : 0);
    if (integral && digits >= MAX_EXACT_DIGITS) {
      const big = BigInt(literal);
      if (big > MAX_EXACT || big < -MAX_EXACT) return big;
    }
    return Number(literal);
  }

  #string(): string {
    const start = this.#pos; // at the opening quote
    PLAIN_CHARS.lastIndex = start + 1;
    PLAIN_CHARS.test(this.text);
    let at = PLAIN_CHARS.lastIndex;
    if (this.text[at] === '"') {
      this.#pos = at + 1;
      return this.text.slice(start + 1, at);
    }
    // Escapes: find the closing quote, then let JSON.parse decode (and check) the literal.
    for (;;) {
      const c = this.text[at];
      if (c === '"') break;
      if (c === undefined || c.charCodeAt(0) < 0x20) {
        this.#pos = at;
        this.#fail('unterminated string');
      }
      at += c === '\\' ? 2 : 1;
    }
    this.#pos = at + 1;
    return JSON.parse(this.text.slice(start, at + 1)) as string;
  }

  #open(depth: number): void {
    if (depth > this.maxDepth) throw new JsonDepthError(`nesting deeper than ${this.maxDepth}`);
    this.#pos++;
    this.#ws();
  }

  /** After a member: true for a comma (another member follows), false for the closing bracket. */
  #next(close: string): boolean {
    this.#ws();
    const c = this.text[this.#pos];
    this.#pos++;
    if (c === ',') return true;
    if (c === close) return false;
    this.#pos--;
    return this.#fail(`expected , or ${close}`);
  }

  #array(depth: number): unknown[] {
    this.#open(depth);
    const out: unknown[] = [];
    if (this.text[this.#pos] === ']') {
      this.#pos++;
      return out;
    }
    do out.push(this.value(depth + 1));
    while (this.#next(']'));
    return out;
  }

  #object(depth: number): Record<string, unknown> {
    this.#open(depth);
    const out: Record<string, unknown> = {};
    if (this.text[this.#pos] === '}') {
      this.#pos++;
      return out;
    }
    do {
      this.#ws();
      if (this.text[this.#pos] !== '"') this.#fail('expected a string key');
      const key = this.#string();
      this.#ws();
      if (this.text[this.#pos] !== ':') this.#fail('expected :');
      this.#pos++;
      const value = this.value(depth + 1);
      // As JSON.parse: an own "__proto__" property, never a prototype change; the last key wins.
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
    } while (this.#next('}'));
    return out;
  }
}
