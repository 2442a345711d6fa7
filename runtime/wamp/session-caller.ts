/**
 * The caller role of a client session: CALL, RESULT (final and progressive), ERROR, CANCEL
 * when the call's AbortSignal fires, and progressive call invocations (one call whose
 * arguments go out in several CALL messages sharing the request ID).
 */
import { callMessage, cancelMessage, type CallOptionsDict, type ResultMessage } from './messages-rpc.js';
import type { ErrorMessage } from './messages-session.js';
import { ApplicationError, Result } from './application-error.js';
import type { Args, CallOptions, CallResult, Kwargs } from './types.js';
import { checkArgs, checkUriArgument, featureNotSupported, invalidArgument, notJoined } from './session-checks.js';
import type { SessionOutbound } from './session-outbound.js';
import { ErrorUri } from './uris.js';

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
}

const CANCEL_MODES = new Set(['skip', 'kill', 'killnowait']);

function checkCallOptions(options: CallOptions): Error | undefined {
  if (options.cancelMode !== undefined && !CANCEL_MODES.has(options.cancelMode)) {
    return invalidArgument(`cancelMode must be skip, kill or killnowait, got ${String(options.cancelMode)}`);
  }
  if (options.timeout !== undefined && (typeof options.timeout !== 'number' || !Number.isInteger(options.timeout) || options.timeout < 0)) {
    return invalidArgument(`timeout must be a non-negative integer of milliseconds, got ${String(options.timeout)}`);
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
    const { signal } = options;
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    let result: Promise<unknown> | undefined;
    try {
      this.#out.request((r) => {
        result = this.#pending(r, options, unwrap);
        return callMessage(r, callOptions(options), procedure, args, kwargs);
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
    const base = callOptions(options);
    const send = (args?: Args, kwargs?: Kwargs, opts: { final?: boolean } = {}): boolean => {
      if (finished) throw invalidArgument(`progressive call ${procedure}: the final chunk was already sent`);
      checkArgs(args, kwargs);
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
              this.#pending(r, options, false).then(
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

  /** Gives up a call already at the dealer: the caller sees `error`; the dealer is told when it can hear it. */
  #abandon(request: number, error: unknown): void {
    const pending = this.#settle(request);
    if (pending === undefined) return;
    pending.reject(error);
    if (this.#out.isJoined && this.#out.routerHasFeature('dealer', 'call_canceling')) this.#out.send(cancelMessage(request, { mode: 'killnowait' }));
  }

  #pending(request: number, options: CallOptions, unwrap: boolean): Promise<unknown> {
    const { signal } = options;
    return new Promise<unknown>((resolve, reject) => {
      const pending: PendingCall = { resolve, unwrap, reject, onProgress: options.onProgress, signal, onAbort: undefined };
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
    if (msg.details.progress === true) {
      const pending = this.#calls.get(msg.request);
      // Progressive results may still arrive after a skip-cancel settled the call.
      if (pending === undefined) return undefined;
      try {
        pending.onProgress?.(msg.args ?? [], msg.kwargs ?? {});
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
    if (pending.unwrap) pending.resolve(unwrapResult(msg.args, msg.kwargs));
    else pending.resolve({ args: msg.args ?? [], kwargs: msg.kwargs ?? {} } satisfies CallResult);
    return undefined;
  }

  /** An ERROR for a CALL; false when it answers no request we ever sent. */
  onError(msg: ErrorMessage): boolean {
    const pending = this.#settle(msg.request);
    if (pending === undefined) return msg.request <= this.#out.lastRequestId;
    const error = new ApplicationError(msg.error, msg.args ?? [], msg.kwargs ?? {});
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
