/**
 * Stable error codes of the WAMP transports (WebSocket, RawSocket, browser, memory). A leaf
 * module (no imports); see runtime/errors.ts. Several values are shared with the WAMP layer's
 * table (the same string means the same thing in both).
 */
export const TransportErrorCode = {
  /** A received message is larger than the configured maximum, or a sent one than the peer's. */
  MESSAGE_TOO_BIG: 'WAMP_MESSAGE_TOO_BIG',
  /** A received message does not deserialize, or is text where binary is expected (or vice versa). */
  BAD_MESSAGE: 'WAMP_BAD_MESSAGE',
  /** The WebSocket server agreed none of the WAMP subprotocols offered. */
  NO_SUBPROTOCOL: 'WAMP_NO_SUBPROTOCOL',
  /** The browser's WebSocket did not open in time. */
  CONNECT_TIMEOUT: 'WAMP_CONNECT_TIMEOUT',
  /** The browser's WebSocket failed to open. */
  CONNECT_FAILED: 'WAMP_CONNECT_FAILED',
  /** The RawSocket handshake was refused or broke off. */
  RAWSOCKET: 'WAMP_RAWSOCKET',
  /** The RawSocket handshake did not complete in time. */
  RAWSOCKET_TIMEOUT: 'WAMP_RAWSOCKET_TIMEOUT',
  /** No RawSocket PONG came back within the auto-ping timeout. */
  PING_TIMEOUT: 'WAMP_PING_TIMEOUT',
  /** A caller passed an invalid argument (a size, a serializer, a URL). */
  INVALID_ARGUMENT: 'WAMP_INVALID_ARGUMENT',
  /** A transport entry or option is not usable here. */
  INVALID_OPTION: 'WAMP_INVALID_OPTION',
} as const;
export type TransportErrorCode = (typeof TransportErrorCode)[keyof typeof TransportErrorCode];
