/**
 * Typed authentication errors. Each has a stable code and, where the router turns it into an
 * ABORT, the spec's reason URI. Messages never contain secrets, tickets, signatures or keys:
 * they name what was wrong, not the value that was wrong.
 */
import { createError, type WampkitError } from '../errors.js';
import { AuthErrorCode } from './error-codes.js';

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

export { AuthErrorCode } from './error-codes.js';

export function authError(code: AuthErrorCode, message: string, wampUri?: AuthUri | string, cause?: unknown): WampkitError {
  return createError(code, message, wampUri === undefined ? {} : { wampUri }, cause);
}

export function invalidOption(message: string): WampkitError {
  return authError(AuthErrorCode.INVALID_OPTION, message);
}

export function badChallenge(message: string): WampkitError {
  return authError(AuthErrorCode.BAD_CHALLENGE, message, AuthUri.AUTHENTICATION_FAILED);
}
