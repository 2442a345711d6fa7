/**
 * One WAMP message (its wire array) as a trace line, for both sides' `trace` logging. Only
 * called behind `log.enabled('trace')`, so the hot paths never pay for it.
 */
import { MessageType, MESSAGE_NAME } from './message-types.js';

/** The longest rendering of one message in a trace line; the rest is cut. */
const TRACE_MAX_CHARS = 400;

/**
 * A message's name, then its fields. AUTHENTICATE's signature may be a ticket or a
 * password-derived proof, so it is never shown.
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
