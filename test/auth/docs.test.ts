// docs/authentication.md: its TypeScript snippets typecheck, its JSON configs are valid router
// options, and the documented static config admits the documented clients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeRouterOptions } from '../../runtime/router/config.js';
import { RealmAuth, type RealmAuthConfig } from '../../runtime/auth/router/index.js';
import { ticket, wampcra, cryptosign, scram } from '../../runtime/auth/index.js';
import { runFlow } from './flow.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(join(root, 'docs/authentication.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'runtime', 'package.json'), 'utf8')) as { exports?: Record<string, unknown> };

test('every ts snippet typechecks', () => {
  assert.ok(pkg.exports?.['./auth'] !== undefined && pkg.exports?.['./auth/router'] !== undefined, 'runtime/package.json exports wampkit/auth and wampkit/auth/router');
  const snippets = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(snippets.length >= 6, `found ${snippets.length} snippets`);
  // Inside the package so that 'wampkit/auth' resolves to the sources.
  const dir = mkdtempSync(join(root, '.docs-check-auth-'));
  try {
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../tsconfig.json', compilerOptions: { rootDir: '..' }, include: ['*.ts'] }));
    snippets.forEach((s, i) => writeFileSync(join(dir, `snippet${i}.ts`), `${s}\nexport {};\n`));
    const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const configs = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as unknown);

test('the JSON configs are valid router options', () => {
  assert.equal(configs.length, 2);
  for (const c of configs) normalizeRouterOptions(c);
});

test('the documented static config admits the documented clients and no others', async () => {
  const options = normalizeRouterOptions(configs[0]);
  const realm = new RealmAuth(options.realms[0]!.auth as RealmAuthConfig);
  const seed = '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510';
  const cases = [
    [ticket({ authid: 'joe', ticket: 'secret!!!' }), 'user'],
    [wampcra({ authid: 'peter', secret: 'secret1' }), 'user'],
    [wampcra({ authid: 'alice', secret: 'password1' }), 'user'],
    [cryptosign({ privateKey: seed, authid: 'client01@example.com' }), 'device'],
    [scram({ authid: 'user', password: 'pencil' }), 'frontend'],
  ] as const;
  for (const [client, role] of cases) {
    const r = await runFlow(realm, client);
    assert.equal(r.outcome.kind === 'welcome' && r.outcome.result.authrole, role, `${client.method} ${client.authid}: ${JSON.stringify(r.outcome)}`);
  }
  const wrong = await runFlow(realm, wampcra({ authid: 'alice', secret: 'password2' }));
  assert.equal(wrong.outcome.kind, 'abort');
});
