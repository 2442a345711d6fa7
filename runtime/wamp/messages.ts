/**
 * The WAMP message model: a discriminated union of every WAMP v2 message, `parseMessage`
 * (wire array -> typed message, strict checks) and `encodeMessage` (typed message -> wire
 * array, same checks), both dispatched through one table keyed by message type.
 *
 * Every malformed input throws a ProtocolError (./protocol-error.ts); nothing else escapes.
 */
import { MESSAGE_NAME, MessageType, isExtensionMessageType } from './message-types.js';
import { describe, type CheckContext } from './message-fields.js';
import { ProtocolErrorCode, protocolError } from './protocol-error.js';
import { createError } from '../errors.js';
import { WampErrorCode } from './error-codes.js';
import type { UriRule } from './uris.js';
import * as session from './messages-session.js';
import * as pubsub from './messages-pubsub.js';
import * as rpc from './messages-rpc.js';

export type { WampDict, WampList, PayloadFields } from './message-fields.js';
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
  encode(m: M, ctx: CheckContext): unknown[];
}

const CODECS: { readonly [T in MessageType]: Codec<MessageOf<T>> } = {
  [MessageType.HELLO]: { parse: session.parseHello, encode: session.encodeHello },
  [MessageType.WELCOME]: { parse: session.parseWelcome, encode: session.encodeWelcome },
  [MessageType.ABORT]: { parse: session.parseAbort, encode: session.encodeAbort },
  [MessageType.CHALLENGE]: { parse: session.parseChallenge, encode: session.encodeChallenge },
  [MessageType.AUTHENTICATE]: { parse: session.parseAuthenticate, encode: session.encodeAuthenticate },
  [MessageType.GOODBYE]: { parse: session.parseGoodbye, encode: session.encodeGoodbye },
  [MessageType.ERROR]: { parse: session.parseError, encode: session.encodeError },
  [MessageType.PUBLISH]: { parse: pubsub.parsePublish, encode: pubsub.encodePublish },
  [MessageType.PUBLISHED]: { parse: pubsub.parsePublished, encode: pubsub.encodePublished },
  [MessageType.SUBSCRIBE]: { parse: pubsub.parseSubscribe, encode: pubsub.encodeSubscribe },
  [MessageType.SUBSCRIBED]: { parse: pubsub.parseSubscribed, encode: pubsub.encodeSubscribed },
  [MessageType.UNSUBSCRIBE]: { parse: pubsub.parseUnsubscribe, encode: pubsub.encodeUnsubscribe },
  [MessageType.UNSUBSCRIBED]: { parse: pubsub.parseUnsubscribed, encode: pubsub.encodeUnsubscribed },
  [MessageType.EVENT]: { parse: pubsub.parseEvent, encode: pubsub.encodeEvent },
  [MessageType.EVENT_RECEIVED]: { parse: pubsub.parseEventReceived, encode: pubsub.encodeEventReceived },
  [MessageType.CALL]: { parse: rpc.parseCall, encode: rpc.encodeCall },
  [MessageType.CANCEL]: { parse: rpc.parseCancel, encode: rpc.encodeCancel },
  [MessageType.RESULT]: { parse: rpc.parseResult, encode: rpc.encodeResult },
  [MessageType.REGISTER]: { parse: rpc.parseRegister, encode: rpc.encodeRegister },
  [MessageType.REGISTERED]: { parse: rpc.parseRegistered, encode: rpc.encodeRegistered },
  [MessageType.UNREGISTER]: { parse: rpc.parseUnregister, encode: rpc.encodeUnregister },
  [MessageType.UNREGISTERED]: { parse: rpc.parseUnregistered, encode: rpc.encodeUnregistered },
  [MessageType.INVOCATION]: { parse: rpc.parseInvocation, encode: rpc.encodeInvocation },
  [MessageType.INTERRUPT]: { parse: rpc.parseInterrupt, encode: rpc.encodeInterrupt },
  [MessageType.YIELD]: { parse: rpc.parseYield, encode: rpc.encodeYield },
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

/** Encodes a typed message into its wire array (checked like `parseMessage`), or throws a ProtocolError. */
export function encodeMessage(message: WampMessage, options?: ParseOptions): unknown[] {
  const ctx = contextOf(options);
  if (typeof message !== 'object' || message === null) {
    throw protocolError(ProtocolErrorCode.INVALID_MESSAGE, `a WAMP message must be an object, got ${describe(message)}`);
  }
  return codecOf(message.type).encode(message, ctx);
}

/** The name of a message type for logs and errors ("CALL"), or the number as text. */
export function messageName(type: number): string {
  return (MESSAGE_NAME as Partial<Record<number, string>>)[type] ?? String(type);
}
