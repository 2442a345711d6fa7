/**
 * Masking and UTF-8 validation for the WebSocket engine, chosen once at load.
 * Today the TypeScript implementation serves; the native NVX addon slots in here.
 */
import { tsAccelerator } from './ts.js';
import type { Accelerator } from './types.js';

export type { Accelerator, Utf8Validator } from './types.js';

/** The active accelerator. */
export const accel: Accelerator = tsAccelerator;

export const implementation: string = accel.implementation;
export const mask: Accelerator['mask'] = accel.mask;
export const unmask: Accelerator['unmask'] = accel.unmask;
export const isValidUtf8: Accelerator['isValidUtf8'] = accel.isValidUtf8;
export const createUtf8Validator: Accelerator['createUtf8Validator'] = accel.createUtf8Validator;
export const unmaskAndValidateUtf8: Accelerator['unmaskAndValidateUtf8'] = accel.unmaskAndValidateUtf8;
