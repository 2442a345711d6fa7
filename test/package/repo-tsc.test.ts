/**
 * The repository's `tsc` (node_modules/.bin/tsc, what `npm run build` and `npm run typecheck`
 * run) is TypeScript 7, the `typescript` devDependency. The `typescript5` alias (TypeScript 5,
 * for test/codegen/tsconfig-matrix.test.ts) declares a `tsc` bin too: a clean `npm ci` links
 * `typescript`'s (npm links bins in path order and the first link of a name stays), but an
 * `npm install` that adds or updates only the alias links the alias's over it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIX = 'relink it with `npm rebuild typescript`, or reinstall with `rm -rf node_modules && npm ci`';

test('node_modules/.bin/tsc is the typescript devDependency (TypeScript 7), not the typescript5 alias', () => {
  const bin = join(ROOT, 'node_modules', '.bin', 'tsc');
  assert.ok(existsSync(bin), 'node_modules/.bin/tsc exists (npm install links it)');
  const target = realpathSync(bin);
  assert.ok(target.startsWith(join(ROOT, 'node_modules', 'typescript') + sep), `node_modules/.bin/tsc points at ${target}: ${FIX}`);
  const version = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(version.status, 0, version.stderr);
  assert.match(version.stdout, /^Version 7\./, `${version.stdout.trim()}: ${FIX}`);
});
