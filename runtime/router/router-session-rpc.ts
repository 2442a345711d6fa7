/**
 * A router session's RPC requests: REGISTER, UNREGISTER, CALL (meta procedures answered by the
 * realm's meta API, progressive CALL continuations passed straight on), CANCEL, and the
 * callee's YIELD and ERROR. REGISTER and new CALLs are authorized first.
 */
import { MessageType, MESSAGE_NAME } from '../wamp/message-types.js';
import { ErrorUri, isReservedUri } from '../wamp/uris.js';
import type { WampMessage } from '../wamp/messages.js';
import { AuthorizeAction } from './authorizer.js';
import { MetaProcedure } from './meta-api.js';
import type { RoutingCore } from './realm.js';
import { withAuthorization } from './router-session-authorize.js';
import type { HandlerSession } from './router-session-pubsub.js';

export function register(s: HandlerSession, msg: WampMessage): void | Promise<void> {
  const realm = s.core;
  if (msg.type !== MessageType.REGISTER || realm === null) return;
  const match = typeof msg.options['match'] === 'string' ? msg.options['match'] : 'exact';
  const invoke = typeof msg.options['invoke'] === 'string' ? msg.options['invoke'] : 'single';
  if (isReservedUri(msg.procedure)) {
    s.send([MessageType.ERROR, MessageType.REGISTER, msg.request, {}, ErrorUri.INVALID_URI, [`'${msg.procedure}' is reserved for the router`]]);
    return;
  }
  return withAuthorization(s, realm, () => s.core, {
    uri: msg.procedure, action: AuthorizeAction.REGISTER, options: msg.options,
    requestType: MessageType.REGISTER, request: msg.request, answerDenial: true,
  }, (decision) => {
    const outcome = realm.dealer.register(s, msg.procedure, match, invoke, {
      forwardTimeout: msg.options['forward_timeout'] === true,
      force: msg.options['force_reregister'] === true,
      ...(decision.guard === undefined ? {} : { guard: decision.guard }),
    });
    if (!outcome.ok) {
      s.send([MessageType.ERROR, MessageType.REGISTER, msg.request, {}, outcome.error, [`cannot register '${msg.procedure}': ${outcome.message}`]]);
      return;
    }
    realm.unregistered(outcome.revoked);
    s.send([MessageType.REGISTERED, msg.request, outcome.registration.id]);
    realm.registered(s, outcome.registration, outcome.created);
  });
}

export function unregister(s: HandlerSession, msg: WampMessage): void {
  const realm = s.core;
  if (msg.type !== MessageType.UNREGISTER || realm === null) return;
  const change = realm.dealer.unregister(s, msg.registration);
  if (change === null) {
    s.send([MessageType.ERROR, MessageType.UNREGISTER, msg.request, {}, ErrorUri.NO_SUCH_REGISTRATION]);
    return;
  }
  s.send([MessageType.UNREGISTERED, msg.request]);
  realm.unregistered([change]);
}

export function call(s: HandlerSession, msg: WampMessage): void | Promise<void> {
  const realm = s.core;
  if (msg.type !== MessageType.CALL || realm === null) return;
  const request = {
    request: msg.request,
    procedure: msg.procedure,
    options: msg.options,
    ...(msg.args === undefined ? {} : { args: msg.args }),
    ...(msg.kwargs === undefined ? {} : { kwargs: msg.kwargs }),
  };
  if (realm.dealer.hasCall(s, msg.request)) {
    // A progressive call's continuation: authorized with its first CALL.
    realm.dealer.call(s, request);
    return;
  }
  if (msg.options['progress'] === true && !s.hasFeature('caller', 'progressive_call_invocations')) {
    s.abort(ErrorUri.PROTOCOL_VIOLATION, 'CALL with progress: true from a caller that did not announce progressive_call_invocations');
    return;
  }
  return withAuthorization(s, realm, () => s.core, {
    uri: msg.procedure, action: AuthorizeAction.CALL, options: msg.options,
    requestType: MessageType.CALL, request: msg.request, answerDenial: true,
  }, (decision) => {
    if (!realm.meta.handles(msg.procedure)) return realm.dealer.call(s, { ...request, discloseCaller: decision.disclose });
    const topic = msg.args?.[0];
    if (msg.procedure === MetaProcedure.SESSION_ADD_TESTAMENT && typeof topic === 'string') {
      // A testament is published later on the session's behalf: it needs the right to publish there now.
      return withAuthorization(s, realm, () => s.core, {
        uri: topic, action: AuthorizeAction.PUBLISH, options: {},
        requestType: MessageType.CALL, request: msg.request, answerDenial: true,
      }, () => answerMeta(s, realm, msg.request, msg.procedure, msg.args ?? [], msg.kwargs ?? {}));
    }
    answerMeta(s, realm, msg.request, msg.procedure, msg.args ?? [], msg.kwargs ?? {});
  });
}

/** Answers a meta procedure CALL from the realm's meta API. */
function answerMeta(s: HandlerSession, realm: RoutingCore, request: number, procedure: string, args: unknown[], kwargs: Record<string, unknown>): void {
  const r = realm.meta.call(s, procedure, args, kwargs);
  if (!r.ok) {
    s.send([MessageType.ERROR, MessageType.CALL, request, {}, r.error, r.args]);
    return;
  }
  const result: unknown[] = [MessageType.RESULT, request, {}];
  if (r.kwargs !== undefined) result.push(r.args ?? [], r.kwargs);
  else if (r.args !== undefined && r.args.length > 0) result.push(r.args);
  s.send(result);
}

/** A CALL whose request ID is not new: a progressive call's continuation, or stale (dropped, as the spec says). */
export function callContinuation(s: HandlerSession, msg: WampMessage): void {
  const realm = s.core;
  if (msg.type !== MessageType.CALL || realm === null || !realm.dealer.hasCall(s, msg.request)) return;
  void call(s, msg);
}

export function cancel(s: HandlerSession, msg: WampMessage): void {
  const realm = s.core;
  if (msg.type !== MessageType.CANCEL || realm === null) return;
  const mode = typeof msg.options['mode'] === 'string' ? msg.options['mode'] : 'kill';
  realm.dealer.cancel(s, msg.request, mode);
}

export function yieldResult(s: HandlerSession, msg: WampMessage): void {
  const realm = s.core;
  if (msg.type !== MessageType.YIELD || realm === null) return;
  // An answer to an invocation the dealer already settled (canceled, timed out, caller gone) is dropped.
  realm.dealer.yield(s, {
    request: msg.request,
    options: msg.options,
    ...(msg.args === undefined ? {} : { args: msg.args }),
    ...(msg.kwargs === undefined ? {} : { kwargs: msg.kwargs }),
  });
}

export function invocationError(s: HandlerSession, msg: WampMessage): void {
  const realm = s.core;
  if (msg.type !== MessageType.ERROR || realm === null) return;
  if (msg.requestType !== MessageType.INVOCATION) {
    s.abort(ErrorUri.PROTOCOL_VIOLATION, `a client may only send ERROR for INVOCATION, not for ${MESSAGE_NAME[msg.requestType as MessageType] ?? msg.requestType}`);
    return;
  }
  realm.dealer.invocationError(s, {
    request: msg.request,
    details: msg.details,
    error: msg.error,
    ...(msg.args === undefined ? {} : { args: msg.args }),
    ...(msg.kwargs === undefined ? {} : { kwargs: msg.kwargs }),
  });
}
