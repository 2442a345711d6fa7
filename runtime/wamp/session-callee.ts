/**
 * The callee role of a client session: REGISTER/UNREGISTER, INVOCATION -> YIELD or ERROR,
 * progressive results, progressive invocations (`details.input`), INTERRUPT, and
 * registration revocation (UNREGISTERED with request 0).
 *
 * What an endpoint returns becomes the YIELD: a `Result` sends its args and kwargs, anything
 * else (but undefined) is sent as the single positional result. What it throws becomes
 * ERROR: an ApplicationError keeps its URI, args and kwargs; any other exception is reported
 * as `wamp.error.runtime_error` with its message, as Autobahn does.
 */
import { MessageType } from './message-types.js';
import {
  registerMessage, unregisterMessage, yieldMessage, type InterruptMessage, type InvocationMessage, type RegisterOptionsDict,
  type RegisteredMessage, type UnregisteredMessage,
} from './messages-rpc.js';
import { errorMessage, type ErrorMessage } from './messages-session.js';
import type { WampDict, WampList } from './message-fields.js';
import { ApplicationError, Result } from './application-error.js';
import type { Args, Endpoint, InvocationDetails, Kwargs, RegisterOptions, Registration } from './types.js';
import { checkUriArgument, invalidArgument, notJoined } from './session-checks.js';
import type { SessionOutbound } from './session-outbound.js';
import { InvocationInput } from './session-input.js';
import { ErrorUri } from './uris.js';
import { addPassthruKeys, packPassthru, passthruOf, unpackPassthru } from './session-passthru.js';
import { addEncodedKeys, decodeEncoded, encodedOf } from './session-codec.js';
import { withPayload } from './message-fields.js';
import type { PayloadPassthru } from './types.js';
import { setLongTimeout, type LongTimeout } from '../long-timeout.js';

/**
 * How many finished progressive invocations are remembered so that a late continuation
 * (crossed with our YIELD on the wire) is discarded, as the spec asks, rather than taken
 * for a new call.
 */
const FINISHED_MEMORY = 1024;

/** The error URI for exceptions that are not ApplicationErrors (Autobahn's choice). */
export const RUNTIME_ERROR_URI = 'wamp.error.runtime_error';

/**
 * One invocation in progress. Its AbortController is made only when the endpoint looks at
 * `details.signal` (most never do, and making one per call is measurable).
 */
class Running {
  #controller: AbortController | null = null;
  #reason: unknown = undefined;
  #aborted = false;
  /** The rest of the caller's arguments when it sends them progressively. */
  input: InvocationInput | null = null;
  /** The dealer forwarded the call's timeout to us (call timeout, callee side). */
  timer: LongTimeout | null = null;
  /** The invocation came in payload passthru mode: the answer goes back so. */
  passthru: PayloadPassthru | undefined = undefined;
  /** The invocation came encoded by the payload codec for this procedure: the answer goes back encoded. */
  encodedFor: string | undefined = undefined;

