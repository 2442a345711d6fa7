/**
 * Stable error codes of the WAMP layer: message checks, the client session and the Component.
 * A leaf module (no imports), so runtime/errors.ts can build the union of every layer's codes
 * without an import circle. The codes are public API: a value never changes meaning.
 */
export const WampErrorCode = {
  // ---- protocol: a message broke the WAMP rules (ProtocolError) ----
  /** Not an array, empty, or the first element is not a known message type. */
  INVALID_MESSAGE: 'WAMP_INVALID_MESSAGE',
  /** A known message type with the wrong number of elements. */
  BAD_LENGTH: 'WAMP_BAD_LENGTH',
  /** An ID outside 1..2^53 or not an integer. */
  INVALID_ID: 'WAMP_INVALID_ID',
  /** A URI that breaks the rules for its position. */
  INVALID_URI: 'WAMP_INVALID_URI',
  /** An element that must be a dict, string, integer or list is something else. */
  INVALID_TYPE: 'WAMP_INVALID_TYPE',
  /**
   * An Options/Details key that breaks the key rules, or a known key with a wrong value; also
   * an invalid Component option (the same code since both were public before this table).
   */
  INVALID_OPTION: 'WAMP_INVALID_OPTION',
  /** Arguments not a list, ArgumentsKw not a dict, or a passthru payload that is not binary. */
  INVALID_PAYLOAD: 'WAMP_INVALID_PAYLOAD',
  /** Bytes the serializer could not decode, or a value it could not encode (serializers layer). */
  SERIALIZATION: 'WAMP_SERIALIZATION',
  /** A RawSocket handshake or frame that breaks the RawSocket rules (transports layer). */
  RAWSOCKET: 'WAMP_RAWSOCKET',
  // ---- client session ----
  /** A request was made while the session is not joined to a realm. */
  NOT_JOINED: 'WAMP_NOT_JOINED',
  /** The session left or lost its transport while a request was pending. */
  SESSION_LOST: 'WAMP_SESSION_LOST',
  /** A joining session was refused (ABORT) or the join could not start. */
  JOIN_FAILED: 'WAMP_JOIN_FAILED',
  /** A caller passed an invalid argument. */
  INVALID_ARGUMENT: 'WAMP_INVALID_ARGUMENT',
  /** The router did not announce an Advanced Profile feature the request needs. */
  FEATURE_NOT_SUPPORTED: 'WAMP_FEATURE_NOT_SUPPORTED',
  // ---- Component ----
  /** Every reconnect attempt allowed by maxRetries failed. */
  RETRIES_EXHAUSTED: 'WAMP_RETRIES_EXHAUSTED',
  /** The router refused to let the component join its realm. */
  JOIN_REFUSED: 'WAMP_JOIN_REFUSED',
} as const;
export type WampErrorCode = (typeof WampErrorCode)[keyof typeof WampErrorCode];
