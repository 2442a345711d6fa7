/**
 * The router side of one WAMP session on one transport: the session state machine (HELLO,
 * WELCOME/ABORT, GOODBYE), request ID checks, and the hand-off of each request to the realm's
 * broker or dealer. This is the one place that turns a protocol error into ABORT
 * `wamp.error.protocol_violation` (then closes the transport); nothing a peer sends can throw
 * out of here.
 *
 * States (see the spec's session state machine): AWAITING_HELLO -> AUTHENTICATING (the realm's
 * authentication decides: WELCOME at once, or CHALLENGE/AUTHENTICATE first, or ABORT) ->
 * JOINED -> (GOODBYE) -> AWAITING_HELLO again (a transport may carry one session after
 * another), or -> CLOSED. The hello timer runs until WELCOME, so a stalled authentication is
 * dropped like a missing HELLO.
 */
import { MessageType, MESSAGE_NAME } from '../wamp/message-types.js';
import { ErrorUri, CloseReason } from '../wamp/uris.js';
import { parseMessage, type WampMessage } from '../wamp/messages.js';
import { isProtocolError } from '../wamp/protocol-error.js';
import type { WampTransport } from '../transports/transport.js';
import type { WampkitError } from '../errors.js';
import type { RouterPeer } from './peer.js';
import type { RoutingCore } from './realm.js';
import { ROUTER_ROLES } from './features.js';
import type { AuthHandshake, RealmAuth } from '../auth/router/handshake.js';
import type { AuthOutcome } from '../auth/router/types.js';
import { helloInfo, welcomeAuthDetails } from '../auth/router/session-glue.js';

const State = {
  AWAITING_HELLO: 'awaiting-hello',
  /** HELLO accepted for a realm; authentication (possibly CHALLENGE/AUTHENTICATE) under way. */
  AUTHENTICATING: 'authenticating',
  JOINED: 'joined',
  /** We sent GOODBYE (router shutdown) and wait for the reply. */
  SHUTTING_DOWN: 'shutting-down',
  CLOSED: 'closed',
} as const;
type State = (typeof State)[keyof typeof State];

/** What a router session needs of its router. */
export interface SessionHost {
  findRealm(name: string): RoutingCore | undefined;
  /** The realm's authentication (its configured methods). */
  realmAuth(name: string): RealmAuth | undefined;
  newSessionId(): number;
  readonly helloTimeout: number;
  readonly strictRequestIds: boolean;
  /** Called once when the session's transport is gone. */
  sessionClosed(session: RouterSession): void;
}

type PeerRoles = Record<string, { features?: Record<string, unknown> }>;

type Handler = (session: RouterSession, msg: WampMessage) => void;

/** Request messages whose Request ID must follow the previous one (session scope, +1). */
const SEQUENTIAL: ReadonlySet<number> = new Set([
  MessageType.SUBSCRIBE, MessageType.UNSUBSCRIBE, MessageType.PUBLISH,
  MessageType.REGISTER, MessageType.UNREGISTER, MessageType.CALL,
]);

const MAX_ID = 2 ** 53;

