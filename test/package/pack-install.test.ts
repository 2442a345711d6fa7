/**
 * The packages as a newcomer gets them: every workspace package is packed (test/package/packs.ts)
 * and installed from its tarball into empty projects, third-party dependencies from the npm
 * registry (its cache first). Measured and reported (t.diagnostic): packages and bytes of each
 * install, tarball sizes; asserted: the issue's limits (the library alone at most 5 packages and
 * 6 MB), what each tarball holds, and that each install does its job:
 *   - the library alone: no install-script warning, the native kernel through the optional
 *     package on linux-x64, `npx wampkit router` serving on compiled JavaScript, require(esm);
 *   - the library without its optional package: the TypeScript implementation, silently;
 *   - the library plus wampgen as a dev dependency: `npx wampgen`, the generated stubs under
 *     tsc --strict (no skipLibCheck), and running against the embedded router;
 *   - `wampkit/browser` bundled by esbuild for the browser: no Node built-ins, no polyfills;
 *   - the declarations of every subpath under tsc --strict without skipLibCheck (the browser
 *     entry with no @types/node at all).
 */
import { describe, test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usableKernels } from '../../runtime/accel/select.js';
import { connectWebSocketTransport } from '../../runtime/transports/websocket-transport.js';
import { ApplicationSession } from '../../runtime/wamp/session.js';
import { JS_PACKAGES, NATIVE_TARGETS, NPM, ROOT, TSC, hasNpm, measureInstall, ok, packJsWorkspace, packNative, run, type NativePack, type NativeTarget, type Packed } from './packs.js';

/** The issue's limits for the library alone. */
const LIBRARY_MAX_PACKAGES = 5;
const LIBRARY_MAX_BYTES = 6_000_000;
const HOST = `${process.platform}-${process.arch}`;
const INSTALL_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund'];

const SCHEMA = `
import type { Kwargs } from 'wampkit/codegen/schema';
/** @wamp.topics com.myapp */
export interface Greetings {
  hello(msg: string): void;
}
/** @wamp.procedures com.myapp */
export interface MyApp {
  add2(x: number, y: number): number;
  /** Keyword arguments, to have the schema helper types resolve from the installed package. */
  repeat(text: string, options: Kwargs<{ times?: number }>): string;
}
`;

/** The generated stubs at work against the embedded router, with the other Node entries. */
const APP = `
import { ApplicationSession, connectWebSocketTransport, isWampkitError, type SessionDetails } from 'wampkit';
import { Router } from 'wampkit/router';
import { connect as wsConnect, WebSocketServer } from 'wampkit/websocket';
import { implementation as accelImplementation } from 'wampkit/accel';
import { isValidUtf8 } from 'wampkit/nvx';
import type { generate } from 'wampgen';
import type { Kwargs } from 'wampkit/codegen/schema';
import type { ApplicationSession as BrowserSession } from 'wampkit/browser';
import { GreetingsPublisher, MyAppCaller, registerMyApp, subscribeGreetings } from './gen/index.js';

type _Used = [Kwargs<{ a: number }>, BrowserSession, typeof generate];

class Hello extends ApplicationSession {
  override async onJoin(_details: SessionDetails): Promise<void> {
    let got: (msg: string) => void = () => {};
    const event = new Promise<string>((resolve) => (got = resolve));
    await subscribeGreetings(this, { hello: (msg) => got(msg) });
    await new GreetingsPublisher(this).hello('Hello, world!', { excludeMe: false, acknowledge: true });
    console.log('Got event: ' + (await event));
    await registerMyApp(this, { add2: (x, y) => x + y, repeat: (text, options) => text.repeat(options.times ?? 1) });
    const app = new MyAppCaller(this);
    const sum: number = await app.add2(2, 3);
    console.log('Got result: ' + sum);
    console.log('repeat: ' + (await app.repeat('ab', { times: 3 })));
    await this.leave();
  }
}

const router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0 }] });
const [url] = await router.start();
const session = new Hello({ realm: 'realm1' });
const left = new Promise<void>((resolve) => session.once('leave', () => resolve()));
session.attach(await connectWebSocketTransport(url!));
await left;
session.disconnect();
await router.close(50);

const wss = new WebSocketServer({});
wss.on('connection', (conn) => conn.on('message', (data, isBinary) => conn.sendMessage(data, isBinary)));
const { port } = await wss.listen({ host: '127.0.0.1', port: 0 });
const conn = await wsConnect('ws://127.0.0.1:' + port + '/');
const echo = new Promise<string>((resolve) => conn.once('message', (data) => resolve(data.toString())));
conn.sendMessage('echo me');
console.log('websocket echo: ' + (await echo));
await conn.close(1000);
await wss.close();
console.log('accelerator: ' + accelImplementation + ', utf8 ok: ' + isValidUtf8(new Uint8Array([0xe2, 0x82, 0xac])) + ', errors branded: ' + isWampkitError(new Error('x')));
`;

