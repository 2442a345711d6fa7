/**
 * docs/schema.md's examples are real: every schema example is a complete file (it starts with
 * `// schemas/<name>.ts`) and all of them together go through wampgen with no diagnostic; the
 * build-tool snippets typecheck against the plugins. (test/docs/snippets.test.ts typechecks the
 * usage snippet against the calculator's output.)
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate, formatDiagnostic } from '../../codegen/index.js';
import { ROOT } from './helpers.js';

const PAGE = readFileSync(join(ROOT, 'docs/schema.md'), 'utf8');
const TS_BLOCKS = [...PAGE.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
const isSchema = (block: string): boolean => /@wamp\.|from 'wampkit\/codegen\/schema'/.test(block);
const FILE = /^\/\/ (schemas\/[\w-]+\.ts)\n/;

describe('docs/schema.md examples', () => {
  let dir = '';
  // Inside the package, so wampkit and its subpaths resolve to the sources.
  before(() => { dir = mkdtempSync(join(ROOT, '.docs-check-schema-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('every schema example is a whole file, and together they generate with no diagnostic', async () => {
    const schemas = TS_BLOCKS.filter(isSchema);
    assert.ok(schemas.length >= 4, `schema examples found: ${schemas.length}`);
    const names = new Set<string>();
    for (const block of schemas) {
      const name = FILE.exec(block)?.[1];
      assert.ok(name !== undefined, `a schema example that is not a file (start it with // schemas/<name>.ts):\n${block}`);
      assert.ok(!names.has(name), `${name} shown twice`);
      names.add(name);
      mkdirSync(join(dir, 'schemas'), { recursive: true });
      writeFileSync(join(dir, name), block);
    }
    const r = await generate({ inputs: [join(dir, 'schemas')], outDir: join(dir, 'generated'), cwd: dir });
    assert.deepEqual(r.diagnostics.map(formatDiagnostic), []);
    assert.ok(r.written.includes('chat.ts') && r.written.includes('shop.ts'));
  });

  test('the Vite and esbuild snippets typecheck against the plugins', () => {
    const vite = TS_BLOCKS.find((b) => b.startsWith('// vite.config.ts'));
    const esbuild = TS_BLOCKS.find((b) => b.startsWith('// build.ts'));
    assert.ok(vite !== undefined && esbuild !== undefined);
    writeFileSync(join(dir, 'vite.config.ts'), vite);
    writeFileSync(join(dir, 'build.ts'), `${esbuild}\nexport {};\n`);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../tsconfig.json', compilerOptions: { rootDir: '..', noEmit: true }, include: ['vite.config.ts', 'build.ts'] }));
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(tsc.status, 0, `${tsc.stdout}${tsc.stderr}`);
  });
});
