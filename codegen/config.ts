/**
 * Options for wampgen, from the CLI, a wampgen.config.json or the programmatic API. Validated
 * here, at the boundary, with errors that name the offending value.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SERIALIZERS, type Serializer } from './model.js';

/** The module generated code imports its runtime from. */
export const DEFAULT_RUNTIME_IMPORT = 'wampkit/stubs';
/** zod 4 and zod 3.25+ both serve the zod 4 API at this subpath. */
export const DEFAULT_ZOD_IMPORT = 'zod/v4';

export interface GenerateOptions {
  /** Schema files or directories (directories are searched for .ts files). */
  readonly inputs: readonly string[];
  /** Output directory. */
  readonly outDir: string;
  /** Base for relative paths and for file names in diagnostics. Default: process.cwd(). */
  readonly cwd?: string;
  /** Where generated code imports its runtime (wampkit's stubs module) from. Default 'wampkit/stubs'. */
  readonly runtimeImport?: string;
  /** Where generated code imports zod from. Default 'zod/v4' (served by zod 4 and zod 3.25+). */
  readonly zodImport?: string;
  /** Serializers services must support unless they declare @wamp.serializers. Default all three. */
  readonly serializers?: readonly Serializer[];
  /** Compare only: report stale outputs, write nothing. */
  readonly check?: boolean;
  /** Remove generated files the schemas no longer produce. */
  readonly clean?: boolean;
}

export interface NormalizedOptions {
  readonly inputs: readonly string[];
  readonly outDir: string;
  readonly cwd: string;
  readonly runtimeImport: string;
  readonly zodImport: string;
  readonly serializers: readonly Serializer[];
  readonly check: boolean;
  readonly clean: boolean;
}

/** A bad option: the CLI turns it into exit code 3. */
export class ConfigError extends Error {
  readonly code = 'ERR_WAMPGEN_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

export function normalizeOptions(options: GenerateOptions): NormalizedOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError(`options must be an object, got ${String(options)}`);
  if (!isStringArray(options.inputs)) throw new ConfigError(`inputs must be an array of paths, got ${JSON.stringify(options.inputs)}`);
  if (typeof options.outDir !== 'string' || options.outDir === '') throw new ConfigError(`outDir must be a non-empty path, got ${JSON.stringify(options.outDir)}`);
  const cwd = options.cwd ?? process.cwd();
  for (const key of ['runtimeImport', 'zodImport'] as const) {
    const v = options[key];
    if (v !== undefined && (typeof v !== 'string' || v === '')) throw new ConfigError(`${key} must be a module specifier, got ${JSON.stringify(v)}`);
  }
  const serializers = options.serializers ?? SERIALIZERS;
  if (!isStringArray(serializers) || serializers.length === 0) throw new ConfigError(`serializers must be a non-empty array, got ${JSON.stringify(serializers)}`);
  const checked: Serializer[] = [];
  for (const s of serializers) {
    const found = SERIALIZERS.find((x) => x === s);
    if (found !== undefined) checked.push(found);
    else throw new ConfigError(`unknown serializer ${JSON.stringify(s)} (use ${SERIALIZERS.join(', ')})`);
  }
  for (const key of ['check', 'clean'] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== 'boolean') throw new ConfigError(`${key} must be true or false, got ${JSON.stringify(v)}`);
  }
  return {
    inputs: options.inputs,
    outDir: resolve(cwd, options.outDir),
    cwd,
    runtimeImport: options.runtimeImport ?? DEFAULT_RUNTIME_IMPORT,
    zodImport: options.zodImport ?? DEFAULT_ZOD_IMPORT,
    serializers: [...new Set(checked)].sort(),
    check: options.check ?? false,
    clean: options.clean ?? false,
  };
}

/** The shape of wampgen.config.json (every key optional; CLI flags override it). */
export interface ConfigFile {
  readonly inputs?: string[];
  readonly outDir?: string;
  readonly runtimeImport?: string;
  readonly zodImport?: string;
  readonly serializers?: Serializer[];
  readonly clean?: boolean;
}

const CONFIG_KEYS = ['inputs', 'outDir', 'runtimeImport', 'zodImport', 'serializers', 'clean', '$schema'];

/** Reads a config file; relative paths in it are relative to the file. */
export function loadConfigFile(path: string): ConfigFile & { readonly dir: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read config ${path}: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`config ${path} must hold a JSON object`);
  for (const key of Object.keys(raw)) {
    if (!CONFIG_KEYS.includes(key)) throw new ConfigError(`config ${path}: unknown key ${JSON.stringify(key)} (known: ${CONFIG_KEYS.slice(0, -1).join(', ')})`);
  }
  const config = raw as ConfigFile;
  if (config.inputs !== undefined && !isStringArray(config.inputs)) throw new ConfigError(`config ${path}: inputs must be an array of paths`);
  if (config.outDir !== undefined && typeof config.outDir !== 'string') throw new ConfigError(`config ${path}: outDir must be a path`);
  return { ...config, dir: dirname(resolve(path)) };
}
