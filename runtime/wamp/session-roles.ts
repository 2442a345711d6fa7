/**
 * The roles and features the client announces in HELLO.Details.roles: what session-caller,
 * session-callee and session-pubsub implement, no more.
 */
export const CLIENT_ROLES = {
  caller: { features: { progressive_call_results: true, call_canceling: true, caller_identification: true } },
  callee: { features: { progressive_call_results: true, call_canceling: true, caller_identification: true, pattern_based_registration: true, shared_registration: true } },
  publisher: { features: { publisher_exclusion: true, publisher_identification: true, subscriber_blackwhite_listing: true } },
  subscriber: { features: { publisher_identification: true, pattern_based_subscription: true } },
} as const;
