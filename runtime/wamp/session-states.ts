/**
 * The client session's states and the session-level messages each accepts from the router
 * (spec: session state machine). Anything else is a protocol violation, except while CLOSING,
 * where everything but GOODBYE and ABORT is ignored. A JOINED session's role messages (results,
 * invocations, events, ...) go through the table in session-routing.ts instead.
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

/** The session-level handlers, by name (session.ts passes its class). */
export type SessionHandlers<H> = Readonly<Record<'welcome' | 'challenge' | 'abort' | 'goodbye', H>>;

/** Dispatch by state, then by message type. */
export function stateHandlers<H>(h: SessionHandlers<H>): Record<State, Partial<Record<number, H>>> {
  return {
    [State.DISCONNECTED]: {},
    [State.CONNECTED]: {},
    [State.JOINING]: {
      [MessageType.WELCOME]: h.welcome,
      [MessageType.ABORT]: h.abort,
      [MessageType.CHALLENGE]: h.challenge,
    },
    [State.JOINED]: {
      [MessageType.ABORT]: h.abort,
      [MessageType.GOODBYE]: h.goodbye,
    },
    [State.CLOSING]: {
      [MessageType.GOODBYE]: h.goodbye,
      [MessageType.ABORT]: h.abort,
    },
  };
}
