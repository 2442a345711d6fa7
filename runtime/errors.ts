/**
 * Typed errors with stable codes.
 *
 * Every error wampkit raises is a `WampkitError`: it has a stable `code` from one of the layers'
 * tables (the union is in runtime/error-codes.ts; part of the public API; a code never changes
 * meaning), a human message, and where it maps onto a protocol its protocol meaning: a
 * WebSocket close code, an HTTP status or a WAMP error URI. One factory
 * (`createError`) makes them; `isWampkitError` recognises them across two copies of the package
 * through a `Symbol.for` brand, where `instanceof` would not.
 */
import type { ErrorCode } from './error-codes.js';

export type { ErrorCode } from './error-codes.js';

const BRAND: unique symbol = Symbol.for('wampkit.error') as never;

/** What an error means on the wire, where it means anything there. */
export interface ProtocolMeaning {
  /** WebSocket close code to fail the connection with (RFC 6455 section 7.4). */
  readonly closeCode?: number;
  /** HTTP status to answer an opening handshake with. */
  readonly httpStatus?: number;
  /** WAMP error or ABORT/GOODBYE reason URI. */
  readonly wampUri?: string;
}

export class WampkitError extends Error implements ProtocolMeaning {
  /** One of the codes in the layers' tables (runtime/error-codes.ts lists them). */
  readonly code: ErrorCode;
  readonly closeCode?: number;
  readonly httpStatus?: number;
  readonly wampUri?: string;

  constructor(code: ErrorCode, message: string, meaning: ProtocolMeaning = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WampkitError';
    this.code = code;
    if (meaning.closeCode !== undefined) this.closeCode = meaning.closeCode;
    if (meaning.httpStatus !== undefined) this.httpStatus = meaning.httpStatus;
    if (meaning.wampUri !== undefined) this.wampUri = meaning.wampUri;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** The one factory for wampkit errors. */
export function createError(
  code: ErrorCode,
  message: string,
  meaning: ProtocolMeaning = {},
  cause?: unknown,
): WampkitError {
  return new WampkitError(code, message, meaning, cause === undefined ? undefined : { cause });
}

/** True for any wampkit error, whichever copy of the package made it. */
export function isWampkitError(value: unknown): value is WampkitError {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: boolean })[BRAND] === true;
}
