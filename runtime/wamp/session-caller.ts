/**
 * The caller role of a client session: CALL, RESULT (final and progressive), ERROR, CANCEL
 * when the call's AbortSignal fires, and progressive call invocations (one call whose
 * arguments go out in several CALL messages sharing the request ID).
 */
import { callMessage, cancelMessage, type CallOptionsDict, type ResultMessage } from './messages-rpc.js';
import type { ErrorMessage } from './messages-session.js';
import { ApplicationError, Result } from './application-error.js';
import type { Args, CallOptions, CallResult, Kwargs, PayloadCodec } from './types.js';
import { checkArgs, checkUriArgument, featureNotSupported, invalidArgument, notJoined } from './session-checks.js';
import type { SessionOutbound } from './session-outbound.js';
import { ErrorUri } from './uris.js';
import { addPassthruKeys, checkPassthru, packPassthru, passthruOf, unpackPassthru } from './session-passthru.js';
import { addEncodedKeys, decodeEncoded, encodedOf, TRANSPARENCY_FEATURES } from './session-codec.js';
import { withPayload } from './message-fields.js';
import type { ErrorDetails } from './messages-session.js';

/**
 * A call whose arguments are sent in chunks (Advanced Profile, progressive call invocations).
 * Each `send` is one CALL with the same request ID; the last one must be `final`.
 */
export interface ProgressiveCall {
  /**
   * Sends one chunk. Returns false (and sends nothing) once the call has completed, e.g. when
   * the callee answered before the final chunk: the spec has the dealer discard such CALLs.
   * Throws after the final chunk was sent.
   */
  send(args?: Args, kwargs?: Kwargs, options?: { final?: boolean }): boolean;
  /** The call's outcome, as `callResult` gives it. */
  readonly result: Promise<CallResult>;
  /** True once the final chunk was sent. */
  readonly finished: boolean;
}

interface PendingCall {
  /** `call()` takes the unwrapped value (see `unwrapResult`), `callResult()` a `CallResult`. */
  resolve(result: unknown): void;
  unwrap: boolean;
  reject(error: unknown): void;
  onProgress: ((args: Args, kwargs: Kwargs) => void) | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** The procedure called: an encoded answer must carry it (session-codec.ts). */
  procedure: string;
}

const CANCEL_MODES = new Set(['skip', 'kill', 'killnowait']);

function checkCallOptions(options: CallOptions): Error | undefined {
  if (options.cancelMode !== undefined && !CANCEL_MODES.has(options.cancelMode)) {
    return invalidArgument(`cancelMode must be skip, kill or killnowait, got ${String(options.cancelMode)}`);
  }
  if (options.timeout !== undefined && (typeof options.timeout !== 'number' || !Number.isInteger(options.timeout) || options.timeout < 0)) {
    return invalidArgument(`timeout must be a non-negative integer of milliseconds, got ${String(options.timeout)}`);
  }
  if (options.passthru !== undefined) {
    try {
      checkPassthru(options.passthru);
    } catch (error) {
      return error as Error;
    }
  }
  return undefined;
}

/** No options given: one shared object, not one per call. */
const NO_OPTIONS: CallOptions = Object.freeze({});
/** The CALL options dict of a call that asks for nothing: shared (serializers only read it). */
const EMPTY_CALL_OPTIONS: CallOptionsDict = Object.freeze({});

function hasKeys(dict: Kwargs): boolean {
  for (const key in dict) if (Object.hasOwn(dict, key)) return true;
  return false;
}

/** `call()`'s answer: the single positional result, or a `Result` when there are more or keyword results. */
function unwrapResult(args: Args | undefined, kwargs: Kwargs | undefined): unknown {
  const withKwargs = kwargs !== undefined && hasKeys(kwargs);
  if (!withKwargs && (args === undefined || args.length <= 1)) return args?.[0];
  return new Result(args ?? [], kwargs ?? {});
}

