/**
 * Payload Passthru Mode in the router (Advanced Profile `payload_passthru_mode`; and Autobahn's
 * and Crossbar's earlier form, "payload transparency": `enc_algo` in the dict and the payload
 * bytes where Arguments would be). The router never looks inside such a payload: the transport
 * decoded the message, but a passthru payload is one binary item (or, with `ppt_serializer`
 * native, one value) that is handed on as it came. What the router does:
 *
 * - forwards the passthru keys of CALL, PUBLISH, YIELD and ERROR into the INVOCATION, EVENT,
 *   RESULT and ERROR it sends, with the payload (spec: "must be forwarded");
 * - refuses a passthru message from a session that did not announce the feature (spec: a
 *   protocol violation, ABORT);
 * - answers a passthru CALL whose callee, or a passthru YIELD/ERROR whose caller, did not announce
 *   it with ERROR `wamp.error.feature_not_supported` to the caller (the spec has the dealer tell
 *   the callee of a YIELD, but WAMP has no message for that; the caller is the one left waiting);
 * - delivers a passthru EVENT only to subscribers that announced the feature (the spec leaves it
 *   to the subscriber; one that did not announce it could not read the payload anyway).
 */
import { MessageType } from '../wamp/message-types.js';
import type { WampDict } from '../wamp/message-fields.js';
import type { MessageOf, WampMessage } from '../wamp/messages.js';

/** The keys that travel with a passthru payload: the spec's ppt_* and Autobahn's enc_*. */
const PASSTHRU_KEYS = ['ppt_scheme', 'ppt_serializer', 'ppt_cipher', 'ppt_keyid', 'enc_algo', 'enc_serializer', 'enc_key'] as const;

/** The role features under which a peer announces it: the spec's name, and Autobahn's/Crossbar's. */
export const PASSTHRU_FEATURES = ['payload_passthru_mode', 'payload_transparency'] as const;

interface FeaturePeer {
  hasFeature(role: string, feature: string): boolean;
}

/** Whether a dict marks its message's payload as passthru (a cheap check on the hot path). */
export function isPassthru(dict: WampDict): boolean {
  const scheme = dict['ppt_scheme'];
  return (typeof scheme === 'string' && scheme !== '') || dict['enc_algo'] !== undefined;
}

/** The passthru keys of `dict`, or undefined when it has none (the usual case). */
export function passthruKeys(dict: WampDict): WampDict | undefined {
  if (!isPassthru(dict)) return undefined;
  const out: WampDict = {};
  for (const key of PASSTHRU_KEYS) if (dict[key] !== undefined) out[key] = dict[key];
  return out;
}

export function supportsPassthru(peer: FeaturePeer, role: 'caller' | 'callee' | 'publisher' | 'subscriber'): boolean {
  return PASSTHRU_FEATURES.some((feature) => peer.hasFeature(role, feature));
}

/** The role a client sends each passthru-carrying message as, and the dict that marks it. */
const SENDERS: Partial<Record<MessageType, { role: 'caller' | 'callee' | 'publisher'; dict(m: WampMessage): WampDict }>> = {
  [MessageType.PUBLISH]: { role: 'publisher', dict: (m) => (m as MessageOf<typeof MessageType.PUBLISH>).options },
  [MessageType.CALL]: { role: 'caller', dict: (m) => (m as MessageOf<typeof MessageType.CALL>).options },
  [MessageType.YIELD]: { role: 'callee', dict: (m) => (m as MessageOf<typeof MessageType.YIELD>).options },
  [MessageType.ERROR]: { role: 'callee', dict: (m) => (m as MessageOf<typeof MessageType.ERROR>).details },
};

/** Why `msg` is a protocol violation from `peer` (passthru without announcing it), or undefined. */
export function passthruViolation(peer: FeaturePeer, msg: WampMessage): string | undefined {
  const sender = SENDERS[msg.type];
  if (sender === undefined || !isPassthru(sender.dict(msg)) || supportsPassthru(peer, sender.role)) return undefined;
  return `a ${sender.role} that did not announce payload_passthru_mode sent a passthru payload (ppt_scheme or enc_algo)`;
}
