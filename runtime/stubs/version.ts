/**
 * The contract between wampgen's output and this module, as a number. wampgen stamps the API
 * it generated for into every module (`requireStubsApi(n)` at load); this runtime serves the
 * range below. A change that old generated code cannot use raises the version (and, when the
 * old shape is dropped, the minimum), so a mismatch fails at load with a clear message instead
 * of as a missing export or a wrong call deep inside a request.
 */
import { createError } from '../errors.js';
import { StubsErrorCode } from './error-codes.js';

/** The stubs API this runtime implements. */
export const STUBS_API_VERSION = 1;
/** The oldest stubs API this runtime still serves. */
export const STUBS_API_MIN = 1;

export { StubsErrorCode };

/** Called by every generated module at load with the API it was generated for. */
export function requireStubsApi(version: number): void {
  if (Number.isInteger(version) && version >= STUBS_API_MIN && version <= STUBS_API_VERSION) return;
  const fix = version > STUBS_API_VERSION
    ? 'update wampkit to the version that matches your wampgen'
    : 'run wampgen again with the wampgen that matches this wampkit';
  throw createError(
    StubsErrorCode.API_MISMATCH,
    `generated stubs need wampkit/stubs API ${String(version)}, but this wampkit serves API ${STUBS_API_MIN === STUBS_API_VERSION ? STUBS_API_VERSION : `${STUBS_API_MIN}-${STUBS_API_VERSION}`}: ${fix}`,
  );
}
