// The WAMP feature examples (seed in Component style, progressive/cancel, authentication), run
// as a user runs them. examples/wamp/*.ts are run by test/router/examples.test.ts.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runProgram } from './run-program.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsx = ['--import', 'tsx'];
const LIMIT_MS = 120_000;

describe('examples/wamp-seed and examples/wamp-features', { concurrency: true }, () => {
  test('wamp-seed/component.ts: subscribe, publish, register add2, call add2 in the Component style', async () => {
    const run = await runProgram(process.execPath, [...tsx, 'examples/wamp-seed/component.ts'], { cwd: root, limitMs: LIMIT_MS });
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(run.stdout.trim().split('\n').slice(1).map((l) => l.replace(/\d{3,}/, 'N')), [
      'joined realm realm1 as session N',
      'Got event: Hello, world!',
      'Got result: 5',
      'done',
    ]);
  });

  test('wamp-seed/component.ts with --url of a dead router fails instead of hanging', async () => {
    const run = await runProgram(process.execPath, [...tsx, 'examples/wamp-seed/component.ts', '--url', 'ws://127.0.0.1:1/ws'], { cwd: root, limitMs: LIMIT_MS });
    assert.notEqual(run.code, 0, run.output);
    assert.match(run.output, /cannot connect/);
  });

  test('wamp-features/progressive.ts: progressive results to the end, then a cancel the callee sees', async () => {
    const run = await runProgram(process.execPath, [...tsx, 'examples/wamp-features/progressive.ts'], { cwd: root, limitMs: LIMIT_MS });
    assert.equal(run.code, 0, run.output);
    assert.match(run.stdout, /^countdown\(3\): progress 3, 2, 1, result liftoff$/m);
    assert.match(run.stdout, /^callee: interrupted at \d+, stopping$/m);
    assert.match(run.stdout, /^countdown\(1000\): canceled after 3 progressive results \(AbortError\)$/m);
    assert.match(run.stdout, /^done$/m);
  });

  test('wamp-features/auth.ts: WAMP-CRA and Cryptosign join with their roles; a wrong password is refused', async () => {
    const run = await runProgram(process.execPath, [...tsx, 'examples/wamp-features/auth.ts'], { cwd: root, limitMs: LIMIT_MS });
    assert.equal(run.code, 0, run.output);
    assert.match(run.stdout, /^wampcra: joined as alice \(role user, method wampcra\)$/m);
    assert.match(run.stdout, /^cryptosign: joined as sensor-7 \(role device, method cryptosign\)$/m);
    assert.match(run.stdout, /^wrong password: refused: wamp\.error\.authentication_failed/m);
    assert.match(run.stdout, /^OK$/m);
  });
});
