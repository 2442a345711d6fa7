/**
 * Router-side authentication: the contract between a realm's authentication config and the
 * router session's HELLO / CHALLENGE / AUTHENTICATE handling.
 */

/** What the router knows when a HELLO arrives. */
export interface HelloInfo {
  realm: string;
  /** The session ID WELCOME will carry (WAMP-CRA binds its challenge to it): allocate it before authenticating. */
  session: number;
  /** HELLO.Details.authid, if any. */
  authid?: string;
  /** HELLO.Details.authrole, if any (a request; the config decides). */
  authrole?: string;
  /** HELLO.Details.authmethods; absent or empty means ['anonymous']. */
  authmethods?: readonly string[];
  /** HELLO.Details.authextra (e.g. cryptosign pubkey, SCRAM client nonce). */
  authextra?: Record<string, unknown>;
  /** Transport facts passed to dynamic authenticators (e.g. { type: 'websocket', peer: 'tcp4:127.0.0.1:5000' }). */
  transport?: Record<string, unknown>;
}

/** Who the session is once authenticated: the WELCOME.Details auth fields. */
export interface AuthResult {
  authid: string;
  authrole: string;
  authmethod: string;
  authprovider: string;
  /** WELCOME.Details.authextra (e.g. the SCRAM verifier); empty when nothing to say. */
  authextra: Record<string, unknown>;
}

/** What a per-method authenticator does with a HELLO. */
export type MethodStep =
  | { kind: 'accept'; result: AuthResult }
  | {
      kind: 'challenge';
      /** CHALLENGE.Extra */
      extra: Record<string, unknown>;
      /** Checks AUTHENTICATE's Signature and Extra; resolves to the result or rejects with an auth error. */
      verify(signature: string, extra: Record<string, unknown>): Promise<AuthResult>;
    };

/**
 * One WAMP authentication method as a realm has configured it. Stateless across sessions:
 * per-session state lives in the `verify` closure of a challenge step.
 *
 * `hello` rejects with a WampkitError carrying the ABORT reason in `wampUri`; the code
 * AUTH_NO_SUCH_PRINCIPAL means "not mine": the handshake then tries the client's next method.
 */
export interface RouterAuthenticator {
  readonly method: string;
  hello(hello: HelloInfo): Promise<MethodStep>;
}

/**
 * Calls a WAMP procedure on the router itself (dynamic authentication). The router supplies
 * it, e.g. by running a CALL through the realm's dealer as a trusted internal caller.
 * Resolves to the callee's first positional result (or kwargs when there are no args); rejects
 * with the callee's error (an ApplicationError whose `error` is the URI).
 */
export type AuthenticatorCall = (procedure: string, args: unknown[], kwargs?: Record<string, unknown>) => Promise<unknown>;

/** What the router session does next. */
export type AuthOutcome =
  | { kind: 'welcome'; result: AuthResult }
  | { kind: 'challenge'; method: string; extra: Record<string, unknown> }
  | { kind: 'abort'; reason: string; message: string };