function callOptions(options: CallOptions): CallOptionsDict {
  if (options.onProgress === undefined && options.timeout === undefined && options.discloseMe !== true) return EMPTY_CALL_OPTIONS;
  const dict: CallOptionsDict = {};
  if (options.onProgress !== undefined) dict['receive_progress'] = true;
  if (options.timeout !== undefined && options.timeout > 0) dict['timeout'] = options.timeout;
  if (options.discloseMe === true) dict['disclose_me'] = true;
  return dict;
}

/**
 * The args and kwargs of an ERROR answering a call: unpacked or decoded where it came so. One
 * that does not unpack or decode keeps its arguments as they came (or none): the error URI
 * still says what happened.
 */
function errorPayload(details: ErrorDetails, error: string, args: Args | undefined, kwargs: Kwargs | undefined, payload: Uint8Array | undefined, codec: PayloadCodec | null): CallResult {
  try {
    const passthru = passthruOf(details);
    if (passthru !== undefined) return unpackPassthru(passthru, args);
    const encoded = encodedOf(details, payload);
    if (encoded !== undefined) return decodeEncoded(codec, true, error, encoded);
  } catch {
    // As it came, below.
  }
  return { args: args ?? [], kwargs: kwargs ?? {} };
}

export class CallerRole {
  readonly #out: SessionOutbound;
  readonly #calls = new Map<number, PendingCall>();

  constructor(out: SessionOutbound) {
    this.#out = out;
  }

  /**
   * `call`'s answer: the single positional result, or a `Result` when there are more or keyword
   * results. One promise per call, settled with that value by the RESULT itself (no second
   * promise and no `{ args, kwargs }` in between); a bad argument rejects, as before.
   */
  call(procedure: string, args?: Args, kwargs?: Kwargs, options: CallOptions = NO_OPTIONS): Promise<unknown> {
    try {
      checkUriArgument(procedure, 'procedure');
      checkArgs(args, kwargs);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#start(procedure, args, kwargs, options, true);
  }

  callResult(procedure: string, args?: Args, kwargs?: Kwargs, options: CallOptions = NO_OPTIONS): Promise<CallResult> {
    checkUriArgument(procedure, 'procedure');
    checkArgs(args, kwargs);
    return this.#start(procedure, args, kwargs, options, false) as Promise<CallResult>;
  }

  #start(procedure: string, args: Args | undefined, kwargs: Kwargs | undefined, options: CallOptions, unwrap: boolean): Promise<unknown> {
    const bad = checkCallOptions(options);
    if (bad !== undefined) return Promise.reject(bad);
    if (!this.#out.isJoined) return Promise.reject(notJoined(`call ${procedure}`));
    const { signal, passthru } = options;
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    let result: Promise<unknown> | undefined;
    try {
      let dict = callOptions(options);
      let payload: Uint8Array | undefined;
      if (passthru !== undefined) {
        this.#needPassthru(procedure);
        dict = addPassthruKeys({ ...dict }, passthru);
        [args, kwargs] = [packPassthru(passthru, args, kwargs), undefined];
      } else if (this.#out.payloadCodec !== null) {
        // End-to-end encryption (Autobahn's form): the codec decides per procedure.
        const encoded = this.#out.payloadCodec.encode(true, procedure, args, kwargs);
        if (encoded !== undefined) {
          if (!this.#out.routerHasAnyFeature('dealer', TRANSPARENCY_FEATURES)) {
            throw featureNotSupported(`the router's dealer does not announce payload_transparency (encrypted call ${procedure})`);
          }
          dict = addEncodedKeys({ ...dict }, encoded);
          payload = encoded.payload;
        }
      }
      this.#out.request((r) => {
        result = this.#pending(r, options, procedure, unwrap);
        return withPayload(callMessage(r, dict, procedure, args, kwargs), payload);
      }, (r) => this.#settle(r));
    } catch (error) {
      // Not encodable (or over the peer's limit): nothing was sent and no request ID was used.
      return Promise.reject(error);
    }
    return result!;
  }

