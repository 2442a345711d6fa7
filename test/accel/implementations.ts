/**
 * Every implementation the suites run against: the TypeScript reference, then each NVX kernel
 * this CPU runs, twice: "raw" (thresholds 0, so every call reaches the kernel, whatever its
 * size) and as dispatched (small inputs stay in JavaScript, as in production).
 */
import { acceleratorFor, usableKernels } from '../../runtime/accel/select.js';
import { loadAddon } from '../../runtime/accel/native-binding.js';
import type { Accelerator } from '../../runtime/accel/types.js';

export interface Implementation {
  readonly label: string;
  readonly accel: Accelerator;
}

export function implementations(): Implementation[] {
  const out: Implementation[] = [{ label: 'ts', accel: acceleratorFor('ts')! }];
  for (const name of usableKernels()) {
    out.push({ label: `${name} (raw)`, accel: acceleratorFor(name, { mask: 0, utf8: 0 })! });
    out.push({ label: `${name} (dispatched)`, accel: acceleratorFor(name)! });
  }
  return out;
}

/** Why native cases are skipped, or undefined when the addon is loaded. */
export function nativeSkipReason(): string | undefined {
  const load = loadAddon();
  return load.ok ? undefined : `NVX addon not built (${load.reason}); native cases skipped, TS cases run`;
}

/** A deterministic byte generator (xorshift32), so failures reproduce. */
export function bytes(length: number, seed: number): Uint8Array {
  let x = seed | 1;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
