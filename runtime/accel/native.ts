/**
 * An Accelerator over one NVX kernel. Calls below a size threshold stay in JavaScript, because
 * crossing into C++ costs more than the work saved there (thresholds measured by bench/nvx and
 * recorded in docs/accelerator.md).
 */
import { isUtf8 } from 'node:buffer';
import { mask as tsMask } from './ts-mask.js';
import { State, step, TsUtf8Validator } from './ts-utf8.js';
import type { NativeKernelBinding } from './native-binding.js';
import type { Accelerator, Utf8Validator } from './types.js';

/** Sizes (bytes) from which the native call pays for itself. */
export interface NativeThresholds {
  /** mask (source -> output), and unmask when `unmask` is not given. */
  readonly mask: number;
  /** unmask (in place); defaults to `mask`. */
  readonly unmask?: number;
  /** Incremental validation and fused unmask + validation, per chunk. */
  readonly utf8: number;
}

// Measured on x64 (AMD EPYC, Node 20, bench/nvx/crossover.ts): an unmaskArgs call costs
// ~30 ns, which the JavaScript loop matches below 64 bytes (at 64: 37 ns in JS, 31 native);
// maskArgs, with two buffers, ~48 ns, matched up to ~80 bytes (at 64: 46 in JS, 49 native);
// a validator push costs 60-70 ns. See docs/accelerator.md.
export const DEFAULT_THRESHOLDS: NativeThresholds = { mask: 96, unmask: 64, utf8: 24 };

/**
 * Kernels that validate non-ASCII text byte by byte (no byte shuffle): with built-ins allowed,
 * their validators are the TypeScript ones, whose bulk goes to Node's SIMD `buffer.isUtf8`.
 */
const SCALAR_UTF8_KERNELS: ReadonlySet<string> = new Set(['scalar', 'sse2']);

/** Slots of the validator state shared with native/src/utf8-stream.h. */
const Slot = { STATE: 0, SEEN: 1, INVALID: 2, LEAD: 3 } as const;
const STATE_SLOTS = 4;

/** Slots of the binding's `args` (native/src/addon.cc). */
const ArgSlot = { KEY: 0, OFFSET: 1, LENGTH: 2 } as const;

/** The 4-byte key as a little-endian uint32 whose byte 0 is key[phase]. */
function keyWord(maskKey: Uint8Array, phase: number): number {
  return (
    (maskKey[phase & 3]! |
      (maskKey[(phase + 1) & 3]! << 8) |
      (maskKey[(phase + 2) & 3]! << 16) |
      (maskKey[(phase + 3) & 3]! << 24)) >>>
    0
  );
}

/** The automaton over a small chunk, in JavaScript, on the same state the native side uses. */
function pushSmall(s: Float64Array, chunk: Uint8Array, start: number, end: number): boolean {
  let state = s[Slot.STATE]!;
  if (state === State.REJECT) return false;
  const base = s[Slot.SEEN]! - start;
  s[Slot.SEEN] = s[Slot.SEEN]! + (end - start);
  let p = start;
  if (state === State.ACCEPT) while (p < end && chunk[p]! < 0x80) p++;
  for (; p < end; p++) {
    const b = chunk[p]!;
    if (state === State.ACCEPT) {
      if (b < 0x80) continue;
      s[Slot.LEAD] = base + p;
    }
    state = step(state, b);
    if (state === State.REJECT) {
      s[Slot.STATE] = State.REJECT;
      s[Slot.INVALID] = base + p;
      return false;
    }
  }
  s[Slot.STATE] = state;
  return true;
}

class NativeUtf8Validator implements Utf8Validator {
  // Over its own ArrayBuffer, which is what the native side is given.
  readonly #s = new Float64Array(new ArrayBuffer(STATE_SLOTS * Float64Array.BYTES_PER_ELEMENT));
  readonly #sb = this.#s.buffer as ArrayBuffer;
  readonly #binding: NativeKernelBinding;
  readonly #small: number;
  readonly #builtins: boolean;

  constructor(binding: NativeKernelBinding, small: number, builtins: boolean) {
    this.#binding = binding;
    this.#small = small;
    this.#builtins = builtins;
    this.#s[Slot.INVALID] = -1;
  }

  get valid(): boolean {
    return this.#s[Slot.STATE] !== State.REJECT;
  }
  get atBoundary(): boolean {
    return this.#s[Slot.STATE] === State.ACCEPT;
  }
  get invalidOffset(): number {
    return this.#s[Slot.INVALID]!;
  }
  get bytesSeen(): number {
    return this.#s[Slot.SEEN]!;
  }

  reset(): void {
    this.#s.fill(0);
    this.#s[Slot.INVALID] = -1;
  }