/** wampgen's programmatic API from the installed package, into a second directory. */
const GENERATE_API = `
import { generate } from 'wampgen';
const result = await generate({ inputs: ['schema'], outDir: 'gen-api' });
console.log('generate ok: ' + result.ok + ', files: ' + result.written.length);
`;

const BROWSER_APP = `
import { ApplicationSession, Component, connect } from 'wampkit/browser';
console.log(typeof ApplicationSession, typeof Component, typeof connect);
`;

const STRICT = { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noUncheckedIndexedAccess: true, skipLibCheck: false };

function librarySubpaths(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'runtime', 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  return Object.keys(pkg.exports).filter((k) => k !== './package.json').map((k) => (k === '.' ? 'wampkit' : `wampkit/${k.slice(2)}`));
}

/** An empty project depending on `dependencies`; every NVX package comes from its local tarball. */
function project(dir: string, name: string, dependencies: Record<string, string>, devDependencies: Record<string, string>, natives: Record<NativeTarget, NativePack>): string {
  const path = join(dir, name);
  mkdirSync(path);
  const overrides = Object.fromEntries(Object.values(natives).map((p) => [p.name, `file:${p.tarball}`]));
  writeFileSync(join(path, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type: 'module', dependencies, devDependencies, overrides }, null, 2));
  return path;
}

function report(t: TestContext, what: string, install: { packages: string[]; bytes: number }): void {
  t.diagnostic(`${what}: ${install.packages.length} packages, ${(install.bytes / 1e6).toFixed(2)} MB (${install.bytes} bytes) in node_modules: ${install.packages.join(', ')}`);
}

function nodeEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['WAMPKIT_NVX'];
  delete env['WAMPKIT_NVX_DEBUG'];
  delete env['NODE_OPTIONS'];
  return env;
}

