/**
 * Finding and loading the NVX addon (../../native). Nothing here decides which implementation
 * serves; that is ./select.ts. Loading never throws: a missing or broken binary is a reason
 * string, and the TypeScript implementation serves instead.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

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

/** The package root: this file is runtime/accel/ in the sources and dist/runtime/accel/ when built. */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++) {
    dir = dirname(dir);
    if (existsSync(join(dir, 'native', 'CMakeLists.txt'))) return dir;
  }
  return undefined;
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

/**
 * Where the binary may be, in order: the prebuild shipped in the package for this platform,
 * then a build from source (`npm run build:native`). A source build newer than the prebuild
 * wins, so rebuilding after an edit takes effect.
 */
export function addonCandidates(root: string | undefined = packageRoot()): string[] {
  if (root === undefined) return [];
  const prebuild = join(root, 'native', 'prebuilds', `${process.platform}-${process.arch}`, 'nvx.node');
  const built = join(root, 'build', 'native', 'Release', 'nvx.node');
  const found = [prebuild, built].filter((p) => mtime(p) >= 0);
  return found.length === 2 && mtime(built) > mtime(prebuild) ? [built, prebuild] : found;
}

let cached: AddonLoad | undefined;

/** Loads the addon once per process. */
export function loadAddon(): AddonLoad {
  if (cached !== undefined) return cached;
  const candidates = addonCandidates();
  if (candidates.length === 0) {
    cached = { ok: false, reason: 'no NVX binary for this platform (build one with `npm run build:native`)', present: false };
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
