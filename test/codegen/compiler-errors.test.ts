/**
 * wampgen never generates from a schema the TypeScript compiler rejects: every syntax error
 * and every semantic error is a diagnostic with file:line:col and the compiler's own message,
 * nothing is written, the exit code says so — in a plain run, with --check and in watch mode
 * (which keeps the last good output). The cases are the ones issue 14 found by hand.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIAGNOSTIC, EXIT, Generator, generate, runCli, formatDiagnostic, type Diagnostic } from '../../codegen/index.js';
import { tempProject } from './helpers.js';

const project = tempProject();
after(() => project.dispose());
let counter = 0;

const GOOD = `/** A record with a status. */
export interface Item {
  id: string;
  status: 'active' | 'archived' | 'draft';
  count: number;
}

/** @wamp.procedures com.example.items */
export interface Items {
  get(id: string): Item;
  ping(): string;
}
`;

/**
 * Each broken variant of GOOD, one of the errors tsc reports for it (checked against tsc 7 by
 * hand: the same messages at the same places), and where (the marker's first occurrence).
 */
const BROKEN = [
  // 'active' | 'archived | 'draft': the string runs to the next quote; the last one is
  // unterminated, and tsc reports that at the end of the line.
  { name: 'an unterminated string literal', source: GOOD.replace("'archived'", "'archived"), message: 'Unterminated string literal. (TS1002)', marker: "\n  count" },
  { name: 'a deleted closing brace', source: GOOD.replace('  count: number;\n}', '  count: number;\n'), message: 'Property or signature expected. (TS1131)', marker: 'export interface Items' },
  { name: '`oops: = ;`', source: GOOD.replace('  count: number;', '  count: number;\n  oops: = ;'), message: 'Type expected. (TS1110)', marker: '= ;' },
  { name: '`ping()): string;`', source: GOOD.replace('ping(): string;', 'ping()): string;'), message: "';' expected. (TS1005)", marker: '): string;' },
] as const;

function at(source: string, needle: string): { line: number; column: number } {
  const index = source.indexOf(needle);
  assert.ok(index >= 0, `marker ${needle} not in source`);
  const before = source.slice(0, index).split('\n');
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}

function caseDir(files: Record<string, string>): string {
  const dir = `case${++counter}`;
  for (const [name, text] of Object.entries(files)) project.write(join(dir, name), text);
  return join(project.dir, dir);
}

async function cli(cwd: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (t) => out.push(t), err: (t) => err.push(t), cwd });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const syntaxErrors = (list: readonly Diagnostic[]): Diagnostic[] => list.filter((d) => d.code === DIAGNOSTIC.syntaxError);

describe('schemas the compiler rejects generate nothing', () => {
  for (const c of BROKEN) {
    test(`${c.name}: the compiler's message at file:line:col, exit 2, nothing written`, async () => {
      const dir = caseDir({ 'schema/items.ts': c.source });
      const r = await cli(dir, 'schema', '-o', 'gen', '--format', 'json');
      assert.equal(r.code, EXIT.schemaErrors, r.err);
      const parsed = JSON.parse(r.out) as { diagnostics: Diagnostic[]; written: string[] };
      const found = syntaxErrors(parsed.diagnostics).find((d) => d.message === c.message);
      assert.ok(found !== undefined, `"${c.message}" among ${parsed.diagnostics.map(formatDiagnostic).join('\n')}`);
      assert.equal(found.file, 'schema/items.ts');
      assert.deepEqual({ line: found.line, column: found.column }, at(c.source, c.marker));
      assert.ok(parsed.diagnostics.every((d) => d.code === DIAGNOSTIC.syntaxError), 'only the compiler\'s syntax errors');
      assert.deepEqual(parsed.written, []);
      assert.equal(existsSync(join(dir, 'gen')), false, 'nothing written');
      assert.ok(parsed.diagnostics.every((d) => d.message !== '' && !/cannot find type ``/.test(d.message)), 'no follow-on noise');
    });
  }

  test('text output: file:line:col - error WG020: the message, and exit 2 with --check too', async () => {
    const dir = caseDir({ 'schema/items.ts': GOOD });
    assert.equal((await cli(dir, 'schema', '-o', 'gen')).code, EXIT.ok);
    writeFileSync(join(dir, 'schema/items.ts'), BROKEN[0].source);
    const check = await cli(dir, 'schema', '-o', 'gen', '--check');
    assert.equal(check.code, EXIT.schemaErrors);
    const { line, column } = at(BROKEN[0].source, BROKEN[0].marker);
    assert.match(check.err, new RegExp(`^schema/items\\.ts:${line}:${column} - error WG020: Unterminated string literal\\. \\(TS1002\\)$`, 'm'));
    const run = await cli(dir, 'schema', '-o', 'gen');
    assert.equal(run.code, EXIT.schemaErrors);
    assert.match(run.err, /nothing written/);
    assert.match(readFileSync(join(dir, 'gen/items.ts'), 'utf8'), /'archived'/, 'the last good output stays');
  });

  test('semantic errors: a violated constraint (Kwargs<string>) is reported with the compiler\'s message', async () => {
    const source = `import type { Kwargs } from 'wampkit/codegen/schema';\n/** @wamp.procedures com.example */\nexport interface Api {\n  f(k: Kwargs<string>): void;\n}\n`;
    const dir = caseDir({ 'schema/api.ts': source });
    const r = await generate({ inputs: [join(dir, 'schema')], outDir: join(dir, 'gen'), cwd: dir });
    assert.equal(r.ok, false);
    const typeError = r.diagnostics.find((d) => d.code === DIAGNOSTIC.typeError);
    assert.equal(typeError?.message, "Type 'string' does not satisfy the constraint 'object'. (TS2344)");
    assert.deepEqual([typeError?.line, typeError?.column], [at(source, 'string>').line, at(source, 'string>').column]);
    assert.equal(existsSync(join(dir, 'gen')), false);
  });

  test('a type error in a schema file that wampgen itself would accept still stops generation', async () => {
    const source = `export interface A { n: number }\nexport const x: A = { n: 'one' };\n`;
    const dir = caseDir({ 'schema/a.ts': source });
    const r = await generate({ inputs: [join(dir, 'schema')], outDir: join(dir, 'gen'), cwd: dir });
    assert.equal(r.ok, false);
    assert.deepEqual(r.diagnostics.map((d) => `${d.code} ${d.line}:${d.column} ${d.message}`), [`${DIAGNOSTIC.typeError} 2:23 Type 'string' is not assignable to type 'number'. (TS2322)`]);
  });

  test('watch mode reports the error, keeps the last good output, and regenerates once fixed', () => {
    const dir = caseDir({ 'schema/items.ts': GOOD, 'schema/other.ts': 'export interface Other { a: string }\n' });
    const gen = new Generator({ inputs: [join(dir, 'schema')], outDir: join(dir, 'gen'), cwd: dir });
    assert.ok(gen.run().ok);
    const good = readFileSync(join(dir, 'gen/items.ts'), 'utf8');
    writeFileSync(join(dir, 'schema/items.ts'), BROKEN[0].source);
    const broken = gen.update([join(dir, 'schema/items.ts')]);
    assert.equal(broken.ok, false);
    assert.deepEqual(broken.written, []);
    assert.ok(syntaxErrors(broken.diagnostics).some((d) => d.message === 'Unterminated string literal. (TS1002)'));
    // Another file changing does not make the broken one's errors disappear or its old model come back.
    writeFileSync(join(dir, 'schema/other.ts'), 'export interface Other { a: string; b?: number }\n');
    const still = gen.update([join(dir, 'schema/other.ts')]);
    assert.equal(still.ok, false, 'the broken file still blocks generation');
    assert.deepEqual(still.written, []);
    assert.equal(readFileSync(join(dir, 'gen/items.ts'), 'utf8'), good, 'the last good output stays');
    writeFileSync(join(dir, 'schema/items.ts'), GOOD.replace('count: number;', 'count: number;\n  label: string;'));
    const fixed = gen.update([join(dir, 'schema/items.ts')]);
    assert.ok(fixed.ok, fixed.diagnostics.map(formatDiagnostic).join('\n'));
    assert.deepEqual(fixed.written, ['catalog.json', 'items.ts', 'other.ts']);
    assert.match(readFileSync(join(dir, 'gen/items.ts'), 'utf8'), /label: string/);
  });

  test('a schema folder outside any project with wampkit installed resolves wampkit/codegen/schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wampgen-alone-'));
    try {
      writeFileSync(join(dir, 'api.ts'), `import type { Kwargs, Progress } from 'wampkit/codegen/schema';\n/** @wamp.procedures com.example */\nexport interface Api {\n  f(k: Kwargs<{ a?: string }>): Progress<number, string>;\n}\n`);
      const r = await generate({ inputs: [join(dir, 'api.ts')], outDir: join(dir, 'gen'), cwd: dir });
      assert.deepEqual(r.diagnostics.map(formatDiagnostic), []);
      assert.match(readFileSync(join(dir, 'gen/api.ts'), 'utf8'), /ProgressiveCall<number, string>/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
