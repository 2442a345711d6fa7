/**
 * What the routing core (broker, dealer) knows of a joined session: its identity, what it
 * announced in HELLO, and a way to send it messages. The router session implements it; a
 * future backplane would implement it for sessions on other router nodes.
 */

export interface PeerIdentity {
  readonly sessionId: number;
  readonly authid: string;
  readonly authrole: string;
}

export interface RouterPeer extends PeerIdentity {
  /** Whether the peer announced `feature` for `role` in HELLO.Details.roles. */
  hasFeature(role: string, feature: string): boolean;
  /** Sends one WAMP message (an array) to the peer. */
  send(message: unknown[]): void;
  /** Sends a message shared by many peers, serialized at most once per serializer via `cache`. */
  sendShared(message: unknown[], cache: Map<string, Uint8Array | string>): void;
  /** The next router-to-client request ID in this session's scope (INVOCATION). */
  nextRequestId(): number;
}
