/**
 * Routes the messages a joined session receives for its roles — results, registrations,
 * invocations, events, and the ERRORs that answer our own requests — to the role objects.
 * Session-level messages (WELCOME, CHALLENGE, ABORT, GOODBYE) stay in session.ts and session-join.ts.
 */
import { MessageType, MESSAGE_NAME } from './message-types.js';
import type { WampMessage } from './messages.js';
import type { CallerRole } from './session-caller.js';
import type { CalleeRole } from './session-callee.js';
import type { PubSubRole } from './session-pubsub.js';

export interface SessionRoles {
  readonly caller: CallerRole;
  readonly callee: CalleeRole;
  readonly pubsub: PubSubRole;
}

/** Handles one message; returns a protocol-violation message, or undefined when all is well. */
export type RoleRoute = (roles: SessionRoles, msg: WampMessage) => string | undefined;

/** Which role answers an ERROR, by the type of the request it answers. */
const ERROR_OWNERS: Partial<Record<number, (roles: SessionRoles, msg: WampMessage & { type: typeof MessageType.ERROR }) => boolean>> = {
  [MessageType.CALL]: (r, m) => r.caller.onError(m),
  [MessageType.REGISTER]: (r, m) => r.callee.onError(m),
  [MessageType.UNREGISTER]: (r, m) => r.callee.onError(m),
  [MessageType.SUBSCRIBE]: (r, m) => r.pubsub.onError(m),
  [MessageType.UNSUBSCRIBE]: (r, m) => r.pubsub.onError(m),
  [MessageType.PUBLISH]: (r, m) => r.pubsub.onError(m),
};

export const ROLE_ROUTES: Partial<Record<number, RoleRoute>> = {
  [MessageType.ERROR]: (r, m) => {
    if (m.type !== MessageType.ERROR) return undefined;
    if (ERROR_OWNERS[m.requestType]?.(r, m) === true) return undefined;
    return `ERROR for ${MESSAGE_NAME[m.requestType as MessageType] ?? m.requestType} request ${m.request} that we did not send`;
  },
  [MessageType.RESULT]: (r, m) => void (m.type === MessageType.RESULT && r.caller.onResult(m)),
  [MessageType.REGISTERED]: (r, m) => void (m.type === MessageType.REGISTERED && r.callee.onRegistered(m)),
  [MessageType.UNREGISTERED]: (r, m) => void (m.type === MessageType.UNREGISTERED && r.callee.onUnregistered(m)),
  [MessageType.INVOCATION]: (r, m) => void (m.type === MessageType.INVOCATION && r.callee.onInvocation(m)),
  [MessageType.INTERRUPT]: (r, m) => void (m.type === MessageType.INTERRUPT && r.callee.onInterrupt(m)),
  [MessageType.SUBSCRIBED]: (r, m) => void (m.type === MessageType.SUBSCRIBED && r.pubsub.onSubscribed(m)),
  [MessageType.UNSUBSCRIBED]: (r, m) => void (m.type === MessageType.UNSUBSCRIBED && r.pubsub.onUnsubscribed(m)),
  [MessageType.PUBLISHED]: (r, m) => void (m.type === MessageType.PUBLISHED && r.pubsub.onPublished(m)),
  [MessageType.EVENT]: (r, m) => void (m.type === MessageType.EVENT && r.pubsub.onEvent(m)),
};
