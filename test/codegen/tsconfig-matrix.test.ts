/**
 * The generated code compiles cleanly wherever users put it: under the strictest flags people
 * turn on, under the `tsc --init` defaults of TypeScript 7.x (the `typescript` package) and 5.x
 * (the `typescript5` alias), each in an ES module project and in a `"type": "commonjs"` one.
 * `wampkit` is installed the way a user gets it: a package whose `wampkit/stubs` export points
 * at declaration files, built here once from runtime/stubs.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../../codegen/index.js';
import { formatDiagnostic } from '../../codegen/diagnostics.js';
import { ROOT } from './helpers.js';

const TSC = { 7: join(ROOT, 'node_modules/typescript/bin/tsc'), 5: join(ROOT, 'node_modules/typescript5/bin/tsc') } as const;

/** Every strictness flag of the issue, and the rest of the strict family. */
const STRICTEST = {
  strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, noPropertyAccessFromIndexSignature: true,
  verbatimModuleSyntax: true, isolatedModules: true, noUnusedLocals: true, noUnusedParameters: true, noImplicitReturns: true,
  noImplicitOverride: true, noFallthroughCasesInSwitch: true, useUnknownInCatchVariables: true, noUncheckedSideEffectImports: true,
  module: 'nodenext', target: 'es2022', lib: ['es2023', 'dom'], types: [], skipLibCheck: false, noEmit: true,
};

const SCHEMAS = [['examples', 'schemas'], ['edge', 'test/codegen/fixtures/edge/schema'], ['language', 'test/codegen/fixtures/language/schema']] as const;

/** A user program in an ES module project: the generated API as seen from outside. */
const USE_ESM = `
import type { WampSession } from 'wampkit/stubs';
import { CalculatorCaller, DivisionByZeroError, registerCalculator, subscribeChat, type ChatMessage } from './out/examples/index.js';

export async function use(session: WampSession): Promise<number> {
  const calc = new CalculatorCaller(session, { timeout: 1000 });
  const sum: number = await calc.add2(1, 2, { signal: AbortSignal.timeout(5000) });
  const total: number = await calc.sum([1, 2]) + await calc.with({ discloseMe: true }).sum([3], { decimals: 1 });
  const [q, r]: [number, number] = await calc.divmod(7, 2);
  const countdown = calc.countdown(3);
  for await (const n of countdown) void (n satisfies number);
  const done: 'done' = await countdown.result;
  try {
    await calc.div(1, 0);
  } catch (e) {
    if (e instanceof DivisionByZeroError) return e.detail.dividend;
  }
  await registerCalculator(session, {
    add2: (x, y) => x + y,
    div: (x, y) => x / y,
    divmod: async (x, y) => [Math.floor(x / y), x % y],
    sum: (values, options) => values.length + (options.decimals ?? 0),
    async *countdown(from) { yield from; return 'done'; },
    echo: (text, details) => details.procedure + text,
  });
  await subscribeChat(session, { message: (m: ChatMessage, details) => void [m.text, details.topic] }, { onInvalid: (e) => void e.issues });
  return sum + total + q + r + done.length;
}
`;

/** The same from a CommonJS module (verbatimModuleSyntax: import = require, export =). */
const USE_CJS = `
import type { WampSession } from 'wampkit/stubs';
import examples = require('./out/examples/index.js');

async function use(session: WampSession): Promise<number> {
  const calc = new examples.CalculatorCaller(session, { timeout: 1000 });
  const [q, r]: [number, number] = await calc.divmod(7, 2);
  return q + r + await calc.sum([1, 2]);
}
export = use;
`;

interface Variant {
  readonly name: string;
  readonly tsc: 5 | 7;
  readonly type: 'module' | 'commonjs';
  /** Explicit compiler options, or undefined for what `tsc --init` writes. */
  readonly options?: Record<string, unknown>;
}

const VARIANTS: readonly Variant[] = [
  { name: 'strictest flags, ESM (tsc 7)', tsc: 7, type: 'module', options: STRICTEST },
  { name: 'strictest flags, "type": "commonjs" (tsc 7)', tsc: 7, type: 'commonjs', options: STRICTEST },
  { name: 'tsc --init of TypeScript 7, ESM', tsc: 7, type: 'module' },
  { name: 'tsc --init of TypeScript 7, "type": "commonjs"', tsc: 7, type: 'commonjs' },
  { name: 'tsc --init of TypeScript 5, ESM', tsc: 5, type: 'module' },
  { name: 'tsc --init of TypeScript 5, "type": "commonjs"', tsc: 5, type: 'commonjs' },
];

