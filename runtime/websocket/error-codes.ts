/**
 * Stable error codes of the WebSocket engine. A leaf module (no imports), so runtime/errors.ts
 * can take the union of every layer's codes without an import circle; ./errors.ts re-exports
 * the table and maps codes to close codes.
 */
export const WebSocketErrorCode = {
  /** A frame or message broke RFC 6455 (close 1002). */
  PROTOCOL_ERROR: 'WS_PROTOCOL_ERROR',
  /** A text message or close reason was not valid UTF-8 (close 1007). */
  INVALID_UTF8: 'WS_INVALID_UTF8',
  /** A frame or message exceeded a configured limit, or could not be allocated (close 1009). */
  MESSAGE_TOO_BIG: 'WS_MESSAGE_TOO_BIG',
  /** A message arrived in more frames than maxFramesPerMessage allows (close 1008). */
  TOO_MANY_FRAMES: 'WS_TOO_MANY_FRAMES',
  /** A close frame carried a code that may not be sent (close 1002). */
  INVALID_CLOSE_CODE: 'WS_INVALID_CLOSE_CODE',
  /** The compressed payload could not be inflated (close 1007). */
  INFLATE_FAILED: 'WS_INFLATE_FAILED',
  /** The opening handshake was malformed or refused (an HTTP status). */
  HANDSHAKE_FAILED: 'WS_HANDSHAKE_FAILED',
  /** The opening handshake did not finish in time. */
  HANDSHAKE_TIMEOUT: 'WS_HANDSHAKE_TIMEOUT',
  /** The server answered with a redirect, which we refuse to follow. */
  REDIRECT_REFUSED: 'WS_REDIRECT_REFUSED',
  /** The HTTP CONNECT proxy refused or failed the tunnel. */
  PROXY_FAILED: 'WS_PROXY_FAILED',
  /** No pong came back within the auto-ping timeout (close 1001 by drop). */
  PING_TIMEOUT: 'WS_PING_TIMEOUT',
  /** Sending on a connection that is closing or closed. */
  NOT_OPEN: 'WS_NOT_OPEN',
  /** Compressing an outgoing message failed (close 1011). */
  DEFLATE_FAILED: 'WS_DEFLATE_FAILED',
  /** A caller passed an invalid option or argument. */
  INVALID_ARGUMENT: 'WS_INVALID_ARGUMENT',
} as const;
export type WebSocketErrorCode = (typeof WebSocketErrorCode)[keyof typeof WebSocketErrorCode];
