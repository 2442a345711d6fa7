/**
 * A router session's states and the messages each accepts from its peer (spec: session state
 * machine). A message with no entry in the current state is a protocol violation (ABORT), except
 * while SHUTTING_DOWN or CLOSED, where everything but GOODBYE is ignored.
 */
import { MessageType } from '../wamp/message-types.js';

export const State = {
  AWAITING_HELLO: 'awaiting-hello',
  /** HELLO accepted for a realm; authentication (possibly CHALLENGE/AUTHENTICATE) under way. */
  AUTHENTICATING: 'authenticating',
  JOINED: 'joined',
  /** We sent GOODBYE (router shutdown) and wait for the reply. */
  SHUTTING_DOWN: 'shutting-down',
  CLOSED: 'closed',
} as const;
export type State = (typeof State)[keyof typeof State];

type HandlerName =
  | 'hello' | 'authenticate' | 'clientAbort' | 'goodbye'
  | 'subscribe' | 'unsubscribe' | 'publish'
  | 'register' | 'unregister' | 'call' | 'cancel' | 'yield' | 'error';

/** The session's handlers, by name (router-session.ts passes its class). */
export type SessionHandlers<H> = Readonly<Record<HandlerName, H>>;

/** Dispatch by state, then by message type; a missing entry is a protocol violation. */
export function stateHandlers<H>(h: SessionHandlers<H>): Record<State, Partial<Record<number, H>>> {
  return {
    [State.AWAITING_HELLO]: {
      [MessageType.HELLO]: h.hello,
    },
    [State.AUTHENTICATING]: {
      [MessageType.AUTHENTICATE]: h.authenticate,
      [MessageType.ABORT]: h.clientAbort,
    },
    [State.JOINED]: {
      [MessageType.GOODBYE]: h.goodbye,
      [MessageType.SUBSCRIBE]: h.subscribe,
      [MessageType.UNSUBSCRIBE]: h.unsubscribe,
      [MessageType.PUBLISH]: h.publish,
      [MessageType.REGISTER]: h.register,
      [MessageType.UNREGISTER]: h.unregister,
      [MessageType.CALL]: h.call,
      [MessageType.CANCEL]: h.cancel,
      [MessageType.YIELD]: h.yield,
      [MessageType.ERROR]: h.error,
    },
    [State.SHUTTING_DOWN]: {
      [MessageType.GOODBYE]: h.goodbye,
    },
    [State.CLOSED]: {},
  };
}
