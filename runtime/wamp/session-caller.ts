/**
 * The caller role of a client session: CALL, RESULT (final and progressive), ERROR, and
 * CANCEL when the call's AbortSignal fires.
 */
import { MessageType } from './message-types.js';
import type { ResultMessage } from './messages-rpc.js';
import type { ErrorMessage } from './messages-session.js';
import { ApplicationError } from './application-error.js';
import type { Args, CallOptions, CallResult, Kwargs } from './types.js';
import { checkArgs, checkUriArgument, notJoined, withPayload, type SessionWire } from './session-wire.js';

interface PendingCall {
  resolve(result: CallResult): void;
  reject(error: unknown): void;
  onProgress: ((args: Args, kwargs: Kwargs) => void) | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

const CANCEL_MODES = new Set(['skip', 'kill', 'killnowait']);

export class CallerRole {
  readonly #wire: SessionWire;
  readonly #calls = new Map<number, PendingCall>();

  constructor(wire: SessionWire) {
    this.#wire = wire;
  }

  callResult(procedure: string, args?: Args, kwargs?: Kwargs, options: CallOptions = {}): Promise<CallResult> {
    checkUriArgument(procedure, 'procedure');
    checkArgs(args, kwargs);
    if (options.cancelMode !== undefined && !CANCEL_MODES.has(options.cancelMode)) {
      return Promise.reject(new TypeError(`cancelMode must be skip, kill or killnowait, got ${String(options.cancelMode)}`));
    }
    if (!this.#wire.joined) return Promise.reject(notJoined(`call ${procedure}`));
    const { signal } = options;
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    const dict: Record<string, unknown> = {};
    if (options.onProgress !== undefined) dict['receive_progress'] = true;
    if (options.timeout !== undefined && options.timeout > 0) dict['timeout'] = options.timeout;
    if (options.discloseMe === true) dict['disclose_me'] = true;
    return new Promise<CallResult>((resolve, reject) => {
      const request = this.#wire.nextRequestId();
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
      this.#wire.send(withPayload([MessageType.CALL, request, dict, procedure], args, kwargs));
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
