#!/usr/bin/env node
// Runs the suite with Node's own test runner (tsx for TypeScript, the "@wampkit/source" export
// condition so `import 'wampkit'` resolves to the TypeScript sources). `--help` prints usage.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The fast unit subset (`--unit`, `npm run test:unit`): test files that exercise modules in this
 * process — message model, serializers, router components, the WebSocket parsers and codecs,
 * the import graph — with no child processes (peers, compilers, npm) and no waiting on timers.
 * A file belongs to it when its path starts with one of these.
 */
const UNIT = [
  'test/errors/',
  'test/structure/',
  'test/wamp/messages-',
  'test/wamp/uris-',
  'test/wamp/session-basic',
  'test/wamp/session-violations',
  'test/wamp/session-encoding',
  'test/serializers/serializers',
  'test/serializers/bigint-values',
  'test/router/advanced-',
  'test/router/router-delivery',
  'test/transports/rawsocket-protocol',
  'test/websocket/frame-',
  'test/websocket/assembler-',
  'test/websocket/deflate-codec',
];

const USAGE = `Usage: node test/run.mjs [--unit] [path-filter ...]

  Runs the test files under test/ (*.test.ts) on Node's test runner, two at a time.

  path-filter   run only files whose path contains one of these (e.g. websocket, router/advanced-)
  --unit        only the fast unit subset (npm run test:unit): files under
                ${UNIT.join('\n                ')}
                (in-process, no peers, compilers or npm; under a minute)
  --help, -h    print this

  npm test runs everything; interop tests skip with a message when a peer is not installed.`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const unit = args.includes('--unit');
const filters = args.filter((a) => a !== '--unit');
const unknown = filters.filter((a) => a.startsWith('-'));
if (unknown.length > 0) {
  console.error(`unknown option ${unknown.join(' ')}\n\n${USAGE}`);
  process.exit(2);
}

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
  .map((f) => f.split(sep).join('/'))
  .filter((f) => !unit || UNIT.some((p) => f.startsWith(p)))
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${[unit ? '--unit' : '', ...filters].join(' ').trim()}`);
  process.exit(1);
}

// The per-test limit also bounds each file as a whole (the runner treats a file as one test):
// 10 minutes, so the heaviest files (packing and installing every package, the NVX suite on an
// arm64 Node under qemu) finish on a loaded 2-core machine, and a hung file still ends.
const FILE_LIMIT_MS = 600_000;
const runnerArgs = [
  '--conditions=@wampkit/source',
  '--import', 'tsx',
  '--test',
  '--test-concurrency=2',
  `--test-timeout=${FILE_LIMIT_MS}`,
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=./test/summary-reporter.mjs', '--test-reporter-destination=stdout',
  ...files,
];
const child = spawn(process.execPath, runnerArgs, { cwd: root, stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : code ?? 1));
