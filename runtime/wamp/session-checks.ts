/**
 * The client session's errors (codes from the WAMP layer's table) and the argument checks its
 * public methods share.
 */
import { createError, type WampkitError } from '../errors.js';
import { WampErrorCode } from './error-codes.js';

/** The client session's error codes (part of the WAMP layer's table). */
export const SessionErrorCode = {
  /** A request was made while the session is not joined to a realm. */
  NOT_JOINED: WampErrorCode.NOT_JOINED,
  /** The session left or lost its transport while a request was pending. */
  SESSION_LOST: WampErrorCode.SESSION_LOST,
  /** A joining session was refused (ABORT) or the join could not start. */
  JOIN_FAILED: WampErrorCode.JOIN_FAILED,
  /** A caller passed an invalid argument. */
  INVALID_ARGUMENT: WampErrorCode.INVALID_ARGUMENT,
  /** The router did not announce an Advanced Profile feature the request needs. */
  FEATURE_NOT_SUPPORTED: WampErrorCode.FEATURE_NOT_SUPPORTED,
} as const;

export function notJoined(what: string): WampkitError {
  return createError(SessionErrorCode.NOT_JOINED, `cannot ${what}: the session is not joined to a realm`);
}

export function sessionLost(reason: string): WampkitError {
  return createError(SessionErrorCode.SESSION_LOST, `the session ended before the router answered (${reason})`);
}

export function invalidArgument(message: string): WampkitError {
  return createError(SessionErrorCode.INVALID_ARGUMENT, message);
}

export function featureNotSupported(message: string): WampkitError {
  return createError(SessionErrorCode.FEATURE_NOT_SUPPORTED, message);
}

export function checkUriArgument(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidArgument(`${what} must be a non-empty URI string, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkArgs(args: unknown, kwargs: unknown): void {
  if (args !== undefined && !Array.isArray(args)) throw invalidArgument(`args must be an array, got ${typeof args}`);
  if (kwargs !== undefined && (typeof kwargs !== 'object' || kwargs === null || Array.isArray(kwargs))) {
    throw invalidArgument(`kwargs must be a plain object, got ${Array.isArray(kwargs) ? 'array' : typeof kwargs}`);
  }
}
