/**
 * A session on another node, as this node's realm, broker and dealer see it: a RouterPeer whose
 * `send` forwards the typed message over NATS to the session's node, which hands it to the real
 * session (relaying INVOCATIONs under the callee session's own request IDs, relay.ts). So the
 * dealer routes to a remote callee exactly as to a local one, with every feature it has.
 *
 * Its features are what the session announced in HELLO (from the registry), as the router
 * knows them: every role and feature of ROUTER_ROLES, probed at the owning node.
 */
import type { WampMessage } from '../../wamp/messages.js';
import { SessionIdGenerator } from '../../wamp/ids.js';
import type { RouterPeer } from '../peer.js';
import type { SharedMessage } from '../outbound.js';
import { ROUTER_ROLES } from '../features.js';

/** Roles whose features a session record carries. */
const PEER_ROLES = ['caller', 'callee', 'publisher', 'subscriber'] as const;
const KNOWN_FEATURES: readonly string[] = [...new Set([...Object.keys(ROUTER_ROLES.broker.features), ...Object.keys(ROUTER_ROLES.dealer.features)])];

/** How a remote peer reaches its node. */
export interface RemotePort {
  /** Forwards a message for `peer`; false when it cannot be sent (too large, not encodable). */
  forward(peer: RemotePeer, message: WampMessage): boolean;
  kill(peer: RemotePeer, reason: string, message: string | undefined, quiet: boolean): void;
}

/** A session as the registry records it (key s.<realm>.<session>). */
export interface SessionRecord {
  readonly session: number;
  readonly node: string;
  readonly incarnation: string;
  readonly authid: string;
  readonly authrole: string;
  readonly authmethod?: string;
  readonly authprovider?: string;
  readonly transport?: Readonly<Record<string, unknown>>;
  /** "role.feature" for every feature the session announced. */
  readonly features: readonly string[];
}

/** The features `peer` announced, as a session record lists them. */
export function announcedFeatures(peer: RouterPeer): string[] {
  const out: string[] = [];
  for (const role of PEER_ROLES) for (const f of KNOWN_FEATURES) if (peer.hasFeature(role, f)) out.push(`${role}.${f}`);
  return out;
}

export function sessionRecord(peer: RouterPeer, node: string, incarnation: string): SessionRecord {
  return {
    session: peer.sessionId, node, incarnation, authid: peer.authid, authrole: peer.authrole,
    ...(peer.authmethod === undefined ? {} : { authmethod: peer.authmethod }),
    ...(peer.authprovider === undefined ? {} : { authprovider: peer.authprovider }),
    ...(peer.transportInfo === undefined ? {} : { transport: peer.transportInfo }),
    features: announcedFeatures(peer),
  };
}

export class RemotePeer implements RouterPeer {
  readonly sessionId: number;
  readonly authid: string;
  readonly authrole: string;
  readonly authmethod?: string;
  readonly authprovider?: string;
  readonly transportInfo?: Readonly<Record<string, unknown>>;
  readonly node: string;
  readonly incarnation: string;
  readonly #features: ReadonlySet<string>;
  readonly #port: RemotePort;
  /** This node's INVOCATION request IDs for the session; its node maps them onto the session's own. */
  readonly #ids = new SessionIdGenerator();

  constructor(record: SessionRecord, port: RemotePort) {
    this.sessionId = record.session;
    this.authid = record.authid;
    this.authrole = record.authrole;
    if (record.authmethod !== undefined) this.authmethod = record.authmethod;
    if (record.authprovider !== undefined) this.authprovider = record.authprovider;
    if (record.transport !== undefined) this.transportInfo = record.transport;
    this.node = record.node;
    this.incarnation = record.incarnation;
    this.#features = new Set(record.features);
    this.#port = port;
  }

  hasFeature(role: string, feature: string): boolean {
    return this.#features.has(`${role}.${feature}`);
  }

  send(message: WampMessage): boolean {
    return this.#port.forward(this, message);
  }

  sendShared(message: SharedMessage): boolean {
    return this.#port.forward(this, message.message);
  }

  nextRequestId(): number {
    return this.#ids.next();
  }

  kill(reason: string, message?: string, quiet = false): void {
    this.#port.kill(this, reason, message, quiet);
  }
}
