/** Stable error codes of the WebSocket engine, and the factory that maps them to close codes. */
import { createError, type WampkitError } from '../errors.js';
import { CloseCode } from './constants.js';
import { WebSocketErrorCode } from './error-codes.js';

export { WebSocketErrorCode } from './error-codes.js';

const CLOSE_CODE_OF: Partial<Record<WebSocketErrorCode, number>> = {
  [WebSocketErrorCode.PROTOCOL_ERROR]: CloseCode.PROTOCOL_ERROR,
  [WebSocketErrorCode.INVALID_UTF8]: CloseCode.INVALID_PAYLOAD,
  [WebSocketErrorCode.MESSAGE_TOO_BIG]: CloseCode.MESSAGE_TOO_BIG,
  [WebSocketErrorCode.TOO_MANY_FRAMES]: CloseCode.POLICY_VIOLATION,
  [WebSocketErrorCode.INVALID_CLOSE_CODE]: CloseCode.PROTOCOL_ERROR,
  [WebSocketErrorCode.INFLATE_FAILED]: CloseCode.INVALID_PAYLOAD,
  [WebSocketErrorCode.DEFLATE_FAILED]: CloseCode.INTERNAL_ERROR,
};

/** Makes a WebSocket error; protocol errors carry the close code to fail the connection with. */
export function wsError(
  code: WebSocketErrorCode,
  message: string,
  extra: { httpStatus?: number; cause?: unknown } = {},
): WampkitError {
  const closeCode = CLOSE_CODE_OF[code];
  return createError(
    code,
    message,
    {
      ...(closeCode === undefined ? {} : { closeCode }),
      ...(extra.httpStatus === undefined ? {} : { httpStatus: extra.httpStatus }),
    },
    extra.cause,
  );
}
