/**
 * Golden tests: each case's schema in, its expected output beside it, byte for byte.
 * Regenerate the goldens after an intended change with: UPDATE_GOLDEN=1 node test/run.mjs codegen/golden
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { generate } from '../../codegen/index.js';
import { formatDiagnostic } from '../../codegen/diagnostics.js';
import { ROOT, tempProject } from './helpers.js';

const CASES = [
  { name: 'examples', schema: join(ROOT, 'schemas') },
  { name: 'edge', schema: join(ROOT, 'test/codegen/fixtures/edge/schema') },
  { name: 'language', schema: join(ROOT, 'test/codegen/fixtures/language/schema') },
];

function listFiles(dir: string, base = dir, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) listFiles(full, base, out);
    else out.push(relative(base, full));
  }
  return out;
}

const read = (dir: string): Map<string, string> => new Map(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

describe('wampgen golden output', () => {
  for (const c of CASES) {
    const expectedDir = join(ROOT, 'test/codegen/fixtures', c.name, 'expected');
    test(`${c.name}: generated files equal the goldens`, async () => {
      if (process.env['UPDATE_GOLDEN'] === '1') {
        const r = await generate({ inputs: [c.schema], outDir: expectedDir, cwd: ROOT, clean: true });
        assert.deepEqual(r.diagnostics.map(formatDiagnostic), []);
      }
      const tmp = tempProject();
      try {
        const r = await generate({ inputs: [c.schema], outDir: join(tmp.dir, 'out'), cwd: ROOT });
        assert.deepEqual(r.diagnostics.map(formatDiagnostic), []);
        const got = read(join(tmp.dir, 'out'));
        const want = read(expectedDir);
        assert.deepEqual([...got.keys()], [...want.keys()], 'the same set of files');
        for (const [file, text] of want) assert.equal(got.get(file), text, `${c.name}/${file} differs (UPDATE_GOLDEN=1 to accept)`);
      } finally {
        tmp.dispose();
      }
    });
  }

  test('output is deterministic: a second run writes nothing and input order does not matter', async () => {
    const tmp = tempProject();
    try {
      const files = readdirSync(join(ROOT, 'schemas')).map((f) => join(ROOT, 'schemas', f));
      const out = join(tmp.dir, 'out');
      const first = await generate({ inputs: files, outDir: out, cwd: ROOT });
      assert.ok(first.written.length > 0);
      const again = await generate({ inputs: [...files].reverse(), outDir: out, cwd: ROOT });
      assert.deepEqual(again.written, []);
      assert.equal(again.unchanged.length, first.written.length);
      for (const [file, text] of read(out)) {
        assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}T\d{2}/, `${file}: no timestamps`);
        if (file.endsWith('.ts')) assert.doesNotMatch(text, /:\s*any\b|<any>|\bas any\b|\bany\[\]/, `${file}: no any`);
      }
    } finally {
      tmp.dispose();
    }
  });
});
