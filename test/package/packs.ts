/**
 * Packing the workspace's packages as `npm pack` does, without touching the checkout's dist/:
 * the library (runtime/) and the generator (codegen/) are staged (the files `npm pack` would take
 * besides dist/) and compiled fresh there from the current sources; the NVX packages are packed
 * in place, their prepack building the binary (an incremental cmake-js build, serialised by
 * native/scripts/build.mjs). Shared by the package tests.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
export const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const STEP_LIMIT_MS = 240_000;

export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeout = STEP_LIMIT_MS): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout });
}

export function ok(result: SpawnSyncReturns<string>, what: string): string {
  if (result.status !== 0) {
    throw new Error(`${what} failed (status ${result.status}, signal ${result.signal}):\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

export interface Packed {
  readonly name: string;
  readonly tarball: string;
  /** Paths inside the tarball, relative to its package/ folder. */
  readonly files: readonly string[];
  /** Bytes of the .tgz, and of its contents. */
  readonly size: number;
  readonly unpackedSize: number;
}

interface PackJson {
  name: string;
  filename: string;
  size: number;
  unpackedSize: number;
  files: Array<{ path: string }>;
}

function packed(json: string, destination: string): Packed {
  const [info] = JSON.parse(json) as PackJson[];
  if (info === undefined) throw new Error(`npm pack printed no package: ${json}`);
  return { name: info.name, tarball: join(destination, info.filename), files: info.files.map((f) => f.path), size: info.size, unpackedSize: info.unpackedSize };
}

/** The JavaScript workspaces and where their sources are. */
export const JS_PACKAGES = { wampkit: 'runtime', wampgen: 'codegen' } as const;

/** Stages `dir` (runtime or codegen), compiles its dist/ there, and packs it into `destination`. */
export function packJsWorkspace(dir: string, stageRoot: string, destination: string): Packed {
  const source = join(ROOT, dir);
  const listing = JSON.parse(ok(run(NPM, ['pack', '--dry-run', '--json', '--ignore-scripts'], source), `npm pack --dry-run (${dir})`)) as PackJson[];
  const stage = join(stageRoot, dir);
  for (const { path } of listing[0]!.files) {
    if (path.startsWith('dist/')) continue;
    mkdirSync(dirname(join(stage, path)), { recursive: true });
    copyFileSync(join(source, path), join(stage, path));
  }
  ok(run(process.execPath, [TSC, '-p', join(source, 'tsconfig.build.json'), '--outDir', join(stage, 'dist')], ROOT), `tsc build (${dir})`);
  return packed(ok(run(NPM, ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], stage), `npm pack (${dir})`), destination);
}

/** The NVX targets that have a package (native/packages/<target>). */
export const NATIVE_TARGETS = ['linux-x64', 'linux-arm64'] as const;
export type NativeTarget = (typeof NATIVE_TARGETS)[number];

export type NativePack = Packed & {
  /** Undefined when the tarball holds the binary; else why not (no toolchain here). */
  readonly missingBinary: string | undefined;
};

/**
 * Packs @wampkit/nvx-<target>: its prepack builds the binary. Where that cannot be done (no
 * cmake, compiler or cross compiler), the package is packed without it, so an install still
 * finds every optional dependency in a local tarball (and never asks the registry for ours),
 * and the tests that need the binary skip, saying why.
 */
export function packNative(target: NativeTarget, destination: string): NativePack {
  const dir = join(ROOT, 'native', 'packages', target);
  const withScripts = run(NPM, ['pack', '--json', '--pack-destination', destination], dir);
  if (withScripts.status === 0) return { ...packed(withScripts.stdout, destination), missingBinary: undefined };
  const reason = `${withScripts.stderr}`.split('\n').filter((l) => l.includes('wampkit: NVX')).join(' ') || `npm pack exited ${withScripts.status}`;
  const manifestOnly = packed(ok(run(NPM, ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], dir), `npm pack --ignore-scripts (${target})`), destination);
  if (manifestOnly.files.includes('nvx.node')) throw new Error(`${target}: its build failed but an older nvx.node would be packed: ${reason}`);
  return { ...manifestOnly, missingBinary: reason };
}

