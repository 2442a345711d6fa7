/**
 * Stable error codes of the serializers (JSON, MessagePack, CBOR). A leaf module (no imports);
 * see runtime/errors.ts. SERIALIZATION is also a WAMP protocol error code: bytes that do not
 * decode are a protocol violation of the peer that sent them. UNREPRESENTABLE and TOO_DEEP are
 * SerializerErrors (runtime/serializers/errors.ts), which name the value's path.
 */
export const SerializerErrorCode = {
  /** Bytes that do not decode. */
  SERIALIZATION: 'WAMP_SERIALIZATION',
  /** serialize(): a value with no faithful form in this format (a Set over JSON, NaN over JSON, ...). */
  UNREPRESENTABLE: 'SERIALIZER_UNREPRESENTABLE',
  /** serialize() or deserialize(): nesting deeper than `maxDepth` (or a cycle, when serializing). */
  TOO_DEEP: 'SERIALIZER_TOO_DEEP',
  /** A serializer option or a tagged value's constructor argument is invalid. */
  INVALID_ARGUMENT: 'WAMP_INVALID_ARGUMENT',
} as const;
export type SerializerErrorCode = (typeof SerializerErrorCode)[keyof typeof SerializerErrorCode];
