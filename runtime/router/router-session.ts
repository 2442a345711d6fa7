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
 * another), or -> CLOSED; router-session-states.ts has the messages each state accepts. The
 * hello timer runs until WELCOME, so a stalled authentication is dropped like a missing HELLO.
 * The establishing phase's steps are in router-session-join.ts.
 */
import { MessageType, MESSAGE_NAME } from '../wamp/message-types.js';
import { ErrorUri, CloseReason } from '../wamp/uris.js';
import { parseMessage, type WampMessage } from '../wamp/messages.js';
import { isProtocolError } from '../wamp/protocol-error.js';
import type { WampTransport } from '../transports/transport.js';
import type { WampkitError } from '../errors.js';
import type { RouterPeer } from './peer.js';
import type { RoutingCore } from './realm.js';
import type { AuthHandshake } from '../auth/router/handshake.js';
import * as join from './router-session-join.js';
import { State, stateHandlers } from './router-session-states.js';
import * as pubsub from './router-session-pubsub.js';
import * as rpc from './router-session-rpc.js';
import { withoutUndefined } from './router-session-input.js';
import { describeMessage } from '../wamp/message-trace.js';
import { logger } from '../log.js';

const log = logger('router');

/** What a router session needs of its router. */
export interface SessionHost extends join.JoinHost {
  newSessionId(): number;
  readonly helloTimeout: number;
  readonly strictRequestIds: boolean;
  /** Called once when the session's transport is gone. */
  sessionClosed(session: RouterSession): void;
}

type Handler = (session: RouterSession, msg: WampMessage) => void | Promise<void>;

/** Request messages whose Request ID must follow the previous one (session scope, +1). */
const SEQUENTIAL: ReadonlySet<number> = new Set([
  MessageType.SUBSCRIBE, MessageType.UNSUBSCRIBE, MessageType.PUBLISH,
  MessageType.REGISTER, MessageType.UNREGISTER, MessageType.CALL,
]);

const MAX_ID = 2 ** 53;

