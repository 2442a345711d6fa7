/**
 * The quick start promises that `npm install` at the repository root succeeds without a C++
 * toolchain and says in one line that the TypeScript implementation is used. This runs the
 * root's install step (`node native/scripts/build.mjs --install`) in a copy of the repository's
 * package.json and native/ whose PATH holds node and nothing else: no cmake, no compiler. The
 * checkout's build/ and native/packages/ are not touched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const host = `${process.platform}-${process.arch}`;

test('the install step without cmake or a compiler exits 0 with one line naming the TypeScript fallback', () => {
  const installScript = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['install'];
  assert.equal(installScript, 'node native/scripts/build.mjs --install');
  const work = mkdtempSync(join(tmpdir(), 'wampkit-no-toolchain-'));
  try {
    // The root's package.json and native/ without any built binary, sharing the checkout's node_modules.
    cpSync(join(root, 'package.json'), join(work, 'package.json'));
    cpSync(join(root, 'native'), join(work, 'native'), { recursive: true, filter: (src) => !src.endsWith('.node') && !src.includes(`${sep}build${sep}`) });
    symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'), 'dir');
    // node usually shares /usr/bin with cmake and g++: a directory holding only a link to it.
    mkdirSync(join(work, 'only-node'));
    symlinkSync(process.execPath, join(work, 'only-node', 'node'));
    const env: NodeJS.ProcessEnv = { HOME: process.env['HOME'] ?? work, PATH: join(work, 'only-node') };
    const run = spawnSync(process.execPath, ['native/scripts/build.mjs', '--install'], { cwd: work, env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 0, `install step failed:\n${run.stdout}\n${run.stderr}`);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, 1, run.stdout);
    assert.match(lines[0]!, /^wampkit: NVX native build skipped \(.+\); using the TypeScript implementation\.$/);
    assert.equal(run.stderr.trim(), '', 'nothing else is printed');
    assert.equal(existsSync(join(work, 'native', 'packages', host, 'nvx.node')), false);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
