// `npm run demo` as a newcomer runs it: wampgen, typecheck, embedded router, typed component.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runProgram } from './run-program.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('npm run demo', () => {
  test('generates the stubs, typechecks the component, and runs the seed actions through the router', async () => {
    const scripts = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts;
    assert.match(scripts['demo'] ?? '', /scripts\/demo\.ts/, 'package.json has the demo script');
    const run = await runProgram(npm, ['run', '--silent', 'demo'], { cwd: root, limitMs: 120_000 });
    assert.equal(run.code, 0, run.output);
    const expected = [
      /^\[1\/5\] accelerator: /m,
      /^\[2\/5\] wampgen schemas\/ -> scripts\/demo\/gen\/schemas\/: \d+ procedures, \d+ topics/m,
      /^\[2\/5\] wampgen scripts\/demo\/schema\/ -> scripts\/demo\/gen\/myapp\/: 2 procedures, 1 topics/m,
      /^\[3\/5\] typecheck: /m,
      /^\[4\/5\] embedded router listening on ws:\/\/127\.0\.0\.1:\d+\/ws/m,
      /1\. subscribed to com\.myapp\.hello/,
      /2\. published to com\.myapp\.hello/,
      /Got event: Hello, world!/,
      /3\. registered com\.myapp\.add2/,
      /Got result: 5$/m,
      /countdown\(3\) progressed 3, 2, 1 and returned 'liftoff'/,
      /countdown\(1000\) canceled after 2 steps/,
      /refused by the callee's validation: wamp\.error\.invalid_argument/,
      /schemas\/calculator\.ts: divmod\(17, 5\) = 3 remainder 2/,
      /schemas\/calculator\.ts: div\(1, 0\) threw DivisionByZeroError \(dividend 1\)/,
      /schemas\/calculator\.ts: echo by prefix: hi \(called as com\.example\.calc\.echo\.loud\)/,
      /^demo OK in /m,
    ];
    for (const pattern of expected) assert.match(run.output, pattern);

    // The sample output in README.md is what the demo prints (numbers aside; the accelerator
    // line depends on the machine).
    const sample = /```\n(\[1\/5\][\s\S]*?)```/.exec(readFileSync(`${root}README.md`, 'utf8'))?.[1];
    assert.ok(sample !== undefined, 'README.md shows the demo output');
    const normalize = (text: string): string[] => text.trim().split('\n').filter((l) => !l.startsWith('[1/5]')).map((l) => l.replace(/\d+(\.\d+)?/g, 'N'));
    assert.deepEqual(normalize(run.stdout), normalize(sample));
  });

  test('a bad option is named and exits 2 before doing anything', async () => {
    const run = await runProgram(process.execPath, ['--conditions=@wampkit/source', '--import', 'tsx', 'scripts/demo.ts', '--serializer', 'xml'], { cwd: root, limitMs: 120_000 });
    assert.equal(run.code, 2, run.output);
    assert.match(run.output, /--serializer must be one of json, msgpack, cbor, got xml/);
    assert.doesNotMatch(run.output, /\[1\/5\]/);
  });
});
