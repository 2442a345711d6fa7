/**
 * The UTF-8 file of the NVX suite (test/accel/nvx-utf8.test.ts) on arm64: an arm64 Node under
 * qemu-user with the packed @wampkit/nvx-linux-arm64 (test/accel/arm64-qemu.ts), over the ts,
 * neon and scalar implementations. Its own file, as it is the longest run under emulation.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { arm64SkipReason, prepareArm64, runSuiteFile, type Arm64Run } from './arm64-qemu.js';

const FILE = 'test/accel/nvx-utf8.test.ts';

describe('@wampkit/nvx-linux-arm64 under qemu-user: UTF-8', { skip: arm64SkipReason(), timeout: 9 * 60_000 }, () => {
  let arm64: Arm64Run;
  before(() => (arm64 = prepareArm64([FILE])));
  after(() => arm64.dispose());

  test(`the NVX suite on arm64: ${FILE}`, (t) => {
    if (arm64.nodeSkip !== undefined) return void t.skip(arm64.nodeSkip);
    assert.equal(arm64.pack.missingBinary, undefined, 'the cross build succeeds where the cross compiler is installed');
    const r = runSuiteFile(arm64, FILE);
    t.diagnostic(`${FILE} on arm64: ${r.counts.pass} passed, ${r.counts.fail} failed, ${r.counts.skipped} skipped`);
    assert.equal(r.status, 0, `${r.stdout.slice(-3000)}\n${r.stderr}`);
    assert.ok(r.counts.pass > 0 && r.counts.fail === 0 && r.counts.skipped === 0, r.stdout.slice(-2000));
    for (const kernel of ['neon', 'scalar']) assert.match(r.stdout, new RegExp(`^ok \\d+ - utf8: ${kernel} \\(raw\\)$`, 'm'), `the ${kernel} kernel was among the implementations`);
  });
});
