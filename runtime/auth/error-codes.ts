/**
 * Stable error codes of authentication (client authenticators and the router's methods). A leaf
 * module (no imports); see runtime/errors.ts.
 */
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
