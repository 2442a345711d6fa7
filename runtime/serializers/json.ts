/**
 * JSON serialization (`wamp.2.json`, RawSocket serializer 1): binaries as "\0"+Base64, integers
 * beyond 2^53 as exact integer literals both ways (bigint here), nesting limited in both
 * directions. Ordinary messages still go through JSON.parse and JSON.stringify alone; the
 * checks that keep them so are in ./json-scan.ts (decoding) and ./json-encode.ts (encoding).
 */
import { ProtocolErrorCode, isProtocolError, protocolError } from '../wamp/protocol-error.js';
import { jsonToBinaries } from './binary-json.js';
import { checkMaxDepth, decodeTooDeepError, serializeError } from './errors.js';
import { JsonEncoder } from './json-encode.js';
import { JsonDepthError, parseJsonExact } from './json-exact-parser.js';
import { mayHoldBigInteger, nestsDeeperThan } from './json-scan.js';
import { SerializerId, Subprotocol, type Serializer, type SerializerOptions } from './types.js';

// JSON escapes U+0000 as \u0000 and never carries it raw, so text without this sequence holds no
// binary and the revival walk can be skipped.
const ESCAPED_NUL = '\\u0000';

export class JsonSerializer implements Serializer {
  readonly name = 'json';
  readonly id = SerializerId.JSON;
  readonly subprotocol = Subprotocol.JSON;
  readonly isBinary = false;
  readonly maxDepth: number;
  readonly #encoder: JsonEncoder;
  readonly #utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  constructor(options: SerializerOptions = {}) {
    this.maxDepth = checkMaxDepth(options.maxDepth);
    this.#encoder = new JsonEncoder(this.maxDepth);
  }

  serialize(message: unknown[]): string {
    try {
      return this.#encoder.encode(message);
    } catch (err) {
      throw serializeError(this.name, message, err, this.maxDepth);
    }
  }

  deserialize(data: Uint8Array | string): unknown {
    let text: string;
    try {
      text = typeof data === 'string' ? data : this.#utf8.decode(data);
    } catch (err) {
      throw protocolError(ProtocolErrorCode.SERIALIZATION, `invalid JSON message: ${reason(err)}`, { cause: err });
    }
    if (nestsDeeperThan(text, this.maxDepth)) throw decodeTooDeepError(this.name, this.maxDepth);
    try {
      if (mayHoldBigInteger(text)) return parseJsonExact(text, this.maxDepth);
      const value: unknown = JSON.parse(text);
      return text.includes(ESCAPED_NUL) ? jsonToBinaries(value) : value;
    } catch (err) {
      if (err instanceof JsonDepthError) throw decodeTooDeepError(this.name, this.maxDepth);
      if (isProtocolError(err)) throw err;
      throw protocolError(ProtocolErrorCode.SERIALIZATION, `invalid JSON message: ${reason(err)}`, { cause: err });
    }
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
