/**
 * wampkit/nvx: the NVX accelerator on its own: WebSocket masking and UTF-8 validation with the
 * fastest implementation this machine has (the native addon's best SIMD kernel, else the
 * TypeScript reference), chosen once at load. WAMPKIT_NVX=off|ts|scalar|sse2|sse4.1|avx2|avx512|neon
 * overrides the choice; docs/accelerator.md has the details.
 *
 * Arguments are checked here, at the public boundary; the engine uses ./accel directly.
 */
// Its declarations name Node's types (Buffer, sockets, streams, process.env): this makes a
// user's tsc load @types/node for them even where tsconfig's `types` leaves it out (TypeScript 6+
// defaults to none); `preserve` keeps the reference in the emitted .d.ts.
/// <reference types="node" preserve="true" />
import { accel } from './accel/index.js';
import { createError } from './errors.js';
import { NvxErrorCode } from './error-codes.js';
import type { Utf8Validator } from './accel/types.js';

export type { Utf8Validator } from './accel/types.js';
export { usableKernels } from './accel/select.js';

/** Stable error code for a bad argument to a wampkit/nvx function. */
export const NVX_INVALID_ARGUMENT = NvxErrorCode.INVALID_ARGUMENT;

/** Which implementation is active: 'avx512', 'avx2', 'sse4.1', 'sse2', 'neon', 'scalar' or 'ts'. */
export const implementation: string = accel.implementation;

function invalid(what: string, value: unknown): never {
  const shown = typeof value === 'number' ? String(value) : value === null ? 'null' : typeof value;
  throw createError(NVX_INVALID_ARGUMENT, `nvx: ${what} (got ${shown})`);
}
function checkBytes(name: string, value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) invalid(`${name} must be a Uint8Array`, value);
}
function checkKey(maskKey: unknown): asserts maskKey is Uint8Array {
  if (!(maskKey instanceof Uint8Array) || maskKey.length !== 4) invalid('maskKey must be a Uint8Array of 4 bytes', maskKey);
}
function checkPhase(phase: number): void {
  if (!Number.isInteger(phase) || phase < 0 || phase > 3) invalid('phase must be an integer 0..3', phase);
}

/**
 * XORs `source[0, length)` with `maskKey` into `output[outputOffset, outputOffset + length)`
 * (RFC 6455 section 5.3). `phase` is the key index of the first byte, so a frame can be masked
 * in pieces: pass `bytesAlreadyMasked & 3`.
 */
export function mask(source: Uint8Array, maskKey: Uint8Array, output: Uint8Array, outputOffset: number, length: number, phase = 0): void {
  checkBytes('source', source);
  checkKey(maskKey);
  checkBytes('output', output);
  if (!Number.isInteger(length) || length < 0 || length > source.length) invalid(`length must be an integer 0..${source.length}`, length);
  if (!Number.isInteger(outputOffset) || outputOffset < 0 || outputOffset + length > output.length) {
    invalid(`outputOffset must leave room for ${length} bytes in an output of ${output.length}`, outputOffset);
  }
  checkPhase(phase);
  accel.mask(source, maskKey, output, outputOffset, length, phase);
}

/** XORs `buffer` with `maskKey` in place, starting at key index `phase`. */
export function unmask(buffer: Uint8Array, maskKey: Uint8Array, phase = 0): void {
  checkBytes('buffer', buffer);
  checkKey(maskKey);
  checkPhase(phase);
  accel.unmask(buffer, maskKey, phase);
}

/** True when `buffer` is complete, valid UTF-8 (RFC 3629). */
export function isValidUtf8(buffer: Uint8Array): boolean {
  checkBytes('buffer', buffer);
  return accel.isValidUtf8(buffer);
}

/**
 * An incremental validator: `push` chunk after chunk; it says whether everything so far is valid
 * (`valid`), whether it ends on a code point boundary (`atBoundary`), and the absolute offset of
 * the first invalid byte (`invalidOffset`); `finish` ends the message.
 */
export function createUtf8Validator(): Utf8Validator {
  return accel.createUtf8Validator();
}

/**
 * Unmasks `buffer` in place and feeds it to `validator`, in one pass over memory where the
 * kernel can. The buffer is fully unmasked whatever the result; returns what `push` returns.
 */
export function unmaskAndValidateUtf8(buffer: Uint8Array, maskKey: Uint8Array, phase: number, validator: Utf8Validator): boolean {
  checkBytes('buffer', buffer);
  checkKey(maskKey);
  checkPhase(phase);
  if (typeof validator !== 'object' || validator === null || typeof validator.push !== 'function') {
    invalid('validator must come from createUtf8Validator()', validator);
  }
  return accel.unmaskAndValidateUtf8(buffer, maskKey, phase, validator);
}