/** Packages in an install (node_modules/.package-lock.json lists each once), and their bytes on disk. */
export function measureInstall(project: string): { packages: string[]; bytes: number } {
  const lock = JSON.parse(readFileSync(join(project, 'node_modules', '.package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  const packages = Object.keys(lock.packages).filter((k) => k.startsWith('node_modules/')).map((k) => k.slice('node_modules/'.length)).sort();
  let bytes = 0;
  const walk = (path: string): void => {
    const stat = lstatSync(path);
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
    else if (stat.isFile()) bytes += stat.size;
  };
  walk(join(project, 'node_modules'));
  return { packages, bytes };
}

export function hasNpm(): boolean {
  return spawnSync(NPM, ['--version'], { encoding: 'utf8' }).status === 0 && existsSync(TSC);
}

/** Packs the named JavaScript workspaces and every NVX package into `work`/tarballs. */
export function packForTest(work: string, names: ReadonlyArray<keyof typeof JS_PACKAGES>): { js: Partial<Record<keyof typeof JS_PACKAGES, Packed>>; natives: Record<NativeTarget, NativePack> } {
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs, { recursive: true });
  const js: Partial<Record<keyof typeof JS_PACKAGES, Packed>> = {};
  for (const name of names) js[name] = packJsWorkspace(JS_PACKAGES[name], join(work, 'stage'), tarballs);
  const natives = {} as Record<NativeTarget, NativePack>;
  for (const target of NATIVE_TARGETS) natives[target] = packNative(target, tarballs);
  return { js, natives };
}

/**
 * An empty project with these dependencies; every NVX package comes from its local tarball
 * (overrides), so an install never asks the registry for our unpublished names.
 */
export function emptyProject(parent: string, name: string, dependencies: Record<string, string>, devDependencies: Record<string, string>, natives: Record<NativeTarget, NativePack>): string {
  const path = join(parent, name);
  mkdirSync(path);
  const overrides = Object.fromEntries(Object.values(natives).map((p) => [p.name, `file:${p.tarball}`]));
  writeFileSync(join(path, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type: 'module', dependencies, devDependencies, overrides }, null, 2));
  return path;
}

export const INSTALL_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund'];
/** What npm 11 prints about dependencies' install scripts it blocked. */
export const INSTALL_SCRIPT_WARNING = /install.?scripts?|allowScripts/i;

/** The environment of a user's program: no repository conditions, no NVX switches. */
export function userEnv(): NodeJS.ProcessEnv {
  return { NODE_OPTIONS: undefined, NODE_TEST_CONTEXT: undefined, WAMPKIT_NVX: undefined, WAMPKIT_NVX_DEBUG: undefined };
}

/** `node -e` (ESM) in a project, as a user's program would run. */
export function nodeIn(cwd: string, script: string, env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = run(process.execPath, ['--input-type=module', '-e', script], cwd, { ...userEnv(), ...env }, 60_000);
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

export function describeInstall(what: string, install: { packages: string[]; bytes: number }): string {
  return `${what}: ${install.packages.length} packages, ${(install.bytes / 1e6).toFixed(2)} MB (${install.bytes} bytes) in node_modules: ${install.packages.join(', ')}`;
}

/** The library's export subpaths as import specifiers. */
export function librarySubpaths(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'runtime', 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  return Object.keys(pkg.exports).filter((k) => k !== './package.json').map((k) => (k === '.' ? 'wampkit' : `wampkit/${k.slice(2)}`));
}

/** A user's strict compiler options (no skipLibCheck). */
export const STRICT = { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noUncheckedIndexedAccess: true, skipLibCheck: false } as const;
