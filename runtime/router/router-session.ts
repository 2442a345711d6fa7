/**
 * The router side of one WAMP session on one transport: the session state machine (HELLO,
 * authentication, WELCOME/ABORT, GOODBYE), request ID checks, and the hand-off of each request
 * to its realm (session dispatch -> realm -> broker | dealer). This is the one place that turns
 * a protocol error into ABORT `wamp.error.protocol_violation` (then closes the transport);
 * nothing a peer sends can throw out of here, and nothing sent to it can either (outbound.ts).
 *
 * Inbound, in this file: each message is parsed, its request ID checked (router-session-ids.ts),
 * checked against the table of what the current state accepts (router-session-states.ts), and
 * dispatched by one switch on its type. States: AWAITING_HELLO -> AUTHENTICATING (the realm's
 * authentication decides: WELCOME at once, or CHALLENGE/AUTHENTICATE first, or ABORT) ->
 * JOINED -> (GOODBYE) -> AWAITING_HELLO again (a transport may carry one session after
 * another), or -> CLOSED. The hello timer runs until WELCOME, so a stalled authentication is
 * dropped like a missing HELLO.
 */
import { MessageType, MESSAGE_NAME, isErrorRequestType } from '../wamp/message-types.js';
import { ErrorUri, CloseReason } from '../wamp/uris.js';
import {
  abortMessage, errorMessage, goodbyeMessage, parseMessage,
  type AuthenticateMessage, type GoodbyeMessage, type HelloMessage, type WampMessage,
} from '../wamp/messages.js';
import { isProtocolError } from '../wamp/protocol-error.js';
import { describeMessage } from '../wamp/message-trace.js';
import type { WampTransport } from '../transports/transport.js';
import type { WampkitError } from '../errors.js';
import type { AuthOutcome } from '../auth/router/types.js';
import type { RouterPeer } from './peer.js';
import type { Handled, RoutingCore } from './realm.js';
import { deliver, deliverShared, type SharedMessage } from './outbound.js';
import { Admission, OutboundBudget, OutboundCloseReason, type BudgetOwner, type OutboundBudgetOptions } from './outbound-budget.js';
import { CloseCode } from '../websocket/constants.js';
import {
  challengeOf, helloOf, peerRoles, welcomeOf, type PeerRoles, type RealmAuthentication, type SessionAuthentication,
} from './router-session-join.js';
import { ACCEPTS, State } from './router-session-states.js';
import { RequestIds, RequestOrder } from './router-session-ids.js';
import { withoutUndefined } from './router-session-input.js';
import { passthruViolation } from './passthru.js';
import { logger } from '../log.js';

const log = logger('router');

/** What a router session needs of its router. */
export interface SessionHost {
  findRealm(name: string): RoutingCore | undefined;
  /** The realm's authentication (its configured methods). */
  realmAuth(name: string): RealmAuthentication | undefined;
  newSessionId(): number;
  readonly helloTimeout: number;
  readonly strictRequestIds: boolean;
  /** The outbound budget in force for a session of `realm` that came through a listener setting `listener`. */
  outboundBudget(realm: string, listener: Partial<OutboundBudgetOptions> | undefined): Readonly<OutboundBudgetOptions>;
  /** Called once when the session's transport is gone. */
  sessionClosed(session: RouterSession): void;
}

/** Requests held back while one of the session's authorizations is pending; beyond this the peer is flooding. */
const MAX_QUEUED = 10_000;
/** How long a killed session's peer has to answer our GOODBYE when no hello timeout is set. */
const KILL_GRACE_MS = 10_000;

/** A request held back behind a pending authorization; `earlier`: a CALL that reused an earlier ID. */
interface Queued {
  readonly msg: WampMessage;
  readonly earlier: boolean;
}

export class RouterSession implements RouterPeer {
  readonly transport: WampTransport;
  readonly #host: SessionHost;
  #state: State = State.AWAITING_HELLO;
  #realm: RoutingCore | null = null;
  #sessionId = 0;
  #authid = '';
  #authrole = '';
  #authmethod: string | undefined;
  #authprovider: string | undefined;
  /** Requests received while an authorization is pending, processed in order once it settles. */
  #queue: Queued[] = [];
  #busy = false;
  #roles: PeerRoles = {};
  readonly #ids = new RequestIds();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #handshake: SessionAuthentication | null = null;
  #pendingRealm: RoutingCore | null = null;
  /** The listener's outbound budget options, over the realm's (outbound-budget.ts). */
  readonly #listenerBudget: Partial<OutboundBudgetOptions> | undefined;
  /** The joined session's outbound budget; null before WELCOME and after leaving. */
  #budget: OutboundBudget | null = null;

