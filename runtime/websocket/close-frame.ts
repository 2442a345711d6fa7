/**
 * Close frame payloads (RFC 6455 section 5.5.1): a 2-byte status code and a UTF-8 reason.
 * Decoding checks what a peer sent; `encodeClosePayload` checks what our caller asks to send.
 */
import { isValidUtf8 } from '../accel/index.js';
import type { WampkitError } from '../errors.js';
import { CloseCode, isValidCloseCode, MAX_CONTROL_PAYLOAD } from './constants.js';
import { WebSocketErrorCode, wsError } from './errors.js';

const CODE_SIZE = 2;
/** A reason fits in a control frame after the code. */
export const MAX_CLOSE_REASON_BYTES = MAX_CONTROL_PAYLOAD - CODE_SIZE;

export interface ClosePayload {
  code: number;
  reason: string;
}

const EMPTY = Buffer.alloc(0);

/** A peer's close payload, or the error to fail the connection with. */
export function decodeClosePayload(payload: Buffer): ClosePayload | WampkitError {
  if (payload.length === 0) return { code: CloseCode.NO_STATUS, reason: '' };
  if (payload.length === 1) return wsError(WebSocketErrorCode.PROTOCOL_ERROR, 'close frame payload of 1 byte');
  const code = payload.readUInt16BE(0);
  if (!isValidCloseCode(code)) return wsError(WebSocketErrorCode.INVALID_CLOSE_CODE, `close frame carries invalid code ${code}`);
  const reasonBytes = payload.subarray(CODE_SIZE);
  if (!isValidUtf8(reasonBytes)) return wsError(WebSocketErrorCode.INVALID_UTF8, 'close reason is not valid UTF-8');
  return { code, reason: reasonBytes.toString('utf8') };
}

/**
 * Codes an endpoint may send: the ones RFC 6455 section 7.4.1 defines for sending (1000-1003,
 * 1007-1014: "going away", "protocol error" and the rest are legitimate reasons to close) and
 * 3000-4999; never the reserved 1004-1006 and 1015.
 */
export function isSendableCloseCode(code: number): boolean {
  return Number.isInteger(code) && isValidCloseCode(code);
}

/**
 * The payload for a close frame we send. `code` undefined: no code (and then no reason).
 * Throws a typed INVALID_ARGUMENT error for a code or reason the caller may not send.
 */
export function encodeClosePayload(code: number | undefined, reason: string | undefined): Buffer {
  if (code === undefined) {
    if (reason !== undefined && reason !== '') {
      throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, 'a close reason needs a close code');
    }
    return EMPTY;
  }
  if (typeof code !== 'number' || !isSendableCloseCode(code)) {
    throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `close code ${String(code)} may not be sent (use 1000-1003, 1007-1014 or 3000-4999)`);
  }
  return closePayload(code, reason ?? '');
}

/** The payload for a close frame with a code we chose ourselves (failing the connection too). */
export function closePayload(code: number, reason: string): Buffer {
  const reasonLength = Buffer.byteLength(reason);
  if (reasonLength > MAX_CLOSE_REASON_BYTES) {
    throw wsError(
      WebSocketErrorCode.INVALID_ARGUMENT,
      `close reason of ${reasonLength} bytes exceeds ${MAX_CLOSE_REASON_BYTES} bytes of UTF-8`,
    );
  }
  const payload = Buffer.allocUnsafe(CODE_SIZE + reasonLength);
  payload.writeUInt16BE(code, 0);
  payload.write(reason, CODE_SIZE, 'utf8');
  return payload;
}

/** A failure's message as a close reason when it fits in 123 bytes; longer ones go to 'error' only. */
export function shortReason(message: string): string {
  return Buffer.byteLength(message) <= MAX_CLOSE_REASON_BYTES ? message : '';
}
