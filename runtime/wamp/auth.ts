/**
 * Client authentication. An `Authenticator` names its WAMP auth method, what it announces in
 * HELLO (authid, authextra), and answers the router's CHALLENGE. Only anonymous exists today;
 * ticket, wampcra and cryptosign plug in as further Authenticators without changing the
 * session or the Component.
 */
export interface Authenticator {
  /** The WAMP authmethod: 'anonymous' | 'ticket' | 'wampcra' | 'cryptosign' | ... */
  readonly method: string;
  readonly authid?: string;
  readonly authextra?: Record<string, unknown>;
  /** The signature for AUTHENTICATE; never called for anonymous. */
  onChallenge(extra: Record<string, unknown>): string | Promise<string>;
  /**
   * Optional: the Extra for the AUTHENTICATE that answers the challenge just signed (WAMP-SCRAM
   * sends the combined nonce and channel binding there). Called after `onChallenge` resolved;
   * absent or undefined means `{}`.
   */
  authenticateExtra?(): Record<string, unknown> | undefined;
  /**
   * Optional: WELCOME.Details.authextra, for mutual authentication (WAMP-SCRAM checks the
   * router's `verifier`). Throwing or rejecting means the router is not who it claims: the
   * session must not join (ABORT wamp.error.authentication_failed and close).
   */
  onWelcome?(authextra: Record<string, unknown>): void | Promise<void>;
}

/** Anonymous authentication (what the embedded router offers). */
export function anonymous(options: { authid?: string } = {}): Authenticator {
  return {
    method: 'anonymous',
    ...(options.authid === undefined ? {} : { authid: options.authid }),
    onChallenge() {
      throw new Error('anonymous authentication has no challenge');
    },
  };
}
