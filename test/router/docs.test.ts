// The TypeScript snippets in docs/wamp-client.md and docs/router.md typecheck against the code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('docs/wamp-client.md and docs/router.md: every ts snippet typechecks', () => {
  {
    const snippets: string[] = [];
    for (const doc of ['docs/wamp-client.md', 'docs/router.md']) {
      const text = readFileSync(join(root, doc), 'utf8');
      const found = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
      assert.ok(found.length >= 1, `${doc} has snippets`);
      snippets.push(...found);
    }
    // Inside the package so that 'wampkit' and 'wampkit/router' resolve to the sources.
    const dir = mkdtempSync(join(root, '.docs-check-wamp-'));
    try {
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../tsconfig.json', compilerOptions: { rootDir: '..' }, include: ['*.ts'] }));
      snippets.forEach((s, i) => writeFileSync(join(dir, `snippet${i}.ts`), `${s}\nexport {};\n`));
      const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('docs/router.md: the configuration file examples are valid router options', async () => {
  const text = readFileSync(join(root, 'docs/router.md'), 'utf8');
  const blocks = [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.equal(blocks.length, 3);
  const { normalizeRouterOptions } = await import('../../runtime/router/config.js');
  const options = normalizeRouterOptions(JSON.parse(blocks[0]!));
  assert.equal(options.realms.length, 2);
  assert.equal(options.listeners.length, 3);
  const withAuth = normalizeRouterOptions(JSON.parse(blocks[1]!));
  assert.deepEqual(Object.keys(withAuth.realms[0]!.auth ?? {}).sort(), ['anonymous', 'ticket']);
  const withRoles = normalizeRouterOptions(JSON.parse(blocks[2]!));
  assert.deepEqual(withRoles.realms[0]!.authorization?.roles.map((r) => r.name), ['admin', 'frontend', 'backend']);
  assert.equal(withRoles.realms[0]!.retention?.maxTopics, 10000);
});
