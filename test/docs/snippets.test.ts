// Snippets in the pages no other test covers (README.md, docs/schema.md, docs/accelerator.md,
// docs/wamp-protocol.md) are kept honest here: TypeScript snippets typecheck against the code
// (one tsc run for all of them), schema snippets go through wampgen, commands run.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '../../codegen/index.js';
import { loadConfigFile } from '../../codegen/config.js';
import { SERIALIZERS } from '../../runtime/serializers/index.js';
import { startProgram } from '../examples/run-program.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const blocks = (page: string, lang: string): string[] => [...read(page).matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

/** The one snippet of `page` that contains `marker` (the doc changing shape fails loudly here). */
function snippet(page: string, lang: string, marker: string): string {
  const found = blocks(page, lang).filter((b) => b.includes(marker));
  assert.equal(found.length, 1, `${page} has one \`\`\`${lang} snippet containing ${JSON.stringify(marker)}`);
  return found[0]!;
}

describe('doc snippets', () => {
  let dir: string;
  before(() => {
    // Inside the package so that `wampkit` and its subpaths resolve to the sources.
    dir = mkdtempSync(join(root, '.docs-check-snippets-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('docs/schema.md: the calculator schema generates cleanly, and README.md, schema.md and accelerator.md snippets typecheck against the code', async () => {
    // The schema snippet through wampgen, into the directory the usage snippet imports from.
    mkdirSync(join(dir, 'schemas'));
    writeFileSync(join(dir, 'schemas', 'calculator.ts'), snippet('docs/schema.md', 'ts', '// schemas/calculator.ts'));
    const result = await generate({ inputs: [join(dir, 'schemas')], outDir: join(dir, 'generated'), cwd: root });
    assert.deepEqual(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`), []);
    assert.ok(result.ok);

    const files: Record<string, string> = {
      // The usage snippet talks to some session; the doc leaves out where it came from.
      'schema-usage.ts': `declare const session: import('wampkit').WampSession;\n${snippet('docs/schema.md', 'ts', "from './generated/index.js'")}`,
      'schema-api.ts': snippet('docs/schema.md', 'ts', "from 'wampgen'"),
      'readme.ts': snippet('README.md', 'ts', "from 'wampkit'"),
      'accelerator.ts': snippet('docs/accelerator.md', 'ts', "from 'wampkit/nvx'"),
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), `${text}\nexport {};\n`);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../tsconfig.json', compilerOptions: { rootDir: '..', noEmit: true }, include: ['*.ts', 'generated', 'schemas'] }));
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', timeout: 240_000 });
    assert.equal(tsc.status, 0, `${tsc.stdout}${tsc.stderr}`);
  });

  test('README.md: the "Using it in a project" snippet runs and prints the result of add2', async () => {
    // Tests listen on ephemeral ports only; otherwise the snippet runs as written. It leaves its
    // router running, as an app would, so it is stopped once it printed.
    const code = snippet('README.md', 'ts', "from 'wampkit'");
    assert.match(code, /port: 8080/);
    writeFileSync(join(dir, 'readme-run.ts'), code.replace('port: 8080', 'port: 0'));
    const program = await startProgram(process.execPath, ['--conditions=@wampkit/source', '--import', 'tsx', join(dir, 'readme-run.ts')], { cwd: root, limitMs: 120_000, ready: /^5$/m });
    program.child.kill('SIGTERM');
    await program.finished;
    assert.match(program.output(), /^5$/m);
  });

  test('docs/schema.md: the config file example is a valid wampgen config', () => {
    const path = join(dir, 'wampgen.config.json');
    writeFileSync(path, snippet('docs/schema.md', 'json', '"outDir"'));
    const config = loadConfigFile(path);
    assert.deepEqual(config.inputs, ['schemas']);
    assert.equal(config.outDir, 'src/generated');
  });

  test('docs/wamp-protocol.md: the Serializer interface it shows is what every serializer has', () => {
    const shown = snippet('docs/wamp-protocol.md', 'ts', 'interface Serializer');
    const members = [...shown.matchAll(/(\w+)(?:\(|:)/g)].map((m) => m[1]!).filter((m) => m !== 'msg' && m !== 'data');
    assert.deepEqual(members, ['name', 'id', 'subprotocol', 'isBinary', 'serialize', 'deserialize']);
    const names = /name: ([^;]+);/.exec(shown)![1]!.split('|').map((s) => s.trim().replace(/'/g, ''));
    const ids = /id: ([^;]+);/.exec(shown)![1]!.split('|').map((s) => Number(s.trim()));
    for (const serializer of SERIALIZERS) {
      for (const member of members) assert.ok(member in serializer, `${serializer.name} has ${member}`);
      assert.ok(names.includes(serializer.name));
      assert.ok(ids.includes(serializer.id));
      assert.equal(serializer.subprotocol, `wamp.2.${serializer.name}`);
    }
  });

  test('docs/accelerator.md: the commands that check the active kernel run and agree', (t) => {
    if (!existsSync(join(root, 'runtime', 'dist', 'nvx.js'))) {
      t.skip('runtime/dist/ is not built (npm install builds it through prepare): the commands import the built package');
      return;
    }
    const commands = snippet('docs/accelerator.md', 'sh', 'wampkit/nvx').trim().split('\n');
    assert.equal(commands.length, 2);
    const env = { ...process.env };
    delete env['WAMPKIT_NVX'];
    const plain = spawnSync('sh', ['-c', commands[0]!], { cwd: root, encoding: 'utf8', env, timeout: 60_000 });
    assert.equal(plain.status, 0, plain.stderr);
    const active = plain.stdout.trim().split(' ')[0]!;
    assert.ok(active.length > 0, plain.stdout);
    const debug = spawnSync('sh', ['-c', commands[1]!], { cwd: root, encoding: 'utf8', env, timeout: 60_000 });
    assert.equal(debug.status, 0, debug.stderr);
    if (active === 'ts') return; // without a binary the choice is silent unless a load failed
    assert.match(debug.stderr, new RegExp(`^wampkit: NVX: ${active} \\(`, 'm'));
  });
});