  constructor(transport: WampTransport, host: SessionHost, listenerBudget?: Partial<OutboundBudgetOptions>) {
    this.transport = transport;
    this.#host = host;
    this.#listenerBudget = listenerBudget;
    transport.on('message', (value) => this.#receive(value));
    transport.on('error', (error) => this.#transportError(error));
    transport.on('close', () => this.#closed());
    this.#armHelloTimer();
  }

  get sessionId(): number { return this.#sessionId; }
  get authid(): string { return this.#authid; }
  get authrole(): string { return this.#authrole; }
  get authmethod(): string | undefined { return this.#authmethod; }
  get authprovider(): string | undefined { return this.#authprovider; }
  get transportInfo(): Readonly<Record<string, unknown>> {
    const info: Record<string, unknown> = { type: this.transport.serializerName === 'memory' ? 'memory' : 'network', serializer: this.transport.serializerName };
    if (this.#budget !== null) info['outbound'] = this.#budget.stats;
    return info;
  }

  get bufferedAmount(): number {
    return this.transport.bufferedAmount ?? 0;
  }

  get congested(): boolean {
    return this.#budget?.congested === true;
  }
  /** The realm this session has joined (null before WELCOME and after leaving). */
  get core(): RoutingCore | null { return this.#realm; }
  get realmName(): string | null { return this.#realm?.name ?? null; }
  get state(): string { return this.#state; }

  hasFeature(role: string, feature: string): boolean {
    return this.#roles[role]?.features?.[feature] === true;
  }

  send(message: WampMessage): boolean {
    // Over its budget, an EVENT is dropped (and counted) instead; past the hard cap nothing goes.
    if (this.#budget !== null && this.#budget.admit(message.type) !== Admission.SEND) return false;
    return deliver(this.transport, this.#sessionId, message);
  }

  sendShared(message: SharedMessage): boolean {
    if (this.#budget !== null && this.#budget.admit(message.message.type) !== Admission.SEND) return false;
    return deliverShared(this.transport, this.#sessionId, message);
  }

  nextRequestId(): number {
    return this.#ids.nextOutbound();
  }

  /** Ends a joined session with GOODBYE (router shutdown or realm closing); closes the transport otherwise. */
  shutdown(reason: string = CloseReason.SYSTEM_SHUTDOWN): void {
    if (this.#state === State.JOINED) {
      this.#leaveRealm(reason);
      this.#state = State.SHUTTING_DOWN;
      this.send(goodbyeMessage({}, reason));
    } else if (this.#state === State.AWAITING_HELLO || this.#state === State.AUTHENTICATING) {
      this.#close();
    }
  }

  /** Ends a joined session at the router's (meta API's) request: GOODBYE `reason`, Details.message. */
  kill(reason: string, message?: string, quiet = false): void {
    if (this.#state !== State.JOINED) return;
    this.#leaveRealm(reason, quiet);
    this.#state = State.SHUTTING_DOWN;
    this.send(goodbyeMessage(message === undefined ? {} : { message }, reason));
    // A killed client that never answers the GOODBYE must not keep its transport forever.
    this.#startTimer(this.#host.helloTimeout > 0 ? this.#host.helloTimeout : KILL_GRACE_MS, State.SHUTTING_DOWN);
  }

  /** Aborts the session (ABORT with `reason`) and closes the transport. */
  abort(reason: string, message: string): void {
    if (this.#state === State.CLOSED) return;
    log.warn(() => `ABORT session ${this.#sessionId === 0 ? `(not joined) from ${this.transport.peer}` : this.#sessionId}: ${reason}: ${message}`);
    this.send(abortMessage({ message }, reason));
    this.#leaveRealm(reason);
    this.#close();
  }

  // ---- inbound ----

  #receive(value: unknown): void {
    if (this.#state === State.CLOSED) return;
    if (log.enabled('trace')) log.trace(`in ${this.#sessionId} ${Array.isArray(value) ? describeMessage(value) : 'malformed message'}`);
    let msg: WampMessage;
    try {
      msg = parseMessage(value);
    } catch (error) {
      // Some clients (wampy over CBOR) send option keys whose value is `undefined`, which JSON
      // would simply drop. Read them as absent and try once more; only on this failure path.
      const cleaned = withoutUndefined(value);
      try {
        if (cleaned === value) throw error;
        msg = parseMessage(cleaned);
      } catch {
        this.#protocolFailure(error);
        return;
      }
    }
    let earlier = false;
    if (this.#state === State.JOINED && this.#host.strictRequestIds) {
      const order = this.#ids.order(msg);
      if (order === RequestOrder.VIOLATION) {
        const request = (msg as { request: number }).request;
        this.abort(ErrorUri.PROTOCOL_VIOLATION, `${MESSAGE_NAME[msg.type]} request ID ${request} is not sequential (expected ${this.#ids.expected})`);
        return;
      }
      earlier = order === RequestOrder.EARLIER_CALL;
    }
    if (this.#busy) {
      if (this.#queue.length >= MAX_QUEUED) {
        this.abort(ErrorUri.PROTOCOL_VIOLATION, `more than ${MAX_QUEUED} requests while an authorization is pending`);
        return;
      }
      this.#queue.push({ msg, earlier });
      return;
    }
    this.#process(msg, earlier);
  }

  /** Runs one message; one that waits (authorization) holds back the ones after it. */
  #process(msg: WampMessage, earlier: boolean): void {
    if (!ACCEPTS[this.#state].has(msg.type)) {
      if (this.#state === State.SHUTTING_DOWN || this.#state === State.CLOSED) return; // spec: anything but GOODBYE is ignored here
      this.abort(ErrorUri.PROTOCOL_VIOLATION, `${MESSAGE_NAME[msg.type]} is not allowed in state ${this.#state}`);
      return;
    }
    const passthru = passthruViolation(this, msg);
    if (passthru !== undefined) {
      this.abort(ErrorUri.PROTOCOL_VIOLATION, passthru);
      return;
    }
    try {
      const pending = this.#dispatch(msg, earlier);
      if (pending instanceof Promise) {
        this.#busy = true;
        pending.catch((error: unknown) => this.#internalError(error)).finally(() => {
          this.#busy = false;
          this.#drain();
        });
      }
    } catch (error) {
      this.#internalError(error);
    }
  }

  /** The one dispatch: each case sees its own message type; requests go straight to the realm. */
  #dispatch(msg: WampMessage, earlier: boolean): Handled {
    const realm = this.#realm;
    switch (msg.type) {
      case MessageType.HELLO: return this.#hello(msg);
      case MessageType.AUTHENTICATE: return this.#authenticate(msg);
      case MessageType.ABORT:
        // The client gave up (joining, e.g. it cannot answer the CHALLENGE, or its session):
        // no reply, just close; what it sends after is ignored (CLOSED).
        return this.#close();
      case MessageType.GOODBYE: return this.#goodbye(msg);
      case MessageType.SUBSCRIBE: return realm?.subscribe(this, msg);
      case MessageType.UNSUBSCRIBE: return realm?.unsubscribe(this, msg);
      case MessageType.PUBLISH: return realm?.publish(this, msg);
      case MessageType.REGISTER: return realm?.register(this, msg);
      case MessageType.UNREGISTER: return realm?.unregister(this, msg);
      case MessageType.CALL: {
        if (realm === null) return;
        // A CALL reusing an ID continues a progressive call in flight, or is stale: dropped, as
        // the spec says. (Without strict IDs, any ID might continue a call.)
        const continues = (earlier || !this.#host.strictRequestIds) && realm.dealer.hasCall(this, msg.request);
        if (earlier && !continues) return;
        if (!continues && msg.options.progress === true && !this.hasFeature('caller', 'progressive_call_invocations')) {
          return this.abort(ErrorUri.PROTOCOL_VIOLATION, 'CALL with progress: true from a caller that did not announce progressive_call_invocations');
        }
        return realm.call(this, msg);
      }
      case MessageType.CANCEL: return realm?.cancel(this, msg);
      case MessageType.YIELD: return realm?.yield(this, msg);
      case MessageType.ERROR:
        if (msg.requestType !== MessageType.INVOCATION) {
          return this.abort(ErrorUri.PROTOCOL_VIOLATION, `a client may only send ERROR for INVOCATION, not for ${MESSAGE_NAME[msg.requestType]}`);
        }
        return realm?.invocationError(this, msg);
      default:
        // Unreachable: ACCEPTS lets only the types above through.
        return this.abort(ErrorUri.PROTOCOL_VIOLATION, `${MESSAGE_NAME[msg.type]} is not handled`);
    }
  }

  #drain(): void {
    while (!this.#busy && this.#queue.length > 0) {
      const next = this.#queue.shift()!;
      if (this.#state === State.CLOSED) {
        this.#queue = [];
        return;
      }
      this.#process(next.msg, next.earlier);
    }
  }

  // ---- establishing ----

  #hello(msg: HelloMessage): void {
    const realm = this.#host.findRealm(msg.realm);
    const auth = this.#host.realmAuth(msg.realm);
    if (realm === undefined || auth === undefined) {
      this.abort(ErrorUri.NO_SUCH_REALM, `no realm named '${msg.realm}' exists on this router`);
      return;
    }
    this.#roles = peerRoles(msg);
    // The session ID exists before authentication: WAMP-CRA binds its challenge to it.
    this.#sessionId = this.#host.newSessionId();
    this.#pendingRealm = realm;
    this.#state = State.AUTHENTICATING;
    const handshake = (this.#handshake = auth.handshake());
    const details = msg.details;
    log.debug(() => `HELLO from ${this.transport.peer} for realm ${realm.name}: session ${this.#sessionId}, authmethods ${JSON.stringify(details.authmethods ?? ['anonymous'])}, authid ${JSON.stringify(details.authid ?? null)}`);
    handshake.hello(helloOf(msg, realm.name, this.#sessionId, this.transport)).then((outcome) => this.#verdict(handshake, outcome))
      .catch((error: unknown) => this.#internalError(error));
  }

  #authenticate(msg: AuthenticateMessage): void {
    const handshake = this.#handshake;
    if (handshake === null) return;
    handshake.authenticate(msg.signature, msg.extra).then((outcome) => this.#verdict(handshake, outcome))
      .catch((error: unknown) => this.#internalError(error));
  }

  #verdict(handshake: SessionAuthentication, outcome: AuthOutcome): void {
    // A late outcome for a session that closed, or moved on to another HELLO, is moot.
    if (this.#state !== State.AUTHENTICATING || this.#handshake !== handshake) return;
    if (outcome.kind === 'challenge') {
      log.debug(() => `session ${this.#sessionId}: CHALLENGE ${outcome.method}`);
      if (!this.send(challengeOf(outcome))) this.abort(ErrorUri.INVALID_PAYLOAD, 'the CHALLENGE could not be encoded for this transport');
      return;
    }
    const realm = this.#pendingRealm;
    this.#handshake = null;
    this.#pendingRealm = null;
    if (outcome.kind === 'abort' || realm === null) {
      this.abort(outcome.kind === 'abort' ? outcome.reason : ErrorUri.NO_SUCH_REALM, outcome.kind === 'abort' ? outcome.message : 'realm gone');
      return;
    }
    const { result } = outcome;
    this.#clearTimer();
    this.#authid = result.authid;
    this.#authrole = result.authrole;
    this.#authmethod = result.authmethod;
    this.#authprovider = result.authprovider;
    this.#ids.reset();
    this.#realm = realm;
    this.#state = State.JOINED;
    log.debug(() => `session ${this.#sessionId}: authenticated by ${result.authmethod} as authid ${result.authid}, authrole ${result.authrole}`);
    if (!this.send(welcomeOf(this.#sessionId, realm.name, result))) {
      this.abort(ErrorUri.INVALID_PAYLOAD, 'the WELCOME could not be encoded for this transport');
      return;
    }
    this.#budget = new OutboundBudget(this.#host.outboundBudget(realm.name, this.#listenerBudget), this.#budgetOwner());
    log.info(() => `session ${this.#sessionId} joined realm ${realm.name} from ${this.transport.peer} (authid ${result.authid}, authrole ${result.authrole}, authmethod ${result.authmethod})`);
    // After WELCOME: on_join (and anything it triggers) must not reach the client before it.
    realm.join(this);
  }

  #goodbye(msg: GoodbyeMessage): void {
    if (this.#state === State.SHUTTING_DOWN) {
      this.#close();
      return;
    }
    this.#leaveRealm(msg.reason);
    this.send(goodbyeMessage({}, CloseReason.GOODBYE_AND_OUT));
    this.#state = State.AWAITING_HELLO;
    this.#armHelloTimer();
  }

  // ---- failures, timers, closing ----

  #internalError(error: unknown): void {
    // A bug of ours must not take the router down: end this session only.
    this.abort(ErrorUri.PROTOCOL_VIOLATION, `internal error: ${error instanceof Error ? error.message : String(error)}`);
  }

  #protocolFailure(error: unknown): void {
    if (isProtocolError(error) && error.request !== undefined && this.#state === State.JOINED &&
      error.wampUri !== ErrorUri.PROTOCOL_VIOLATION && isErrorRequestType(error.request.type)) {
      // A well-formed request with a bad URI is answered with ERROR, not ABORT (spec: invalid_uri),
      // and still uses up its request ID.
      if (this.#host.strictRequestIds) this.#ids.consumed(error.request.type, error.request.id);
      this.send(errorMessage(error.request.type, error.request.id, {}, error.wampUri, [error.message]));
      return;
    }
    if (isProtocolError(error) && this.#state === State.AWAITING_HELLO && error.wampUri === ErrorUri.INVALID_URI) {
      this.abort(ErrorUri.INVALID_URI, error.message);
      return;
    }
    this.abort(ErrorUri.PROTOCOL_VIOLATION, error instanceof Error ? error.message : String(error));
  }

  #transportError(error: WampkitError): void {
    this.abort(error.wampUri ?? ErrorUri.PROTOCOL_VIOLATION, error.message);
  }

  #armHelloTimer(): void {
    if (this.#host.helloTimeout > 0) this.#startTimer(this.#host.helloTimeout, State.AWAITING_HELLO, State.AUTHENTICATING);
  }

  /** Closes the transport after `ms` unless the session has left the given states by then. */
  #startTimer(ms: number, ...states: State[]): void {
    this.#clearTimer();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (states.includes(this.#state)) this.#close();
    }, ms);
    // A pending wait must not keep an otherwise finished process alive.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #budgetOwner(): BudgetOwner {
    const session = this.#sessionId;
    const self = this;
    return {
      sessionId: session,
      get bufferedAmount() {
        return self.bufferedAmount;
      },
      // Asked while a message is being routed: close after this step, not inside it.
      overflow: (why) => queueMicrotask(() => this.#slowConsumer(session, why)),
    };
  }

  /**
   * Ends a session that does not read what it is sent: GOODBYE wampkit.close.slow_consumer
   * (behind what is queued; a client that reads again will see it) and the transport closed at
   * once with WebSocket close 1008, since waiting for a GOODBYE reply from it would be futile.
   */
  #slowConsumer(session: number, why: string): void {
    if (this.#state !== State.JOINED || this.#sessionId !== session) return;
    this.#leaveRealm(OutboundCloseReason.SLOW_CONSUMER);
    this.#state = State.SHUTTING_DOWN;
    this.send(goodbyeMessage({ message: `closed by the router: ${why}` }, OutboundCloseReason.SLOW_CONSUMER));
    this.#close(CloseCode.POLICY_VIOLATION, 'slow consumer');
  }

  #leaveRealm(reason: string, quiet = false): void {
    this.#budget?.stop();
    this.#budget = null;
    const realm = this.#realm;
    this.#realm = null;
    if (realm === null) return;
    log.info(() => `session ${this.#sessionId} left realm ${realm.name} (authid ${this.#authid}, authrole ${this.#authrole}): ${reason}`);
    realm.leave(this, quiet);
  }

  #close(code?: number, reason?: string): void {
    this.#clearTimer();
    try {
      this.transport.close(code, reason);
    } catch {
      // Closing is best effort; the session is over either way.
    }
    this.#closed();
  }

  #closed(): void {
    if (this.#state === State.CLOSED) return;
    this.#state = State.CLOSED;
    this.#clearTimer();
    this.#leaveRealm('wamp.close.transport_lost');
    this.#host.sessionClosed(this);
  }
}