let base = '';

/**
 * node_modules with zod (symlinked) and wampkit as installed: the declarations of wampkit/stubs
 * compiled from runtime/ into dist/, and the library's own exports entry for it (runtime/package.json)
 * without the repository's source condition.
 */
function installWampkit(dir: string): void {
  const modules = join(dir, 'node_modules');
  mkdirSync(modules, { recursive: true });
  symlinkSync(join(ROOT, 'node_modules', 'zod'), join(modules, 'zod'), 'dir');
  const pkg = join(modules, 'wampkit');
  const built = spawnSync(process.execPath, [
    TSC[7], '--ignoreConfig', join(ROOT, 'runtime/stubs/index.ts'), '--declaration', '--emitDeclarationOnly', '--outDir', join(pkg, 'dist'),
    '--rootDir', join(ROOT, 'runtime'), '--module', 'nodenext', '--target', 'es2022', '--lib', 'es2023,dom', '--types', '', '--strict', '--skipLibCheck',
  ], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(built.status, 0, `declarations of runtime/stubs build: ${built.stdout}${built.stderr}`);
  const library = JSON.parse(readFileSync(join(ROOT, 'runtime/package.json'), 'utf8')) as { exports: Record<string, Record<string, string>> };
  const { '@wampkit/source': _source, ...stubs } = library.exports['./stubs'] ?? {};
  assert.ok(existsSync(join(pkg, stubs.types ?? 'no types entry')), `wampkit/stubs declares its types at ${stubs.types}`);
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'wampkit', version: '0.0.0-test', type: 'module', exports: { './stubs': stubs } }, null, 2));
}

function run(cmd: string[], cwd: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, cmd, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const timer = setTimeout(() => child.kill(), 240_000);
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, output }); });
  });
}

async function project(v: Variant, index: number): Promise<{ dir: string; tsc: string }> {
  const dir = join(base, `p${index}`);
  mkdirSync(dir);
  symlinkSync(join(base, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `p${index}`, private: true, type: v.type }));
  for (const [name, schema] of SCHEMAS) {
    const r = await generate({ inputs: [join(ROOT, schema)], outDir: join(dir, 'out', name), cwd: ROOT });
    assert.deepEqual(r.diagnostics.map(formatDiagnostic), []);
  }
  writeFileSync(join(dir, 'use.ts'), v.type === 'module' ? USE_ESM : USE_CJS);
  if (v.options !== undefined) {
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: v.options, include: ['out/**/*.ts', 'use.ts'] }, null, 2));
  } else {
    const init = spawnSync(process.execPath, [TSC[v.tsc], '--init'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    assert.equal(init.status, 0, init.stdout);
  }
  return { dir, tsc: TSC[v.tsc] };
}

describe('generated code under every tsconfig users have', () => {
  before(() => {
    base = mkdtempSync(join(tmpdir(), 'wampgen-matrix-'));
    installWampkit(base);
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  VARIANTS.forEach((v, i) => {
    test(v.name, async (t) => {
      if (!existsSync(TSC[v.tsc])) return t.skip(`TypeScript ${v.tsc} is not installed (npm install adds the typescript5 alias)`);
      const { dir, tsc } = await project(v, i);
      const r = await run([tsc, '-p', join(dir, 'tsconfig.json'), '--noEmit'], dir);
      assert.equal(r.output.trim(), '', 'no compiler output at all');
      assert.equal(r.status, 0);
    });
  });

  test('the matrix is able to fail: a type error beside the generated code is reported', async () => {
    const { dir, tsc } = await project(VARIANTS[0] ?? assert.fail('no variants'), VARIANTS.length);
    writeFileSync(join(dir, 'out/broken.ts'), "import type { User } from './examples/common.js';\nexport const u: User = { id: 1 };\n");
    const r = await run([tsc, '-p', join(dir, 'tsconfig.json'), '--noEmit'], dir);
    assert.match(r.output, /out\/broken\.ts\(2,/);
    assert.notEqual(r.status, 0);
  });
});
