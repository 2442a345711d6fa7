/**
 * Typed authentication errors. Each has a stable code and, where the router turns it into an
 * ABORT, the spec's reason URI. Messages never contain secrets, tickets, signatures or keys:
 * they name what was wrong, not the value that was wrong.
 */
import { createError, type WampkitError } from '../errors.js';

/** Authentication and session URIs used here (advanced profile, authentication section). */
export const AuthUri = {
  AUTHENTICATION_FAILED: 'wamp.error.authentication_failed',
  AUTHENTICATION_DENIED: 'wamp.error.authentication_denied',
  NO_MATCHING_AUTH_METHOD: 'wamp.error.no_matching_auth_method',
  NO_SUCH_PRINCIPAL: 'wamp.error.no_such_principal',
  NO_SUCH_ROLE: 'wamp.error.no_such_role',
  NOT_AUTHORIZED: 'wamp.error.not_authorized',
  PROTOCOL_VIOLATION: 'wamp.error.protocol_violation',
} as const;
export type AuthUri = (typeof AuthUri)[keyof typeof AuthUri];

export const AuthErrorCode = {
  /** An authenticator or router auth config was given a bad option (client or router side). */
  INVALID_OPTION: 'AUTH_INVALID_OPTION',
  /** The router's CHALLENGE was malformed or unacceptable to the client (e.g. too-low SCRAM cost). */
  BAD_CHALLENGE: 'AUTH_BAD_CHALLENGE',
  /** The router's WELCOME failed the client's check (SCRAM server signature). */
  BAD_WELCOME: 'AUTH_BAD_WELCOME',
  /** The router rejected the client's credentials. */
  FAILED: 'AUTH_FAILED',
  /** The router knows no such principal for the method. */
  NO_SUCH_PRINCIPAL: 'AUTH_NO_SUCH_PRINCIPAL',
  /** None of the client's methods is configured on the realm. */
  NO_MATCHING_METHOD: 'AUTH_NO_MATCHING_METHOD',
  /** A dynamic authenticator denied the principal. */
  DENIED: 'AUTH_DENIED',
  /** AUTHENTICATE without an outstanding CHALLENGE, or a second one. */
  PROTOCOL_VIOLATION: 'AUTH_PROTOCOL_VIOLATION',
} as const;
export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

export function authError(code: AuthErrorCode, message: string, wampUri?: AuthUri | string, cause?: unknown): WampkitError {
  return createError(code, message, wampUri === undefined ? {} : { wampUri }, cause);
}

export function invalidOption(message: string): WampkitError {
  return authError(AuthErrorCode.INVALID_OPTION, message);
}

export function badChallenge(message: string): WampkitError {
  return authError(AuthErrorCode.BAD_CHALLENGE, message, AuthUri.AUTHENTICATION_FAILED);
}
