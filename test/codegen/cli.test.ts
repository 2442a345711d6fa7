/**
 * The wampgen command line (exit codes, --check, --clean, --format json, config file) and the
 * incremental regeneration behind --watch.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, EXIT, Generator } from '../../codegen/index.js';
import { watchSchemas } from '../../codegen/watch.js';
import { ROOT, tempProject } from './helpers.js';

const CALC = `/** @wamp.procedures com.example.calc */
export interface Calc {
  add2(x: number, y: number): number;
}
`;
const SHARED = `export interface Point { x: number; y: number }\n`;
const GEO = `import type { Point } from './shared.js';
/** @wamp.topics com.example.geo */
export interface Geo {
  moved(p: Point): void;
}
`;

const project = tempProject();
after(() => project.dispose());
let n = 0;

function setup(): { dir: string; cli: (...args: string[]) => Promise<{ code: number; out: string; err: string }> } {
  const dir = join(project.dir, `p${++n}`);
  project.write(`p${n}/schema/calc.ts`, CALC);
  project.write(`p${n}/schema/shared.ts`, SHARED);
  project.write(`p${n}/schema/geo.ts`, GEO);
  const cli = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(args, { out: (t) => out.push(t), err: (t) => err.push(t), cwd: dir });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  return { dir, cli };
}

describe('wampgen CLI', () => {
  test('generates, then --check passes; exit 0', async () => {
    const { dir, cli } = setup();
    const first = await cli('schema', '-o', 'gen');
    assert.equal(first.code, EXIT.ok, first.err);
    assert.ok(existsSync(join(dir, 'gen/calc.ts')));
    assert.ok(existsSync(join(dir, 'gen/catalog.json')));
    const check = await cli('schema', '-o', 'gen', '--check');
    assert.equal(check.code, EXIT.ok);
    assert.match(check.err, /up to date/);
  });

  test('--check exits 1 and names the stale files, writing nothing', async () => {
    const { dir, cli } = setup();
    await cli('schema', '-o', 'gen');
    writeFileSync(join(dir, 'schema/calc.ts'), CALC.replace('add2', 'add3'));
    const before = readFileSync(join(dir, 'gen/calc.ts'), 'utf8');
    const check = await cli('schema', '-o', 'gen', '--check');
    assert.equal(check.code, EXIT.stale);
    assert.match(check.err, /stale in gen: calc\.ts, catalog\.json/);
    assert.equal(readFileSync(join(dir, 'gen/calc.ts'), 'utf8'), before);
  });

  test('--clean removes generated files whose schema is gone, and nothing else', async () => {
    const { dir, cli } = setup();
    await cli('schema', '-o', 'gen');
    writeFileSync(join(dir, 'gen/handwritten.ts'), 'export const mine = 1;\n');
    project.write(`p${n}/schema/geo.ts`, '');
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'schema/geo.ts'));
    const check = await cli('schema', '-o', 'gen', '--clean', '--check');
    assert.equal(check.code, EXIT.stale);
    assert.match(check.err, /geo\.ts/);
    const r = await cli('schema', '-o', 'gen', '--clean');
    assert.equal(r.code, EXIT.ok);
    assert.equal(existsSync(join(dir, 'gen/geo.ts')), false);
    assert.equal(existsSync(join(dir, 'gen/handwritten.ts')), true);
  });

  test('--format json prints machine-readable diagnostics; schema errors exit 2', async () => {
    const { dir, cli } = setup();
    writeFileSync(join(dir, 'schema/calc.ts'), CALC.replace('y: number', 'y: any'));
    const r = await cli('schema', '-o', 'gen', '--format', 'json');
    assert.equal(r.code, EXIT.schemaErrors);
    const parsed = JSON.parse(r.out) as { ok: boolean; diagnostics: { code: string; file: string; line: number; column: number }[] };
    assert.equal(parsed.ok, false);
    assert.deepEqual(parsed.diagnostics.map((d) => `${d.code} ${d.file}:${d.line}:${d.column}`), ['WG002 schema/calc.ts:3:22']);
    assert.equal(existsSync(join(dir, 'gen')), false);
  });

  test('bad usage and bad configuration exit 3, naming the bad value', async () => {
    const { dir, cli } = setup();
    assert.equal((await cli('schema')).code, EXIT.usage);
    assert.equal((await cli('--nope')).code, EXIT.usage);
    const fmt = await cli('schema', '-o', 'gen', '--format', 'xml');
    assert.equal(fmt.code, EXIT.usage);
    assert.match(fmt.err, /"xml"/);
    const ser = await cli('schema', '-o', 'gen', '--serializers', 'json,yaml');
    assert.equal(ser.code, EXIT.usage);
    assert.match(ser.err, /"yaml"/);
    writeFileSync(join(dir, 'wampgen.config.json'), '{ "inputs": ["schema"], "out": "x" }');
    const cfg = await cli();
    assert.equal(cfg.code, EXIT.usage);
    assert.match(cfg.err, /unknown key "out"/);
  });

  test('a missing input folder is a usage error (exit 3) naming it, not a schema diagnostic', async () => {
    const { cli } = setup();
    const r = await cli('nosuchdir', '-o', 'gen');
    assert.equal(r.code, EXIT.usage);
    assert.match(r.err, /input "nosuchdir" does not exist/);
    assert.doesNotMatch(r.err, /WG018|nosuchdir:1:1/);
  });

  test('--check --format json lists what is out of date under stale, never under written', async () => {
    const { dir, cli } = setup();
    await cli('schema', '-o', 'gen');
    writeFileSync(join(dir, 'schema/calc.ts'), CALC.replace('add2', 'add3'));
    const r = await cli('schema', '-o', 'gen', '--check', '--format', 'json');
    assert.equal(r.code, EXIT.stale);
    const parsed = JSON.parse(r.out) as { written: string[]; stale: string[]; removed: string[] };
    assert.deepEqual(parsed.written, []);
    assert.deepEqual(parsed.removed, []);
    assert.deepEqual(parsed.stale, ['calc.ts', 'catalog.json']);
  });

  test('a wampgen.config.json supplies inputs, output and options', async () => {
    const { dir, cli } = setup();
    writeFileSync(join(dir, 'wampgen.config.json'), JSON.stringify({ inputs: ['schema'], outDir: 'from-config', runtimeImport: '../runtime/stubs/index.js' }));
    const r = await cli();
    assert.equal(r.code, EXIT.ok, r.err);
    assert.match(readFileSync(join(dir, 'from-config/calc.ts'), 'utf8'), /from '\.\.\/runtime\/stubs\/index\.js'/);
  });
});

describe('the output folder is ESM in any project', () => {
  test('a "type": "commonjs" project gets a package.json marker in the output folder; an ESM project none', async () => {
    const { dir, cli } = setup();
    writeFileSync(join(dir, 'package.json'), '{ "name": "app", "type": "commonjs" }\n');
    assert.equal((await cli('schema', '-o', 'gen')).code, EXIT.ok);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'gen/package.json'), 'utf8')), { '//': 'Generated by wampgen: the generated modules are ES modules. Do not edit.', type: 'module' });
    writeFileSync(join(dir, 'package.json'), '{ "name": "app", "type": "module" }\n');
    const again = await cli('schema', '-o', 'gen', '--clean');
    assert.equal(again.code, EXIT.ok, again.err);
    assert.equal(existsSync(join(dir, 'gen/package.json')), false, 'clean removes the marker once the project is ESM');
  });

  test('an output folder holding a package.json of the user\'s that is not ESM is a usage error', async () => {
    const { dir, cli } = setup();
    project.write(`p${n}/gen/package.json`, '{ "name": "mine" }\n');
    const r = await cli('schema', '-o', 'gen');
    assert.equal(r.code, EXIT.usage);
    assert.match(r.err, /gen\/package\.json is not "type": "module"/);
    assert.equal(readFileSync(join(dir, 'gen/package.json'), 'utf8'), '{ "name": "mine" }\n');
  });
});

describe('incremental regeneration (watch mode)', () => {
  test('one changed file re-renders only what depends on it and writes only changed files', () => {
    const { dir } = setup();
    const gen = new Generator({ inputs: [join(dir, 'schema')], outDir: join(dir, 'gen'), cwd: dir });
    const first = gen.run();
    assert.ok(first.ok);
    writeFileSync(join(dir, 'schema/calc.ts'), CALC.replace('add2', 'add3'));
    const second = gen.update([join(dir, 'schema/calc.ts')]);
    assert.deepEqual(second.written, ['calc.ts', 'catalog.json']);
    assert.match(readFileSync(join(dir, 'gen/calc.ts'), 'utf8'), /add3/);
    writeFileSync(join(dir, 'schema/shared.ts'), SHARED.replace('y: number', 'y: number; z?: number'));
    const third = gen.update([join(dir, 'schema/shared.ts')]);
    assert.deepEqual(third.written, ['catalog.json', 'shared.ts']);
    writeFileSync(join(dir, 'schema/shared.ts'), 'export interface Moved { x: number }\n');
    const broken = gen.update([join(dir, 'schema/shared.ts')]);
    assert.equal(broken.ok, false, 'geo.ts depends on shared.ts and is re-checked');
    assert.ok(broken.diagnostics.some((d) => d.file.endsWith('geo.ts')));
  });

  test('with clean, deleting a schema file removes its generated module', async () => {
    const { dir } = setup();
    const gen = new Generator({ inputs: [join(dir, 'schema')], outDir: join(dir, 'gen'), cwd: dir, clean: true });
    assert.ok(gen.run().ok);
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'schema/calc.ts'));
    const r = gen.update([join(dir, 'schema/calc.ts')]);
    assert.ok(r.ok);
    assert.deepEqual(r.removed, ['calc.ts']);
    assert.equal(existsSync(join(dir, 'gen/calc.ts')), false);
    assert.doesNotMatch(readFileSync(join(dir, 'gen/index.ts'), 'utf8'), /calc/);
  });

  test('changes made while the schema set has errors are written once it is fixed', () => {
    const { dir } = setup();
    const gen = new Generator({ inputs: [join(dir, 'schema')], outDir: join(dir, 'gen'), cwd: dir });
    assert.ok(gen.run().ok);
    writeFileSync(join(dir, 'schema/calc.ts'), CALC.replace('y: number', 'y: any'));
    assert.equal(gen.update([join(dir, 'schema/calc.ts')]).ok, false);
    writeFileSync(join(dir, 'schema/shared.ts'), SHARED.replace('y: number', 'y: number; label: string'));
    assert.equal(gen.update([join(dir, 'schema/shared.ts')]).ok, false);
    writeFileSync(join(dir, 'schema/calc.ts'), CALC);
    const fixed = gen.update([join(dir, 'schema/calc.ts')]);
    assert.ok(fixed.ok);
    assert.ok(fixed.written.includes('shared.ts'), `shared.ts written, got ${fixed.written.join(', ')}`);
    assert.match(readFileSync(join(dir, 'gen/shared.ts'), 'utf8'), /label: string/);
  });

  test('watchSchemas regenerates after a file changes on disk', async () => {
    const { dir } = setup();
    const gen = new Generator({ inputs: [join(dir, 'schema')], outDir: join(dir, 'gen'), cwd: dir });
    gen.run();
    const seen: string[][] = [];
    const watcher = watchSchemas(gen, (result) => { seen.push(result.written); }, 20);
    try {
      await new Promise((r) => setTimeout(r, 50));
      writeFileSync(join(dir, 'schema/calc.ts'), CALC.replace('add2', 'mul2'));
      for (let i = 0; i < 200 && !seen.some((w) => w.includes('calc.ts')); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(seen.some((w) => w.includes('calc.ts')), 'regenerated calc.ts');
      assert.match(readFileSync(join(dir, 'gen/calc.ts'), 'utf8'), /mul2/);
    } finally {
      watcher.close();
    }
  });

  test('the bin launcher runs the CLI (from the sources under the repository\'s @wampkit/source condition)', async () => {
    const { spawnSync } = await import('node:child_process');
    const args = ['--conditions=@wampkit/source', '--import', 'tsx', join(ROOT, 'codegen/bin/wampgen.mjs'), '--help'];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /usage: wampgen/);
  });
});
