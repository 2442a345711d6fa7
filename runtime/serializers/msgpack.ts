/**
 * MessagePack serialization (`wamp.2.msgpack`, RawSocket serializer 2) via @msgpack/msgpack,
 * configured and hooked in ./msgpack-codec.ts.
 *
 * Binary values travel as `bin`, strings as `str` (MessagePack 5+, as the spec requires), and
 * strings must be valid UTF-8 (refused otherwise, as Autobahn|Python's msgpack does and as
 * WebSocket text is). Integers within +-2^53 are exact numbers both ways (2^53 itself is a
 * uint64, never a float); a bigint goes out as uint64/int64, and 64-bit integers beyond +-2^53
 * come back as bigint (never rounded); beyond 64 bits MessagePack has no integer, so such a
 * bigint is SERIALIZER_UNREPRESENTABLE. -0 and NaN are float64. Extension types are kept: the
 * timestamp (-1) becomes a Date (written back with its original bytes while unchanged, so
 * nanoseconds survive a router), msgpackr's undefined (type 0, one zero byte) becomes undefined,
 * and any other extension a MsgpackExtension that is written back as it came. A Date goes out
 * as a timestamp. `undefined` follows JSON.stringify: a map member whose value is undefined is
 * left out, undefined in a list is nil. Map keys must be strings (a Map with string keys is
 * written as a dict); Sets, typed arrays other than Uint8Array and CBOR tags have no
 * MessagePack form.
 */
import type { Decoder, Encoder } from '@msgpack/msgpack';
import { ProtocolErrorCode, protocolError } from '../wamp/protocol-error.js';
import { checkMaxDepth, decodeTooDeepError, isSerializerError, serializeError, type SerializerError } from './errors.js';
import { afterDecode, createDecoder, createEncoder, type DecodeContext } from './msgpack-codec.js';
import { SerializerId, Subprotocol, type Serializer, type SerializerOptions } from './types.js';

export class MsgpackSerializer implements Serializer {
  readonly name = 'msgpack';
  readonly id = SerializerId.MSGPACK;
  readonly subprotocol = Subprotocol.MSGPACK;
  readonly isBinary = true;
  readonly maxDepth: number;
  // One encoder and decoder per serializer: they reuse their internal buffers between calls.
  readonly #encoder: Encoder<DecodeContext>;
  readonly #context: DecodeContext = { sawUndefined: false, reachedLimit: false };
  readonly #decoder: Decoder<DecodeContext>;
  readonly #tooDeep = (): SerializerError => decodeTooDeepError(this.name, this.maxDepth);
  // A getter inside a message may serialize another message while we encode. The library would
  // then encode with an unhooked clone of itself, so nested calls get their own hooked encoder.
  #encoding = false;

  constructor(options: SerializerOptions = {}) {
    this.maxDepth = checkMaxDepth(options.maxDepth);
    this.#encoder = createEncoder(this.maxDepth);
    this.#decoder = createDecoder(this.#context, this.maxDepth, this.#tooDeep);
  }

  serialize(message: unknown[]): Uint8Array {
    const nested = this.#encoding;
    this.#encoding = true;
    try {
      return (nested ? createEncoder(this.maxDepth) : this.#encoder).encode(message);
    } catch (err) {
      throw serializeError(this.name, message, err, this.maxDepth);
    } finally {
      this.#encoding = nested;
    }
  }

  deserialize(data: Uint8Array | string): unknown {
    if (typeof data === 'string') {
      throw protocolError(ProtocolErrorCode.SERIALIZATION, 'MessagePack messages must be binary, got text');
    }
    const context = this.#context;
    context.sawUndefined = false;
    context.reachedLimit = false;
    let value: unknown;
    try {
      value = this.#decoder.decode(data);
    } catch (err) {
      if (isSerializerError(err)) throw err;
      throw protocolError(ProtocolErrorCode.SERIALIZATION, `invalid MessagePack message: ${reason(err)}`, { cause: err });
    }
    if (context.sawUndefined || context.reachedLimit) afterDecode(value, context, this.maxDepth, this.#tooDeep);
    return value;
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
