/**
 * A router session's states and the messages each accepts from its peer (spec: session state
 * machine). router-session.ts checks every inbound message against this table before its one
 * dispatch switch runs: a message the state does not accept is a protocol violation (ABORT),
 * except while SHUTTING_DOWN or CLOSED, where everything but GOODBYE is ignored.
 */
import { MessageType } from '../wamp/message-types.js';

export const State = {
  AWAITING_HELLO: 'awaiting-hello',
  /** HELLO accepted for a realm; authentication (possibly CHALLENGE/AUTHENTICATE) under way. */
  AUTHENTICATING: 'authenticating',
  JOINED: 'joined',
  /** We sent GOODBYE (router shutdown, kill) and wait for the reply. */
  SHUTTING_DOWN: 'shutting-down',
  CLOSED: 'closed',
} as const;
export type State = (typeof State)[keyof typeof State];

/** What the peer may send in each state. */
export const ACCEPTS: Readonly<Record<State, ReadonlySet<MessageType>>> = {
  // ABORT in every state with a peer that may still talk: the peer has ended the session, and
  // answering its ABORT with another would only add noise (the transport is closed, no reply).
  [State.AWAITING_HELLO]: new Set([MessageType.HELLO, MessageType.ABORT]),
  [State.AUTHENTICATING]: new Set([MessageType.AUTHENTICATE, MessageType.ABORT]),
  [State.JOINED]: new Set([
    MessageType.ABORT, MessageType.GOODBYE,
    MessageType.SUBSCRIBE, MessageType.UNSUBSCRIBE, MessageType.PUBLISH,
    MessageType.REGISTER, MessageType.UNREGISTER, MessageType.CALL, MessageType.CANCEL, MessageType.YIELD, MessageType.ERROR,
  ]),
  [State.SHUTTING_DOWN]: new Set([MessageType.GOODBYE, MessageType.ABORT]),
  [State.CLOSED]: new Set(),
};
