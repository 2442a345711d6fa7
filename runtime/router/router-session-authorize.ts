/**
 * Authorization of one request of a router session: ask the realm, answer a denial with ERROR
 * (not_authorized or authorization_failed, the reason in Arguments), and continue with the
 * decision otherwise. Synchronous when the realm decides synchronously (no authorizer, or a
 * role table); a Promise when a dynamic authorizer is asked, which the session uses to hold
 * back that session's later requests so they stay in order.
 */
import { MessageType } from '../wamp/message-types.js';
import type { AuthorizationDecision, AuthorizeAction } from './authorizer.js';
import type { RoutingCore } from './realm.js';
import type { RouterPeer } from './peer.js';

export interface AuthorizeRequest {
  readonly uri: string;
  readonly action: AuthorizeAction;
  readonly options: Readonly<Record<string, unknown>>;
  readonly requestType: number;
  readonly request: number;
  /** Whether a denial is answered at all (PUBLISH: only when acknowledged). */
  readonly answerDenial: boolean;
}

export function withAuthorization(
  peer: RouterPeer,
  realm: RoutingCore,
  /** The session's realm now: null or another one once the session left while a decision was pending. */
  currentRealm: () => RoutingCore | null,
  req: AuthorizeRequest,
  /** May itself wait (a second authorization); the session's queue then waits for both. */
  then: (decision: AuthorizationDecision) => void | Promise<void>,
): void | Promise<void> {
  const finish = (d: AuthorizationDecision): void | Promise<void> => {
    if (currentRealm() !== realm) return;
    if (d.allow) return then(d);
    if (!req.answerDenial) return;
    peer.send([MessageType.ERROR, req.requestType, req.request, {}, d.error ?? 'wamp.error.not_authorized',
      [d.reason ?? `${req.action} on '${req.uri}' is not authorized`]]);
  };
  const decision = realm.authorize(peer, req.uri, req.action, req.options);
  if (decision instanceof Promise) return decision.then(finish);
  return finish(decision);
}
