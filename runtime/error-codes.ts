/**
 * Every stable error code wampkit raises, as one union: `WampkitError['code']`. Each layer keeps
 * its own `as const` table in a leaf module (no imports), so this file, and runtime/errors.ts
 * which uses it, can name them all without an import circle:
 *
 *   websocket/error-codes.ts   WebSocketErrorCode   WS_*
 *   wamp/error-codes.ts        WampErrorCode        WAMP_* (messages, session, Component)
 *   transports/error-codes.ts  TransportErrorCode   WAMP_* (transports)
 *   serializers/error-codes.ts SerializerErrorCode  WAMP_SERIALIZATION, SERIALIZER_*
 *   router/error-codes.ts      RouterErrorCode      ROUTER_*, STATIC_FILES_*
 *   auth/error-codes.ts        AuthErrorCode        AUTH_*
 *   stubs/error-codes.ts       StubsErrorCode       STUBS_* (wampgen's output)
 *   below                      LogErrorCode, NvxErrorCode
 *
 * Codes are public API: a value never changes meaning; new ones are added to a layer's table.
 */
import type { WebSocketErrorCode } from './websocket/error-codes.js';
import type { WampErrorCode } from './wamp/error-codes.js';
import type { TransportErrorCode } from './transports/error-codes.js';
import type { SerializerErrorCode } from './serializers/error-codes.js';
import type { RouterErrorCode } from './router/error-codes.js';
import type { AuthErrorCode } from './auth/error-codes.js';
import type { StubsErrorCode } from './stubs/error-codes.js';

/** Debug logging (runtime/log.ts). */
export const LogErrorCode = {
  /** A WAMPKIT_DEBUG entry, logging spec or logger area is malformed. */
  INVALID_SPEC: 'LOG_INVALID_SPEC',
} as const;
export type LogErrorCode = (typeof LogErrorCode)[keyof typeof LogErrorCode];

/** The NVX accelerator's public functions (runtime/nvx.ts). */
export const NvxErrorCode = {
  /** A wampkit/nvx function was given an argument of the wrong kind or size. */
  INVALID_ARGUMENT: 'NVX_INVALID_ARGUMENT',
} as const;
export type NvxErrorCode = (typeof NvxErrorCode)[keyof typeof NvxErrorCode];

export type ErrorCode =
  | WebSocketErrorCode
  | WampErrorCode
  | TransportErrorCode
  | SerializerErrorCode
  | RouterErrorCode
  | AuthErrorCode
  | StubsErrorCode
  | LogErrorCode
  | NvxErrorCode;
