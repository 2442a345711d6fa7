/**
 * The caller role of a client session: CALL, RESULT (final and progressive), ERROR, CANCEL
 * when the call's AbortSignal fires, and progressive call invocations (one call whose
 * arguments go out in several CALL messages sharing the request ID).
 */
import { MessageType } from './message-types.js';
import type { ResultMessage } from './messages-rpc.js';
import type { ErrorMessage } from './messages-session.js';
import { ApplicationError, Result } from './application-error.js';
import type { Args, CallOptions, CallResult, Kwargs } from './types.js';
import { checkArgs, checkUriArgument, featureNotSupported, invalidArgument, notJoined, withPayload, type SessionWire } from './session-wire.js';

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
  resolve(result: CallResult): void;
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

function callOptions(options: CallOptions): Record<string, unknown> {
  const dict: Record<string, unknown> = {};
  if (options.onProgress !== undefined) dict['receive_progress'] = true;
  if (options.timeout !== undefined && options.timeout > 0) dict['timeout'] = options.timeout;
  if (options.discloseMe === true) dict['disclose_me'] = true;
  return dict;
}

export class CallerRole {
  readonly #wire: SessionWire;
  readonly #calls = new Map<number, PendingCall>();

  constructor(wire: SessionWire) {
    this.#wire = wire;
  }

  /** `call`'s answer: the single positional result, or a `Result` when there are more or keyword results. */
  async call(procedure: string, args?: Args, kwargs?: Kwargs, options?: CallOptions): Promise<unknown> {
    const result = await this.callResult(procedure, args, kwargs, options);
    const hasKwargs = Object.keys(result.kwargs).length > 0;
    if (!hasKwargs && result.args.length <= 1) return result.args[0];
    return new Result(result.args, result.kwargs);
  }

  callResult(procedure: string, args?: Args, kwargs?: Kwargs, options: CallOptions = {}): Promise<CallResult> {
    checkUriArgument(procedure, 'procedure');
    checkArgs(args, kwargs);
    const bad = checkCallOptions(options);
    if (bad !== undefined) return Promise.reject(bad);
    if (!this.#wire.joined) return Promise.reject(notJoined(`call ${procedure}`));
    const { signal } = options;
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    const request = this.#wire.nextRequestId();
    const result = this.#pending(request, options);
    this.#sendOrFail(request, withPayload([MessageType.CALL, request, callOptions(options), procedure], args, kwargs));
    return result;
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
    if (!this.#wire.joined) throw notJoined(`call ${procedure}`);
    if (!this.#wire.routerHasFeature('dealer', 'progressive_call_invocations')) {
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
      if (request === 0) {
        if (!this.#wire.joined) startError = notJoined(`call ${procedure}`);
        else if (options.signal?.aborted === true) startError = options.signal.reason;
        if (startError !== undefined) {
          settled = true;
          link!.reject(startError);
          return false;
        }
        request = this.#wire.nextRequestId();
        this.#pending(request, options).then(
          (r) => {
            settled = true;
            link!.resolve(r);
          },
          (e: unknown) => {
            settled = true;
            link!.reject(e);
          },
        );
      } else if (!this.#calls.has(request)) {
        settled = true;
        return false;
      }
      const dict = final ? base : { ...base, progress: true };
      return this.#sendOrFail(request, withPayload([MessageType.CALL, request, dict, procedure], args, kwargs));
    };
    return {
      send,
      result: outer,
      get finished() {
        return finished;
      },
    };
  }

  /**
   * Sends a CALL; if the transport refuses it (e.g. over the peer's size limit) the call fails
   * with that error instead of staying pending until the session ends.
   */
  #sendOrFail(request: number, message: unknown[]): boolean {
    try {
      this.#wire.send(message);
      return true;
    } catch (error) {
      this.#settle(request)?.reject(error);
      return false;
    }
  }

  #pending(request: number, options: CallOptions): Promise<CallResult> {
    const { signal } = options;
    return new Promise<CallResult>((resolve, reject) => {
      const pending: PendingCall = { resolve, reject, onProgress: options.onProgress, signal, onAbort: undefined };
      if (signal !== undefined) {
        pending.onAbort = () => {
          if (!this.#calls.has(request)) return;
          const mode = options.cancelMode ?? 'kill';
          // A dealer that did not announce call canceling would not understand CANCEL: then we
          // only stop waiting (the callee's answer, when it comes, is ignored).
          const canCancel = this.#wire.joined && this.#wire.routerHasFeature('dealer', 'call_canceling');
          if (canCancel) this.#wire.send([MessageType.CANCEL, request, { mode }]);
          // With 'kill' the dealer answers once the callee has stopped; otherwise stop waiting now.
          if (mode !== 'kill' || !canCancel) this.#settle(request)?.reject(signal.reason);
        };
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.#calls.set(request, pending);
    });
  }

  onResult(msg: ResultMessage): void {
    const args = msg.args ?? [];
    const kwargs = msg.kwargs ?? {};
    if (msg.details.progress === true) {
      const pending = this.#calls.get(msg.request);
      // Progressive results may still arrive after a skip-cancel settled the call.
      if (pending === undefined) return;
      try {
        pending.onProgress?.(args, kwargs);
      } catch {
        // The progress handler's failure is the application's; the call goes on.
      }
      return;
    }
    const pending = this.#settle(msg.request);
    if (pending === undefined) {
      // A RESULT can cross our CANCEL (skip/killnowait) on the wire: ignore it then. One for a
      // request we never sent is the router's protocol violation.
      if (msg.request > this.#wire.lastRequestId()) this.#wire.violation(`RESULT for request ${msg.request}, which was never sent`);
      return;
    }
    pending.resolve({ args, kwargs });
  }

  onError(msg: ErrorMessage): boolean {
    const pending = this.#settle(msg.request);
    if (pending === undefined) return msg.request <= this.#wire.lastRequestId();
    const error = new ApplicationError(msg.error, msg.args ?? [], msg.kwargs ?? {});
    pending.reject(pending.signal?.aborted === true && msg.error === 'wamp.error.canceled' ? pending.signal.reason : error);
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
