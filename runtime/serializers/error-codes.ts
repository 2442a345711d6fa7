/**
 * Stable error codes of the serializers (JSON, MessagePack, CBOR). A leaf module (no imports);
 * see runtime/errors.ts. SERIALIZATION is also a WAMP protocol error code: bytes that do not
 * decode are a protocol violation of the peer that sent them.
 */
export const SerializerErrorCode = {
  /** Bytes that do not decode, or a value the format cannot encode. */
  SERIALIZATION: 'WAMP_SERIALIZATION',
} as const;
export type SerializerErrorCode = (typeof SerializerErrorCode)[keyof typeof SerializerErrorCode];
