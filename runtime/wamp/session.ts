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
 * Inbound, in this file: every message from the router is parsed, checked against the table
 * of what the current state accepts (session-states.ts; anything else is a protocol violation:
 * ABORT wamp.error.protocol_violation, then the transport is closed; once a session has ended,
 * by ABORT either way or GOODBYE, later messages are ignored), and dispatched by one
 * switch on its type to the session's own steps or a role (caller, callee, pubsub). Outbound,
 * in session-outbound.ts: the session and its roles send typed messages through one path.
 */
import { Emitter } from '../transports/emitter.js';
import type { WampTransport } from '../transports/transport.js';
import { MessageType, MESSAGE_NAME } from './message-types.js';
import { abortMessage, goodbyeMessage, parseMessage, type ErrorMessage, type MessageOf, type WampMessage } from './messages.js';
import { CloseReason, ErrorUri } from './uris.js';
import { logger } from '../log.js';
import { ApplicationError } from './application-error.js';
import { CallerRole, type ProgressiveCall } from './session-caller.js';
import { CalleeRole } from './session-callee.js';
import { PubSubRole } from './session-pubsub.js';
import { createError } from '../errors.js';
import { SessionErrorCode, sessionLost } from './session-checks.js';
import { SessionOutbound } from './session-outbound.js';
import { describeMessage } from './message-trace.js';
import type {
  Args, CallOptions, CallResult, Endpoint, EventHandler, Kwargs, PayloadCodec, Publication, PublishOptions,
  Registration, RegisterOptions, Subscription, SubscribeOptions, WampSession,
} from './types.js';
import * as joinSteps from './session-join.js';
import { ACCEPTS, State } from './session-states.js';

export { SessionErrorCode } from './session-checks.js';
export type { ProgressiveCall } from './session-caller.js';

export type { SessionDetails, CloseDetails, Challenge, JoinOptions, SessionConfig, SessionEvents, TestamentOptions } from './session-types.js';
import type { SessionDetails, CloseDetails, Challenge, JoinOptions, SessionConfig, SessionEvents, TestamentOptions } from './session-types.js';
import { addTestamentCall, flushTestamentsCall } from './session-testament.js';

const log = logger('wamp');

export class ApplicationSession extends Emitter<SessionEvents> implements WampSession {
  readonly config: SessionConfig;
  #state: State = State.DISCONNECTED;
  #transport: WampTransport | null = null;
  #details: SessionDetails | null = null;
  #join: { realm: string; resolve(d: SessionDetails): void; reject(e: unknown): void } | null = null;
  #leave: { resolve(): void } | null = null;
  #joinedBefore = false;
  #leftDeliberately = false;
  readonly #out = new SessionOutbound();
  readonly #caller = new CallerRole(this.#out);
  readonly #callee = new CalleeRole(this.#out);
  readonly #pubsub = new PubSubRole(this.#out);

