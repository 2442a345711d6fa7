/**
 * Shared types of the WebSocket engine: the contract between the handshake side
 * (server.ts, client.ts, deflate-negotiation.ts) and the connection side (connection.ts and
 * the stages below it).
 */

export type Role = 'client' | 'server';

/** Negotiated permessage-deflate parameters (RFC 7692 section 7.1), as agreed by both ends. */
export interface DeflateParams {
  /** The server resets its compression context after each message. */
  serverNoContextTakeover: boolean;
  /** The client resets its compression context after each message. */
  clientNoContextTakeover: boolean;
  /** LZ77 window of the server's compressor, 8..15. */
  serverMaxWindowBits: number;
  /** LZ77 window of the client's compressor, 8..15. */
  clientMaxWindowBits: number;
}

/** Protocol limits and timers; the same on both sides. Every field optional; see defaults. */
export interface ProtocolOptions {
  /** Largest frame payload accepted, in bytes (0: no limit). Over it: close 1009. */
  maxFramePayloadSize?: number;
  /** Largest message accepted (after inflation), in bytes (0: no limit). Over it: close 1009. */
  maxMessagePayloadSize?: number;
  /**
   * Most frames one message may arrive in (0: no limit). Over it: close 1008, since the
   * message breaks a policy rather than being too big (it may be a few bytes in many frames).
   */
  maxFramesPerMessage?: number;
  /** Outgoing messages larger than this are sent as several frames (0: never fragment). */
  autoFragmentSize?: number;
  /** Send a ping after this many ms without traffic (0: off). */
  autoPingInterval?: number;
  /** Fail the connection when the pong to an auto ping takes longer than this, in ms. */
  autoPingTimeout?: number;
  /** After sending a close frame, drop the connection if the peer's does not come within this, in ms. */
  closeTimeout?: number;
  /** Validate UTF-8 of text messages incrementally, failing fast (default true). */
  validateUtf8?: boolean;
  /** Only messages at least this large are compressed when permessage-deflate is on. */
  compressionThreshold?: number;
  /** zlib level for outgoing compressed messages (0..9). */
  compressionLevel?: number;
  /** zlib memLevel for outgoing compressed messages (1..9). */
  compressionMemLevel?: number;
}

export const PROTOCOL_DEFAULTS: Required<ProtocolOptions> = {
  maxFramePayloadSize: 0,
  maxMessagePayloadSize: 64 * 1024 * 1024,
  // Autobahn's fragmentation cases send up to 65,536 frames (9.3.1, 9.4.1: 4 MiB in 64 B frames).
  maxFramesPerMessage: 100_000,
  autoFragmentSize: 0,
  autoPingInterval: 0,
  autoPingTimeout: 10_000,
  closeTimeout: 5_000,
  validateUtf8: true,
  compressionThreshold: 0,
  compressionLevel: 6,
  compressionMemLevel: 8,
};

/**
 * How a connection delivers received data: 'message' assembles each message (events
 * 'message', `messages()`); 'stream' hands each message over as a stream as it arrives
 * (event 'messageStream', `incoming()`), never assembling it.
 */
export type ReceiveMode = 'message' | 'stream';

/** What the handshake hands the connection once the opening handshake succeeded. */
export interface ConnectionInit extends ProtocolOptions {
  /** Default 'message'. */
  receiveMode?: ReceiveMode;
  role: Role;
  /** The negotiated subprotocol, or null. */
  subprotocol: string | null;
  /** The Sec-WebSocket-Extensions value in the handshake response ('' if none). */
  extensions: string;
  /** Negotiated permessage-deflate, or null when not in use. */
  deflate: DeflateParams | null;
  /** The peer's address, for logs ("tcp:127.0.0.1:54321"). */
  peer: string;
}
