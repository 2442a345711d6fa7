#!/usr/bin/env node
// Runs the whole suite with Node's own test runner (tsx for TypeScript, the "@wampkit/source"
// export condition so `import 'wampkit'` resolves to the TypeScript sources).
// Usage: node test/run.mjs [path-filter ...]   e.g. node test/run.mjs websocket
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const filters = process.argv.slice(2);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, full));
  }
  return out;
}

const files = walk(join(root, 'test'), [])
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}

// The per-test limit also bounds each file as a whole (the runner treats a file as one test):
// 10 minutes, so the heaviest files (packing and installing every package, the NVX suite on an
// arm64 Node under qemu) finish on a loaded 2-core machine, and a hung file still ends.
const FILE_LIMIT_MS = 600_000;
const args = [
  '--conditions=@wampkit/source',
  '--import', 'tsx',
  '--test',
  '--test-concurrency=2',
  `--test-timeout=${FILE_LIMIT_MS}`,
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=./test/summary-reporter.mjs', '--test-reporter-destination=stdout',
  ...files,
];
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : code ?? 1));
