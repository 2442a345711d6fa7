/**
 * WAMP message type codes: the first element of every message array. The one table; no bare
 * message numbers anywhere else.
 */

export const MessageType = {
  HELLO: 1,
  WELCOME: 2,
  ABORT: 3,
  CHALLENGE: 4,
  AUTHENTICATE: 5,
  GOODBYE: 6,
  ERROR: 8,
  PUBLISH: 16,
  PUBLISHED: 17,
  SUBSCRIBE: 32,
  SUBSCRIBED: 33,
  UNSUBSCRIBE: 34,
  UNSUBSCRIBED: 35,
  EVENT: 36,
  CALL: 48,
  CANCEL: 49,
  RESULT: 50,
  REGISTER: 64,
  REGISTERED: 65,
  UNREGISTER: 66,
  UNREGISTERED: 67,
  INVOCATION: 68,
  INTERRUPT: 69,
  YIELD: 70,
  /**
   * Acknowledged event delivery (Autobahn/Crossbar). Provisional code from the extension range;
   * the test vectors say it becomes 37 when ratified.
   */
  EVENT_RECEIVED: 337,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Message names by code, for error messages and logs. */
export const MESSAGE_NAME: Readonly<Record<MessageType, keyof typeof MessageType>> = Object.freeze(
  Object.fromEntries(Object.entries(MessageType).map(([name, code]) => [code, name])) as Record<
    MessageType,
    keyof typeof MessageType
  >,
);

/** Ranges of message type codes (basic "Extension Messages" section). */
export const MessageTypeRange = {
  CORE_MAX: 255,
  EXTENSION_MIN: 256,
  EXTENSION_MAX: 1023,
} as const;

/** Request messages an ERROR may answer: the only valid values of ERROR's REQUEST.Type. */
export const ERROR_REQUEST_TYPES = [
  MessageType.PUBLISH,
  MessageType.SUBSCRIBE,
  MessageType.UNSUBSCRIBE,
  MessageType.CALL,
  MessageType.REGISTER,
  MessageType.UNREGISTER,
  MessageType.INVOCATION,
  // Call canceling: a dealer may reject a CANCEL with ERROR.
  MessageType.CANCEL,
] as const;
export type ErrorRequestType = (typeof ERROR_REQUEST_TYPES)[number];

const KNOWN = new Set<number>(Object.values(MessageType));
const ERROR_REQUEST = new Set<number>(ERROR_REQUEST_TYPES);

export function isMessageType(value: unknown): value is MessageType {
  return typeof value === 'number' && KNOWN.has(value);
}

export function isErrorRequestType(value: unknown): value is ErrorRequestType {
  return typeof value === 'number' && ERROR_REQUEST.has(value);
}

/** A code in the implementation-specific extension range [256, 1023]. */
export function isExtensionMessageType(value: unknown): value is number {
  return (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= MessageTypeRange.EXTENSION_MIN &&
    value <= MessageTypeRange.EXTENSION_MAX
  );
}
