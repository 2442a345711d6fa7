/**
 * The WAMP message model: a discriminated union of every WAMP v2 message, one constructor per
 * message type (`callMessage(...)`, in messages-session/-pubsub/-rpc.ts, re-exported here),
 * `parseMessage` (wire array -> typed message, strict checks), `toWire` (typed message -> wire
 * array, the send path) and `encodeMessage` (`toWire` plus the same checks as parsing), all
 * dispatched through one table keyed by message type.
 *
 * What runs on the send path is a choice: our messages are built by the typed constructors from
 * values the compiler and the public API checks already vouch for (IDs we count, URIs and
 * payloads the application passed, dicts we assemble), and whatever the router forwards was
 * parsed on the way in. So `toWire` only lays the fields out (and omits trailing empty
 * payloads); re-checking every ID, URI and Options key per message would cost the hot path and
 * find nothing. `encodeMessage` is the checked form: it re-parses what it lays out, so it
 * refuses exactly what `parseMessage` would (tests and tools use it).
 *
 * Every malformed input throws a ProtocolError (./protocol-error.ts); nothing else escapes.
 */
import { MESSAGE_NAME, MessageType, isExtensionMessageType } from './message-types.js';
import { checkPayloadFields, describe, isDict, type CheckContext, type PayloadFields, type WampDict } from './message-fields.js';
export { withPayload } from './message-fields.js';
import { ProtocolErrorCode, protocolError } from './protocol-error.js';
import { createError } from '../errors.js';
import { WampErrorCode } from './error-codes.js';
import type { UriRule } from './uris.js';
import * as session from './messages-session.js';
import * as pubsub from './messages-pubsub.js';
import * as rpc from './messages-rpc.js';

export type { WampDict, WampList, PayloadFields } from './message-fields.js';
export {
  helloMessage, welcomeMessage, abortMessage, challengeMessage, authenticateMessage, goodbyeMessage, errorMessage,
} from './messages-session.js';
export {
  publishMessage, publishedMessage, subscribeMessage, subscribedMessage, unsubscribeMessage, unsubscribedMessage, eventMessage,
} from './messages-pubsub.js';
export {
  callMessage, cancelMessage, resultMessage, registerMessage, registeredMessage, unregisterMessage, unregisteredMessage,
  invocationMessage, interruptMessage, yieldMessage,
} from './messages-rpc.js';
export type {
  HelloDetails,
  WelcomeDetails,
  CloseDetails,
  ErrorDetails,
  HelloMessage,
  WelcomeMessage,
  AbortMessage,
  ChallengeMessage,
  AuthenticateMessage,
  GoodbyeMessage,
  ErrorMessage,
} from './messages-session.js';
export type {
  ForwardHop,
  PublishOptionsDict,
  SubscribeOptionsDict,
  EventDetailsDict,
  RevocationDetails,
  PublishMessage,
  PublishedMessage,
  SubscribeMessage,
  SubscribedMessage,
  UnsubscribeMessage,
  UnsubscribedMessage,
  EventMessage,
  EventReceivedMessage,
} from './messages-pubsub.js';
export type {
  CancelModeWire,
  InvokePolicyWire,
  CallOptionsDict,
  CancelOptionsDict,
  ResultDetailsDict,
  RegisterOptionsDict,
  InvocationDetailsDict,
  InterruptOptionsDict,
  YieldOptionsDict,
  CallMessage,
  CancelMessage,
  ResultMessage,
  RegisterMessage,
  RegisteredMessage,
  UnregisterMessage,
  UnregisteredMessage,
  InvocationMessage,
  InterruptMessage,
  YieldMessage,
} from './messages-rpc.js';

export type WampMessage =
  | session.HelloMessage
  | session.WelcomeMessage
  | session.AbortMessage
  | session.ChallengeMessage
  | session.AuthenticateMessage
  | session.GoodbyeMessage
  | session.ErrorMessage
  | pubsub.PublishMessage
  | pubsub.PublishedMessage
  | pubsub.SubscribeMessage
  | pubsub.SubscribedMessage
  | pubsub.UnsubscribeMessage
  | pubsub.UnsubscribedMessage
  | pubsub.EventMessage
  | pubsub.EventReceivedMessage
  | rpc.CallMessage
  | rpc.CancelMessage
  | rpc.ResultMessage
  | rpc.RegisterMessage
  | rpc.RegisteredMessage
  | rpc.UnregisterMessage
  | rpc.UnregisteredMessage
  | rpc.InvocationMessage
  | rpc.InterruptMessage
  | rpc.YieldMessage;

