/**
 * Masking and UTF-8 validation for the WebSocket engine, chosen once at load (./select.ts):
 * the NVX native addon's best kernel for this CPU when it is there, else the TypeScript
 * reference. WAMPKIT_NVX=off|ts|scalar|sse2|sse4.1|avx2|avx512|neon overrides the choice.
 */
import { selectAccelerator } from './select.js';
import type { Accelerator } from './types.js';

export type { Accelerator, Utf8Validator } from './types.js';

/** The active accelerator. */
export const accel: Accelerator = selectAccelerator().accelerator;

export const implementation: string = accel.implementation;
export const mask: Accelerator['mask'] = accel.mask;
export const unmask: Accelerator['unmask'] = accel.unmask;
export const isValidUtf8: Accelerator['isValidUtf8'] = accel.isValidUtf8;
export const createUtf8Validator: Accelerator['createUtf8Validator'] = accel.createUtf8Validator;
export const unmaskAndValidateUtf8: Accelerator['unmaskAndValidateUtf8'] = accel.unmaskAndValidateUtf8;
