/**
 * What the client role handlers (caller, callee, publisher/subscriber) need of their session:
 * a way to send, session-scope request IDs, and the session identity. Keeps each role file
 * independent of the session class.
 */
import { createError, type WampkitError } from '../errors.js';
import { WampErrorCode } from './error-codes.js';
import type { Args, Kwargs } from './types.js';
import { MessageType, MESSAGE_NAME } from './message-types.js';
import type { WampTransport } from '../transports/transport.js';
import { logger } from '../log.js';

const log = logger('wamp');

export interface SessionWire {
  readonly sessionId: number;
  /** True while joined: requests may be sent. */
  readonly joined: boolean;
  send(message: unknown[]): void;
  nextRequestId(): number;
  /** The last request ID sent (a reply to a higher one answers nothing we sent). */
  lastRequestId(): number;
  /** Whether the router announced `feature` for `role` ('dealer' | 'broker') in WELCOME. */
  routerHasFeature(role: string, feature: string): boolean;
  /** Aborts the session for a protocol violation by the router. */
  violation(message: string): void;
}

/** The client session's error codes (part of the WAMP layer's table). */
export const SessionErrorCode = {
  /** A request was made while the session is not joined to a realm. */
  NOT_JOINED: WampErrorCode.NOT_JOINED,
  /** The session left or lost its transport while a request was pending. */
  SESSION_LOST: WampErrorCode.SESSION_LOST,
  /** A joining session was refused (ABORT) or the join could not start. */
  JOIN_FAILED: WampErrorCode.JOIN_FAILED,
  /** A caller passed an invalid argument. */
  INVALID_ARGUMENT: WampErrorCode.INVALID_ARGUMENT,
  /** The router did not announce an Advanced Profile feature the request needs. */
  FEATURE_NOT_SUPPORTED: WampErrorCode.FEATURE_NOT_SUPPORTED,
} as const;

export function notJoined(what: string): WampkitError {
  return createError(SessionErrorCode.NOT_JOINED, `cannot ${what}: the session is not joined to a realm`);
}

export function sessionLost(reason: string): WampkitError {
  return createError(SessionErrorCode.SESSION_LOST, `the session ended before the router answered (${reason})`);
}

export function invalidArgument(message: string): WampkitError {
  return createError(SessionErrorCode.INVALID_ARGUMENT, message);
}

export function featureNotSupported(message: string): WampkitError {
  return createError(SessionErrorCode.FEATURE_NOT_SUPPORTED, message);
}

/** Appends args/kwargs the way the spec allows: trailing empty ones omitted. */
export function withPayload(message: unknown[], args: Args | undefined, kwargs: Kwargs | undefined): unknown[] {
  if (kwargs !== undefined && Object.keys(kwargs).length > 0) message.push(args ?? [], kwargs);
  else if (args !== undefined && args.length > 0) message.push(args);
  return message;
}

export function checkUriArgument(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidArgument(`${what} must be a non-empty URI string, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkArgs(args: unknown, kwargs: unknown): void {
  if (args !== undefined && !Array.isArray(args)) throw invalidArgument(`args must be an array, got ${typeof args}`);
  if (kwargs !== undefined && (typeof kwargs !== 'object' || kwargs === null || Array.isArray(kwargs))) {
    throw invalidArgument(`kwargs must be a plain object, got ${Array.isArray(kwargs) ? 'array' : typeof kwargs}`);
  }
}

/** The longest rendering of one message in a trace line; the rest is cut. */
const TRACE_MAX_CHARS = 400;

/**
 * One WAMP message as a trace line: its name, then its fields. Only called behind
 * `log.enabled('trace')`, so the RPC path never pays for it. AUTHENTICATE's signature may be
 * a ticket or password-derived proof, so it is never shown.
 */
export function describeMessage(message: readonly unknown[]): string {
  const type = message[0];
  const name = typeof type === 'number' ? (MESSAGE_NAME as Record<number, string | undefined>)[type] ?? `type ${type}` : 'malformed';
  const fields = type === MessageType.AUTHENTICATE ? ['(signature hidden)', ...message.slice(2)] : message.slice(1);
  let text: string;
  try {
    text = JSON.stringify(fields, (_key, value: unknown) =>
      value instanceof Uint8Array ? `<${value.byteLength} bytes>` : typeof value === 'bigint' ? `${value}n` : value);
  } catch {
    text = '(unprintable)';
  }
  return `${name} ${text.length > TRACE_MAX_CHARS ? `${text.slice(0, TRACE_MAX_CHARS)}…` : text}`;
}

/** Every outbound message of a client session passes here: one comparison when tracing is off. */
export function sendOn(transport: WampTransport | null, message: unknown[]): void {
  if (transport === null) return;
  if (log.enabled('trace')) log.trace(() => `out ${describeMessage(message)}`);
  transport.send(message);
}
