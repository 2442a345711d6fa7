/**
 * What nodes say to each other over NATS, and how it is encoded: CBOR arrays (our codec, so a
 * payload crosses a node as it would cross one router: binary, integers beyond 2^53, dates,
 * typed arrays and CBOR tags intact; a MessagePack extension value has no CBOR form and cannot
 * cross nodes). Every message starts with its kind and the sending node's name and incarnation,
 * so messages from a node already counted dead are recognised and dropped.
 *
 * Subjects: `<prefix>.beat` (heartbeats, on each node's heartbeat connection), `<prefix>.all`
 * (news every node needs), `<prefix>.node.<name>`
 * (messages for one node), `<prefix>.pub.<realm>` (publications of one realm). One node sends
 * on one NATS connection, which NATS keeps in order across subjects, so a YIELD relayed before a
 * callee's departure arrives before the news of it.
 */
import { CborEncoder } from '../../serializers/cbor-encoder.js';
import { CborDecoder } from '../../serializers/cbor-decoder.js';

export const WireKind = {
  /** [kind, node, inc, sequence]: on `.beat`, every heartbeatMs (from the node's heartbeat thread; heartbeats.ts). */
  HEARTBEAT: 1,
  /** [kind, node, inc, realm, publication, topic, options, publisher (0: router), authid, authrole, disclose, args, kwargs] */
  PUBLISH: 2,
  /** [kind, node, inc, realm, session, message]: any router-to-client message for a session on the receiving node. */
  TO_SESSION: 3,
  /** [kind, node, inc, realm, callee, request, options, args, kwargs]: a relayed YIELD, back to the caller's node. */
  YIELD: 4,
  /** [kind, node, inc, realm, callee, request, details, error, args, kwargs]: a relayed ERROR for an INVOCATION. */
  INVOCATION_ERROR: 5,
  /** [kind, node, inc, realm, callee, request, error, message]: the callee's node could not deliver the INVOCATION. */
  INVOKE_FAILED: 6,
  /** [kind, node, inc, realm, session, reason, message, quiet]: the meta API's kill of a session on the receiving node. */
  KILL: 7,
  /** [kind, node, inc, realm, session]: on `.all`: a session of the sending node left. */
  SESSION_LEFT: 8,
  /** [kind, node, inc, realm, what ('r'|'s'), id, reason, session]: revoke a registration or subscription of the receiving node's sessions. */
  REVOKE: 9,
  /** [kind, node, inc]: on `.all`: the node is stopping (its sessions leave one by one first). */
  NODE_LEAVING: 10,
} as const;
export type WireKind = (typeof WireKind)[keyof typeof WireKind];

export type WireMessage = readonly unknown[];

export interface WireSender {
  readonly node: string;
  readonly incarnation: string;
}

const encoder = new CborEncoder();
const decoder = new CborDecoder();

/** Encodes one node-to-node message; throws (a SerializerError) for a value CBOR cannot carry. */
export function encodeWire(kind: WireKind, from: WireSender, ...fields: unknown[]): Uint8Array {
  return encoder.encode([kind, from.node, from.incarnation, ...fields]);
}

/** Decodes one node-to-node message; null for anything malformed (a bug or a foreign sender). */
export function decodeWire(data: Uint8Array): WireMessage | null {
  let value: unknown;
  try {
    value = decoder.decode(data);
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length < 3 || typeof value[0] !== 'number' || typeof value[1] !== 'string' || typeof value[2] !== 'string') return null;
  return value;
}

/** Encodes a registry value (KV entries are CBOR too: retained events and testaments carry payloads). */
export function encodeValue(value: unknown[]): Uint8Array {
  return encoder.encode(value);
}

export function decodeValue(data: Uint8Array): unknown[] | null {
  try {
    const value = decoder.decode(data);
    return Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/** NATS subjects of a cluster. */
export class Subjects {
  readonly all: string;
  readonly beat: string;
  readonly #prefix: string;

  constructor(cluster: string) {
    this.#prefix = `wampkit.${cluster}`;
    this.all = `${this.#prefix}.all`;
    this.beat = `${this.#prefix}.beat`;
  }

  node(name: string): string {
    return `${this.#prefix}.node.${name}`;
  }

  publications(realmKey: string): string {
    return `${this.#prefix}.pub.${realmKey}`;
  }
}