  get signal(): AbortSignal {
    if (this.#controller === null) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}

interface Pending<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

class ClientRegistration implements Registration {
  id = 0;
  active = true;
  readonly procedure: string;
  readonly endpoint: Endpoint;
  readonly options: RegisterOptions;
  readonly #owner: CalleeRole;

  constructor(owner: CalleeRole, procedure: string, endpoint: Endpoint, options: RegisterOptions) {
    this.#owner = owner;
    this.procedure = procedure;
    this.endpoint = endpoint;
    this.options = options;
  }

  unregister(): Promise<void> {
    return this.#owner.unregister(this);
  }
}

function registerOptions(options: RegisterOptions): RegisterOptionsDict {
  const out: RegisterOptionsDict = {};
  if (options.match !== undefined && options.match !== 'exact') out['match'] = options.match;
  if (options.invoke !== undefined && options.invoke !== 'single') out['invoke'] = options.invoke;
  if (options.discloseCaller === true) out['disclose_caller'] = true;
  if (options.forwardTimeout === true) out['forward_timeout'] = true;
  if (options.forceReregister === true) out['force_reregister'] = true;
  return out;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class CalleeRole {
  readonly #out: SessionOutbound;
  readonly #byId = new Map<number, ClientRegistration>();
  readonly #all = new Set<ClientRegistration>();
  readonly #registering = new Map<number, { reg: ClientRegistration; pending: Pending<Registration> }>();
  readonly #unregistering = new Map<number, Pending<void>>();
  /** Invocations running here, by INVOCATION.Request, for INTERRUPT. */
  readonly #running = new Map<number, Running>();
  /** Request IDs of progressive invocations that finished here (oldest first). */
  readonly #finished = new Set<number>();
  /** The router revoked a registration (Advanced Profile, registration revocation). */
  onRevoked: (registration: Registration, reason: string | undefined) => void = () => {};

  constructor(out: SessionOutbound) {
    this.#out = out;
  }

  register(procedure: string, endpoint: Endpoint, options: RegisterOptions = {}): Promise<Registration> {
    checkUriArgument(procedure, 'procedure');
    if (typeof endpoint !== 'function') throw invalidArgument(`endpoint must be a function, got ${typeof endpoint}`);
    if (!this.#out.isJoined) return Promise.reject(notJoined(`register ${procedure}`));
    return this.#sendRegister(new ClientRegistration(this, procedure, endpoint, options));
  }

  #sendRegister(reg: ClientRegistration): Promise<Registration> {
    return new Promise<Registration>((resolve, reject) => {
      this.#out.request((r) => {
        this.#registering.set(r, { reg, pending: { resolve, reject } });
        return registerMessage(r, registerOptions(reg.options), reg.procedure);
      }, (r) => this.#registering.delete(r));
    });
  }

  unregister(registration: Registration): Promise<void> {
    const reg = registration as ClientRegistration;
    if (!(reg instanceof ClientRegistration) || !reg.active) return Promise.resolve();
    reg.active = false;
    this.#all.delete(reg);
    this.#byId.delete(reg.id);
    if (!this.#out.isJoined) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#out.request((r) => {
        this.#unregistering.set(r, { resolve, reject });
        return unregisterMessage(r, reg.id);
      }, (r) => this.#unregistering.delete(r));
    });
  }

  /** Inbound handlers return the router's protocol violation, if the message is one. */
  onRegistered(msg: RegisteredMessage): string | undefined {
    const entry = this.#registering.get(msg.request);
    if (entry === undefined) return `REGISTERED for unknown request ${msg.request}`;
    this.#registering.delete(msg.request);
    entry.reg.id = msg.registration;
    this.#byId.set(msg.registration, entry.reg);
    this.#all.add(entry.reg);
    entry.pending.resolve(entry.reg);
    return undefined;
  }

  onUnregistered(msg: UnregisteredMessage): string | undefined {
    const pending = this.#unregistering.get(msg.request);
    if (pending !== undefined) {
      this.#unregistering.delete(msg.request);
      pending.resolve();
      return undefined;
    }
    // Router-initiated revocation (Advanced Profile): request 0 and the registration in details.
    const revoked = msg.details?.registration;
    if (typeof revoked === 'number') {
      const reg = this.#byId.get(revoked);
      if (reg !== undefined) {
        reg.active = false;
        this.#byId.delete(revoked);
        this.#all.delete(reg);
        this.onRevoked(reg, typeof msg.details?.reason === 'string' ? msg.details.reason : undefined);
      }
      return undefined;
    }
    return `UNREGISTERED for unknown request ${msg.request}`;
  }

  onError(msg: ErrorMessage): boolean {
    const error = new ApplicationError(msg.error, msg.args ?? [], msg.kwargs ?? {});
    if (msg.requestType === MessageType.REGISTER) {
      const entry = this.#registering.get(msg.request);
      if (entry === undefined) return false;
      this.#registering.delete(msg.request);
      entry.reg.active = false;
      entry.pending.reject(error);
      return true;
    }
    const pending = this.#unregistering.get(msg.request);
    if (pending === undefined) return false;
    this.#unregistering.delete(msg.request);
    pending.reject(error);
    return true;
  }

  onInvocation(msg: InvocationMessage): void {
    const request = msg.request;
    const d = msg.details;
    const running = this.#running.get(request);
    const passthru = passthruOf(d);
    const encoded = encodedOf(d, msg.payload);
    let args = msg.args ?? [];
    let kwargs = msg.kwargs ?? {};
    // The procedure an encoded payload must name: the one called (pattern registrations), else ours.
    const procedure = typeof d.procedure === 'string' ? d.procedure : this.#byId.get(msg.registration)?.procedure ?? '';
    if (passthru !== undefined || encoded !== undefined) {
      try {
        if (passthru !== undefined) ({ args, kwargs } = unpackPassthru(passthru, msg.args));
        else ({ args, kwargs } = decodeEncoded(this.#out.payloadCodec, false, procedure, encoded!));
      } catch (error) {
        // The endpoint cannot be given what it could not read: the caller learns why.
        if (running !== undefined) this.#done(request, running);
        this.#out.send(errorMessage(MessageType.INVOCATION, request, {}, ErrorUri.INVALID_PAYLOAD, [describeError(error)]));
        return;
      }
    }
    if (running?.input != null) {
      // A continuation of a progressive invocation: the rest of the caller's arguments.
      running.input.push(args, kwargs, d.progress !== true);
      return;
    }
    // A continuation of one that already finished here: the spec says discard it silently.
    if (this.#finished.has(request)) return;
    const reg = this.#byId.get(msg.registration);
    if (reg === undefined) {
      // Crossed our UNREGISTER on the wire: tell the dealer nobody is here.
      this.#out.send(errorMessage(MessageType.INVOCATION, request, {}, ErrorUri.NO_SUCH_REGISTRATION));
      return;
    }
    const controller = new Running();
    controller.passthru = passthru;
    if (encoded !== undefined) controller.encodedFor = procedure;
    // An invocation is registered in #running for whatever can reach it while it runs: its
    // timeout, progressive results and input, an INTERRUPT, the session detaching. An endpoint
    // without those that answers synchronously cannot be reached (nothing else runs meanwhile),
    // so it is registered only when it returns a promise: no map entry set and deleted per call.
    const tracked = typeof d.timeout === 'number' && d.timeout > 0 || d.progress === true || d.receive_progress === true;
    if (tracked) this.#running.set(request, controller);
    const details = {
      procedure: typeof d.procedure === 'string' ? d.procedure : reg.procedure,
      registration: msg.registration,
      get signal(): AbortSignal {
        return controller.signal;
      },
    } as InvocationDetails;
    if (typeof d.caller === 'number') details.caller = d.caller;
    if (typeof d.caller_authid === 'string') details.callerAuthid = d.caller_authid;
    if (typeof d.caller_authrole === 'string') details.callerAuthrole = d.caller_authrole;
    if (passthru !== undefined) details.passthru = passthru;
    if (encoded !== undefined) details.encAlgo = encoded.algo;
    if (typeof d.timeout === 'number' && d.timeout > 0) {
      // Chained: a forwarded timeout above 2^31-1 ms would otherwise fire at once.
      controller.timer = setLongTimeout(() => this.#timedOut(request, controller), d.timeout);
    }
    if (d.progress === true) {
      controller.input = new InvocationInput();
      details.input = controller.input;
    }
    if (d.receive_progress === true) {
      // A progressive result that cannot be encoded throws to the endpoint that sent it.
      details.progress = (args?: Args, kwargs?: Kwargs) => {
        if (this.#running.get(request) === controller && this.#out.isJoined) {
          this.#out.send(this.#yieldMessage(request, controller, { progress: true }, args, kwargs));
        }
      };
    }
    let outcome: unknown;
    try {
      outcome = reg.endpoint(args, kwargs, details);
    } catch (error) {
      if (tracked) this.#fail(request, controller, error);
      else this.#answerFailure(request, controller, error);
      return;
    }
    if (outcome instanceof Promise) {
      if (!tracked) this.#running.set(request, controller);
      outcome.then((value) => this.#yield(request, controller, value), (error: unknown) => this.#fail(request, controller, error));
    } else if (tracked) {
      this.#yield(request, controller, outcome);
    } else {
      this.#answerValue(request, controller, outcome);
    }
  }

  onInterrupt(msg: InterruptMessage): void {
    const controller = this.#running.get(msg.request);
    if (controller === undefined) return;
    const mode = msg.options.mode ?? 'kill';
    // killnowait: the dealer has already answered the caller and discards whatever we send.
    if (mode === 'killnowait') this.#done(msg.request, controller);
    const reason = typeof msg.options.reason === 'string' ? msg.options.reason : ErrorUri.CANCELED;
    const error = new ApplicationError(reason, ['the call was canceled']);
    controller.abort(error);
    controller.input?.close(error);
  }

  /**
   * A timeout the dealer forwarded ran out: the spec has the callee answer ERROR
   * wamp.error.timeout; whatever the endpoint returns later is dropped.
   */
  #timedOut(request: number, controller: Running): void {
    controller.timer = null;
    if (this.#running.get(request) !== controller) return;
    this.#done(request, controller);
    const error = new ApplicationError(ErrorUri.TIMEOUT, ['the call timed out']);
    controller.abort(error);
    controller.input?.close(error);
    if (this.#out.isJoined) this.#out.send(errorMessage(MessageType.INVOCATION, request, {}, ErrorUri.TIMEOUT, ['the call timed out']));
  }

  /** The invocation is over here: forget it, end its input, remember it if it was progressive. */
  #done(request: number, controller: Running): void {
    this.#running.delete(request);
    controller.timer?.clear();
    controller.timer = null;
    if (controller.input === null) return;
    controller.input.close();
    this.#finished.add(request);
    if (this.#finished.size > FINISHED_MEMORY) {
      const oldest = this.#finished.values().next();
      if (oldest.done !== true) this.#finished.delete(oldest.value);
    }
  }

  #yield(request: number, controller: Running, value: unknown): void {
    if (this.#running.get(request) !== controller) return;
    this.#done(request, controller);
    this.#answerValue(request, controller, value);
  }

  #answerValue(request: number, controller: Running, value: unknown): void {
    if (!this.#out.isJoined) return;
    const [args, kwargs] = Result.is(value) ? [value.args, value.kwargs] : [value === undefined ? undefined : [value], undefined];
    this.#answer(request, () => this.#yieldMessage(request, controller, {}, args, kwargs));
  }

  /** A YIELD in the mode of its invocation: plain, passthru, or encoded by the payload codec. */
  #yieldMessage(request: number, controller: Running, options: { progress?: true }, args: Args | undefined, kwargs: Kwargs | undefined): ReturnType<typeof yieldMessage> {
    const { passthru, encodedFor } = controller;
    if (passthru !== undefined) return yieldMessage(request, addPassthruKeys(options, passthru), packPassthru(passthru, args, kwargs));
    const encoded = encodedFor === undefined ? undefined : this.#out.payloadCodec?.encode(false, encodedFor, args, kwargs);
    if (encoded === undefined) return yieldMessage(request, options, args, kwargs);
    return withPayload(yieldMessage(request, addEncodedKeys(options, encoded)), encoded.payload);
  }

  #fail(request: number, controller: Running, error: unknown): void {
    if (this.#running.get(request) !== controller) return;
    this.#done(request, controller);
    this.#answerFailure(request, controller, error);
  }

  #answerFailure(request: number, controller: Running, error: unknown): void {
    if (!this.#out.isJoined) return;
    let uri: string = RUNTIME_ERROR_URI;
    let args: WampList | undefined = [describeError(error)];
    let kwargs: WampDict | undefined;
    if (ApplicationError.is(error)) [uri, args, kwargs] = [error.error, error.args, error.kwargs];
    else if (controller.aborted) uri = ErrorUri.CANCELED;
    const { passthru, encodedFor } = controller;
    // An error's payload goes back in the call's mode too: passthru where it can be packed,
    // encoded for the error URI (as Autobahn encodes errors).
    this.#answer(request, () => {
      const encoded = encodedFor === undefined ? undefined : this.#out.payloadCodec?.encode(false, uri, args, kwargs);
      if (encoded !== undefined) return withPayload(errorMessage(MessageType.INVOCATION, request, addEncodedKeys({}, encoded), uri), encoded.payload);
      if (passthru !== undefined) {
        try {
          return errorMessage(MessageType.INVOCATION, request, addPassthruKeys({}, passthru), uri, packPassthru(passthru, args, kwargs));
        } catch {
          // A raw passthru (we do not pack its serializer) and an error made of values: sent plain.
        }
      }
      return errorMessage(MessageType.INVOCATION, request, {}, uri, args, kwargs);
    });
  }

  /**
   * Sends the invocation's answer. One the transport cannot take (a result or error payload that
   * does not encode) is replaced by ERROR wamp.error.invalid_payload, so the caller is not left
   * waiting for an answer that could never be sent.
   */
  #answer(request: number, build: () => ReturnType<typeof yieldMessage> | ErrorMessage): void {
    let kind = 'answer';
    try {
      const message = build();
      kind = message.type === MessageType.YIELD ? 'result' : 'error';
      this.#out.send(message);
    } catch (error) {
      this.#out.send(errorMessage(MessageType.INVOCATION, request, {}, ErrorUri.INVALID_PAYLOAD, [
        `the ${kind} could not be sent: ${describeError(error)}`,
      ]));
    }
  }

  detach(error: Error): void {
    for (const { pending } of this.#registering.values()) pending.reject(error);
    for (const pending of this.#unregistering.values()) pending.reject(error);
    this.#registering.clear();
    this.#unregistering.clear();
    for (const controller of this.#running.values()) {
      controller.timer?.clear();
      controller.abort(error);
      controller.input?.close(error);
    }
    this.#running.clear();
    this.#finished.clear();
    this.#byId.clear();
  }

  async restore(): Promise<void> {
    const regs = [...this.#all];
    this.#all.clear();
    await Promise.all(regs.filter((r) => r.active).map((r) => this.#sendRegister(r)));
  }

  clear(): void {
    for (const reg of this.#all) reg.active = false;
    this.#all.clear();
  }

  get registrations(): Registration[] {
    return [...this.#all];
  }
}