/** The message of a given type: `MessageOf<typeof MessageType.CALL>` is `CallMessage`. */
export type MessageOf<T extends MessageType> = Extract<WampMessage, { type: T }>;

export interface ParseOptions {
  /**
   * URI rule for every URI element: 'loose' (default; the spec's MUST) or 'strict' (the
   * spec's SHOULD: components of lower-case letters, digits and '_').
   */
  uriRule?: UriRule;
}

interface Codec<M extends WampMessage> {
  parse(a: readonly unknown[], ctx: CheckContext): M;
  /** The wire array, unchecked. */
  wire(m: M): unknown[];
}

const CODECS: { readonly [T in MessageType]: Codec<MessageOf<T>> } = {
  [MessageType.HELLO]: { parse: session.parseHello, wire: session.wireHello },
  [MessageType.WELCOME]: { parse: session.parseWelcome, wire: session.wireWelcome },
  [MessageType.ABORT]: { parse: session.parseAbort, wire: session.wireAbort },
  [MessageType.CHALLENGE]: { parse: session.parseChallenge, wire: session.wireChallenge },
  [MessageType.AUTHENTICATE]: { parse: session.parseAuthenticate, wire: session.wireAuthenticate },
  [MessageType.GOODBYE]: { parse: session.parseGoodbye, wire: session.wireGoodbye },
  [MessageType.ERROR]: { parse: session.parseError, wire: session.wireError },
  [MessageType.PUBLISH]: { parse: pubsub.parsePublish, wire: pubsub.wirePublish },
  [MessageType.PUBLISHED]: { parse: pubsub.parsePublished, wire: pubsub.wirePublished },
  [MessageType.SUBSCRIBE]: { parse: pubsub.parseSubscribe, wire: pubsub.wireSubscribe },
  [MessageType.SUBSCRIBED]: { parse: pubsub.parseSubscribed, wire: pubsub.wireSubscribed },
  [MessageType.UNSUBSCRIBE]: { parse: pubsub.parseUnsubscribe, wire: pubsub.wireUnsubscribe },
  [MessageType.UNSUBSCRIBED]: { parse: pubsub.parseUnsubscribed, wire: pubsub.wireUnsubscribed },
  [MessageType.EVENT]: { parse: pubsub.parseEvent, wire: pubsub.wireEvent },
  [MessageType.EVENT_RECEIVED]: { parse: pubsub.parseEventReceived, wire: pubsub.wireEventReceived },
  [MessageType.CALL]: { parse: rpc.parseCall, wire: rpc.wireCall },
  [MessageType.CANCEL]: { parse: rpc.parseCancel, wire: rpc.wireCancel },
  [MessageType.RESULT]: { parse: rpc.parseResult, wire: rpc.wireResult },
  [MessageType.REGISTER]: { parse: rpc.parseRegister, wire: rpc.wireRegister },
  [MessageType.REGISTERED]: { parse: rpc.parseRegistered, wire: rpc.wireRegistered },
  [MessageType.UNREGISTER]: { parse: rpc.parseUnregister, wire: rpc.wireUnregister },
  [MessageType.UNREGISTERED]: { parse: rpc.parseUnregistered, wire: rpc.wireUnregistered },
  [MessageType.INVOCATION]: { parse: rpc.parseInvocation, wire: rpc.wireInvocation },
  [MessageType.INTERRUPT]: { parse: rpc.parseInterrupt, wire: rpc.wireInterrupt },
  [MessageType.YIELD]: { parse: rpc.parseYield, wire: rpc.wireYield },
};

