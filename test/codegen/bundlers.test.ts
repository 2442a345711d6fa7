/**
 * The build-step integrations with the real bundlers from npm, on examples/codegen-browser
 * (a browser app that bundles the generated stubs): the Vite plugin generates at build start
 * and regenerates on a schema change in the dev server; the esbuild plugin generates at build
 * start; a schema error fails either build with wampgen's diagnostics.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wampgen as viteWampgen } from '../../codegen/vite.js';
import { wampgen as esbuildWampgen } from '../../codegen/esbuild.js';
import { ROOT } from './helpers.js';

const EXAMPLE = join(ROOT, 'examples/codegen-browser');
let base = '';
let n = 0;

/** A copy of the example app whose node_modules resolve wampkit and wampgen (this checkout's runtime/ and codegen/), zod and the bundlers. */
function app(): string {
  const dir = join(base, `app${++n}`);
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !/[/\\](generated|dist)$/.test(src) });
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(join(ROOT, 'runtime'), join(dir, 'node_modules/wampkit'), 'dir');
  symlinkSync(join(ROOT, 'codegen'), join(dir, 'node_modules/wampgen'), 'dir');
  for (const dep of ['zod', 'vite', 'esbuild']) symlinkSync(join(ROOT, 'node_modules', dep), join(dir, 'node_modules', dep), 'dir');
  writeFileSync(join(dir, 'package.json'), '{ "name": "codegen-browser", "private": true, "type": "module" }\n');
  return dir;
}

const BROKEN = (dir: string): void => writeFileSync(join(dir, 'schema/greeter.ts'), readFileSync(join(dir, 'schema/greeter.ts'), 'utf8').replace(/greet\(\w+: string,/, '$&,'));

function bundleText(dir: string): string {
  const out = join(dir, 'dist');
  const files: string[] = [];
  const walk = (d: string): void => { for (const f of readdirSync(d, { withFileTypes: true })) f.isDirectory() ? walk(join(d, f.name)) : files.push(join(d, f.name)); };
  walk(out);
  return files.filter((f) => f.endsWith('.js')).map((f) => readFileSync(f, 'utf8')).join('\n');
}

describe('bundler plugins on the browser example', () => {
  before(() => { base = mkdtempSync(join(tmpdir(), 'wampgen-bundlers-')); });
  after(() => rmSync(base, { recursive: true, force: true }));

  test('vite build with the example\'s vite.config.ts: generates at build start and bundles the stubs for the browser', async (t) => {
    const vite = await import('vite').catch(() => undefined);
    if (vite === undefined) return t.skip('vite is not installed (a devDependency)');
    const dir = app();
    await vite.build({ root: dir, configFile: join(dir, 'vite.config.ts'), logLevel: 'silent', build: { minify: false } });
    assert.ok(existsSync(join(dir, 'generated/greeter.ts')), 'generated at build start');
    const js = bundleText(dir);
    assert.match(js, /com\.example\.greeter\.greet/, 'the generated URI table is in the bundle');
    assert.match(js, /requireStubsApi/, 'wampkit/stubs is bundled');
    assert.doesNotMatch(js, /from ?["']node:|require\(["']node:/, 'no Node built-ins in the browser bundle');
  });

  test('vite build fails on a schema error, naming it', async (t) => {
    const vite = await import('vite').catch(() => undefined);
    if (vite === undefined) return t.skip('vite is not installed (a devDependency)');
    const dir = app();
    BROKEN(dir);
    await assert.rejects(vite.build({
      root: dir, configFile: false, logLevel: 'silent',
      plugins: [viteWampgen({ inputs: ['schema'], outDir: 'generated', cwd: dir })],
      resolve: { conditions: ['@wampkit/source', ...vite.defaultClientConditions] },
    }), /schema\/greeter\.ts:\d+:\d+ - error WG020: .*\(TS1\d{3}\)/);
    assert.equal(existsSync(join(dir, 'generated')), false);
  });

  test('vite dev server: a schema change regenerates the stubs; a broken schema keeps the last good output', async (t) => {
    const vite = await import('vite').catch(() => undefined);
    if (vite === undefined) return t.skip('vite is not installed (a devDependency)');
    const dir = app();
    const errors: string[] = [];
    const logger = vite.createLogger('silent');
    logger.error = (msg) => { errors.push(msg); };
    const server = await vite.createServer({
      root: dir, configFile: false, customLogger: logger, appType: 'custom',
      server: { middlewareMode: true, hmr: false },
      plugins: [viteWampgen({ inputs: ['schema'], outDir: 'generated', cwd: dir })],
    });
    try {
      await server.pluginContainer.buildStart({});
      const generated = join(dir, 'generated/greeter.ts');
      assert.match(readFileSync(generated, 'utf8'), /greet\(name: string/);
      const until = async (check: () => boolean, what: string): Promise<void> => {
        for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
        assert.ok(check(), `timed out waiting for ${what}`);
      };
      await new Promise((r) => setTimeout(r, 200)); // the watcher's first scan
      writeFileSync(join(dir, 'schema/greeter.ts'), readFileSync(join(dir, 'schema/greeter.ts'), 'utf8').replace('greet(name: string', 'greet(who: string'));
      await until(() => readFileSync(generated, 'utf8').includes('greet(who: string'), 'regeneration');
      const good = readFileSync(generated, 'utf8');
      BROKEN(dir);
      await until(() => errors.length > 0, `the schema error to be logged (schema now: ${readFileSync(join(dir, 'schema/greeter.ts'), 'utf8')})`);
      assert.match(errors.join('\n'), /WG020/);
      assert.equal(readFileSync(generated, 'utf8'), good, 'the last good output stays');
    } finally {
      await server.close();
    }
  });

  test('the example\'s esbuild.ts bundles main.ts for the browser, generating the stubs first', async (t) => {
    if (!existsSync(join(ROOT, 'node_modules/esbuild'))) return t.skip('esbuild is not installed (a devDependency)');
    const dir = app();
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, ['--conditions=@wampkit/source', '--import', import.meta.resolve('tsx'), 'esbuild.ts'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(join(dir, 'generated/greeter.ts')));
    assert.match(bundleText(dir), /com\.example\.greeter\.greet/);
  });

  test('esbuild: generates at build start and bundles for the browser; a schema error fails the build at its place', async (t) => {
    const esbuild = await import('esbuild').catch(() => undefined);
    if (esbuild === undefined) return t.skip('esbuild is not installed (a devDependency)');
    const dir = app();
    const options = {
      absWorkingDir: dir, entryPoints: ['main.ts'], bundle: true, format: 'esm' as const, platform: 'browser' as const, write: false,
      outdir: 'dist', conditions: ['@wampkit/source'], logLevel: 'silent' as const,
      plugins: [esbuildWampgen({ inputs: ['schema'], outDir: 'generated', cwd: dir })],
    };
    const result = await esbuild.build(options);
    const js = (result.outputFiles ?? []).map((f) => f.text).join('\n');
    assert.match(js, /com\.example\.greeter\.greet/);
    assert.doesNotMatch(js, /from ?["']node:|require\(["']node:/);
    BROKEN(dir);
    await assert.rejects(esbuild.build(options), (e: unknown) => {
      const errors = (e as { errors?: { text: string; location: { file: string; line: number } | null }[] }).errors ?? [];
      assert.ok(errors.some((m) => m.text.startsWith('WG020: ') && m.location?.file === 'schema/greeter.ts'), JSON.stringify(errors));
      return true;
    });
  });
});
