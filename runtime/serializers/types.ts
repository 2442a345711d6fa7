/**
 * The serializer contract: WAMP message arrays to bytes (or text) and back. One instance per
 * format is shared by every connection; implementations keep no per-message state.
 */

/** RawSocket serializer IDs (advanced profile, RawSocket handshake). */
export const SerializerId = {
  JSON: 1,
  MSGPACK: 2,
  CBOR: 3,
} as const;
export type SerializerId = (typeof SerializerId)[keyof typeof SerializerId];

/** WebSocket subprotocols of the unbatched WAMP serializations. */
export const Subprotocol = {
  JSON: 'wamp.2.json',
  MSGPACK: 'wamp.2.msgpack',
  CBOR: 'wamp.2.cbor',
} as const;
export type Subprotocol = (typeof Subprotocol)[keyof typeof Subprotocol];

export type SerializerName = 'json' | 'msgpack' | 'cbor';

/** Options of the serializer classes (`new CborSerializer({ maxDepth: 64 })`). */
export interface SerializerOptions {
  /**
   * Nesting limit in both directions (default 512; 16..1024): the message array is level 1,
   * each list, dict, Map, Set or CBOR tag inside it one more. A deeper message is refused on
   * receipt (SERIALIZER_TOO_DEEP with `wamp.error.protocol_violation`); a deeper value is refused
   * by serialize() (SERIALIZER_TOO_DEEP), never a stack overflow.
   */
  maxDepth?: number;
}

export interface Serializer {
  readonly name: SerializerName;
  /** RawSocket serializer ID. */
  readonly id: SerializerId;
  /** WebSocket subprotocol. */
  readonly subprotocol: Subprotocol;
  /** Binary (WebSocket binary messages) or text (JSON: WebSocket text messages). */
  readonly isBinary: boolean;
  /** The nesting limit in both directions (ours always have one; see SerializerOptions). */
  readonly maxDepth?: number;
  /**
   * Serializes one message array. Text serializers return a string, binary ones a fresh
   * Uint8Array the caller may keep. Throws a SerializerError: SERIALIZER_UNREPRESENTABLE for a
   * value the format cannot carry faithfully (docs/payloads.md), SERIALIZER_TOO_DEEP for nesting
   * beyond the limit or a cycle; the message names the value and its path.
   */
  serialize(message: unknown[]): Uint8Array | string;
  /**
   * Deserializes one message. Binary values come back as Uint8Array (in Node possibly a Buffer)
   * and may share memory with `data`: hand over buffers that are not reused. Throws a
   * ProtocolError (code WAMP_SERIALIZATION) for bytes that do not decode, and a SerializerError
   * (SERIALIZER_TOO_DEEP) for nesting beyond the limit; both carry
   * `wamp.error.protocol_violation`.
   */
  deserialize(data: Uint8Array | string): unknown;
}
