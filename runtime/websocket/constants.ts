/** RFC 6455 / RFC 7692 protocol numbers. No bare opcodes or close codes in logic. */

/** Appended to Sec-WebSocket-Key before hashing (RFC 6455 section 1.3). */
export const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Sec-WebSocket-Version values we speak: 13 (RFC 6455) and 8 (hybi-10, same framing). */
export const SUPPORTED_VERSIONS = [13, 8] as const;

export const Opcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/** Header bits of the first two bytes of a frame. */
export const FrameBits = {
  FIN: 0x80,
  RSV1: 0x40,
  RSV2: 0x20,
  RSV3: 0x10,
  OPCODE: 0x0f,
  MASK: 0x80,
  LENGTH: 0x7f,
} as const;

/** 7-bit length values that announce an extended length field. */
export const LengthMarker = {
  U16: 126,
  U64: 127,
} as const;

/** Control frames carry at most this many payload bytes (RFC 6455 section 5.5). */
export const MAX_CONTROL_PAYLOAD = 125;

/** Close status codes (RFC 6455 section 7.4.1, IANA registry). */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  /** Reserved: never sent; means "no status code was present". */
  NO_STATUS: 1005,
  /** Reserved: never sent; means "closed without a close frame". */
  ABNORMAL: 1006,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  MANDATORY_EXTENSION: 1010,
  INTERNAL_ERROR: 1011,
  SERVICE_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
  BAD_GATEWAY: 1014,
  /** Reserved: never sent; TLS handshake failure. */
  TLS_HANDSHAKE: 1015,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Codes a peer may put in a close frame; 3000-4999 are for registered/private use. */
export function isValidCloseCode(code: number): boolean {
  if (code >= 3000 && code <= 4999) return true;
  return (
    (code >= CloseCode.NORMAL && code <= CloseCode.UNSUPPORTED_DATA) ||
    (code >= CloseCode.INVALID_PAYLOAD && code <= CloseCode.BAD_GATEWAY)
  );
}

/** permessage-deflate (RFC 7692). */
export const PerMessageDeflate = {
  NAME: 'permessage-deflate',
  SERVER_NO_CONTEXT_TAKEOVER: 'server_no_context_takeover',
  CLIENT_NO_CONTEXT_TAKEOVER: 'client_no_context_takeover',
  SERVER_MAX_WINDOW_BITS: 'server_max_window_bits',
  CLIENT_MAX_WINDOW_BITS: 'client_max_window_bits',
  MIN_WINDOW_BITS: 8,
  MAX_WINDOW_BITS: 15,
  /** The empty stored block every compressed message ends with, removed on send (section 7.2.1). */
  TRAILER: Uint8Array.of(0x00, 0x00, 0xff, 0xff),
} as const;
