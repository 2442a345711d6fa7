/**
 * CBOR serialization (`wamp.2.cbor`, RawSocket serializer 3). Binary values are byte strings.
 * Our own encoder and decoder (./cbor-encoder.ts, ./cbor-decoder.ts): see the encoder for why
 * cbor-x is not used.
 */
import { ProtocolErrorCode, protocolError } from '../wamp/protocol-error.js';
import { CborDecoder, CborDepthError } from './cbor-decoder.js';
import { CborEncoder } from './cbor-encoder.js';
import { checkMaxDepth, decodeTooDeepError, serializeError } from './errors.js';
import { SerializerId, Subprotocol, type Serializer, type SerializerOptions } from './types.js';

export class CborSerializer implements Serializer {
  readonly name = 'cbor';
  readonly id = SerializerId.CBOR;
  readonly subprotocol = Subprotocol.CBOR;
  readonly isBinary = true;
  readonly maxDepth: number;
  readonly #encoder: CborEncoder;
  readonly #decoder: CborDecoder;

  constructor(options: SerializerOptions = {}) {
    this.maxDepth = checkMaxDepth(options.maxDepth);
    this.#encoder = new CborEncoder(this.maxDepth);
    this.#decoder = new CborDecoder(this.maxDepth);
  }

  serialize(message: unknown[]): Uint8Array {
    try {
      return this.#encoder.encode(message);
    } catch (err) {
      throw serializeError(this.name, message, err, this.maxDepth);
    }
  }

  deserialize(data: Uint8Array | string): unknown {
    if (typeof data === 'string') {
      throw protocolError(ProtocolErrorCode.SERIALIZATION, 'CBOR messages must be binary, got text');
    }
    try {
      return this.#decoder.decode(data);
    } catch (err) {
      if (err instanceof CborDepthError) throw decodeTooDeepError(this.name, this.maxDepth);
      throw protocolError(ProtocolErrorCode.SERIALIZATION, `invalid CBOR message: ${reason(err)}`, { cause: err });
    }
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
