/**
 * Stable error codes of the router (options, listeners, URI patterns, static files, cluster). A leaf
 * module (no imports): config, authorizer, retention and the matcher share it without
 * importing each other; see runtime/errors.ts.
 */
export const RouterErrorCode = {
  /** A router, realm, listener, retention or authorization option is invalid. */
  INVALID_OPTION: 'ROUTER_INVALID_OPTION',
  /** A listener could not bind its address. */
  LISTEN_FAILED: 'ROUTER_LISTEN_FAILED',
  /** A URI pattern is not valid for its match policy. */
  INVALID_PATTERN: 'ROUTER_INVALID_PATTERN',
  /** A match policy other than exact, prefix or wildcard. */
  UNKNOWN_MATCH_POLICY: 'ROUTER_UNKNOWN_MATCH_POLICY',
  /** A static-files option (root, index) is invalid. */
  STATIC_FILES_INVALID_OPTION: 'STATIC_FILES_INVALID_OPTION',
  /** The cluster's NATS servers could not be reached, or its registry bucket not opened, at start. */
  CLUSTER_UNAVAILABLE: 'ROUTER_CLUSTER_UNAVAILABLE',
  /** `cluster` is configured but the NATS client packages (@nats-io/transport-node, @nats-io/kv) are not installed. */
  CLUSTER_CLIENT_MISSING: 'ROUTER_CLUSTER_CLIENT_MISSING',
} as const;
export type RouterErrorCode = (typeof RouterErrorCode)[keyof typeof RouterErrorCode];
