/**
 * The router side of one session's authentication: HELLO -> (CHALLENGE -> AUTHENTICATE)* ->
 * WELCOME | ABORT, as a small state machine the router session drives. It picks the first of
 * the client's authmethods the realm offers (skipping to the next when that method knows no
 * such principal), issues at most one CHALLENGE per HELLO, and accepts exactly one
 * AUTHENTICATE for it: a second one, or one with no CHALLENGE outstanding, is a protocol
 * violation. Every failure comes back as an ABORT outcome with the spec's reason URI and a
 * message free of secrets; nothing here throws at the caller.
 */
import { isWampkitError } from '../../errors.js';
import { AuthErrorCode, AuthUri } from '../errors.js';
import { AuthMethod } from '../methods.js';
import { isRecord } from '../options.js';
import { DEFAULT_REALM_AUTH, validateRealmAuthConfig, type RealmAuthConfig } from './config.js';
import { anonymousAuthenticator } from './anonymous.js';
import { ticketAuthenticator } from './ticket.js';
import { wampcraAuthenticator } from './wampcra.js';
import { cryptosignAuthenticator } from './cryptosign.js';
import { scramAuthenticator } from './scram.js';
import type { AuthOutcome, AuthResult, AuthenticatorCall, HelloInfo, MethodStep, RouterAuthenticator } from './types.js';

const HandshakeState = {
  IDLE: 'idle',
  /** HELLO received, its method is deciding (a dynamic authenticator may be running). */
  HELLO_PENDING: 'hello-pending',
  CHALLENGED: 'challenged',
  /** AUTHENTICATE received and being verified. */
  VERIFYING: 'verifying',
  DONE: 'done',
} as const;
type HandshakeState = (typeof HandshakeState)[keyof typeof HandshakeState];

export interface HandshakeOptions {
  /** An AUTHENTICATE later than this many ms after the CHALLENGE fails. Default 30000; 0: no limit. */
  challengeTimeout?: number;
  /** Clock, for tests. Default Date.now. */
  now?: () => number;
}

type Factory = (config: never, call?: AuthenticatorCall) => RouterAuthenticator;

const FACTORIES: Readonly<Record<string, Factory>> = {
  [AuthMethod.ANONYMOUS]: anonymousAuthenticator as Factory,
  [AuthMethod.TICKET]: ticketAuthenticator as Factory,
  [AuthMethod.WAMPCRA]: wampcraAuthenticator as Factory,
  [AuthMethod.CRYPTOSIGN]: cryptosignAuthenticator as Factory,
  [AuthMethod.SCRAM]: scramAuthenticator as Factory,
};

function abort(reason: string, message: string): AuthOutcome {
  return { kind: 'abort', reason, message };
}

/** Turns whatever a method threw into an ABORT, never leaking an unexpected error's text. */
function toAbort(error: unknown): AuthOutcome {
  if (isWampkitError(error) && error.wampUri !== undefined) return abort(error.wampUri, error.message);
  return abort(AuthUri.AUTHENTICATION_FAILED, 'authentication failed (internal error)');
}

export class AuthHandshake {
  readonly #methods: ReadonlyMap<string, RouterAuthenticator>;
  readonly #timeout: number;
  readonly #now: () => number;
  #state: HandshakeState = HandshakeState.IDLE;
  #pending: { method: string; step: Extract<MethodStep, { kind: 'challenge' }>; at: number } | null = null;

  constructor(methods: ReadonlyMap<string, RouterAuthenticator>, options: HandshakeOptions = {}) {
    this.#methods = methods;
    this.#timeout = options.challengeTimeout ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  get state(): string {
    return this.#state;
  }

  /** True while a CHALLENGE awaits its AUTHENTICATE. */
  get challenged(): boolean {
    return this.#state === HandshakeState.CHALLENGED;
  }

  /** Starts over for the next HELLO on the same transport (after GOODBYE). */
  reset(): void {
    this.#state = HandshakeState.IDLE;
    this.#pending = null;
  }

