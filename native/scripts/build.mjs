#!/usr/bin/env node
// Builds the NVX addon from source with cmake-js into build/native/Release/nvx.node.
//   node native/scripts/build.mjs            build (npm run build:native); exits 1 on failure
//   node native/scripts/build.mjs --install  the package's install step: never fails the
//                                            install; says in one line when the TS path is used
//   node native/scripts/build.mjs --prebuild also copy the result to
//                                            native/prebuilds/<platform>-<arch>/ (npm pack)
// WAMPKIT_NVX_SKIP_BUILD=1 skips the build (the prebuild or the TS path is used).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const mode = process.argv.includes('--install') ? 'install' : process.argv.includes('--prebuild') ? 'prebuild' : 'build';
const built = join(root, 'build', 'native', 'Release', 'nvx.node');
const prebuild = join(root, 'native', 'prebuilds', `${process.platform}-${process.arch}`, 'nvx.node');

function fallback(reason) {
  if (mode === 'install') {
    const shipped = existsSync(prebuild) ? ' the prebuilt binary or' : '';
    console.log(`wampkit: NVX native build skipped (${reason}); using${shipped} the TypeScript implementation.`);
    process.exit(0);
  }
  console.error(`wampkit: NVX native build failed: ${reason}`);
  process.exit(1);
}

if (process.env.WAMPKIT_NVX_SKIP_BUILD === '1') fallback('WAMPKIT_NVX_SKIP_BUILD=1');
// An installed package that ships a binary for this platform needs no compiler; a git checkout
// builds anyway, so the binary follows the sources.
if (mode === 'install' && existsSync(prebuild) && !existsSync(join(root, '.git'))) process.exit(0);

let cmakeJs;
try {
  cmakeJs = createRequire(join(root, 'package.json')).resolve('cmake-js/bin/cmake-js');
} catch {
  fallback('cmake-js is not installed');
}

// Quiet unless it fails: an install log should say one thing.
const result = spawnSync(process.execPath, [cmakeJs, 'build', '--directory', join(root, 'native'), '--out', join(root, 'build', 'native')], {
  cwd: root,
  encoding: 'utf8',
  stdio: mode === 'build' ? 'inherit' : 'pipe',
  timeout: 10 * 60_000,
});
if (result.status !== 0 || !existsSync(built)) {
  // The install log gets one line; the compiler's output only when asked for.
  const showLog = mode === 'prebuild' || (process.env.WAMPKIT_NVX_DEBUG ?? '') !== '';
  if (showLog) process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n').slice(-15).join('\n') + '\n');
  fallback(result.error ? result.error.message : `cmake-js exited with ${result.status} (needs cmake and a C++17 compiler)`);
}

if (mode === 'prebuild') {
  mkdirSync(dirname(prebuild), { recursive: true });
  // Copy, then rename over: a running process may have the old binary mapped, and rewriting
  // that file in place would pull its code out from under it.
  const staging = `${prebuild}.${process.pid}.tmp`;
  copyFileSync(built, staging);
  renameSync(staging, prebuild);
  console.log(`wampkit: NVX prebuild ready at ${prebuild}`);
} else if (mode === 'build') {
  console.log(`wampkit: NVX built at ${built}`);
}
