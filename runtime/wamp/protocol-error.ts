/**
 * The typed WAMP protocol error. Everything that rejects a malformed message (parser, serializer,
 * RawSocket framing) throws one of these, so exactly one place (the session or the router) turns
 * it into ABORT `wamp.error.protocol_violation` — or, where the spec asks for it, into an ERROR
 * reply to the offending request (`wamp.error.invalid_uri` for a bad topic or procedure).
 */
import { createError, isWampkitError, type WampkitError } from '../errors.js';
import { ErrorUri } from './uris.js';
import type { MessageType } from './message-types.js';

/** Stable codes of WAMP protocol errors. */
export const ProtocolErrorCode = {
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
  /** An Options/Details key that breaks the key rules, or a known key with a wrong value. */
  INVALID_OPTION: 'WAMP_INVALID_OPTION',
  /** Arguments not a list, ArgumentsKw not a dict, or a passthru payload that is not binary. */
  INVALID_PAYLOAD: 'WAMP_INVALID_PAYLOAD',
  /** Bytes the serializer could not decode (or a value it could not encode). */
  SERIALIZATION: 'WAMP_SERIALIZATION',
  /** A RawSocket handshake or frame that breaks the RawSocket rules. */
  RAWSOCKET: 'WAMP_RAWSOCKET',
} as const;
export type ProtocolErrorCode = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode];

const CODES = new Set<string>(Object.values(ProtocolErrorCode));

/** The request a malformed message was, where it could be identified (for an ERROR reply). */
export interface OffendingRequest {
  readonly type: MessageType;
  readonly id: number;
}

export interface ProtocolError extends WampkitError {
  readonly code: ProtocolErrorCode;
  readonly wampUri: string;
  /** Set when the peer can be answered with ERROR for this request instead of being aborted. */
  readonly request?: OffendingRequest;
}

export interface ProtocolErrorOptions {
  /** Defaults to `wamp.error.protocol_violation`. */
  wampUri?: string;
  request?: OffendingRequest;
  cause?: unknown;
}

export function protocolError(code: ProtocolErrorCode, message: string, options: ProtocolErrorOptions = {}): ProtocolError {
  const err = createError(code, message, { wampUri: options.wampUri ?? ErrorUri.PROTOCOL_VIOLATION }, options.cause);
  if (options.request !== undefined) Object.defineProperty(err, 'request', { value: options.request, enumerable: true });
  return err as ProtocolError;
}

export function isProtocolError(value: unknown): value is ProtocolError {
  return isWampkitError(value) && CODES.has(value.code);
}
