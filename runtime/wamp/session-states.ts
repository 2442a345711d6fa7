/**
 * The client session's states and the messages each accepts from the router (spec: session
 * state machine). session.ts checks every inbound message against this table before its one
 * dispatch switch runs: a message the state does not accept is a protocol violation, except
 * while CLOSING, where everything but GOODBYE and ABORT is ignored, and in CONNECTED (no
 * session: before HELLO, or after an ABORT either way or a GOODBYE), where everything is.
 */
import { MessageType } from './message-types.js';

export const State = {
  DISCONNECTED: 'disconnected',
  CONNECTED: 'connected',
  JOINING: 'joining',
  JOINED: 'joined',
  CLOSING: 'closing',
} as const;
export type State = (typeof State)[keyof typeof State];

const NOTHING: ReadonlySet<MessageType> = new Set();

/** What the router may send in each state. */
export const ACCEPTS: Readonly<Record<State, ReadonlySet<MessageType>>> = {
  [State.DISCONNECTED]: NOTHING,
  [State.CONNECTED]: NOTHING,
  [State.JOINING]: new Set([MessageType.WELCOME, MessageType.ABORT, MessageType.CHALLENGE]),
  [State.JOINED]: new Set([
    MessageType.ABORT, MessageType.GOODBYE, MessageType.ERROR,
    MessageType.RESULT, MessageType.REGISTERED, MessageType.UNREGISTERED, MessageType.INVOCATION, MessageType.INTERRUPT,
    MessageType.SUBSCRIBED, MessageType.UNSUBSCRIBED, MessageType.PUBLISHED, MessageType.EVENT,
  ]),
  [State.CLOSING]: new Set([MessageType.GOODBYE, MessageType.ABORT]),
};
