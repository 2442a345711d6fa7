import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { usableKernels } from '../../runtime/accel/select.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): SpawnSyncReturns<string> {
  const env = { ...process.env };
  delete env.WAMPKIT_NVX;
  delete env.WAMPKIT_NVX_DEBUG;
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs });
}

function skipReason(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return 'the package ships a prebuilt binary for linux-x64 only';
  if (!existsSync(join(root, 'dist', 'runtime', 'nvx.js'))) return 'dist/ is not built (npm run build; npm install does it through prepare)';
  if (usableKernels().length === 0) return 'the NVX addon cannot be built or loaded here (npm run build:native)';
  return undefined;
}

test('a packed tarball installed without install scripts loads the native kernel from its prebuild', { skip: skipReason() }, () => {
  const work = mkdtempSync(join(tmpdir(), 'wampkit-nvx-pack-'));
  try {
    // What `prepack` does (npm pack runs it); done here so this test does not also depend on
    // `prepare` rebuilding dist/ from everyone's sources.
    const prebuild = run(process.execPath, [join(root, 'native', 'scripts', 'build.mjs'), '--prebuild'], root, 120_000);
    assert.equal(prebuild.status, 0, `prebuild failed: ${prebuild.stderr}`);
    const pack = run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], root, 60_000);
    assert.equal(pack.status, 0, `npm pack failed: ${pack.stderr}`);
    const packed = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const tarball = join(work, packed[0]!.filename.replace(/^@[^/]+\//, '').replace('/', '-'));
    assert.ok(packed[0]!.files.some((f) => f.path === 'native/prebuilds/linux-x64/nvx.node'), 'the prebuild is in the tarball');

    const project = join(work, 'project');
    run('mkdir', ['-p', project], work, 5_000);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'nvx-probe', version: '1.0.0', private: true, type: 'module' }));
    const install = run(
      npm,
      ['install', tarball, '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', '--omit=dev'],
      project,
      120_000,
    );
    assert.equal(install.status, 0, `npm install failed: ${install.stderr}`);
    const installed = join(project, 'node_modules', 'wampkit');
    assert.equal(existsSync(join(installed, 'build')), false, 'nothing was built: no install script ran');

    const probe = run(process.execPath, ['-e', "import('wampkit/nvx').then(m => console.log(m.implementation))"], project, 30_000);
    assert.equal(probe.status, 0, probe.stderr);
    assert.equal(probe.stdout.trim(), usableKernels()[0], `the best kernel loads from the prebuild (stderr: ${probe.stderr})`);
    assert.equal(probe.stderr.trim(), '', 'no fallback message');
    assert.ok(readdirSync(join(installed, 'native', 'prebuilds')).includes('linux-x64'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