  constructor(config: SessionConfig = {}) {
    super();
    this.config = config;
    this.#out.payloadCodec = config.payloadCodec ?? null;
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
  onJoin(details: SessionDetails): void | Promise<void> {}

  /** After a reconnect, the registrations and subscriptions were restored (onJoin is not run again). */
  onRejoin(details: SessionDetails): void | Promise<void> {}

  /**
   * The session left its realm (GOODBYE, ABORT or transport loss), or the application called
   * leave() while no realm was joined (a Component waiting to reconnect then stops). Default:
   * disconnect.
   */
  onLeave(details: CloseDetails): void {
    this.disconnect();
  }

  /** The transport is gone. */
  onDisconnect(): void {}

  // ---- state ----

  get id(): number { return this.#details?.session ?? 0; }
  get realm(): string { return this.#details?.realm ?? ''; }
  get isOpen(): boolean { return this.#state === State.JOINED; }
  get isConnected(): boolean { return this.#state !== State.DISCONNECTED; }
  /** True after the application called leave(): a Component does not reconnect then. */
  get leftDeliberately(): boolean { return this.#leftDeliberately; }
  get details(): SessionDetails | null { return this.#details; }
  get registrations(): Registration[] { return this.#callee.registrations; }
  get subscriptions(): Subscription[] { return this.#pubsub.subscriptions; }

  /** Gives the session a transport and runs `onConnect`. */
  attach(transport: WampTransport): void {
    if (this.#transport !== null) throw createError(SessionErrorCode.INVALID_ARGUMENT, 'the session already has a transport');
    this.#transport = transport;
    this.#out.attach(transport);
    this.#state = State.CONNECTED;
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
    log.debug(() => `joining realm ${realm}${options.authmethods === undefined ? '' : ` (authmethods ${options.authmethods.join(', ')})`}`);
    // JOINING before HELLO goes out: a transport may deliver the answer during send.
    this.#state = State.JOINING;
    this.#leftDeliberately = false;
    const joined = new Promise<SessionDetails>((resolve, reject) => (this.#join = { realm, resolve, reject }));
    try {
      this.#out.send(joinSteps.helloFor(realm, options));
    } catch (error) {
      // HELLO details the transport cannot encode (an authextra with a Set over JSON).
      this.#state = State.CONNECTED;
      this.#join = null;
      return Promise.reject(error);
    }
    return joined;
  }

  /**
   * Leaves for good: forgets registrations and subscriptions, and a Component stops. Joined: sends
   * GOODBYE and resolves on the router's reply. Connected but not joined: closes the transport.
   * Disconnected (a Component waiting to reconnect): emits 'leave' with `reason` at once.
   */
  leave(reason: string = CloseReason.NORMAL, message?: string): Promise<void> {
    if (this.#state === State.CLOSING) return Promise.resolve();
    this.#leftDeliberately = true;
    this.#joinedBefore = false;
    this.#callee.clear();
    this.#pubsub.clear();
    if (this.#state === State.DISCONNECTED) {
      this.#announceLeave(message === undefined ? { reason } : { reason, message });
      return Promise.resolve();
    }
    if (this.#state !== State.JOINED) {
      this.disconnect();
      return Promise.resolve();
    }
    this.#state = State.CLOSING;
    return new Promise<void>((resolve) => {
      this.#leave = { resolve };
      this.#out.send(goodbyeMessage(message === undefined ? {} : { message }, reason));
    });
  }

  /** Sets (or with null removes) the payload codec (end-to-end encryption; `SessionConfig.payloadCodec`). */
  setPayloadCodec(codec: PayloadCodec | null): void {
    this.#out.payloadCodec = codec;
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
    await this.#caller.callResult(...addTestamentCall(topic, args, kwargs, options));
  }

  /** Removes this session's testaments of `scope` (`wamp.session.flush_testaments`). */
  async flushTestaments(scope?: TestamentOptions['scope']): Promise<void> {
    await this.#caller.callResult(...flushTestamentsCall(scope));
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
    if (this.#state === State.CONNECTED) {
      // No session on this transport (after an ABORT either way, after GOODBYE, before HELLO):
      // nothing the router says can be answered, and an ABORT for each would never end.
      log.debug(() => `ignored ${Array.isArray(value) ? describeMessage(value) : 'a malformed message'}: no session`);
      return;
    }
    let msg: WampMessage;
    try {
      msg = parseMessage(value);
    } catch (error) {
      this.#violation(error instanceof Error ? error.message : String(error));
      return;
    }
    if (!ACCEPTS[this.#state].has(msg.type)) {
      if (this.#state === State.CLOSING) return; // spec: ignore everything but GOODBYE while closing
      this.#violation(`unexpected ${MESSAGE_NAME[msg.type]} in state ${this.#state}`);
      return;
    }
    const violation = this.#dispatch(msg);
    if (violation !== undefined) this.#violation(violation);
  }

  /** The one dispatch: each case sees its own message type. Returns the router's protocol violation, if any. */
  #dispatch(msg: WampMessage): string | undefined {
    switch (msg.type) {
      case MessageType.WELCOME: return this.#welcome(msg);
      case MessageType.CHALLENGE: return this.#challenge(msg);
      case MessageType.ABORT: return this.#left(joinSteps.closeDetails(msg));
      case MessageType.GOODBYE:
        if (this.#state === State.JOINED) this.#out.send(goodbyeMessage({}, CloseReason.GOODBYE_AND_OUT));
        return this.#left(joinSteps.closeDetails(msg));
      case MessageType.ERROR: return this.#error(msg);
      case MessageType.RESULT: return this.#caller.onResult(msg);
      case MessageType.REGISTERED: return this.#callee.onRegistered(msg);
      case MessageType.UNREGISTERED: return this.#callee.onUnregistered(msg);
      case MessageType.INVOCATION:
        this.#callee.onInvocation(msg);
        return undefined;
      case MessageType.INTERRUPT:
        this.#callee.onInterrupt(msg);
        return undefined;
      case MessageType.SUBSCRIBED: return this.#pubsub.onSubscribed(msg);
      case MessageType.UNSUBSCRIBED: return this.#pubsub.onUnsubscribed(msg);
      case MessageType.PUBLISHED: return this.#pubsub.onPublished(msg);
      case MessageType.EVENT:
        this.#pubsub.onEvent(msg);
        return undefined;
      default:
        // Unreachable: ACCEPTS lets only the types above through.
        return `unexpected ${MESSAGE_NAME[msg.type]}`;
    }
  }

  /** An ERROR goes to the role that sent the request it answers. */
  #error(msg: ErrorMessage): string | undefined {
    let ours = false;
    switch (msg.requestType) {
      case MessageType.CALL: ours = this.#caller.onError(msg); break;
      case MessageType.REGISTER: case MessageType.UNREGISTER: ours = this.#callee.onError(msg); break;
      case MessageType.SUBSCRIBE: case MessageType.UNSUBSCRIBE: case MessageType.PUBLISH: ours = this.#pubsub.onError(msg); break;
    }
    return ours ? undefined : `ERROR for ${MESSAGE_NAME[msg.requestType]} request ${msg.request} that we did not send`;
  }

  /** WELCOME: joined, once a mutually authenticating method (WAMP-SCRAM) has checked the router's proof. */
  #welcome(msg: MessageOf<typeof MessageType.WELCOME>): undefined {
    const check = joinSteps.welcomeCheck(this.config, msg);
    return check === undefined ? this.#joined(msg) : this.#whileJoining(check, () => this.#joined(msg), true);
  }

  /** CHALLENGE: onChallenge's signature goes back as AUTHENTICATE. */
  #challenge(msg: MessageOf<typeof MessageType.CHALLENGE>): undefined {
    const authenticate = joinSteps.authenticate(this.config, msg, (challenge) => this.onChallenge(challenge));
    return this.#whileJoining(authenticate, (reply) => this.#out.send(reply), false);
  }

  /**
   * Goes on with the join when an authentication step settles, unless the join was given up
   * meanwhile (a late answer is dropped); a failed step ends it with ABORT authentication_failed.
   */
  #whileJoining<T>(step: Promise<T>, then: (value: T) => void, closeOnFailure: boolean): undefined {
    const transport = this.#transport;
    const joining = (): boolean => this.#transport === transport && this.#state === State.JOINING;
    step.then((value) => {
      if (joining()) then(value);
    }).catch((error: unknown) => {
      if (!joining()) return;
      const message = error instanceof Error ? error.message : String(error);
      this.#out.send(abortMessage({ message }, ErrorUri.AUTHENTICATION_FAILED));
      this.#left({ reason: ErrorUri.AUTHENTICATION_FAILED, message });
      if (closeOnFailure) transport?.close(1000, 'authentication failed');
    });
    return undefined;
  }

  #joined(msg: MessageOf<typeof MessageType.WELCOME>): undefined {
    const pending = this.#join;
    this.#join = null;
    const details = joinSteps.welcomeDetails(msg, pending?.realm ?? '', this.#joinedBefore);
    this.#details = details;
    this.#state = State.JOINED;
    this.#out.joined(details.routerRoles);
    log.debug(() => `joined realm ${details.realm} as session ${details.session} (authid ${details.authid ?? '-'}, authrole ${details.authrole ?? '-'})`);
    this.#joinedBefore = true;
    pending?.resolve(details);
    if (details.rejoined) {
      this.#run(async () => {
        await Promise.all([this.#callee.restore(), this.#pubsub.restore()]);
        this.emit('join', details);
        await this.onRejoin(details);
      });
      return undefined;
    }
    this.emit('join', details);
    this.#run(() => this.onJoin(details));
    return undefined;
  }

  #violation(message: string): void {
    const transport = this.#transport;
    if (transport === null) return;
    if (this.#state === State.CONNECTED) {
      // No session to abort (we sent or got ABORT already, and the transport is closing).
      log.debug(() => `ignored after the session ended: ${message}`);
      return;
    }
    this.#out.send(abortMessage({ message }, ErrorUri.PROTOCOL_VIOLATION));
    this.#left({ reason: ErrorUri.PROTOCOL_VIOLATION, message });
    transport.close(1002, 'protocol violation');
  }

  #left(details: CloseDetails): undefined {
    const wasJoined = this.#state === State.JOINED || this.#state === State.CLOSING;
    log.debug(() => `${wasJoined ? 'left the realm' : 'join refused'}: ${details.reason}${details.message === undefined ? '' : ` (${details.message})`}`);
    const pending = this.#join;
    this.#join = null;
    this.#state = this.#transport === null ? State.DISCONNECTED : State.CONNECTED;
    this.#out.left();
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
    if (wasJoined || pending !== null) this.#announceLeave(details);
    return undefined;
  }

  #announceLeave(details: CloseDetails): void {
    this.emit('leave', details);
    this.#run(() => this.onLeave(details));
  }

  #transportClosed(wasClean: boolean, reason: string): void {
    if (this.#state === State.JOINED || this.#state === State.CLOSING || this.#state === State.JOINING) {
      this.#transport = null;
      this.#left({ reason: 'wamp.close.transport_lost', message: reason });
    }
    this.#transport = null;
    this.#out.detach();
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
}
