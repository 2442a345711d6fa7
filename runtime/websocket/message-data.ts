/**
 * What the connection's send API accepts, and the checks on it (the public boundary: each
 * error names the bad value). Pure functions, no connection state.
 */
import { MAX_CONTROL_PAYLOAD } from './constants.js';
import { WebSocketErrorCode, wsError } from './errors.js';

export type MessageData = string | Uint8Array;

export interface MessageStreamOptions {
  /** Send a binary message (default false: text, whose bytes must be UTF-8). */
  binary?: boolean;
}

const EMPTY = Buffer.alloc(0);

/** The bytes of a message: strings as UTF-8, Uint8Arrays shared (never copied). */
export function toBuffer(data: MessageData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `message data must be a string or Uint8Array, got ${typeof data}`);
}

/** A ping or pong payload: at most 125 bytes (RFC 6455 section 5.5). */
export function controlPayload(payload: MessageData | undefined, what: string): Buffer {
  if (payload === undefined) return EMPTY;
  const buffer = toBuffer(payload);
  if (buffer.length > MAX_CONTROL_PAYLOAD) {
    throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `${what} payload of ${buffer.length} bytes exceeds ${MAX_CONTROL_PAYLOAD}`);
  }
  return buffer;
}

/** The streamed-message state the frame API's calls depend on (the FrameSender's). */
export interface StreamState {
  readonly streamOpen: boolean;
  readonly inFrame: boolean;
  readonly streamCompressed: boolean;
}

export type StreamCall = 'sendMessage' | 'beginMessage' | 'sendMessageFrame' | 'endMessage' | 'beginMessageFrame' | 'sendMessageFrameData';

const NO_STREAM: readonly [(s: StreamState) => boolean, string] = [(s) => !s.streamOpen, 'no streamed message is open: call beginMessage() first'];
const FRAME_OPEN: readonly [(s: StreamState) => boolean, string] = [(s) => s.inFrame, 'a hand-written frame is incomplete'];

/** What each call of the frame API refuses, in order: [the state it cannot be made in, why]. */
const STREAM_RULES: Readonly<Record<StreamCall, ReadonlyArray<readonly [(s: StreamState) => boolean, string]>>> = {
  sendMessage: [[(s) => s.streamOpen, 'a streamed message is open: call endMessage() first']],
  beginMessage: [[(s) => s.streamOpen, 'a streamed message is already open']],
  sendMessageFrame: [NO_STREAM, FRAME_OPEN],
  endMessage: [NO_STREAM, FRAME_OPEN],
  beginMessageFrame: [
    NO_STREAM,
    [(s) => s.inFrame, 'the previous frame is incomplete'],
    [(s) => s.streamCompressed, 'a compressed message cannot continue with hand-written frames'],
  ],
  sendMessageFrameData: [[(s) => !s.inFrame, 'no hand-written frame is open']],
};

/** Throws WS_INVALID_ARGUMENT when `call` is made out of order (checked whether or not the connection is open). */
export function checkStreamCall(call: StreamCall, state: StreamState): void {
  for (const [refuses, why] of STREAM_RULES[call]) if (refuses(state)) throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, why);
}

/** The length of a hand-written frame (beginMessageFrame). */
export function checkFrameLength(length: number): void {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `frame length must be a non-negative integer, got ${String(length)}`);
  }
}

/** The options of createMessageStream; returns whether the message is binary. */
export function streamIsBinary(options: MessageStreamOptions): boolean {
  const binary = options.binary ?? false;
  if (typeof binary !== 'boolean') throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `binary must be a boolean, got ${String(binary)}`);
  return binary;
}
