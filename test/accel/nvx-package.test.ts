/**
 * Where the NVX binary comes from: the per-platform package @wampkit/nvx-<platform>-<arch>,
 * resolved by name from the library (in the repository, native/packages/<target> linked into
 * node_modules by the root's optional dependencies).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addonCandidates, loadAddon, platformPackage } from '../../runtime/accel/native-binding.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('the package for a platform is @wampkit/nvx-<platform>-<arch>, this machine\'s by default', () => {
  assert.equal(platformPackage('linux', 'arm64'), '@wampkit/nvx-linux-arm64');
  assert.equal(platformPackage('linux', 'x64'), '@wampkit/nvx-linux-x64');
  assert.equal(platformPackage(), `@wampkit/nvx-${process.platform}-${process.arch}`);
});

test('a package that is not installed is no candidate, and loading says which package is missing', () => {
  assert.deepEqual(addonCandidates('@wampkit/nvx-plan9-mips'), []);
  const load = loadAddon();
  if (load.ok) {
    // Built here: the binary is the one in this machine's package directory.
    assert.equal(realpathSync(load.path), join(root, 'native', 'packages', `${process.platform}-${process.arch}`, 'nvx.node'));
  } else {
    assert.equal(load.present, false);
    assert.match(load.reason, new RegExp(`${platformPackage().replace('/', '\\/')} is not installed`));
  }
});
