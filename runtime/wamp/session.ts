/**
 * `ApplicationSession`: the Autobahn-style client session. Subclass it and override `onJoin`
 * (and optionally onConnect, onChallenge, onLeave, onDisconnect), or use it as is and listen
 * to its events ('join', 'leave', 'disconnect').
 *
 *   class MyComponent extends ApplicationSession {
 *     override async onJoin(details: SessionDetails) {
 *       await this.register('com.example.add2', ([x, y]) => (x as number) + (y as number));
 *       console.log(await this.call('com.example.add2', [2, 3]));
 *     }
 *   }
 *
 * The session's lifetime is independent of a transport's (spec: session state machine):
 * `attach(transport)` gives it one, the transport's loss detaches it, and a Component may
 * attach a new one, after which the session restores its registrations and subscriptions.
 *
 * States: DISCONNECTED -> CONNECTED -> JOINING -> JOINED -> CLOSING -> CONNECTED ...
 * Each state has a table of the messages it accepts (session-states.ts); anything else from the router is a
 * protocol violation (ABORT wamp.error.protocol_violation, then the transport is closed).
 */
import { Emitter } from '../transports/emitter.js';
import type { WampTransport } from '../transports/transport.js';
import { MessageType, MESSAGE_NAME } from './message-types.js';
import { parseMessage, type WampMessage } from './messages.js';
import { CloseReason, ErrorUri } from './uris.js';
import { SessionIdGenerator } from './ids.js';
import { logger } from '../log.js';
import { ApplicationError } from './application-error.js';
import { CallerRole, type ProgressiveCall } from './session-caller.js';
import { CalleeRole } from './session-callee.js';
import { PubSubRole } from './session-pubsub.js';
import { ROLE_ROUTES, type SessionRoles } from './session-routing.js';
import { createError } from '../errors.js';
import { SessionErrorCode, notJoined, sessionLost, describeMessage, sendOn, type SessionWire } from './session-wire.js';
import type {
  Args, CallOptions, CallResult, Endpoint, EventHandler, Kwargs, Publication, PublishOptions,
  Registration, RegisterOptions, Subscription, SubscribeOptions, WampSession,
} from './types.js';
import * as joinSteps from './session-join.js';
import { State, stateHandlers } from './session-states.js';

export { SessionErrorCode } from './session-wire.js';
export type { ProgressiveCall } from './session-caller.js';

export type { SessionDetails, CloseDetails, Challenge, JoinOptions, SessionConfig, SessionEvents, TestamentOptions } from './session-types.js';
import type { SessionDetails, CloseDetails, Challenge, JoinOptions, SessionConfig, SessionEvents, TestamentOptions } from './session-types.js';
import { addTestamentCall, flushTestamentsCall } from './session-testament.js';

type Handler = (session: ApplicationSession, msg: WampMessage) => void;

const log = logger('wamp');

export class ApplicationSession extends Emitter<SessionEvents> implements WampSession {
  readonly config: SessionConfig;
  #state: State = State.DISCONNECTED;
  #transport: WampTransport | null = null;
  #details: SessionDetails | null = null;
  #requests = new SessionIdGenerator();
  #join: { realm: string; resolve(d: SessionDetails): void; reject(e: unknown): void } | null = null;
  #leave: { resolve(): void } | null = null;
  #joinedBefore = false;
  #leftDeliberately = false;
  readonly #wire: SessionWire;
  readonly #caller: CallerRole;
  readonly #callee: CalleeRole;
  readonly #pubsub: PubSubRole;
  readonly #roles: SessionRoles;
  readonly #joining: joinSteps.JoiningSession;

