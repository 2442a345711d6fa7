/**
 * MessagePack serialization (`wamp.2.msgpack`, RawSocket serializer 2) via @msgpack/msgpack.
 *
 * Binary values travel as `bin`, strings as `str` (MessagePack 5+, as the spec requires).
 * Integers up to 2^53 are exact both ways (uint64 is read as high * 2^32 + low). No extension
 * types: the timestamp extension and any other ext are refused on decode, and nothing is
 * encoded as an ext, so a Date is not silently turned into a timestamp. Unlike our JSON and
 * CBOR decoders, the library replaces invalid UTF-8 in strings instead of refusing it.
 */
import { Decoder, Encoder, type ExtData, type ExtensionCodecType } from '@msgpack/msgpack';
import { ProtocolErrorCode, protocolError } from '../wamp/protocol-error.js';
import { SerializerId, Subprotocol, type Serializer } from './types.js';

const NO_EXTENSIONS: ExtensionCodecType<undefined> = {
  tryToEncode(): ExtData | null {
    return null;
  },
  decode(_data: Uint8Array, extType: number): unknown {
    throw new RangeError(`MessagePack extension type ${extType} is not used by WAMP`);
  },
};

function stringKeysOnly(key: unknown): string {
  if (typeof key === 'string') return key;
  throw new TypeError(`map keys must be strings, got ${typeof key}`);
}

const MAX_ID = 2 ** 53;
/** Same nesting limit as our CBOR codec (the library's default is 100). */
const MAX_DEPTH = 512;
const UINT64 = 0xcf;

interface EncoderInternals {
  encodeNumber(n: number): void;
  writeU8(b: number): void;
  writeU64(n: number): void;
}

/**
 * @msgpack/msgpack writes integers only while they are "safe" (< 2^53) and the largest WAMP ID,
 * 2^53 itself, as a float64, which strict peers (Autobahn|Python) reject as an ID. Route that one
 * value to uint64. The hook uses the encoder's internal methods; if a future version renames
 * them the hook is skipped and the serializer tests (which send 2^53) fail loudly.
 */
function encodeMaxIdAsInteger(encoder: Encoder): Encoder {
  const internals = encoder as unknown as EncoderInternals;
  if (typeof internals.encodeNumber !== 'function' || typeof internals.writeU64 !== 'function') return encoder;
  const encodeNumber = internals.encodeNumber.bind(encoder);
  internals.encodeNumber = (n: number): void => {
    if (n === MAX_ID) {
      internals.writeU8(UINT64);
      internals.writeU64(n);
    } else {
      encodeNumber(n);
    }
  };
  return encoder;
}

export class MsgpackSerializer implements Serializer {
  readonly name = 'msgpack';
  readonly id = SerializerId.MSGPACK;
  readonly subprotocol = Subprotocol.MSGPACK;
  readonly isBinary = true;
  // One encoder and decoder per serializer: they reuse their internal buffers between calls.
  readonly #encoder = encodeMaxIdAsInteger(new Encoder({ extensionCodec: NO_EXTENSIONS, ignoreUndefined: false, maxDepth: MAX_DEPTH }));
  readonly #decoder = new Decoder({ extensionCodec: NO_EXTENSIONS, mapKeyConverter: stringKeysOnly });

  serialize(message: unknown[]): Uint8Array {
    try {
      return this.#encoder.encode(message);
    } catch (err) {
      throw protocolError(ProtocolErrorCode.SERIALIZATION, `MessagePack cannot encode the message: ${reason(err)}`, { cause: err });
    }
  }

  deserialize(data: Uint8Array | string): unknown {
    if (typeof data === 'string') {
      throw protocolError(ProtocolErrorCode.SERIALIZATION, 'MessagePack messages must be binary, got text');
    }
    try {
      return this.#decoder.decode(data);
    } catch (err) {
      throw protocolError(ProtocolErrorCode.SERIALIZATION, `invalid MessagePack message: ${reason(err)}`, { cause: err });
    }
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
