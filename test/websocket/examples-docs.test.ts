import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('every TypeScript snippet in docs/websocket.md typechecks against the code', async () => {
  const doc = readFileSync(join(root, 'docs/websocket.md'), 'utf8');
  const snippets = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(snippets.length >= 8, `found only ${snippets.length} snippets`);
  // Inside the package so that 'wampkit/websocket' resolves to the sources; outside tsconfig's include.
  const dir = mkdtempSync(join(root, '.docs-check-'));
  try {
    snippets.forEach((code, i) => writeFileSync(join(dir, `snippet${i}.ts`), `${code}\nexport {};\n`));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: '../tsconfig.json', compilerOptions: { rootDir: '..' }, include: ['*.ts'] }),
    );
    const result = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')],
        { cwd: root, timeout: 60_000 },
        (err, stdout, stderr) => resolve({ code: err === null ? 0 : 1, out: stdout + stderr }),
      );
    });
    assert.equal(result.code, 0, result.out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
