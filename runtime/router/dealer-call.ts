/**
 * A router-internal caller: runs a CALL through a realm's dealer as a trusted peer of the router
 * itself, so a procedure registered by an ordinary component can decide for the router —
 * a dynamic authenticator during another session's HELLO, a dynamic authorizer before a
 * request. The internal peer's `send` receives the dealer's RESULT or ERROR as typed messages.
 * (Also exported from wampkit/auth/router, where dynamic authentication is configured.)
 */
import { MessageType } from '../wamp/message-types.js';
import { ApplicationError } from '../wamp/application-error.js';
import { ErrorUri } from '../wamp/uris.js';
import type { AuthenticatorCall } from '../auth/router/types.js';
import type { Dealer } from './dealer.js';
import type { RouterPeer } from './peer.js';

export interface DealerCallOptions {
  /** Give up (and cancel the invocation) after this many ms. Default 10000. */
  timeout?: number;
  /** The internal caller's identity as callees see it (caller disclosure). */
  sessionId?: number;
  authid?: string;
  authrole?: string;
}

export function dealerCall(dealer: Pick<Dealer, 'call' | 'cancel'>, options: DealerCallOptions = {}): AuthenticatorCall {
  const timeout = options.timeout ?? 10_000;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void; timer: ReturnType<typeof setTimeout> | undefined }>();
  let nextRequest = 0;
  const settle = (request: number): ReturnType<typeof pending.get> => {
    const p = pending.get(request);
    if (p === undefined) return undefined;
    pending.delete(request);
    if (p.timer !== undefined) clearTimeout(p.timer);
    return p;
  };
  const caller: RouterPeer = {
    sessionId: options.sessionId ?? 0,
    authid: options.authid ?? 'wampkit.router',
    authrole: options.authrole ?? 'trusted',
    hasFeature: () => false,
    sendShared: (shared) => caller.send(shared.message),
    nextRequestId: () => 0,
    send(message) {
      // Nothing is encoded: values pass as they are, so every delivery succeeds.
      if (message.type === MessageType.RESULT) {
        if (message.details.progress === true) return true;
        const args = message.args ?? [];
        settle(message.request)?.resolve(args.length > 0 ? args[0] : message.kwargs ?? {});
      } else if (message.type === MessageType.ERROR && message.requestType === MessageType.CALL) {
        settle(message.request)?.reject(new ApplicationError(message.error, message.args ?? [], message.kwargs ?? {}));
      }
      return true;
    },
  };
  return (procedure, args, kwargs) =>
    new Promise((resolve, reject) => {
      nextRequest = nextRequest >= 2 ** 53 ? 1 : nextRequest + 1;
      const request = nextRequest;
      const timer = timeout > 0
        ? setTimeout(() => {
          if (settle(request) === undefined) return;
          dealer.cancel(caller, request, 'killnowait');
          reject(new ApplicationError(ErrorUri.TIMEOUT, [`${procedure} did not answer within ${timeout} ms`]));
        }, timeout)
        : undefined;
      pending.set(request, { resolve, reject, timer });
      const routed = dealer.call(caller, { request, procedure, options: {}, args, ...(kwargs === undefined ? {} : { kwargs }) });
      // Routing waits for an authorizer when the callee's pattern registration is guarded.
      if (routed instanceof Promise) routed.catch((error: unknown) => settle(request)?.reject(error));
    });
}