/** Requests held back while one of the session's authorizations is pending; beyond this the peer is flooding. */
const MAX_QUEUED = 10_000;

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
  #queue: WampMessage[] = [];
  #busy = false;
  #roles: join.PeerRoles = {};
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
  get authmethod(): string | undefined {
    return this.#authmethod;
  }
  get authprovider(): string | undefined {
    return this.#authprovider;
  }
  get transportInfo(): Readonly<Record<string, unknown>> {
    return { type: this.transport.serializerName === 'memory' ? 'memory' : 'network', serializer: this.transport.serializerName };
  }
  /** The realm this session has joined (null before WELCOME and after leaving). */
  get core(): RoutingCore | null {
    return this.#realm;
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
    if (log.enabled('trace')) log.trace(`out ${this.#sessionId} ${describeMessage(message)}`);
    this.transport.send(message);
  }

  sendShared(message: unknown[], cache: Map<string, Uint8Array | string>): void {
    if (log.enabled('trace')) log.trace(`out ${this.#sessionId} ${describeMessage(message)}`);
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
      this.#leaveRealm(reason);
      this.#state = State.SHUTTING_DOWN;
      this.send([MessageType.GOODBYE, {}, reason]);
    } else if (this.#state === State.AWAITING_HELLO || this.#state === State.AUTHENTICATING) {
      this.#close();
    }
  }

  /** Ends a joined session at the router's (meta API's) request: GOODBYE `reason`, Details.message. */
  kill(reason: string, message?: string, quiet = false): void {
    if (this.#state !== State.JOINED) return;
    this.#leaveRealm(reason, quiet);
    this.#state = State.SHUTTING_DOWN;
    this.send([MessageType.GOODBYE, message === undefined ? {} : { message }, reason]);
    // A killed client that never answers the GOODBYE must not keep its transport forever.
    this.#clearHelloTimer();
    this.#helloTimer = setTimeout(() => {
      this.#helloTimer = null;
      if (this.#state === State.SHUTTING_DOWN) this.#close();
    }, this.#host.helloTimeout > 0 ? this.#host.helloTimeout : 10_000);
    (this.#helloTimer as { unref?: () => void }).unref?.();
  }

  /** Aborts the session (ABORT with `reason`) and closes the transport. */
  abort(reason: string, message: string): void {
    if (this.#state === State.CLOSED) return;
    log.warn(() => `ABORT session ${this.#sessionId === 0 ? `(not joined) from ${this.transport.peer}` : this.#sessionId}: ${reason}: ${message}`);
    this.send([MessageType.ABORT, { message }, reason]);
    this.#leaveRealm(reason);
    this.#close();
  }

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
    let handler = HANDLERS[this.#state][msg.type];
    if (handler !== undefined && this.#host.strictRequestIds && SEQUENTIAL.has(msg.type) && this.#state === State.JOINED) {
      const request = (msg as { request: number }).request;
      const expected = this.#lastInboundRequest >= MAX_ID ? 1 : this.#lastInboundRequest + 1;
      if (msg.type === MessageType.CALL && request !== expected && request <= this.#lastInboundRequest) {
        // Progressive call invocations: only new calls must be sequential; an older ID continues a call or is stale.
        handler = RouterSession.callContinuation;
      } else if (request !== expected) {
        this.abort(ErrorUri.PROTOCOL_VIOLATION, `${MESSAGE_NAME[msg.type]} request ID ${request} is not sequential (expected ${expected})`);
        return;
      } else {
        this.#lastInboundRequest = request;
      }
    }
    if (this.#busy) {
      if (this.#queue.length >= MAX_QUEUED) {
        this.abort(ErrorUri.PROTOCOL_VIOLATION, `more than ${MAX_QUEUED} requests while an authorization is pending`);
        return;
      }
      this.#queue.push(handler === RouterSession.callContinuation ? Object.assign({ continuation: true }, msg) : msg);
      return;
    }
    this.#process(msg, handler);
  }

  /** Runs one message's handler; a handler that waits (authorization) holds back the ones after it. */
  #process(msg: WampMessage, given?: Handler): void {
    const handler = given ?? HANDLERS[this.#state][msg.type];
    if (handler === undefined) {
      if (this.#state === State.SHUTTING_DOWN || this.#state === State.CLOSED) return; // spec: anything but GOODBYE is ignored here
      this.abort(ErrorUri.PROTOCOL_VIOLATION, `${MESSAGE_NAME[msg.type]} is not allowed in state ${this.#state}`);
      return;
    }
    try {
      const pending = handler(this, msg);
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

  #drain(): void {
    while (!this.#busy && this.#queue.length > 0) {
      const msg = this.#queue.shift() as WampMessage & { continuation?: boolean };
      if (this.#state === State.CLOSED) {
        this.#queue = [];
        return;
      }
      this.#process(msg, msg.continuation === true && this.#state === State.JOINED ? RouterSession.callContinuation : undefined);
    }
  }

  #internalError(error: unknown): void {
    // A bug of ours must not take the router down: end this session only.
    this.abort(ErrorUri.PROTOCOL_VIOLATION, `internal error: ${error instanceof Error ? error.message : String(error)}`);
  }

  #protocolFailure(error: unknown): void {
    if (isProtocolError(error) && error.request !== undefined && this.#state === State.JOINED &&
      error.wampUri !== ErrorUri.PROTOCOL_VIOLATION) {
      // A well-formed request with a bad URI is answered with ERROR, not ABORT (spec: invalid_uri).
      // It still used up its request ID, or the session's next request would look out of order.
      if (this.#host.strictRequestIds && SEQUENTIAL.has(error.request.type)) {
        const expected = this.#lastInboundRequest >= MAX_ID ? 1 : this.#lastInboundRequest + 1;
        if (error.request.id === expected) this.#lastInboundRequest = expected;
      }
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

  #leaveRealm(reason: string, quiet = false): void {
    const realm = this.#realm;
    this.#realm = null;
    if (realm === null) return;
    log.info(() => `session ${this.#sessionId} left realm ${realm.name} (authid ${this.#authid}, authrole ${this.#authrole}): ${reason}`);
    realm.leave(this, quiet);
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
    this.#leaveRealm('wamp.close.transport_lost');
    this.#host.sessionClosed(this);
  }

  // ---- handlers (one per message type and state; see HANDLERS) ----

  static hello(s: RouterSession, msg: WampMessage): void {
    join.hello(s, RouterSession.#joinState, msg);
  }

  static authenticate(s: RouterSession, msg: WampMessage): void {
    join.authenticate(s, RouterSession.#joinState, msg);
  }

  static clientAbort(s: RouterSession, msg: WampMessage): void {
    if (msg.type !== MessageType.ABORT) return;
    // The client gave up joining (e.g. it cannot answer the CHALLENGE): no reply, just close.
    s.#close();
  }

  /** The establishing phase's way into a session's state (router-session-join.ts). */
  static readonly #joinState: join.JoinState<RouterSession> = {
    host: (s) => s.#host,
    authenticating(s, realm, auth, roles) {
      s.#roles = roles;
      // The session ID exists before authentication: WAMP-CRA binds its challenge to it.
      s.#sessionId = s.#host.newSessionId();
      s.#pendingRealm = realm;
      s.#state = State.AUTHENTICATING;
      s.#handshake = auth.handshake();
      return s.#handshake;
    },
    handshake: (s) => (s.#state === State.AUTHENTICATING ? s.#handshake : null),
    settled(s) {
      s.#handshake = null;
      const realm = s.#pendingRealm;
      s.#pendingRealm = null;
      return realm;
    },
    joined(s, realm, result) {
      s.#clearHelloTimer();
      s.#authid = result.authid;
      s.#authrole = result.authrole;
      s.#authmethod = result.authmethod;
      s.#authprovider = result.authprovider;
      s.#lastInboundRequest = 0;
      s.#outboundRequest = 0;
      s.#realm = realm;
      s.#state = State.JOINED;
    },
  };

  static goodbye(s: RouterSession, msg: WampMessage): void {
    if (msg.type !== MessageType.GOODBYE) return;
    if (s.#state === State.SHUTTING_DOWN) {
      s.#close();
      return;
    }
    s.#leaveRealm(msg.reason);
    s.send([MessageType.GOODBYE, {}, CloseReason.GOODBYE_AND_OUT]);
    s.#state = State.AWAITING_HELLO;
    s.#armHelloTimer();
  }

  static readonly subscribe: Handler = pubsub.subscribe;
  static readonly unsubscribe: Handler = pubsub.unsubscribe;
  static readonly publish: Handler = pubsub.publish;
  static readonly register: Handler = rpc.register;
  static readonly unregister: Handler = rpc.unregister;
  static readonly call: Handler = rpc.call;
  static readonly callContinuation: Handler = rpc.callContinuation;
  static readonly cancel: Handler = rpc.cancel;
  static readonly yield: Handler = rpc.yieldResult;
  static readonly error: Handler = rpc.invocationError;
}

const HANDLERS = stateHandlers<Handler>(RouterSession);
