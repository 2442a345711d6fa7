/**
 * Finding and loading the NVX addon (built from ../../native, shipped in a per-platform
 * package). Nothing here decides which implementation serves; that is ./select.ts. Loading never
 * throws: a missing or broken binary is a reason string, and the TypeScript implementation
 * serves instead.
 */
import { createRequire } from 'node:module';

/**
 * One kernel's entry points, as `bind(name)` returns them (see native/src/addon.cc). Byte
 * arguments are Uint8Arrays (any ArrayBufferView's bytes); anything else throws a TypeError, and
 * ranges outside them a RangeError.
 */
export interface NativeKernelBinding {
  readonly name: string;
  /** `key` is the 4-byte mask as a little-endian uint32, already rotated to the phase. */
  mask(source: Uint8Array, output: Uint8Array, outputOffset: number, length: number, key: number): void;
  unmask(buffer: Uint8Array, key: number): void;
  isValidUtf8(buffer: Uint8Array): boolean;
  /**
   * `state` is the ArrayBuffer of the validator's Float64Array(4): [dfa state, bytes seen,
   * invalid offset, lead offset]. Without start/end: the whole chunk (the cheaper call).
   */
  push(state: ArrayBuffer, chunk: Uint8Array, start?: number, end?: number): boolean;
  unmaskPush(state: ArrayBuffer, buffer: Uint8Array, key: number): boolean;
  /**
   * Four numbers the native side reads in place of arguments: [key, outputOffset, length, -].
   * Write them, then call maskArgs / unmaskArgs (a cheaper crossing than mask / unmask).
   */
  readonly args: Float64Array;
  /** mask(source, output, args[1], args[2], args[0]). */
  maskArgs(source: Uint8Array, output: Uint8Array): void;
  /** unmask(buffer, args[0]). */
  unmaskArgs(buffer: Uint8Array): void;
}

export interface NativeAddon {
  /** Every kernel compiled in, best first, and whether this CPU can run it. */
  readonly kernels: ReadonlyArray<{ readonly name: string; readonly usable: boolean }>;
  bind(name: string): NativeKernelBinding;
}

export type AddonLoad =
  | { readonly ok: true; readonly addon: NativeAddon; readonly path: string }
  /** `present`: a binary existed but would not load (worth telling the user about). */
  | { readonly ok: false; readonly reason: string; readonly present: boolean };

/**
 * The package that ships the binary for this machine (native/packages/<platform>-<arch> in the
 * repository): wampkit lists every such package as an optional dependency, and npm installs the
 * one whose `os`/`cpu`/`libc` fit. In the repository it is a workspace, and the binary is what
 * `npm install` or `npm run build:native` built.
 */
export function platformPackage(platform: string = process.platform, arch: string = process.arch): string {
  return `@wampkit/nvx-${platform}-${arch}`;
}

/** Where the binary is: the installed platform package's file, or nothing. */
export function addonCandidates(name: string = platformPackage()): string[] {
  try {
    return [createRequire(import.meta.url).resolve(name)];
  } catch {
    return [];
  }
}

let cached: AddonLoad | undefined;

/** Loads the addon once per process. */
export function loadAddon(): AddonLoad {
  if (cached !== undefined) return cached;
  const candidates = addonCandidates();
  if (candidates.length === 0) {
    cached = { ok: false, reason: `no NVX binary for this platform (the optional package ${platformPackage()} is not installed, or in a clone not built: npm run build:native)`, present: false };
    return cached;
  }
  const require = createRequire(import.meta.url);
  const failures: string[] = [];
  for (const path of candidates) {
    try {
      const addon = require(path) as NativeAddon;
      if (!Array.isArray(addon.kernels) || typeof addon.bind !== 'function') throw new Error('not an NVX addon');
      cached = { ok: true, addon, path };
      return cached;
    } catch (error) {
      failures.push(`${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  cached = { ok: false, reason: `NVX binary failed to load (${failures.join('; ')})`, present: true };
  return cached;
}
