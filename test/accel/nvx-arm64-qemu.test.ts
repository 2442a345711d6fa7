/**
 * @wampkit/nvx-linux-arm64 is cross-compiled here and cannot run on this x64 machine, so it is
 * tested under qemu-user (test/accel/arm64-qemu.ts): the packed binary is an aarch64 ELF shared
 * object; an arm64 Node loads it by package name, as wampkit does, picks NEON, and passes the
 * masking and reference files of the NVX suite (the UTF-8 file: nvx-arm64-qemu-utf8.test.ts); and
 * the C++ differential check of the NEON kernel against the scalar one (native/scripts/check-neon.sh).
 * Skips, saying why, where the cross compiler, qemu-aarch64, the arm64 libraries or the registry
 * are missing, and on an arm64 machine (where test/accel runs the kernels natively).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, run } from '../package/packs.js';
import { QEMU_LIMIT_MS, arm64SkipReason, prepareArm64, runSuiteFile, type Arm64Run } from './arm64-qemu.js';

const SUITE = ['test/accel/nvx-mask.test.ts', 'test/accel/ts-reference.test.ts'];
const EM_AARCH64 = 183;
const ET_DYN = 3;

describe('@wampkit/nvx-linux-arm64 under qemu-user', { skip: arm64SkipReason(), timeout: 10 * 60_000 }, () => {
  let arm64: Arm64Run;
  before(() => (arm64 = prepareArm64(SUITE)));
  after(() => arm64.dispose());

  test('the packed binary is an aarch64 ELF shared object', () => {
    assert.equal(arm64.pack.missingBinary, undefined, 'the cross build succeeds where the cross compiler is installed');
    const elf = readFileSync(join(arm64.out, 'node_modules', '@wampkit', 'nvx-linux-arm64', 'nvx.node'));
    assert.deepEqual([...elf.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46], 'ELF magic');
    assert.equal(elf[4], 2, '64-bit');
    assert.equal(elf.readUInt16LE(16), ET_DYN, 'a shared object');
    assert.equal(elf.readUInt16LE(18), EM_AARCH64, 'for aarch64');
  });

  test('an arm64 Node loads it by package name and picks the NEON kernel', (t) => {
    if (arm64.nodeSkip !== undefined) return void t.skip(arm64.nodeSkip);
    const probe = arm64.node(['--input-type=module', '-e', "const s = await import('./runtime/accel/select.js'); const n = await import('./runtime/nvx.js'); console.log(process.arch, s.usableKernels().join(','), n.implementation, n.isValidUtf8(new Uint8Array([0xe2, 0x82, 0xac])), n.isValidUtf8(new Uint8Array([0xc0, 0x80])))"], 120_000);
    assert.equal(probe.status, 0, probe.stderr);
    assert.equal(probe.stdout.trim(), 'arm64 neon,scalar neon true false');
    assert.equal(probe.stderr.trim(), '');
  });

  for (const file of SUITE) {
    test(`the NVX suite on arm64: ${file}`, (t) => {
      if (arm64.nodeSkip !== undefined) return void t.skip(arm64.nodeSkip);
      const r = runSuiteFile(arm64, file);
      t.diagnostic(`${file} on arm64: ${r.counts.pass} passed, ${r.counts.fail} failed, ${r.counts.skipped} skipped`);
      assert.equal(r.status, 0, `${r.stdout.slice(-3000)}\n${r.stderr}`);
      assert.ok(r.counts.pass > 0 && r.counts.fail === 0 && r.counts.skipped === 0, r.stdout.slice(-2000));
      if (file.includes('nvx-')) assert.match(r.stdout, /^ok \d+ - \S+: neon \(raw\)$/m, 'the NEON kernel was among the implementations');
    });
  }

  test('the NEON kernel agrees with the scalar one on 200,000 random inputs (C++, native/scripts/check-neon.sh)', () => {
    const r = run('sh', [join(ROOT, 'native', 'scripts', 'check-neon.sh')], ROOT, {}, QEMU_LIMIT_MS);
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /^neon vs scalar mismatches: 0$/m);
  });
});
