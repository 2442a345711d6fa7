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

export interface Serializer {
  readonly name: SerializerName;
  /** RawSocket serializer ID. */
  readonly id: SerializerId;
  /** WebSocket subprotocol. */
  readonly subprotocol: Subprotocol;
  /** Binary (WebSocket binary messages) or text (JSON: WebSocket text messages). */
  readonly isBinary: boolean;
  /**
   * Serializes one message array. Text serializers return a string, binary ones a fresh
   * Uint8Array the caller may keep. Throws a ProtocolError (code WAMP_SERIALIZATION) for
   * values the format cannot carry.
   */
  serialize(message: unknown[]): Uint8Array | string;
  /**
   * Deserializes one message. Binary values come back as Uint8Array (in Node possibly a Buffer)
   * and may share memory with `data`: hand over buffers that are not reused. Throws a
   * ProtocolError (code WAMP_SERIALIZATION) for bytes that do not decode.
   */
  deserialize(data: Uint8Array | string): unknown;
}
