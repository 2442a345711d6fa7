/**
 * Chooses the implementation once per process: the WAMPKIT_NVX switch, then the best NVX kernel
 * this CPU runs, else the TypeScript reference.
 *
 * Logging (one line to stderr, at most once per process): when a binary exists but fails to
 * load, or when WAMPKIT_NVX asks for a native kernel that cannot serve. A package without any
 * binary for the platform falls back silently (the install step already said so); set
 * WAMPKIT_NVX_DEBUG=1 to be told what was chosen and why.
 */
import { loadAddon } from './native-binding.js';
import { createNativeAccelerator, type NativeThresholds } from './native.js';
import { tsAccelerator } from './ts.js';
import type { Accelerator } from './types.js';
import { logger } from '../log.js';

const log = logger('nvx');

export const NVX_ENV = 'WAMPKIT_NVX';
export const NVX_DEBUG_ENV = 'WAMPKIT_NVX_DEBUG';

/** Values of WAMPKIT_NVX that turn native off. */
const TS_CHOICES: ReadonlySet<string> = new Set(['off', 'ts', '0', 'false', 'no']);
/** Values that mean "the best available". */
const AUTO_CHOICES: ReadonlySet<string> = new Set(['', 'auto', 'on', '1', 'true', 'yes']);

export interface Selection {
  readonly accelerator: Accelerator;
  /** Why this one, in words (also what WAMPKIT_NVX_DEBUG prints). */
  readonly reason: string;
}

let logged = false;
function logOnce(message: string): void {
  if (logged) return;
  logged = true;
  process.stderr.write(`wampkit: ${message}\n`);
}

/** Kernels of the loaded addon that this CPU can run, best first; empty without the addon. */
export function usableKernels(): string[] {
  const load = loadAddon();
  return load.ok ? load.addon.kernels.filter((k) => k.usable).map((k) => k.name) : [];
}

/**
 * The accelerator for one named kernel ('ts' or a native kernel name), for tests and benchmarks
 * that compare implementations side by side; undefined when that kernel cannot run here.
 * `thresholds` replaces the measured JS/native crossover and turns off the built-in shortcuts,
 * so zero sends every call to the kernel.
 */
export function acceleratorFor(name: string, thresholds?: NativeThresholds): Accelerator | undefined {
  if (name === 'ts') return tsAccelerator;
  const load = loadAddon();
  if (!load.ok || !usableKernels().includes(name)) return undefined;
  const binding = load.addon.bind(name);
  if (thresholds !== undefined) return createNativeAccelerator(binding, { thresholds, builtins: false });
  return createNativeAccelerator(binding);
}

export function selectAccelerator(env: NodeJS.ProcessEnv = process.env): Selection {
  const debug = (env[NVX_DEBUG_ENV] ?? '') !== '' && env[NVX_DEBUG_ENV] !== '0';
  const choice = (env[NVX_ENV] ?? '').trim().toLowerCase();
  const done = (accelerator: Accelerator, reason: string): Selection => {
    if (debug) logOnce(`NVX: ${accelerator.implementation} (${reason})`);
    log.debug(() => `chose ${accelerator.implementation} (${reason})`);
    return { accelerator, reason };
  };

  if (TS_CHOICES.has(choice)) return done(tsAccelerator, `${NVX_ENV}=${choice}`);
  const forced = !AUTO_CHOICES.has(choice);
  const load = loadAddon();
  if (!load.ok) {
    if (load.present || forced) logOnce(`${load.reason}; using the TypeScript implementation`);
    return done(tsAccelerator, load.reason);
  }
  const usable = usableKernels();
  let name = usable[0];
  let reason = `best kernel for this CPU, from ${load.path}`;
  if (forced) {
    if (usable.includes(choice)) {
      name = choice;
      reason = `${NVX_ENV}=${choice}`;
    } else {
      logOnce(
        `${NVX_ENV}=${choice} is not a kernel this CPU runs (usable: ${usable.join(', ') || 'none'}, or off/ts); ` +
          `using ${name ?? 'the TypeScript implementation'}`,
      );
    }
  }
  const accelerator = name === undefined ? undefined : acceleratorFor(name);
  if (accelerator === undefined) return done(tsAccelerator, 'no usable NVX kernel');
  return done(accelerator, reason);
}