  /**
   * Starts a call with progressive invocations; nothing is sent before the first `send`.
   * Throws if the router's dealer did not announce `progressive_call_invocations` (the spec
   * makes such a CALL a protocol violation).
   */
  callProgressive(procedure: string, options: CallOptions = {}): ProgressiveCall {
    checkUriArgument(procedure, 'procedure');
    const bad = checkCallOptions(options);
    if (bad !== undefined) throw bad;
    if (!this.#out.isJoined) throw notJoined(`call ${procedure}`);
    if (!this.#out.routerHasFeature('dealer', 'progressive_call_invocations')) {
      throw featureNotSupported(`the router's dealer does not announce progressive_call_invocations (call ${procedure})`);
    }
    let request = 0;
    let finished = false;
    let settled = false;
    let startError: unknown = undefined;
    // The promise exists before the first send so that `result` can be awaited at once.
    let link: { resolve(r: CallResult): void; reject(e: unknown): void } | null = null;
    const outer = new Promise<CallResult>((resolve, reject) => (link = { resolve, reject }));
    const { passthru } = options;
    if (passthru !== undefined) this.#needPassthru(procedure);
    const base = passthru === undefined ? callOptions(options) : addPassthruKeys({ ...callOptions(options) }, passthru);
    const send = (args?: Args, kwargs?: Kwargs, opts: { final?: boolean } = {}): boolean => {
      if (finished) throw invalidArgument(`progressive call ${procedure}: the final chunk was already sent`);
      checkArgs(args, kwargs);
      if (passthru !== undefined) [args, kwargs] = [packPassthru(passthru, args, kwargs), undefined];
      const final = opts.final === true;
      if (final) finished = true;
      if (settled) return false;
      const dict = final ? base : { ...base, progress: true };
      if (request === 0) {
        if (!this.#out.isJoined) startError = notJoined(`call ${procedure}`);
        else if (options.signal?.aborted === true) startError = options.signal.reason;
        if (startError === undefined) {
          try {
            request = this.#out.request((r) => {
              this.#pending(r, options, procedure, false).then(
                (result) => {
                  settled = true;
                  link!.resolve(result as CallResult);
                },
                (e: unknown) => {
                  settled = true;
                  link!.reject(e);
                },
              );
              return callMessage(r, dict, procedure, args, kwargs);
            }, (r) => this.#settle(r));
          } catch (error) {
            startError = error;
          }
        }
        if (startError !== undefined) {
          settled = true;
          link!.reject(startError);
          return false;
        }
        return true;
      }
      if (!this.#calls.has(request)) {
        settled = true;
        return false;
      }
      try {
        this.#out.send(callMessage(request, dict, procedure, args, kwargs));
        return true;
      } catch (error) {
        // A chunk that cannot go out ends the call: the callee must not wait for the rest.
        this.#abandon(request, error);
        return false;
      }
    };
    return {
      send,
      result: outer,
      get finished() {
        return finished;
      },
    };
  }