/** A copy of a message with dict entries whose value is undefined removed (the same value when there are none). */
function withoutUndefined(value: unknown, depth = 0): unknown {
  if (depth > 4 || typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    value.forEach((item, i) => {
      const cleaned = withoutUndefined(item, depth + 1);
      if (cleaned !== item) (copy ??= value.slice())[i] = cleaned;
    });
    return copy ?? value;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (!entries.some(([, v]) => v === undefined)) return value;
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}

export class RouterSession implements RouterPeer {
  readonly transport: WampTransport;
  readonly #host: SessionHost;
  #state: State = State.AWAITING_HELLO;
  #realm: RoutingCore | null = null;
  #sessionId = 0;
  #authid = '';
  #authrole = '';
  #roles: PeerRoles = {};
  #lastInboundRequest = 0;
  #outboundRequest = 0;
  #helloTimer: ReturnType<typeof setTimeout> | null = null;
  #handshake: AuthHandshake | null = null;
  #pendingRealm: RoutingCore | null = null;

  constructor(transport: WampTransport, host: SessionHost) {
    this.transport = transport;
    this.#host = host;
    transport.on('message', (value) => this.#receive(value));
    transport.on('error', (error) => this.#transportError(error));
    transport.on('close', () => this.#closed());
    this.#armHelloTimer();
  }

  get sessionId(): number {
    return this.#sessionId;
  }
  get authid(): string {
    return this.#authid;
  }
  get authrole(): string {
    return this.#authrole;
  }
  get realmName(): string | null {
    return this.#realm?.name ?? null;
  }
  get state(): string {
    return this.#state;
  }

  hasFeature(role: string, feature: string): boolean {
    return this.#roles[role]?.features?.[feature] === true;
  }

  send(message: unknown[]): void {
    this.transport.send(message);
  }

  sendShared(message: unknown[], cache: Map<string, Uint8Array | string>): void {
    const t = this.transport;
    if (t.sendShared !== undefined) t.sendShared(message, cache);
    else t.send(message);
  }

  nextRequestId(): number {
    this.#outboundRequest = this.#outboundRequest >= MAX_ID ? 1 : this.#outboundRequest + 1;
    return this.#outboundRequest;
  }

  /** Ends a joined session with GOODBYE (router shutdown or realm closing); closes the transport otherwise. */
  shutdown(reason: string = CloseReason.SYSTEM_SHUTDOWN): void {
    if (this.#state === State.JOINED) {
      this.#leaveRealm();
      this.#state = State.SHUTTING_DOWN;
      this.send([MessageType.GOODBYE, {}, reason]);
    } else if (this.#state === State.AWAITING_HELLO || this.#state === State.AUTHENTICATING) {
      this.#close();
    }
  }

  /** Aborts the session (ABORT with `reason`) and closes the transport. */
  abort(reason: string, message: string): void {
    if (this.#state === State.CLOSED) return;
    this.send([MessageType.ABORT, { message }, reason]);
    this.#leaveRealm();
    this.#close();
  }

  #receive(value: unknown): void {
    if (this.#state === State.CLOSED) return;
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
    const handler = HANDLERS[this.#state][msg.type];
    if (handler === undefined) {
      if (this.#state === State.SHUTTING_DOWN) return; // spec: anything but GOODBYE is ignored here
      this.abort(ErrorUri.PROTOCOL_VIOLATION, `${MESSAGE_NAME[msg.type]} is not allowed in state ${this.#state}`);
      return;
    }
    if (this.#host.strictRequestIds && SEQUENTIAL.has(msg.type) && this.#state === State.JOINED) {
      const request = (msg as { request: number }).request;
      const expected = this.#lastInboundRequest >= MAX_ID ? 1 : this.#lastInboundRequest + 1;
      if (request !== expected) {
        this.abort(ErrorUri.PROTOCOL_VIOLATION, `${MESSAGE_NAME[msg.type]} request ID ${request} is not sequential (expected ${expected})`);
        return;
      }
      this.#lastInboundRequest = request;
    }
    try {
      handler(this, msg);
    } catch (error) {
      // A bug of ours must not take the router down: end this session only.
      this.abort(ErrorUri.PROTOCOL_VIOLATION, `internal error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #protocolFailure(error: unknown): void {
    if (isProtocolError(error) && error.request !== undefined && this.#state === State.JOINED &&
      error.wampUri !== ErrorUri.PROTOCOL_VIOLATION) {
      // A well-formed request with a bad URI is answered with ERROR, not ABORT (spec: invalid_uri).
      this.send([MessageType.ERROR, error.request.type, error.request.id, {}, error.wampUri, [error.message]]);
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
    const ms = this.#host.helloTimeout;
    if (ms <= 0) return;
    this.#helloTimer = setTimeout(() => {
      this.#helloTimer = null;
      if (this.#state === State.AWAITING_HELLO || this.#state === State.AUTHENTICATING) this.#close();
    }, ms);
    // A pending HELLO wait must not keep an otherwise finished process alive.
    (this.#helloTimer as { unref?: () => void }).unref?.();
  }

  #clearHelloTimer(): void {
    if (this.#helloTimer !== null) clearTimeout(this.#helloTimer);
    this.#helloTimer = null;
  }

  #leaveRealm(): void {
    const realm = this.#realm;
    this.#realm = null;
    realm?.leave(this);
  }

  #close(): void {
    this.#clearHelloTimer();
    try {
      this.transport.close();
    } catch {
      // Closing is best effort; the session is over either way.
    }
    this.#closed();
  }

  #closed(): void {
    if (this.#state === State.CLOSED) return;
    this.#state = State.CLOSED;
    this.#clearHelloTimer();
    this.#leaveRealm();
    this.#host.sessionClosed(this);
  }

  // ---- handlers (one per message type and state; see HANDLERS) ----

  static hello(s: RouterSession, msg: WampMessage): void {
    if (msg.type !== MessageType.HELLO) return;
    const realm = s.#host.findRealm(msg.realm);
    const auth = s.#host.realmAuth(msg.realm);
    if (realm === undefined || auth === undefined) {
      s.abort(ErrorUri.NO_SUCH_REALM, `no realm named '${msg.realm}' exists on this router`);
      return;
    }
    const details = msg.details as Record<string, unknown>;
    s.#roles = (details['roles'] ?? {}) as PeerRoles;
    // The session ID exists before authentication: WAMP-CRA binds its challenge to it.
    s.#sessionId = s.#host.newSessionId();
    s.#pendingRealm = realm;
    s.#state = State.AUTHENTICATING;
    const handshake = auth.handshake();
    s.#handshake = handshake;
    const transport = { type: s.transport.serializerName === 'memory' ? 'memory' : 'network', peer: s.transport.peer };
    void handshake.hello(helloInfo(realm.name, s.#sessionId, details, transport)).then((outcome) => s.#authOutcome(handshake, outcome));
  }

  static authenticate(s: RouterSession, msg: WampMessage): void {
    if (msg.type !== MessageType.AUTHENTICATE || s.#handshake === null) return;
    const handshake = s.#handshake;
    void handshake.authenticate(msg.signature, msg.extra).then((outcome) => s.#authOutcome(handshake, outcome));
  }

  static clientAbort(s: RouterSession, msg: WampMessage): void {
    if (msg.type !== MessageType.ABORT) return;
    // The client gave up joining (e.g. it cannot answer the CHALLENGE): no reply, just close.
    s.#close();
  }

  #authOutcome(handshake: AuthHandshake, outcome: AuthOutcome): void {
    // A late outcome for a session that closed, or moved on to another HELLO, is moot.
    if (this.#handshake !== handshake || this.#state !== State.AUTHENTICATING) return;
    if (outcome.kind === 'challenge') {
      this.send([MessageType.CHALLENGE, outcome.method, outcome.extra]);
      return;
    }
    this.#handshake = null;
    const realm = this.#pendingRealm;
    this.#pendingRealm = null;
    if (outcome.kind === 'abort' || realm === null) {
      this.abort(outcome.kind === 'abort' ? outcome.reason : ErrorUri.NO_SUCH_REALM, outcome.kind === 'abort' ? outcome.message : 'realm gone');
      return;
    }
    const { result } = outcome;
    this.#clearHelloTimer();
    this.#authid = result.authid;
    this.#authrole = result.authrole;
    this.#lastInboundRequest = 0;
    this.#outboundRequest = 0;
    this.#realm = realm;
    this.#state = State.JOINED;
    realm.join(this);
    this.send([MessageType.WELCOME, this.#sessionId, { realm: realm.name, ...welcomeAuthDetails(result), roles: ROUTER_ROLES }]);
  }

  static goodbye(s: RouterSession, msg: WampMessage): void {
    if (msg.type !== MessageType.GOODBYE) return;
    if (s.#state === State.SHUTTING_DOWN) {
      s.#close();
      return;
    }
    s.#leaveRealm();
    s.send([MessageType.GOODBYE, {}, CloseReason.GOODBYE_AND_OUT]);
    s.#state = State.AWAITING_HELLO;
    s.#armHelloTimer();
  }

  static subscribe(s: RouterSession, msg: WampMessage): void {
    if (msg.type !== MessageType.SUBSCRIBE || s.#realm === null) return;
    const match = typeof msg.options['match'] === 'string' ? msg.options['match'] : 'exact';
    if (match !== 'exact' && match !== 'prefix' && match !== 'wildcard') {
      s.send([MessageType.ERROR, MessageType.SUBSCRIBE, msg.request, {}, ErrorUri.INVALID_ARGUMENT, [`match policy '${match}' is not supported`]]);
      return;
    }
    const { subscription } = s.#realm.broker.subscribe(s, msg.topic, match);
    s.send([MessageType.SUBSCRIBED, msg.request, subscription.id]);
  }

  static unsubscribe(s: RouterSession, msg: WampMessage): void {
    if (msg.type !== MessageType.UNSUBSCRIBE || s.#realm === null) return;
    if (s.#realm.broker.unsubscribe(s, msg.subscription)) s.send([MessageType.UNSUBSCRIBED, msg.request]);
    else s.send([MessageType.ERROR, MessageType.UNSUBSCRIBE, msg.request, {}, ErrorUri.NO_SUCH_SUBSCRIPTION]);
  }

  static publish(s: RouterSession, msg: WampMessage): void {
    if (msg.type !== MessageType.PUBLISH || s.#realm === null) return;
    const publication = s.#realm.broker.publish(s, {
      topic: msg.topic,
      options: msg.options,
      ...(msg.args === undefined ? {} : { args: msg.args }),
      ...(msg.kwargs === undefined ? {} : { kwargs: msg.kwargs }),
    });
    if (msg.options['acknowledge'] === true) s.send([MessageType.PUBLISHED, msg.request, publication]);
  }

  static register(s: RouterSession, msg: WampMessage): void {
    if (msg.type !== MessageType.REGISTER || s.#realm === null) return;
    const match = typeof msg.options['match'] === 'string' ? msg.options['match'] : 'exact';
    const invoke = typeof msg.options['invoke'] === 'string' ? msg.options['invoke'] : 'single';
    const outcome = s.#realm.dealer.register(s, msg.procedure, match, invoke);
    if (outcome.ok) s.send([MessageType.REGISTERED, msg.request, outcome.registration.id]);
    else s.send([MessageType.ERROR, MessageType.REGISTER, msg.request, {}, outcome.error, [`cannot register '${msg.procedure}' (match ${match}, invoke ${invoke})`]]);
  }

  static unregister(s: RouterSession, msg: WampMessage): void {
    if (msg.type !== MessageType.UNREGISTER || s.#realm === null) return;
    if (s.#realm.dealer.unregister(s, msg.registration)) s.send([MessageType.UNREGISTERED, msg.request]);
    else s.send([MessageType.ERROR, MessageType.UNREGISTER, msg.request, {}, ErrorUri.NO_SUCH_REGISTRATION]);
  }

  static call(s: RouterSession, msg: WampMessage): void {
    if (msg.type !== MessageType.CALL || s.#realm === null) return;
    s.#realm.dealer.call(s, {
      request: msg.request,
      procedure: msg.procedure,
      options: msg.options,
      ...(msg.args === undefined ? {} : { args: msg.args }),
      ...(msg.kwargs === undefined ? {} : { kwargs: msg.kwargs }),
    });
  }

  static cancel(s: RouterSession, msg: WampMessage): void {
    if (msg.type !== MessageType.CANCEL || s.#realm === null) return;
    const mode = typeof msg.options['mode'] === 'string' ? msg.options['mode'] : 'kill';
    s.#realm.dealer.cancel(s, msg.request, mode);
  }

  static yield(s: RouterSession, msg: WampMessage): void {
    if (msg.type !== MessageType.YIELD || s.#realm === null) return;
    // An answer to an invocation the dealer already settled (canceled, caller gone) is dropped.
    s.#realm.dealer.yield(s, {
      request: msg.request,
      options: msg.options,
      ...(msg.args === undefined ? {} : { args: msg.args }),
      ...(msg.kwargs === undefined ? {} : { kwargs: msg.kwargs }),
    });
  }

  static error(s: RouterSession, msg: WampMessage): void {
    if (msg.type !== MessageType.ERROR || s.#realm === null) return;
    if (msg.requestType !== MessageType.INVOCATION) {
      s.abort(ErrorUri.PROTOCOL_VIOLATION, `a client may only send ERROR for INVOCATION, not for ${MESSAGE_NAME[msg.requestType as MessageType] ?? msg.requestType}`);
      return;
    }
    s.#realm.dealer.invocationError(s, {
      request: msg.request,
      details: msg.details,
      error: msg.error,
      ...(msg.args === undefined ? {} : { args: msg.args }),
      ...(msg.kwargs === undefined ? {} : { kwargs: msg.kwargs }),
    });
  }
}

/** Dispatch by state, then by message type; a missing entry is a protocol violation. */
const HANDLERS: Record<State, Partial<Record<number, Handler>>> = {
  [State.AWAITING_HELLO]: {
    [MessageType.HELLO]: RouterSession.hello,
  },
  [State.AUTHENTICATING]: {
    [MessageType.AUTHENTICATE]: RouterSession.authenticate,
    [MessageType.ABORT]: RouterSession.clientAbort,
  },
  [State.JOINED]: {
    [MessageType.GOODBYE]: RouterSession.goodbye,
    [MessageType.SUBSCRIBE]: RouterSession.subscribe,
    [MessageType.UNSUBSCRIBE]: RouterSession.unsubscribe,
    [MessageType.PUBLISH]: RouterSession.publish,
    [MessageType.REGISTER]: RouterSession.register,
    [MessageType.UNREGISTER]: RouterSession.unregister,
    [MessageType.CALL]: RouterSession.call,
    [MessageType.CANCEL]: RouterSession.cancel,
    [MessageType.YIELD]: RouterSession.yield,
    [MessageType.ERROR]: RouterSession.error,
  },
  [State.SHUTTING_DOWN]: {
    [MessageType.GOODBYE]: RouterSession.goodbye,
  },
  [State.CLOSED]: {},
};
