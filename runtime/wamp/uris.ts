/**
 * WAMP URIs: the identifier rules (basic profile "URIs" section) and the predefined error and
 * close-reason URIs as named constants.
 *
 * Which rule applies where:
 * - Every URI element (realm, topic, procedure, error, reason) MUST follow the loose rule:
 *   components separated by `.`, none empty, none containing `.`, `#` or whitespace.
 * - The strict rule (components of `[0-9a-z_]` only) is a SHOULD; peers opt into it.
 * - Empty components are allowed only where a pattern is meant: a SUBSCRIBE/REGISTER with
 *   `match: "wildcard"` (an empty component is the wildcard). A `match: "prefix"` URI may in
 *   addition end in `.` (last component empty), as Autobahn allows.
 * - Application URIs MUST NOT start with the component `wamp` (reserved); a router enforces that
 *   on REGISTER/PUBLISH (`isReservedUri`), not the message parser, because clients call and
 *   subscribe to the router's own `wamp.*` meta API.
 */

/** How strictly URI components are checked. */
export type UriRule = 'loose' | 'strict';
/** The matching policy a URI is checked for: exact URIs, prefixes, wildcard patterns. */
export type UriMatch = 'exact' | 'prefix' | 'wildcard';

export const MatchPolicy = {
  EXACT: 'exact',
  PREFIX: 'prefix',
  WILDCARD: 'wildcard',
} as const;

// Loose: components without whitespace, '.' or '#'.
const LOOSE = /^(?:[^\s.#]+\.)*[^\s.#]+$/u;
const LOOSE_LAST_EMPTY = /^(?:[^\s.#]+\.)*[^\s.#]*$/u;
const LOOSE_EMPTY = /^(?:[^\s.#]+\.|\.)*[^\s.#]*$/u;
// Strict: components of lower-case letters, digits and '_'.
const STRICT = /^(?:[0-9a-z_]+\.)*[0-9a-z_]+$/;
const STRICT_LAST_EMPTY = /^(?:[0-9a-z_]+\.)*[0-9a-z_]*$/;
const STRICT_EMPTY = /^(?:[0-9a-z_]+\.|\.)*[0-9a-z_]*$/;

const PATTERNS: Readonly<Record<UriRule, Readonly<Record<UriMatch, RegExp>>>> = {
  loose: { exact: LOOSE, prefix: LOOSE_LAST_EMPTY, wildcard: LOOSE_EMPTY },
  strict: { exact: STRICT, prefix: STRICT_LAST_EMPTY, wildcard: STRICT_EMPTY },
};

/**
 * True when `value` is a URI valid under `rule` for the matching policy `match`
 * (default: an exact URI, no empty components). The empty string is never a URI.
 */
export function isValidUri(value: unknown, rule: UriRule = 'loose', match: UriMatch = 'exact'): value is string {
  return typeof value === 'string' && value.length > 0 && PATTERNS[rule][match].test(value);
}

/** True when the URI's first component is `wamp`, reserved for the protocol itself. */
export function isReservedUri(uri: string): boolean {
  return uri === 'wamp' || uri.startsWith('wamp.');
}

/** Predefined error URIs (basic and advanced profile URI sections, meta API). */
export const ErrorUri = {
  // Basic profile: interaction
  INVALID_URI: 'wamp.error.invalid_uri',
  NO_SUCH_PROCEDURE: 'wamp.error.no_such_procedure',
  PROCEDURE_ALREADY_EXISTS: 'wamp.error.procedure_already_exists',
  NO_SUCH_REGISTRATION: 'wamp.error.no_such_registration',
  NO_SUCH_SUBSCRIPTION: 'wamp.error.no_such_subscription',
  INVALID_ARGUMENT: 'wamp.error.invalid_argument',
  CANCELED: 'wamp.error.canceled',
  /**
   * The spelling the basic profile uses once for "callee left before answering"; the URI
   * lists use CANCELED. Recognise both, send CANCELED.
   */
  CANCELLED: 'wamp.error.cancelled',
  PAYLOAD_SIZE_EXCEEDED: 'wamp.error.payload_size_exceeded',
  /**
   * Not in the spec's lists; Autobahn's and Crossbar's URI for "the application payload could
   * not be serialized": a message that could not be encoded for its receiver (an unencodable
   * call result reaches the caller as this ERROR instead).
   */
  INVALID_PAYLOAD: 'wamp.error.invalid_payload',
  PROTOCOL_VIOLATION: 'wamp.error.protocol_violation',
  // Basic profile: authorization
  NOT_AUTHORIZED: 'wamp.error.not_authorized',
  AUTHORIZATION_FAILED: 'wamp.error.authorization_failed',
  NO_SUCH_REALM: 'wamp.error.no_such_realm',
  NO_SUCH_ROLE: 'wamp.error.no_such_role',
  // Advanced profile: authentication
  NO_MATCHING_AUTH_METHOD: 'wamp.error.no_matching_auth_method',
  NO_SUCH_PRINCIPAL: 'wamp.error.no_such_principal',
  AUTHENTICATION_DENIED: 'wamp.error.authentication_denied',
  AUTHENTICATION_FAILED: 'wamp.error.authentication_failed',
  AUTHENTICATION_REQUIRED: 'wamp.error.authentication_required',
  // Advanced profile: authorization
  AUTHORIZATION_DENIED: 'wamp.error.authorization_denied',
  AUTHORIZATION_REQUIRED: 'wamp.error.authorization_required',
  // Advanced profile: RPC
  TIMEOUT: 'wamp.error.timeout',
  OPTION_NOT_ALLOWED: 'wamp.error.option_not_allowed',
  OPTION_DISALLOWED_DISCLOSE_ME: 'wamp.error.option_disallowed.disclose_me',
  /** The caller-identification section's spelling of a refused disclose_me. */
  DISCLOSE_ME_NOT_ALLOWED: 'wamp.error.disclose_me.not_allowed',
  NETWORK_FAILURE: 'wamp.error.network_failure',
  UNAVAILABLE: 'wamp.error.unavailable',
  NO_AVAILABLE_CALLEE: 'wamp.error.no_available_callee',
  FEATURE_NOT_SUPPORTED: 'wamp.error.feature_not_supported',
  // Meta API
  NO_SUCH_SESSION: 'wamp.error.no_such_session',
} as const;
export type ErrorUri = (typeof ErrorUri)[keyof typeof ErrorUri];

/** Predefined GOODBYE/ABORT reasons. */
export const CloseReason = {
  /** Autobahn's and most routers' reason for an ordinary leave. */
  NORMAL: 'wamp.close.normal',
  SYSTEM_SHUTDOWN: 'wamp.close.system_shutdown',
  CLOSE_REALM: 'wamp.close.close_realm',
  GOODBYE_AND_OUT: 'wamp.close.goodbye_and_out',
  /** The router forcefully terminated the session (advanced profile). */
  KILLED: 'wamp.close.killed',
} as const;
export type CloseReason = (typeof CloseReason)[keyof typeof CloseReason];
