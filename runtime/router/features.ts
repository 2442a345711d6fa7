/**
 * The roles and features this router announces in WELCOME.Details.roles: exactly what the
 * broker and dealer implement, no more. Adding an Advanced Profile feature means adding it
 * here in the same change that implements it.
 */
export const ROUTER_ROLES = {
  broker: {
    features: {
      publisher_exclusion: true,
      publisher_identification: true,
      subscriber_blackwhite_listing: true,
      pattern_based_subscription: true,
    },
  },
  dealer: {
    features: {
      caller_identification: true,
      progressive_call_results: true,
      call_canceling: true,
      pattern_based_registration: true,
      shared_registration: true,
    },
  },
} as const;