  push(chunk: Uint8Array, start = 0, end = chunk.length): boolean {
    const s = this.#s;
    if (end - start < this.#small) return pushSmall(s, chunk, start, end);
    // On a boundary, and the chunk ends in ASCII so it cannot end inside a sequence: then Node's
    // isUtf8 (simdutf, a cheaper call than ours) answers alone when the chunk is valid. When it
    // is not, the kernel rescans to find the exact offset.
    if (
      this.#builtins &&
      start === 0 &&
      end === chunk.length &&
      s[Slot.STATE] === State.ACCEPT &&
      chunk[end - 1]! < 0x80 &&
      isUtf8(chunk)
    ) {
      s[Slot.SEEN] = s[Slot.SEEN]! + end;
      return true;
    }
    return start === 0 && end === chunk.length ? this.#binding.push(this.#sb, chunk) : this.#binding.push(this.#sb, chunk, start, end);
  }

  finish(): boolean {
    const s = this.#s;
    if (s[Slot.STATE] === State.REJECT) return false;
    if (s[Slot.STATE] !== State.ACCEPT) {
      s[Slot.STATE] = State.REJECT;
      s[Slot.INVALID] = s[Slot.LEAD]!;
      return false;
    }
    return true;
  }

  /** One native pass when `validator` is ours and the buffer is big enough; else two steps. */
  static unmaskAndPush(
    binding: NativeKernelBinding,
    small: number,
    buffer: Uint8Array,
    maskKey: Uint8Array,
    phase: number,
    validator: Utf8Validator,
  ): boolean {
    if (buffer.length < small) {
      tsMask(buffer, maskKey, buffer, 0, buffer.length, phase);
      return validator.push(buffer);
    }
    const key = keyWord(maskKey, phase);
    if (validator instanceof NativeUtf8Validator && validator.#binding === binding) {
      return binding.unmaskPush(validator.#sb, buffer, key);
    }
    binding.unmask(buffer, key);
    return validator.push(buffer);
  }
}

/**
 * The accelerator for one kernel. With `builtins` (the default), Node's `buffer.isUtf8` (simdutf)
 * answers whole-buffer checks and valid chunks that end in ASCII: it is as fast and its call is
 * cheaper than ours. Without, every call reaches the kernel (what the tests use to cover it).
 */
export function createNativeAccelerator(
  binding: NativeKernelBinding,
  options: { thresholds?: NativeThresholds; builtins?: boolean } = {},
): Accelerator {
  const { mask: maskMin, unmask: unmaskMin = maskMin, utf8: utf8Min } = options.thresholds ?? DEFAULT_THRESHOLDS;
  const builtins = options.builtins ?? true;
  const isValidUtf8 = builtins
    ? isUtf8
    : (buffer: Uint8Array): boolean => binding.isValidUtf8(buffer);
  // Numbers go through `args` rather than as arguments: a cheaper Node-API crossing. A binary
  // built before those entry points existed (a stale prebuild) still works through the plain ones.
  const args = (binding as Partial<NativeKernelBinding>).args;
  const withArgs = args instanceof Float64Array && typeof binding.maskArgs === 'function';
  const mask: Accelerator['mask'] = withArgs
    ? (source, maskKey, output, outputOffset, length, phase = 0) => {
        if (length < maskMin) return tsMask(source, maskKey, output, outputOffset, length, phase);
        args[ArgSlot.KEY] = keyWord(maskKey, phase);
        args[ArgSlot.OFFSET] = outputOffset;
        args[ArgSlot.LENGTH] = length;
        binding.maskArgs(source, output);
      }
    : (source, maskKey, output, outputOffset, length, phase = 0) => {
        if (length < maskMin) return tsMask(source, maskKey, output, outputOffset, length, phase);
        binding.mask(source, output, outputOffset, length, keyWord(maskKey, phase));
      };
  const unmask: Accelerator['unmask'] = withArgs
    ? (buffer, maskKey, phase = 0) => {
        if (buffer.length < unmaskMin) return tsMask(buffer, maskKey, buffer, 0, buffer.length, phase);
        args[ArgSlot.KEY] = keyWord(maskKey, phase);
        binding.unmaskArgs(buffer);
      }
    : (buffer, maskKey, phase = 0) => {
        if (buffer.length < unmaskMin) return tsMask(buffer, maskKey, buffer, 0, buffer.length, phase);
        binding.unmask(buffer, keyWord(maskKey, phase));
      };
  if (builtins && SCALAR_UTF8_KERNELS.has(binding.name)) {
    return {
      implementation: binding.name,
      mask,
      unmask,
      isValidUtf8,
      createUtf8Validator: () => new TsUtf8Validator(),
      unmaskAndValidateUtf8(buffer, maskKey, phase, validator) {
        unmask(buffer, maskKey, phase);
        return validator.push(buffer);
      },
    };
  }
  return {
    implementation: binding.name,
    mask,
    unmask,
    isValidUtf8,
    createUtf8Validator: () => new NativeUtf8Validator(binding, utf8Min, builtins),
    unmaskAndValidateUtf8: (buffer, maskKey, phase, validator) =>
      NativeUtf8Validator.unmaskAndPush(binding, utf8Min, buffer, maskKey, phase, validator),
  };
}
