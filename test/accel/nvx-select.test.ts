import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isWampkitError } from '../../runtime/errors.js';
import { selectAccelerator, usableKernels } from '../../runtime/accel/select.js';
import * as nvx from '../../runtime/nvx.js';
import { nativeSkipReason } from './implementations.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const nativeSkip = nativeSkipReason();

test('WAMPKIT_NVX=off or ts selects the TypeScript implementation', () => {
  for (const value of ['off', 'ts', 'OFF']) {
    assert.equal(selectAccelerator({ WAMPKIT_NVX: value }).accelerator.implementation, 'ts', value);
  }
});

test('without WAMPKIT_NVX the best usable kernel serves, and WAMPKIT_NVX names one explicitly', { skip: nativeSkip }, () => {
  const kernels = usableKernels();
  assert.equal(selectAccelerator({}).accelerator.implementation, kernels[0]);
  assert.equal(selectAccelerator({ WAMPKIT_NVX: 'auto' }).accelerator.implementation, kernels[0]);
  for (const name of kernels) {
    assert.equal(selectAccelerator({ WAMPKIT_NVX: ` ${name.toUpperCase()} ` }).accelerator.implementation, name);
  }
  assert.ok(kernels.includes('scalar'), 'the scalar kernel always runs');
});

test('an unusable WAMPKIT_NVX value logs one line to stderr and falls back to the best kernel', { skip: nativeSkip }, () => {
  const script = "import('./runtime/nvx.ts').then(m => console.log(m.implementation))";
  const env: NodeJS.ProcessEnv = { ...process.env, WAMPKIT_NVX: 'pentium-mmx' };
  delete env.WAMPKIT_NVX_DEBUG;
  const child = spawnSync(process.execPath, ['--conditions=@wampkit/source', '--import', 'tsx', '-e', script], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), usableKernels()[0]);
  const lines = child.stderr.split('\n').filter((l) => l.startsWith('wampkit:'));
  assert.equal(lines.length, 1, child.stderr);
  assert.match(lines[0]!, /WAMPKIT_NVX=pentium-mmx/);
});

test('wampkit/nvx reports the active implementation and validates its arguments, naming the bad value', () => {
  assert.equal(typeof nvx.implementation, 'string');
  const key = Uint8Array.of(1, 2, 3, 4);
  const bad: Array<[string, () => unknown, RegExp]> = [
    ['short key', () => nvx.unmask(new Uint8Array(8), Uint8Array.of(1, 2)), /maskKey/],
    ['phase 4', () => nvx.unmask(new Uint8Array(8), key, 4), /phase.*got 4/],
    ['length past source', () => nvx.mask(new Uint8Array(4), key, new Uint8Array(8), 0, 5), /length.*got 5/],
    ['output too small', () => nvx.mask(new Uint8Array(8), key, new Uint8Array(8), 4, 8), /outputOffset.*got 4/],
    ['not bytes', () => nvx.isValidUtf8('text' as unknown as Uint8Array), /buffer.*got string/],
  ];
  for (const [what, call, message] of bad) {
    assert.throws(call, (error: unknown) => isWampkitError(error) && error.code === nvx.NVX_INVALID_ARGUMENT && message.test(error.message), what);
  }
  const out = new Uint8Array(6);
  nvx.mask(Uint8Array.of(1, 2, 3, 4, 5), key, out, 1, 5, 1);
  assert.deepEqual([...out], [0, 1 ^ 2, 2 ^ 3, 3 ^ 4, 4 ^ 1, 5 ^ 2]);
  const v = nvx.createUtf8Validator();
  assert.equal(nvx.unmaskAndValidateUtf8(Uint8Array.of(0x61 ^ 1, 0xc3 ^ 2), key, 0, v), true);
  assert.equal(v.atBoundary, false);
});