/** The dict whose keys decide how a message's payload is read (enc_algo, ppt_scheme). */
const PAYLOAD_DICT: Partial<Record<MessageType, (m: WampMessage) => WampDict>> = {
  [MessageType.ABORT]: (m) => (m as session.AbortMessage).details,
  [MessageType.ERROR]: (m) => (m as session.ErrorMessage).details,
  [MessageType.PUBLISH]: (m) => (m as pubsub.PublishMessage).options,
  [MessageType.EVENT]: (m) => (m as pubsub.EventMessage).details,
  [MessageType.CALL]: (m) => (m as rpc.CallMessage).options,
  [MessageType.RESULT]: (m) => (m as rpc.ResultMessage).details,
  [MessageType.INVOCATION]: (m) => (m as rpc.InvocationMessage).details,
  [MessageType.YIELD]: (m) => (m as rpc.YieldMessage).options,
};

const CONTEXTS: Readonly<Record<UriRule, CheckContext>> = {
  loose: Object.freeze({ uriRule: 'loose' }),
  strict: Object.freeze({ uriRule: 'strict' }),
};

function contextOf(options: ParseOptions | undefined): CheckContext {
  const rule = options?.uriRule ?? 'loose';
  const ctx = CONTEXTS[rule];
  if (ctx === undefined) {
    throw createError(WampErrorCode.INVALID_ARGUMENT, `options.uriRule must be 'loose' or 'strict', got ${describe(rule)}`);
  }
  return ctx;
}

function codecOf(type: unknown): Codec<WampMessage> {
  const codec = typeof type === 'number' ? (CODECS as Partial<Record<number, Codec<WampMessage>>>)[type] : undefined;
  if (codec !== undefined) return codec;
  const why = isExtensionMessageType(type) ? 'an unsupported extension message type' : 'not a WAMP message type';
  throw protocolError(ProtocolErrorCode.INVALID_MESSAGE, `message type ${describe(type)} is ${why}`);
}

/** Parses a deserialized wire array into a typed message, or throws a ProtocolError. */
export function parseMessage(array: unknown, options?: ParseOptions): WampMessage {
  const ctx = contextOf(options);
  if (!Array.isArray(array) || array.length === 0) {
    throw protocolError(ProtocolErrorCode.INVALID_MESSAGE, `a WAMP message must be a non-empty list, got ${describe(array)}`);
  }
  return codecOf(array[0]).parse(array, ctx);
}

/**
 * The wire array of a message, unchecked: the send path of both sides. The message comes from
 * a constructor (or the parser), so its fields have their types; see the file comment.
 */
export function toWire(m: WampMessage): unknown[] {
  // A switch rather than the table: each case calls one layout function the engine can inline.
  switch (m.type) {
    case MessageType.EVENT: return pubsub.wireEvent(m);
    case MessageType.CALL: return rpc.wireCall(m);
    case MessageType.RESULT: return rpc.wireResult(m);
    case MessageType.INVOCATION: return rpc.wireInvocation(m);
    case MessageType.YIELD: return rpc.wireYield(m);
    case MessageType.PUBLISH: return pubsub.wirePublish(m);
    case MessageType.PUBLISHED: return pubsub.wirePublished(m);
    case MessageType.ERROR: return session.wireError(m);
    default: return (CODECS[m.type] as Codec<WampMessage>).wire(m);
  }
}

/**
 * Encodes a typed message into its wire array, checked: refuses (with a ProtocolError) exactly
 * what `parseMessage` would refuse, by parsing what it lays out.
 */
export function encodeMessage(message: WampMessage, options?: ParseOptions): unknown[] {
  const ctx = contextOf(options);
  if (typeof message !== 'object' || message === null) {
    throw protocolError(ProtocolErrorCode.INVALID_MESSAGE, `a WAMP message must be an object, got ${describe(message)}`);
  }
  const codec = codecOf(message.type);
  const dictOf = PAYLOAD_DICT[message.type];
  if (dictOf !== undefined) {
    // Checked before the layout, which would hide a non-list args or a stray payload. A dict
    // that is no dict is refused by the parse below.
    const dict = dictOf(message);
    checkPayloadFields(message as PayloadFields, isDict(dict) ? dict : {}, messageName(message.type));
  }
  const wire = codec.wire(message);
  codec.parse(wire, ctx);
  return wire;
}

/** The name of a message type for logs and errors ("CALL"), or the number as text. */
export function messageName(type: number): string {
  return (MESSAGE_NAME as Partial<Record<number, string>>)[type] ?? String(type);
}
