/** The TypeScript accelerator: the reference every native kernel must match byte for byte. */
import { mask, unmask } from './ts-mask.js';
import { isValidUtf8, TsUtf8Validator } from './ts-utf8.js';
import type { Accelerator, Utf8Validator } from './types.js';

export const tsAccelerator: Accelerator = {
  implementation: 'ts',
  mask,
  unmask,
  isValidUtf8,
  createUtf8Validator: (): Utf8Validator => new TsUtf8Validator(),
  unmaskAndValidateUtf8(buffer: Uint8Array, maskKey: Uint8Array, phase: number, validator: Utf8Validator): boolean {
    unmask(buffer, maskKey, phase);
    return validator.push(buffer);
  },
};
