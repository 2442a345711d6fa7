/**
 * The typed WAMP protocol error. Everything that rejects a malformed message (parser, serializer,
 * RawSocket framing) throws one of these, so exactly one place (the session or the router) turns
 * it into ABORT `wamp.error.protocol_violation` — or, where the spec asks for it, into an ERROR
 * reply to the offending request (`wamp.error.invalid_uri` for a bad topic or procedure).
 */
import { createError, isWampkitError, type WampkitError } from '../errors.js';
import { ErrorUri } from './uris.js';
import type { MessageType } from './message-types.js';
import { WampErrorCode } from './error-codes.js';

/** The codes of WAMP protocol errors: the WAMP layer's (and the serializers') message checks. */
export const ProtocolErrorCode = {
  INVALID_MESSAGE: WampErrorCode.INVALID_MESSAGE,
  BAD_LENGTH: WampErrorCode.BAD_LENGTH,
  INVALID_ID: WampErrorCode.INVALID_ID,
  INVALID_URI: WampErrorCode.INVALID_URI,
  INVALID_TYPE: WampErrorCode.INVALID_TYPE,
  INVALID_OPTION: WampErrorCode.INVALID_OPTION,
  INVALID_PAYLOAD: WampErrorCode.INVALID_PAYLOAD,
  SERIALIZATION: WampErrorCode.SERIALIZATION,
  RAWSOCKET: WampErrorCode.RAWSOCKET,
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
