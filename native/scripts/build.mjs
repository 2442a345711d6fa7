#!/usr/bin/env node
// Builds the NVX addon from source with cmake-js, into the per-platform package that wampkit
// loads it from (native/packages/<target>/nvx.node, published as @wampkit/nvx-<target>).
//   node native/scripts/build.mjs                       build for this machine (npm run build:native);
//                                                       exits 1 on failure
//   node native/scripts/build.mjs --target linux-arm64  cross-build another target (Debian's
//                                                       g++-aarch64-linux-gnu); a package's prepack
//   node native/scripts/build.mjs --install             the repository's install step (npm install /
//                                                       npm ci at the root): never fails; says in
//                                                       one line when the TS path is used
// WAMPKIT_NVX_SKIP_BUILD=1 skips the build (the TypeScript implementation is used).
// CMake's build tree is build/native/<target>/, so a rebuild only compiles what changed.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const host = `${process.platform}-${process.arch}`;

/**
 * The targets that have a package. `cross` is how another host builds it: the compiler that
 * must be on PATH and the CMake toolchain file that names it.
 */
const TARGETS = {
  'linux-x64': { cross: undefined },
  'linux-arm64': { cross: { compiler: 'aarch64-linux-gnu-g++', toolchain: join(root, 'native', 'cmake', 'aarch64-linux-gnu.cmake') } },
};

function option(name) {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const mode = process.argv.includes('--install') ? 'install' : 'build';
const target = option('--target') ?? host;

function fallback(reason) {
  if (mode === 'install') {
    console.log(`wampkit: NVX native build skipped (${reason}); using the TypeScript implementation.`);
    process.exit(0);
  }
  console.error(`wampkit: NVX native build for ${target} failed: ${reason}`);
  process.exit(1);
}

if (process.env.WAMPKIT_NVX_SKIP_BUILD === '1') fallback('WAMPKIT_NVX_SKIP_BUILD=1');
const spec = TARGETS[target];
if (spec === undefined) fallback(`no NVX package for ${target}; packages exist for ${Object.keys(TARGETS).join(', ')}`);
const cross = target === host ? undefined : spec.cross;
if (target !== host && cross === undefined) fallback(`${target} is built on a ${target} machine only, this is ${host}`);

let cmakeJs;
try {
  cmakeJs = createRequire(join(root, 'package.json')).resolve('cmake-js/bin/cmake-js');
} catch {
  fallback('cmake-js is not installed');
}

const out = join(root, 'build', 'native', target);
const built = join(out, 'Release', 'nvx.node');
const destination = join(root, 'native', 'packages', target, 'nvx.node');
const LOCK_WAIT_MS = 10 * 60_000;
const LOCK_POLL_MS = 200;

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * One build per build tree at a time (two tests, or a test and a developer, may ask at once;
 * two ninja runs in one tree corrupt it). A lock left by a process that died is taken over.
 */
function lockBuildTree() {
  const lock = `${out}.lock`;
  mkdirSync(join(root, 'build', 'native'), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    let owner = NaN;
    try {
      owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    } catch {
      // Its owner is between mkdir and writing the pid: wait.
    }
    if (Number.isInteger(owner) && !alive(owner)) rmSync(lock, { recursive: true, force: true });
    else if (Date.now() > deadline) fallback(`another build of ${target} has held ${lock} for ${LOCK_WAIT_MS / 60_000} minutes`);
    else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, LOCK_POLL_MS);
  }
}

const args = [cmakeJs, 'build', '--directory', join(root, 'native'), '--out', out];
if (cross !== undefined) args.push(`--CDCMAKE_TOOLCHAIN_FILE=${cross.toolchain}`);

// Quiet unless it fails: an install log should say one thing, and stdout stays clean for the
// tools that run this as a prepack (`npm pack --json` prints its answer there).
const unlock = lockBuildTree();
const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', stdio: 'pipe', timeout: 10 * 60_000 });
if (result.status !== 0 || !existsSync(built)) {
  unlock();
  // The install log gets one line; the compiler's output comes with a build asked for by name,
  // or when asked for.
  if (mode === 'build' || (process.env.WAMPKIT_NVX_DEBUG ?? '') !== '') {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n').slice(-30).join('\n') + '\n');
  }
  const needs = cross === undefined ? 'cmake and a C++17 compiler' : `cmake and ${cross.compiler}`;
  fallback(result.error ? result.error.message : `cmake-js exited with ${result.status} (needs ${needs})`);
}

// Copy, then rename over: a running process may have the old binary mapped, and rewriting that
// file in place would pull its code out from under it.
const staging = `${destination}.${process.pid}.tmp`;
copyFileSync(built, staging);
renameSync(staging, destination);
unlock();
if (mode === 'build') console.error(`wampkit: NVX for ${target} built at ${destination}`);
