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
