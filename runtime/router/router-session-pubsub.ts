/**
 * A router session's publish & subscribe requests: SUBSCRIBE (with get_retained), UNSUBSCRIBE
 * and PUBLISH (with retain), each authorized before the broker sees it; meta events follow the
 * answer (SUBSCRIBED before on_create/on_subscribe, as the meta API section orders them).
 */
import { MessageType } from '../wamp/message-types.js';
import { ErrorUri, isReservedUri } from '../wamp/uris.js';
import type { WampMessage } from '../wamp/messages.js';
import { isMatchPolicy } from './uri-matcher.js';
import { AuthorizeAction } from './authorizer.js';
import { withAuthorization } from './router-session-authorize.js';
import type { RouterPeer } from './peer.js';
import type { RoutingCore } from './realm.js';

/** What the request handlers need of their router session. */
export interface HandlerSession extends RouterPeer {
  readonly core: RoutingCore | null;
  abort(reason: string, message: string): void;
}

export function subscribe(s: HandlerSession, msg: WampMessage): void | Promise<void> {
  const realm = s.core;
  if (msg.type !== MessageType.SUBSCRIBE || realm === null) return;
  const match = msg.options['match'] ?? 'exact';
  if (!isMatchPolicy(match)) {
    s.send([MessageType.ERROR, MessageType.SUBSCRIBE, msg.request, {}, ErrorUri.INVALID_ARGUMENT, [`match policy '${String(match)}' is not supported`]]);
    return;
  }
  return withAuthorization(s, realm, () => s.core, {
    uri: msg.topic, action: AuthorizeAction.SUBSCRIBE, options: msg.options,
    requestType: MessageType.SUBSCRIBE, request: msg.request, answerDenial: true,
  }, (decision) => {
    const outcome = realm.broker.subscribe(s, msg.topic, match, decision.guard);
    if (!outcome.ok) {
      s.send([MessageType.ERROR, MessageType.SUBSCRIBE, msg.request, {}, outcome.error, [outcome.message]]);
      return;
    }
    s.send([MessageType.SUBSCRIBED, msg.request, outcome.subscription.id]);
    if (msg.options['get_retained'] === true) realm.broker.sendRetained(s, outcome.subscription);
    realm.subscribed(s, outcome);
  });
}

export function unsubscribe(s: HandlerSession, msg: WampMessage): void {
  const realm = s.core;
  if (msg.type !== MessageType.UNSUBSCRIBE || realm === null) return;
  const change = realm.broker.unsubscribe(s, msg.subscription);
  if (change === null) {
    s.send([MessageType.ERROR, MessageType.UNSUBSCRIBE, msg.request, {}, ErrorUri.NO_SUCH_SUBSCRIPTION]);
    return;
  }
  s.send([MessageType.UNSUBSCRIBED, msg.request]);
  realm.unsubscribed(s.sessionId, [change]);
}

export function publish(s: HandlerSession, msg: WampMessage): void | Promise<void> {
  const realm = s.core;
  if (msg.type !== MessageType.PUBLISH || realm === null) return;
  const acknowledge = msg.options['acknowledge'] === true;
  if (isReservedUri(msg.topic)) {
    // wamp.* topics carry the router's own meta events; a client must not forge them.
    if (acknowledge) s.send([MessageType.ERROR, MessageType.PUBLISH, msg.request, {}, ErrorUri.INVALID_URI, [`'${msg.topic}' is reserved for the router`]]);
    return;
  }
  return withAuthorization(s, realm, () => s.core, {
    uri: msg.topic, action: AuthorizeAction.PUBLISH, options: msg.options,
    requestType: MessageType.PUBLISH, request: msg.request, answerDenial: acknowledge,
  }, (decision) => {
    const publication = realm.broker.publish(s, {
      topic: msg.topic,
      options: msg.options,
      disclosePublisher: decision.disclose,
      ...(msg.args === undefined ? {} : { args: msg.args }),
      ...(msg.kwargs === undefined ? {} : { kwargs: msg.kwargs }),
    });
    if (acknowledge) s.send([MessageType.PUBLISHED, msg.request, publication]);
  });
}