  async hello(hello: HelloInfo): Promise<AuthOutcome> {
    if (this.#state !== HandshakeState.IDLE) return abort(AuthUri.PROTOCOL_VIOLATION, 'HELLO during authentication');
    this.#state = HandshakeState.HELLO_PENDING;
    const offered = hello.authmethods !== undefined && hello.authmethods.length > 0 ? hello.authmethods : [AuthMethod.ANONYMOUS];
    const candidates = offered.filter((m, i) => typeof m === 'string' && offered.indexOf(m) === i && this.#methods.has(m));
    if (candidates.length === 0) {
      this.#state = HandshakeState.DONE;
      return abort(AuthUri.NO_MATCHING_AUTH_METHOD, `none of the offered authmethods is available on realm '${hello.realm}' (offered: ${offered.join(', ')})`);
    }
    let last: AuthOutcome = abort(AuthUri.NO_SUCH_PRINCIPAL, 'no such principal');
    for (const method of candidates) {
      let step: MethodStep;
      try {
        step = await this.#methods.get(method)!.hello(hello);
      } catch (error) {
        last = toAbort(error);
        if (isWampkitError(error) && error.code === AuthErrorCode.NO_SUCH_PRINCIPAL) continue;
        break;
      }
      if (this.#state !== HandshakeState.HELLO_PENDING) return abort(AuthUri.PROTOCOL_VIOLATION, 'the handshake was reset while deciding');
      if (step.kind === 'accept') {
        this.#state = HandshakeState.DONE;
        return { kind: 'welcome', result: step.result };
      }
      this.#pending = { method, step, at: this.#now() };
      this.#state = HandshakeState.CHALLENGED;
      return { kind: 'challenge', method, extra: step.extra };
    }
    this.#state = HandshakeState.DONE;
    return last;
  }

  async authenticate(signature: unknown, extra: unknown): Promise<AuthOutcome> {
    const pending = this.#pending;
    if (this.#state !== HandshakeState.CHALLENGED || pending === null) {
      // Replayed (second) or unsolicited AUTHENTICATE.
      this.#state = HandshakeState.DONE;
      this.#pending = null;
      return abort(AuthUri.PROTOCOL_VIOLATION, 'AUTHENTICATE without an outstanding CHALLENGE');
    }
    // Consumed before any await: a concurrent second AUTHENTICATE sees no challenge.
    this.#state = HandshakeState.VERIFYING;
    this.#pending = null;
    if (typeof signature !== 'string') {
      this.#state = HandshakeState.DONE;
      return abort(AuthUri.PROTOCOL_VIOLATION, 'AUTHENTICATE.Signature must be a string');
    }
    if (this.#timeout > 0 && this.#now() - pending.at > this.#timeout) {
      this.#state = HandshakeState.DONE;
      return abort(AuthUri.AUTHENTICATION_FAILED, `${pending.method}: AUTHENTICATE came too late`);
    }
    let result: AuthResult;
    try {
      result = await pending.step.verify(signature, isRecord(extra) ? extra : {});
    } catch (error) {
      this.#state = HandshakeState.DONE;
      return toAbort(error);
    }
    this.#state = HandshakeState.DONE;
    return { kind: 'welcome', result };
  }
}

/** A realm's authentication: its configured methods, and a handshake per session. */
export class RealmAuth {
  readonly #methods: Map<string, RouterAuthenticator>;
  readonly #options: HandshakeOptions;

  /** `config` is validated here (errors name the bad path); `call` serves `dynamic` methods. */
  constructor(config: RealmAuthConfig | undefined = DEFAULT_REALM_AUTH, call?: AuthenticatorCall, options: HandshakeOptions = {}) {
    const valid = validateRealmAuthConfig(config);
    this.#options = options;
    this.#methods = new Map();
    for (const [method, methodConfig] of Object.entries(valid)) {
      if (methodConfig !== undefined) this.#methods.set(method, FACTORIES[method]!(methodConfig as never, call));
    }
  }

  /** The authmethods this realm offers. */
  get methods(): string[] {
    return [...this.#methods.keys()];
  }

  handshake(): AuthHandshake {
    return new AuthHandshake(this.#methods, this.#options);
  }
}
