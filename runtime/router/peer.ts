/**
 * What the routing core (broker, dealer) knows of a joined session: its identity, what it
 * announced in HELLO, and a way to send it messages. The router session implements it; a
 * future backplane would implement it for sessions on other router nodes.
 */
import type { WampMessage } from '../wamp/messages.js';
import type { SharedMessage } from './outbound.js';


export interface PeerIdentity {
  readonly sessionId: number;
  readonly authid: string;
  readonly authrole: string;
}

export interface RouterPeer extends PeerIdentity {
  /** How the session authenticated (meta API, dynamic authorizers); absent for router-internal peers. */
  readonly authmethod?: string;
  readonly authprovider?: string;
  /** Transport details the meta API reports (wamp.session.get). */
  readonly transportInfo?: Readonly<Record<string, unknown>>;
  /**
   * Bytes queued for the peer in its transport and not yet written to its socket; absent for
   * router-internal peers, which take messages as values.
   */
  readonly bufferedAmount?: number;
  /**
   * True while the peer is over its outbound budget (router/outbound-budget.ts): its EVENTs are
   * being dropped and the dealer routes no new CALL to it. Absent: never.
   */
  readonly congested?: boolean;
  /** Whether the peer announced `feature` for `role` in HELLO.Details.roles. */
  hasFeature(role: string, feature: string): boolean;
  /**
   * Sends one message to the peer. Never throws: false when it could not be encoded for the
   * peer's transport, and then the peer got what router/outbound.ts defines instead.
   */
  send(message: WampMessage): boolean;
  /** Sends a message shared by many peers (an EVENT), encoded at most once per serializer. */
  sendShared(message: SharedMessage): boolean;
  /** The next router-to-client request ID in this session's scope (INVOCATION). */
  nextRequestId(): number;
  /**
   * Ends the session with GOODBYE `reason` (meta API kill). `quiet`: without meta events or
   * testaments (kill_all). Absent for router-internal peers, which cannot be killed.
   */
  kill?(reason: string, message?: string, quiet?: boolean): void;
}
