/**
 * Application-level results and errors carried by WAMP RESULT/YIELD and ERROR messages.
 */
import type { Args, Kwargs, CallResult } from './types.js';

const ERROR_BRAND: unique symbol = Symbol.for('wampkit.ApplicationError') as never;
const RESULT_BRAND: unique symbol = Symbol.for('wampkit.Result') as never;

/**
 * An error with a WAMP error URI. Thrown by a callee, it reaches the caller as this error with
 * the same URI, args and kwargs; a call that fails in the router rejects with it too.
 */
export class ApplicationError extends Error {
  readonly error: string;
  readonly args: Args;
  readonly kwargs: Kwargs;

  constructor(error: string, args: Args = [], kwargs: Kwargs = {}) {
    const first = args[0];
    super(typeof first === 'string' ? `${error}: ${first}` : error);
    this.name = 'ApplicationError';
    this.error = error;
    this.args = args;
    this.kwargs = kwargs;
    Object.defineProperty(this, ERROR_BRAND, { value: true });
  }

  static is(value: unknown): value is ApplicationError {
    return typeof value === 'object' && value !== null && (value as { [ERROR_BRAND]?: boolean })[ERROR_BRAND] === true;
  }
}

/** A multi-valued result: return it from an endpoint to send several args and/or kwargs. */
export class Result implements CallResult {
  args: Args;
  kwargs: Kwargs;

  constructor(args: Args = [], kwargs: Kwargs = {}) {
    this.args = args;
    this.kwargs = kwargs;
    Object.defineProperty(this, RESULT_BRAND, { value: true });
  }

  static is(value: unknown): value is Result {
    return typeof value === 'object' && value !== null && (value as { [RESULT_BRAND]?: boolean })[RESULT_BRAND] === true;
  }
}
