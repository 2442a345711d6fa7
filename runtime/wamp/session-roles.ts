/**
 * The roles and features the client announces in HELLO.Details.roles: what session-caller,
 * session-callee and session-pubsub implement, no more.
 *
 * Payload passthru mode (session-passthru.ts) is announced for all four roles: the client sends
 * it when asked (`passthru` options) and unpacks what it receives, and it covers Autobahn's
 * payload transparency (the enc_algo form) and cryptobox encryption too (session-codec.ts,
 * cryptobox.ts), which the client speaks with a payload codec but does not announce by name.
 *
 * Event retention needs no client announcement (only the broker announces it); the client
 * sends `retain`/`get_retained` and reads `details.retained`.
 */
// Only the spec's name: Autobahn's payload_transparency and payload_encryption_cryptobox would
// add some 250 bytes to every HELLO (one to a router that takes 1 KiB messages would no longer
// fit), and our router takes payload_passthru_mode for Autobahn's form too.
const PAYLOAD = { payload_passthru_mode: true } as const;

export const CLIENT_ROLES = {
  caller: {
    features: {
      progressive_call_results: true,
      progressive_call_invocations: true,
      call_canceling: true,
      call_timeout: true,
      caller_identification: true,
      ...PAYLOAD,
    },
  },
  callee: {
    features: {
      progressive_call_results: true,
      progressive_call_invocations: true,
      call_canceling: true,
      call_timeout: true,
      caller_identification: true,
      pattern_based_registration: true,
      shared_registration: true,
      registration_revocation: true,
      ...PAYLOAD,
    },
  },
  publisher: { features: { publisher_exclusion: true, publisher_identification: true, subscriber_blackwhite_listing: true, ...PAYLOAD } },
  subscriber: { features: { publisher_identification: true, pattern_based_subscription: true, subscription_revocation: true, ...PAYLOAD } },
} as const;