  /** The spec makes a passthru CALL to a dealer that did not announce the feature a protocol violation. */
  #needPassthru(procedure: string): void {
    if (!this.#out.routerHasFeature('dealer', 'payload_passthru_mode')) {
      throw featureNotSupported(`the router's dealer does not announce payload_passthru_mode (call ${procedure})`);
    }
  }

  /** Gives up a call already at the dealer: the caller sees `error`; the dealer is told when it can hear it. */
  #abandon(request: number, error: unknown): void {
    const pending = this.#settle(request);
    if (pending === undefined) return;
    pending.reject(error);
    if (this.#out.isJoined && this.#out.routerHasFeature('dealer', 'call_canceling')) this.#out.send(cancelMessage(request, { mode: 'killnowait' }));
  }

  #pending(request: number, options: CallOptions, procedure: string, unwrap: boolean): Promise<unknown> {
    const { signal } = options;
    return new Promise<unknown>((resolve, reject) => {
      const pending: PendingCall = { resolve, unwrap, reject, onProgress: options.onProgress, signal, onAbort: undefined, procedure };
      if (signal !== undefined) {
        pending.onAbort = () => {
          if (!this.#calls.has(request)) return;
          const mode = options.cancelMode ?? 'kill';
          // A dealer that did not announce call canceling would not understand CANCEL: then we
          // only stop waiting (the callee's answer, when it comes, is ignored).
          const canCancel = this.#out.isJoined && this.#out.routerHasFeature('dealer', 'call_canceling');
          if (canCancel) this.#out.send(cancelMessage(request, { mode }));
          // With 'kill' the dealer answers once the callee has stopped; otherwise stop waiting now.
          if (mode !== 'kill' || !canCancel) this.#settle(request)?.reject(signal.reason);
        };
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.#calls.set(request, pending);
    });
  }

  /** A RESULT; returns a protocol violation of the router's, if it is one. */
  onResult(msg: ResultMessage): string | undefined {
    // Absent args and kwargs stay undefined until someone needs the empty forms.
    let args: Args | undefined = msg.args;
    let kwargs: Kwargs | undefined = msg.kwargs;
    const passthru = passthruOf(msg.details);
    const encoded = encodedOf(msg.details, msg.payload);
    let unpackError: unknown = undefined;
    try {
      if (passthru !== undefined) ({ args, kwargs } = unpackPassthru(passthru, msg.args));
      else if (encoded !== undefined) {
        const procedure = this.#calls.get(msg.request)?.procedure;
        if (procedure !== undefined) ({ args, kwargs } = decodeEncoded(this.#out.payloadCodec, true, procedure, encoded));
      }
    } catch (error) {
      unpackError = error;
    }
    if (msg.details.progress === true) {
      const pending = this.#calls.get(msg.request);
      // Progressive results may still arrive after a skip-cancel settled the call.
      if (pending === undefined) return undefined;
      // One that cannot be unpacked ends the call with that error (the rest would be incomplete).
      if (unpackError !== undefined) {
        this.#abandon(msg.request, unpackError);
        return undefined;
      }
      try {
        pending.onProgress?.(args ?? [], kwargs ?? {});
      } catch {
        // The progress handler's failure is the application's; the call goes on.
      }
      return undefined;
    }
    const pending = this.#settle(msg.request);
    if (pending === undefined) {
      // A RESULT can cross our CANCEL (skip/killnowait) on the wire: ignore it then. One for a
      // request we never sent is the router's protocol violation.
      return msg.request > this.#out.lastRequestId ? `RESULT for request ${msg.request}, which was never sent` : undefined;
    }
    if (unpackError !== undefined) pending.reject(unpackError);
    else if (pending.unwrap) pending.resolve(unwrapResult(args, kwargs));
    else pending.resolve({ args: args ?? [], kwargs: kwargs ?? {} } satisfies CallResult);
    return undefined;
  }

  /** An ERROR for a CALL; false when it answers no request we ever sent. */
  onError(msg: ErrorMessage): boolean {
    const pending = this.#settle(msg.request);
    if (pending === undefined) return msg.request <= this.#out.lastRequestId;
    const payload = errorPayload(msg.details, msg.error, msg.args, msg.kwargs, msg.payload, this.#out.payloadCodec);
    const error = new ApplicationError(msg.error, payload.args, payload.kwargs);
    pending.reject(pending.signal?.aborted === true && msg.error === ErrorUri.CANCELED ? pending.signal.reason : error);
    return true;
  }

  detach(error: Error): void {
    for (const request of [...this.#calls.keys()]) this.#settle(request)?.reject(error);
  }

  get pendingCount(): number {
    return this.#calls.size;
  }

  #settle(request: number): PendingCall | undefined {
    const pending = this.#calls.get(request);
    if (pending === undefined) return undefined;
    this.#calls.delete(request);
    if (pending.onAbort !== undefined) pending.signal?.removeEventListener('abort', pending.onAbort);
    return pending;
  }
}
