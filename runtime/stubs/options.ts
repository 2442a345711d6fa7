/**
 * Options of generated callers and publishers, per stub and process-wide. Checked here, at the
 * public boundary; the stubs only read the normalised result.
 */
import type { CallOptions, PublishOptions } from '../wamp/types.js';
import { createError } from '../errors.js';
import { StubsErrorCode } from './version.js';

/** Per-call options of generated callers (progress is handled by the generated method). */
export type CallerOptions = Omit<CallOptions, 'onProgress'>;

export interface OutboundOption {
  /**
   * Validate what is sent (a caller's arguments, a publisher's event) against the schema before
   * it leaves, for JavaScript callers and `as` casts the compiler cannot see through. A failure
   * rejects with InvalidPayloadError and nothing is sent. Default: the process-wide setting
   * (`configureStubs`), itself off.
   */
  readonly validateOutbound?: boolean;
}

/** Options of a generated caller: defaults for every call, plus outbound validation. */
export interface CallerStubOptions extends CallerOptions, OutboundOption {}
/** Options of a generated publisher: defaults for every publish, plus outbound validation. */
export interface PublisherStubOptions extends PublishOptions, OutboundOption {}

export interface StubsConfig {
  /** Outbound validation for every caller and publisher that does not set its own. Default false. */
  readonly validateOutbound?: boolean;
}

let validateOutboundDefault = false;

/** Sets process-wide defaults for generated stubs. */
export function configureStubs(config: StubsConfig): void {
  if (typeof config !== 'object' || config === null) {
    throw createError(StubsErrorCode.INVALID_OPTION, `configureStubs takes an object, got ${String(config)}`);
  }
  const { validateOutbound } = config;
  if (validateOutbound !== undefined && typeof validateOutbound !== 'boolean') {
    throw createError(StubsErrorCode.INVALID_OPTION, `validateOutbound must be true or false, got ${JSON.stringify(validateOutbound)}`);
  }
  validateOutboundDefault = validateOutbound ?? false;
}

/** Splits stub options into the WAMP options they carry and whether to validate outbound. */
export function splitStubOptions<O extends object>(options: (O & OutboundOption) | undefined, what: string): { wamp: O; validate: boolean | undefined } {
  if (options === undefined) return { wamp: {} as O, validate: undefined };
  if (typeof options !== 'object' || options === null) {
    throw createError(StubsErrorCode.INVALID_OPTION, `${what} options must be an object, got ${String(options)}`);
  }
  const { validateOutbound, ...wamp } = options;
  if (validateOutbound !== undefined && typeof validateOutbound !== 'boolean') {
    throw createError(StubsErrorCode.INVALID_OPTION, `validateOutbound must be true or false, got ${JSON.stringify(validateOutbound)}`);
  }
  return { wamp: wamp as O, validate: validateOutbound };
}

/** Whether a stub with this own setting validates outbound payloads now. */
export function validatesOutbound(own: boolean | undefined): boolean {
  return own ?? validateOutboundDefault;
}