/** Runs `node -e` in a project, as a user's program would (no repository conditions, no tsx). */
function nodeIn(cwd: string, script: string): { status: number | null; stdout: string; stderr: string } {
  const r = run(process.execPath, ['--input-type=module', '-e', script], cwd, nodeEnv(), 60_000);
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

describe('the workspace packages, packed and installed into empty projects', { skip: hasNpm() ? undefined : 'npm or the typescript devDependency is missing', timeout: 15 * 60_000 }, () => {
  let work: string;
  const js = {} as Record<keyof typeof JS_PACKAGES, Packed>;
  const natives = {} as Record<NativeTarget, NativePack>;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'wampkit-packs-'));
    const tarballs = join(work, 'tarballs');
    mkdirSync(tarballs);
    for (const [name, dir] of Object.entries(JS_PACKAGES)) js[name as keyof typeof JS_PACKAGES] = packJsWorkspace(dir, join(work, 'stage'), tarballs);
    for (const target of NATIVE_TARGETS) natives[target] = packNative(target, tarballs);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('each tarball holds what users run: compiled JavaScript and declarations, no TypeScript sources or maps, no install script', (t) => {
    for (const p of [...Object.values(js), ...Object.values(natives)]) {
      t.diagnostic(`${p.name}: ${p.files.length} files, tarball ${(p.size / 1e3).toFixed(0)} kB, unpacked ${(p.unpackedSize / 1e3).toFixed(0)} kB${'missingBinary' in p && p.missingBinary ? ` (no binary: ${p.missingBinary})` : ''}`);
      for (const file of p.files) {
        assert.doesNotMatch(file, /\.map$/, `${p.name} ships a map: ${file}`);
        assert.ok(!/\.[cm]?tsx?$/.test(file) || /\.d\.[cm]?ts$/.test(file), `${p.name} ships a TypeScript source: ${file}`);
      }
      const manifest = JSON.parse(run('tar', ['-xzOf', p.tarball, 'package/package.json'], work).stdout) as { scripts?: Record<string, string> };
      for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) assert.equal(manifest.scripts?.[hook], undefined, `${p.name} has a ${hook} script`);
    }
    const library = js.wampkit.files;
    for (const entry of ['README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/browser/index.js', 'dist/router/index.js', 'bin/wampkit.mjs']) assert.ok(library.includes(entry), `wampkit ships ${entry}`);
    assert.ok(js.wampgen.files.includes('templates/module.hbs') && js.wampgen.files.includes('bin/wampgen.mjs'));
    for (const target of NATIVE_TARGETS) {
      const p = natives[target];
      if (p.missingBinary === undefined) assert.deepEqual([...p.files].sort(), ['README.md', 'nvx.node', 'package.json']);
    }
  });

  test('the library alone: at most 5 packages and 6 MB, no install-script warning, native through the optional package, npx wampkit router on compiled JavaScript, require()', async (t) => {
    const dir = project(work, 'library-alone', { wampkit: `file:${js.wampkit.tarball}` }, {}, natives);
    const install = run(NPM, ['install', ...INSTALL_FLAGS], dir);
    ok(install, 'npm install (library alone)');
    assert.doesNotMatch(`${install.stdout}${install.stderr}`, /install.?scripts?|allowScripts/i, 'npm says nothing about install scripts');
    const measured = measureInstall(dir);
    report(t, 'the library alone', measured);
    assert.ok(measured.packages.length <= LIBRARY_MAX_PACKAGES, `${measured.packages.length} packages: ${measured.packages.join(', ')}`);
    assert.ok(measured.bytes <= LIBRARY_MAX_BYTES, `${measured.bytes} bytes`);
    assert.ok(!measured.packages.some((p) => /^(zod|ts-morph|typescript|handlebars|cmake-js)$/.test(p)), measured.packages.join(', '));

    await t.test('the native kernel is active, loaded from the optional package', (st) => {
      const own = natives[HOST as NativeTarget];
      if (own === undefined) return void st.skip(`no NVX package for ${HOST}`);
      if (own.missingBinary !== undefined) return void st.skip(`the ${HOST} binary could not be built here: ${own.missingBinary}`);
      assert.ok(measured.packages.includes(own.name), `${own.name} is installed`);
      const probe = nodeIn(dir, "const m = await import('wampkit/nvx'); console.log(m.implementation);");
      assert.equal(probe.status, 0, probe.stderr);
      assert.equal(probe.stdout, usableKernels()[0], 'the best kernel of this CPU');
      assert.equal(probe.stderr, '', 'no fallback message');
      const debug = run(process.execPath, ['--input-type=module', '-e', "await import('wampkit/nvx')"], dir, { ...nodeEnv(), WAMPKIT_NVX_DEBUG: '1' }, 60_000);
      assert.match(debug.stderr, new RegExp(`node_modules/${own.name}/nvx\\.node`), 'loaded from the installed package');
    });

    await t.test('npx wampkit router serves WAMP from compiled JavaScript and stops on SIGTERM', async () => {
      const help = run(NPM, ['exec', '--offline', '--', 'wampkit', 'router', '--help'], dir, nodeEnv(), 60_000);
      assert.equal(help.status, 0, help.stderr);
      assert.match(help.stdout, /--port/);
      // What npx runs: the bin link. The package has no TypeScript and the project no tsx, so
      // what serves is dist/.
      const child = spawn(process.execPath, [join(dir, 'node_modules', '.bin', 'wampkit'), 'router', '--port', '0', '--realm', 'realm1'], { cwd: dir, env: nodeEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      try {
        const url = await new Promise<string>((resolve, reject) => {
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            const m = /listening on (ws:\/\/\S+)/.exec(out);
            if (m !== null) resolve(m[1]!);
          });
          void exited.then((code) => reject(new Error(`wampkit router exited ${code}: ${err}`)));
        });
        const session = new ApplicationSession({ realm: 'realm1' });
        const joined = new Promise((resolve) => session.once('join', resolve));
        session.attach(await connectWebSocketTransport(url, { serializers: ['json'] }));
        await joined;
        await session.register('pack.ping', () => 'pong');
        assert.equal(await session.call('pack.ping'), 'pong');
        child.kill('SIGTERM');
        assert.equal(await exited, 0, err);
        assert.match(out, /stopped/);
      } finally {
        clearTimeout(timer);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    });

    await t.test("require('wampkit') works (require of ESM, Node 20.19+)", (st) => {
      const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
      if (major === 20 && minor < 19) return void st.skip(`Node ${process.versions.node} has no require(esm) by default`);
      const r = run(process.execPath, ['-e', "const w = require('wampkit'); const r = require('wampkit/router'); console.log(typeof w.ApplicationSession, typeof r.Router)"], dir, nodeEnv(), 60_000);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'function function');
      t.diagnostic(`require('wampkit') on Node ${process.versions.node}: stderr ${JSON.stringify(r.stderr.trim())}`);
    });

    await t.test('wampkit/browser bundles with esbuild for the browser: no Node built-ins, no polyfills', async () => {
      const esbuild = await import('esbuild');
      writeFileSync(join(dir, 'browser-app.js'), BROWSER_APP);
      const result = await esbuild.build({ entryPoints: [join(dir, 'browser-app.js')], absWorkingDir: dir, bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
      assert.deepEqual(result.warnings, []);
      const inputs = Object.keys(result.metafile.inputs);
      t.diagnostic(`browser bundle: ${inputs.length} modules, ${result.outputFiles[0]!.contents.length} bytes, packages: ${[...new Set(inputs.map((i) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(i)?.[1] ?? i))].join(', ')}`);
      for (const input of inputs) assert.match(input, /^(browser-app\.js|node_modules\/(wampkit|@msgpack\/msgpack)\/)/, `bundled: ${input}`);
      const code = new TextDecoder().decode(result.outputFiles[0]!.contents);
      assert.doesNotMatch(code, /\brequire\(|from ["']node:|import\(["']node:/);
    });

    await t.test('every subpath typechecks under --strict without skipLibCheck; the browser entry with no @types/node', () => {
      // Node entries with the repository's @types/node (a user installs their own).
      const subpaths = librarySubpaths();
      for (const [i, subpath] of subpaths.entries()) {
        writeFileSync(join(dir, `entry-${i}.ts`), `import * as m from '${subpath}';\nconsole.log(Object.keys(m).length);\n`);
        // One program per entry, so an entry that needs a type only another entry loads fails.
        writeFileSync(join(dir, `tsconfig.${i}.json`), JSON.stringify({ compilerOptions: { ...STRICT, noEmit: true, typeRoots: [join(ROOT, 'node_modules', '@types')] }, files: [`entry-${i}.ts`] }));
        ok(run(process.execPath, [TSC, '-p', `tsconfig.${i}.json`], dir), `tsc --strict on import '${subpath}'`);
      }
      const browser = JSON.stringify({ compilerOptions: { ...STRICT, module: 'esnext', moduleResolution: 'bundler', lib: ['es2022', 'dom'], types: [], typeRoots: [], noEmit: true }, files: ['browser-app.ts'] });
      writeFileSync(join(dir, 'browser-app.ts'), BROWSER_APP);
      writeFileSync(join(dir, 'tsconfig.browser.json'), browser);
      ok(run(process.execPath, [TSC, '-p', 'tsconfig.browser.json'], dir), 'tsc --strict on wampkit/browser without @types/node');
    });
  });

  test('the library without its optional package: the TypeScript implementation, silently', (t) => {
    const dir = project(work, 'library-ts-only', { wampkit: `file:${js.wampkit.tarball}` }, {}, natives);
    ok(run(NPM, ['install', '--omit=optional', ...INSTALL_FLAGS], dir), 'npm install --omit=optional');
    const measured = measureInstall(dir);
    report(t, 'the library without optional packages', measured);
    assert.ok(!measured.packages.some((p) => p.startsWith('@wampkit/')), measured.packages.join(', '));
    const probe = nodeIn(dir, "const m = await import('wampkit/nvx'); console.log(m.implementation, m.isValidUtf8(new Uint8Array([0xc3, 0xa9])));");
    assert.equal(probe.status, 0, probe.stderr);
    assert.equal(probe.stdout, 'ts true');
    assert.equal(probe.stderr, '', 'a platform without a binary falls back silently');
  });

  test('the library plus wampgen as a dev dependency: npx wampgen, stubs that typecheck and run against the embedded router', (t) => {
    const dir = project(work, 'with-generator', { wampkit: `file:${js.wampkit.tarball}`, zod: '^4.0.0' }, { wampgen: `file:${js.wampgen.tarball}` }, natives);
    const install = run(NPM, ['install', ...INSTALL_FLAGS], dir);
    ok(install, 'npm install (library + generator)');
    assert.doesNotMatch(`${install.stdout}${install.stderr}`, /install.?scripts?|allowScripts/i);
    const measured = measureInstall(dir);
    report(t, 'the library, zod and wampgen (dev)', measured);

    mkdirSync(join(dir, 'schema'));
    writeFileSync(join(dir, 'schema', 'myapp.ts'), SCHEMA);
    const gen = ok(run(NPM, ['exec', '--offline', '--', 'wampgen', 'schema', '-o', 'gen'], dir, nodeEnv()), 'npx wampgen');
    const generated = readFileSync(join(dir, 'gen', 'myapp.ts'), 'utf8');
    assert.match(generated, /from 'wampkit'/, `generated code imports the package by name (${gen})`);
    writeFileSync(join(dir, 'generate-api.mjs'), GENERATE_API);
    assert.match(ok(run(process.execPath, ['generate-api.mjs'], dir, nodeEnv()), 'generate() from wampgen'), /^generate ok: true, files: [1-9]/m);
    assert.equal(readFileSync(join(dir, 'gen-api', 'myapp.ts'), 'utf8'), generated, 'the API and the command generate the same');

    writeFileSync(join(dir, 'app.ts'), APP);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { ...STRICT, outDir: 'out', rootDir: '.', typeRoots: [join(ROOT, 'node_modules', '@types')], types: ['node'] },
      include: ['app.ts', 'gen'],
    }));
    ok(run(process.execPath, [TSC, '-p', 'tsconfig.json'], dir), 'tsc --strict on the app and the generated stubs');
    const app = ok(run(process.execPath, ['out/app.js'], dir, nodeEnv()), 'the compiled app');
    assert.match(app, /^Got event: Hello, world!$/m);
    assert.match(app, /^Got result: 5$/m);
    assert.match(app, /^repeat: ababab$/m);
    assert.match(app, /^websocket echo: echo me$/m);
    assert.match(app, /^accelerator: \S+, utf8 ok: true, errors branded: false$/m);
  });
});
