/**
 * The roles and features this router announces in WELCOME.Details.roles: exactly what the
 * broker and dealer implement and the router tests exercise, no more. Adding an Advanced
 * Profile feature means adding it here in the same change that implements it (and its row in
 * docs/features.md).
 */
export const ROUTER_ROLES = {
  broker: {
    features: {
      publisher_exclusion: true,
      publisher_identification: true,
      subscriber_blackwhite_listing: true,
      pattern_based_subscription: true,
      event_retention: true,
      subscription_revocation: true,
      session_meta_api: true,
      subscription_meta_api: true,
      // Both names of one feature: the spec's, and Autobahn's/Crossbar's (enc_algo form); passthru.ts.
      payload_passthru_mode: true,
      payload_transparency: true,
    },
  },
  dealer: {
    features: {
      caller_identification: true,
      progressive_call_results: true,
      progressive_call_invocations: true,
      call_canceling: true,
      call_timeout: true,
      pattern_based_registration: true,
      shared_registration: true,
      registration_revocation: true,
      session_meta_api: true,
      registration_meta_api: true,
      testament_meta_api: true,
      payload_passthru_mode: true,
      payload_transparency: true,
    },
  },
} as const;
