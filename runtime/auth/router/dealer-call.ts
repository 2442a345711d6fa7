/**
 * Dynamic authentication's `call`: runs a CALL through a realm's dealer as a router-internal
 * caller, so an authenticator procedure registered by an ordinary (trusted) component on the
 * router can be invoked during another session's HELLO. The internal caller is a RouterPeer
 * whose `send` receives the dealer's RESULT or ERROR.
 */
import { MessageType } from '../../wamp/message-types.js';
import { ApplicationError } from '../../wamp/application-error.js';
import type { Dealer } from '../../router/dealer.js';
import type { RouterPeer } from '../../router/peer.js';
import { isRecord } from '../options.js';
import type { AuthenticatorCall } from './types.js';

export interface DealerCallOptions {
  /** Give up (and cancel the invocation) after this many ms. Default 10000. */
  timeout?: number;
  /** The internal caller's identity as callees see it (caller disclosure). */
  sessionId?: number;
  authid?: string;
  authrole?: string;
}

const TIMEOUT_URI = 'wamp.error.timeout';

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
    sendShared(message) {
      caller.send(message);
    },
    nextRequestId: () => 0,
    send(message) {
      if (message[0] === MessageType.RESULT && typeof message[1] === 'number') {
        const details = message[2];
        if (isRecord(details) && details['progress'] === true) return;
        const args = Array.isArray(message[3]) ? message[3] : [];
        const kwargs = isRecord(message[4]) ? message[4] : {};
        settle(message[1])?.resolve(args.length > 0 ? args[0] : kwargs);
      } else if (message[0] === MessageType.ERROR && message[1] === MessageType.CALL && typeof message[2] === 'number') {
        const error = typeof message[4] === 'string' ? message[4] : 'wamp.error.runtime_error';
        const args = Array.isArray(message[5]) ? message[5] : [];
        const kwargs = isRecord(message[6]) ? message[6] : {};
        settle(message[2])?.reject(new ApplicationError(error, args, kwargs));
      }
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
          reject(new ApplicationError(TIMEOUT_URI, [`${procedure} did not answer within ${timeout} ms`]));
        }, timeout)
        : undefined;
      pending.set(request, { resolve, reject, timer });
      const routed = dealer.call(caller, { request, procedure, options: {}, args, ...(kwargs === undefined ? {} : { kwargs }) });
      // Routing waits for an authorizer when the callee's pattern registration is guarded.
      if (routed instanceof Promise) routed.catch((error: unknown) => settle(request)?.reject(error));
    });
}