  constructor(config: SessionConfig = {}) {
    super();
    this.config = config;
    const self = this;
    this.#wire = {
      get sessionId() {
        return self.#details?.session ?? 0;
      },
      get joined() {
        return self.#state === State.JOINED;
      },
      send: (message) => sendOn(self.#transport, message),
      nextRequestId: () => self.#requests.next(),
      lastRequestId: () => self.#requests.last,
      routerHasFeature: (role, feature) => {
        const r = self.#details?.routerRoles[role] as { features?: Record<string, unknown> } | undefined;
        return r?.features?.[feature] === true;
      },
      violation: (message) => self.#violation(message),
    };
    this.#caller = new CallerRole(this.#wire);
    this.#callee = new CalleeRole(this.#wire);
    this.#pubsub = new PubSubRole(this.#wire);
    this.#roles = { caller: this.#caller, callee: this.#callee, pubsub: this.#pubsub };
    this.#joining = {
      get config() {
        return self.config;
      },
      get transport() {
        return self.#transport;
      },
      get joining() {
        return self.#state === State.JOINING;
      },
      send: this.#wire.send,
      onChallenge: (challenge) => self.onChallenge(challenge),
      joined: (msg) => ApplicationSession.joined(self, msg),
      left: (details) => self.#left(details),
    };
    this.#pubsub.onHandlerError = (error) => this.#userError(error);
    this.#callee.onRevoked = (registration, reason) => this.emit('registrationRevoked', registration, reason);
    this.#pubsub.onRevoked = (subscriptions, reason) => this.emit('subscriptionRevoked', subscriptions, reason);
  }

  // ---- lifecycle hooks (override in a subclass) ----

  /** A transport was attached. Default: join `config.realm` (without one, call join() yourself). */
  onConnect(): void | Promise<void> {
    const realm = this.config.realm;
    if (realm === undefined) return;
    // A refused join is reported through onLeave/'leave' (with the ABORT reason), not as an error here.
    return this.join(realm, joinSteps.defaultJoinOptions(this.config)).then(() => undefined, () => undefined);
  }

  /**
   * The router asked for authentication. Return the signature for AUTHENTICATE. Overridden or
   * not, the matching authenticator's authenticateExtra() fills AUTHENTICATE.Extra and its
   * onWelcome() checks WELCOME before the session joins (session-join.ts).
   */
  onChallenge(challenge: Challenge): string | Promise<string> {
    return joinSteps.answerChallenge(this.config, challenge);
  }

  /** The session joined its realm: register, subscribe, call, publish here. */
  onJoin(details: SessionDetails): void | Promise<void> {
    void details;
  }

  /** After a reconnect, the registrations and subscriptions were restored (onJoin is not run again). */
  onRejoin(details: SessionDetails): void | Promise<void> {
    void details;
  }

  /** The session left its realm (GOODBYE, ABORT or transport loss). Default: disconnect. */
  onLeave(details: CloseDetails): void {
    void details;
    this.disconnect();
  }

  /** The transport is gone. */
  onDisconnect(): void {}

  // ---- state ----

  get id(): number {
    return this.#details?.session ?? 0;
  }
  get realm(): string {
    return this.#details?.realm ?? '';
  }
  get isOpen(): boolean {
    return this.#state === State.JOINED;
  }
  get isConnected(): boolean {
    return this.#state !== State.DISCONNECTED;
  }
  /** True after the application called leave(): a Component does not reconnect then. */
  get leftDeliberately(): boolean {
    return this.#leftDeliberately;
  }
  get details(): SessionDetails | null {
    return this.#details;
  }
  get registrations(): Registration[] {
    return this.#callee.registrations;
  }
  get subscriptions(): Subscription[] {
    return this.#pubsub.subscriptions;
  }

  /** Gives the session a transport and runs `onConnect`. */
  attach(transport: WampTransport): void {
    if (this.#transport !== null) throw createError(SessionErrorCode.INVALID_ARGUMENT, 'the session already has a transport');
    this.#transport = transport;
    this.#state = State.CONNECTED;
    this.#requests = new SessionIdGenerator();
    transport.on('message', (value) => {
      if (this.#transport === transport) this.#receive(value);
    });
    transport.on('error', (error) => {
      if (this.#transport === transport) this.#violation(error.message);
    });
    transport.on('close', (info) => {
      if (this.#transport === transport) this.#transportClosed(info.wasClean, info.reason);
    });
    this.#run(() => this.onConnect());
  }

  /** Sends HELLO; resolves with WELCOME's details, rejects with ApplicationError on ABORT. */
  join(realm: string, options: JoinOptions = {}): Promise<SessionDetails> {
    if (this.#state !== State.CONNECTED) {
      return Promise.reject(createError(SessionErrorCode.JOIN_FAILED, `cannot join in state ${this.#state}`));
    }
    const hello = joinSteps.helloMessage(realm, options);
    this.#state = State.JOINING;
    this.#leftDeliberately = false;
    log.debug(() => `joining realm ${realm}${options.authmethods === undefined ? '' : ` (authmethods ${options.authmethods.join(', ')})`}`);
    return new Promise<SessionDetails>((resolve, reject) => {
      this.#join = { realm, resolve, reject };
      sendOn(this.#transport, hello);
    });
  }

  /** Leaves the realm with GOODBYE and waits for the router's reply. Forgets registrations and subscriptions. */
  leave(reason: string = CloseReason.NORMAL, message?: string): Promise<void> {
    if (this.#state !== State.JOINED) return Promise.resolve();
    this.#leftDeliberately = true;
    this.#joinedBefore = false;
    this.#callee.clear();
    this.#pubsub.clear();
    this.#state = State.CLOSING;
    return new Promise<void>((resolve) => {
      this.#leave = { resolve };
      sendOn(this.#transport, [MessageType.GOODBYE, message === undefined ? {} : { message }, reason]);
    });
  }

  /** Closes the transport (after leave, or instead of it). */
  disconnect(): void {
    this.#transport?.close(1000, 'disconnect');
  }

  // ---- WampSession ----

  call(procedure: string, args?: Args, kwargs?: Kwargs, options?: CallOptions): Promise<unknown> {
    // The caller's promise as it is: no second await between RESULT and the application.
    return this.#caller.call(procedure, args, kwargs, options);
  }

  async callResult(procedure: string, args?: Args, kwargs?: Kwargs, options?: CallOptions): Promise<CallResult> {
    return await this.#caller.callResult(procedure, args, kwargs, options);
  }

  /**
   * A call whose arguments go out progressively (progressive call invocations): `send` each
   * chunk, the last with `{ final: true }`; `result` settles like `callResult`.
   */
  callProgressive(procedure: string, options?: CallOptions): ProgressiveCall {
    return this.#caller.callProgressive(procedure, options);
  }

  /**
   * Asks the router to publish an event when this session ends (`wamp.session.add_testament`,
   * testament meta API). `scope` 'destroyed' (default) or 'detached'.
   */
  async addTestament(topic: string, args?: Args, kwargs?: Kwargs, options?: TestamentOptions): Promise<void> {
    const [procedure, a, k] = addTestamentCall(topic, args, kwargs, options);
    await this.#caller.callResult(procedure, a, k);
  }

  /** Removes this session's testaments of `scope` (`wamp.session.flush_testaments`). */
  async flushTestaments(scope?: TestamentOptions['scope']): Promise<void> {
    const [procedure, a, k] = flushTestamentsCall(scope);
    await this.#caller.callResult(procedure, a, k);
  }

  async register(procedure: string, endpoint: Endpoint, options?: RegisterOptions): Promise<Registration> {
    return this.#callee.register(procedure, endpoint, options);
  }

  async unregister(registration: Registration): Promise<void> {
    return this.#callee.unregister(registration);
  }

  async publish(topic: string, args?: Args, kwargs?: Kwargs, options?: PublishOptions): Promise<Publication | undefined> {
    return this.#pubsub.publish(topic, args, kwargs, options);
  }

  async subscribe(topic: string, handler: EventHandler, options?: SubscribeOptions): Promise<Subscription> {
    return this.#pubsub.subscribe(topic, handler, options);
  }

  async unsubscribe(subscription: Subscription): Promise<void> {
    return this.#pubsub.unsubscribe(subscription);
  }

  // ---- inbound ----

  #receive(value: unknown): void {
    if (log.enabled('trace')) log.trace(`in ${Array.isArray(value) ? describeMessage(value) : 'malformed message'}`);
    let msg: WampMessage;
    try {
      msg = parseMessage(value);
    } catch (error) {
      this.#violation(error instanceof Error ? error.message : String(error));
      return;
    }
    const handler = HANDLERS[this.#state][msg.type];
    const route = this.#state === State.JOINED ? ROLE_ROUTES[msg.type] : undefined;
    if (route !== undefined) {
      const violation = route(this.#roles, msg);
      if (violation !== undefined) this.#violation(violation);
      return;
    }
    if (handler === undefined) {
      if (this.#state === State.CLOSING) return; // spec: ignore everything but GOODBYE while closing
      this.#violation(`unexpected ${MESSAGE_NAME[msg.type]} in state ${this.#state}`);
      return;
    }
    handler(this, msg);
  }

  #violation(message: string): void {
    const transport = this.#transport;
    if (transport === null) return;
    sendOn(transport, [MessageType.ABORT, { message }, ErrorUri.PROTOCOL_VIOLATION]);
    this.#left({ reason: ErrorUri.PROTOCOL_VIOLATION, message });
    transport.close(1002, 'protocol violation');
  }

  #left(details: CloseDetails): void {
    const wasJoined = this.#state === State.JOINED || this.#state === State.CLOSING;
    log.debug(() => `${wasJoined ? 'left the realm' : 'join refused'}: ${details.reason}${details.message === undefined ? '' : ` (${details.message})`}`);
    const pending = this.#join;
    this.#join = null;
    this.#state = this.#transport === null ? State.DISCONNECTED : State.CONNECTED;
    const lost = sessionLost(details.reason);
    this.#caller.detach(lost);
    this.#callee.detach(lost);
    this.#pubsub.detach(lost);
    const leave = this.#leave;
    this.#leave = null;
    leave?.resolve();
    if (pending !== null) {
      pending.reject(new ApplicationError(details.reason, details.message === undefined ? [] : [details.message]));
    }
    if (wasJoined || pending !== null) {
      this.emit('leave', details);
      this.#run(() => this.onLeave(details));
    }
  }

  #transportClosed(wasClean: boolean, reason: string): void {
    if (this.#state === State.JOINED || this.#state === State.CLOSING || this.#state === State.JOINING) {
      this.#transport = null;
      this.#left({ reason: 'wamp.close.transport_lost', message: reason });
    }
    this.#transport = null;
    this.#state = State.DISCONNECTED;
    log.debug(() => `transport closed${wasClean ? '' : ' uncleanly'}${reason === '' ? '' : `: ${reason}`}`);
    this.emit('disconnect', { wasClean, reason });
    this.#run(() => this.onDisconnect());
  }

  #userError(error: unknown): void {
    if (!this.emit('error', error)) {
      // Nobody listens: do not lose it silently.
      console.error('wampkit: unhandled error in application code:', error);
    }
  }

  #run(hook: () => void | Promise<void>): void {
    try {
      const result = hook();
      if (result instanceof Promise) result.catch((error: unknown) => this.#userError(error));
    } catch (error) {
      this.#userError(error);
    }
  }

  // ---- handlers ----

  static welcome(s: ApplicationSession, msg: WampMessage): void {
    joinSteps.welcome(s.#joining, msg);
  }

  static challenge(s: ApplicationSession, msg: WampMessage): void {
    joinSteps.challenge(s.#joining, msg);
  }

  static joined(s: ApplicationSession, msg: WampMessage): void {
    if (msg.type !== MessageType.WELCOME) return;
    const pending = s.#join;
    s.#join = null;
    const details = joinSteps.welcomeDetails(msg, pending?.realm ?? '', s.#joinedBefore);
    s.#details = details;
    s.#state = State.JOINED;
    log.debug(() => `joined realm ${details.realm} as session ${details.session} (authid ${details.authid ?? '-'}, authrole ${details.authrole ?? '-'})`);
    s.#joinedBefore = true;
    pending?.resolve(details);
    if (details.rejoined) {
      s.#run(async () => {
        await Promise.all([s.#callee.restore(), s.#pubsub.restore()]);
        s.emit('join', details);
        await s.onRejoin(details);
      });
      return;
    }
    s.emit('join', details);
    s.#run(() => s.onJoin(details));
  }

  static abort(s: ApplicationSession, msg: WampMessage): void {
    if (msg.type === MessageType.ABORT) s.#left(joinSteps.closeDetails(msg));
  }

  static goodbye(s: ApplicationSession, msg: WampMessage): void {
    if (msg.type !== MessageType.GOODBYE) return;
    if (s.#state === State.JOINED) sendOn(s.#transport, [MessageType.GOODBYE, {}, CloseReason.GOODBYE_AND_OUT]);
    s.#left(joinSteps.closeDetails(msg));
  }
}

const HANDLERS = stateHandlers<Handler>(ApplicationSession);

export { notJoined };
