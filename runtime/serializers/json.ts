/** JSON serialization (`wamp.2.json`, RawSocket serializer 1), binaries as "\0"+Base64. */
import { ProtocolErrorCode, isProtocolError, protocolError } from '../wamp/protocol-error.js';
import { binariesToJson, jsonToBinaries } from './binary-json.js';
import { SerializerId, Subprotocol, type Serializer } from './types.js';

// JSON escapes U+0000 as \u0000 and never carries it raw, so text without this sequence holds no
// binary and the revival walk can be skipped.
const ESCAPED_NUL = '\\u0000';

export class JsonSerializer implements Serializer {
  readonly name = 'json';
  readonly id = SerializerId.JSON;
  readonly subprotocol = Subprotocol.JSON;
  readonly isBinary = false;
  readonly #utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  serialize(message: unknown[]): string {
    let text: string | undefined;
    try {
      text = JSON.stringify(binariesToJson(message));
    } catch (err) {
      throw protocolError(ProtocolErrorCode.SERIALIZATION, `JSON cannot encode the message: ${reason(err)}`, { cause: err });
    }
    if (text === undefined) throw protocolError(ProtocolErrorCode.SERIALIZATION, 'JSON cannot encode the message');
    return text;
  }

  deserialize(data: Uint8Array | string): unknown {
    try {
      const text = typeof data === 'string' ? data : this.#utf8.decode(data);
      const value: unknown = JSON.parse(text);
      return text.includes(ESCAPED_NUL) ? jsonToBinaries(value) : value;
    } catch (err) {
      if (isProtocolError(err)) throw err;
      throw protocolError(ProtocolErrorCode.SERIALIZATION, `invalid JSON message: ${reason(err)}`, { cause: err });
    }
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
