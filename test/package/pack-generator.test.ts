/**
 * The library plus the generator as a dev dependency, installed from their packed tarballs
 * (test/package/packs.ts) into an empty project with zod: `npx wampgen` generates stubs from a
 * schema that imports wampkit/codegen/schema, stubs that import only `wampkit/stubs` and
 * `zod/v4`; generate() from 'wampgen' writes the same; the app and the stubs pass tsc --strict
 * without skipLibCheck, and the compiled app runs them against the embedded router (with the
 * other Node entries at work); wampgen/esbuild and wampgen/vite load from the installed package
 * and the esbuild plugin generates and bundles. Reports the install's packages and bytes.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  INSTALL_FLAGS, INSTALL_SCRIPT_WARNING, NPM, ROOT, STRICT, TSC, describeInstall, emptyProject, hasNpm, measureInstall, ok, packForTest, run, userEnv,
  type NativePack, type NativeTarget, type Packed,
} from './packs.js';

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

const APP = `
import { ApplicationSession, connectWebSocketTransport, isWampkitError, type SessionDetails } from 'wampkit';
import { Router } from 'wampkit/router';
import { connect as wsConnect, WebSocketServer } from 'wampkit/websocket';
import { implementation as accelImplementation } from 'wampkit/accel';
import { isValidUtf8 } from 'wampkit/nvx';
import type { generate } from 'wampgen';
import type { wampgen as vitePlugin } from 'wampgen/vite';
import type { wampgen as esbuildPlugin } from 'wampgen/esbuild';
import type { Kwargs } from 'wampkit/codegen/schema';
import type { ApplicationSession as BrowserSession } from 'wampkit/browser';
import { GreetingsPublisher, MyAppCaller, registerMyApp, subscribeGreetings } from './gen/index.js';

// The plugins' declarations need neither bundler (the project has none installed).
type _Used = [Kwargs<{ a: number }>, BrowserSession, typeof generate, typeof vitePlugin, typeof esbuildPlugin];

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

const GENERATE_API = `
import { generate } from 'wampgen';
const result = await generate({ inputs: ['schema'], outDir: 'gen-api' });
console.log('generate ok: ' + result.ok + ', files: ' + result.written.length);
`;

/** A browser entry that bundles the stubs the esbuild plugin generates at build start. */
const PLUGIN_ENTRY = `
import { MyAppCaller } from './gen-plugin/index.js';
console.log(typeof MyAppCaller);
`;

/**
 * The installed wampgen's bundler plugins: esbuild's, with the esbuild whose URL is argv[2] (the
 * repository's, standing in for the project's own), generates at build start and the bundle
 * takes the stubs and wampkit/stubs; Vite's is made (running it needs Vite: bundlers.test.ts).
 */
const PLUGINS = `
import { existsSync } from 'node:fs';
import { wampgen as esbuildPlugin } from 'wampgen/esbuild';
import { wampgen as vitePlugin } from 'wampgen/vite';
const esbuild = await import(process.argv[2]);
const result = await esbuild.build({
  entryPoints: ['plugin-entry.ts'], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent',
  plugins: [esbuildPlugin({ inputs: ['schema'], outDir: 'gen-plugin' })],
});
const inputs = Object.keys(result.metafile.inputs);
console.log('esbuild plugin: ' + result.errors.length + ' errors, generated ' + existsSync('gen-plugin/myapp.ts')
  + ', bundled stubs ' + inputs.some((i) => i.startsWith('gen-plugin/')) + ', wampkit/stubs ' + inputs.some((i) => i.startsWith('node_modules/wampkit/dist/stubs/')));
console.log('vite plugin: ' + vitePlugin({ inputs: ['schema'], outDir: 'gen-vite' }).name);
`;

describe('wampkit with wampgen as a dev dependency, packed and installed into an empty project', { skip: hasNpm() ? undefined : 'npm or the typescript devDependency is missing', timeout: 15 * 60_000 }, () => {
  let work: string;
  let wampkit: Packed;
  let wampgen: Packed;
  let natives: Record<NativeTarget, NativePack>;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'wampkit-pack-gen-'));
    const packed = packForTest(work, ['wampkit', 'wampgen']);
    wampkit = packed.js.wampkit!;
    wampgen = packed.js.wampgen!;
    natives = packed.natives;
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('npx wampgen, generate(), stubs that typecheck under --strict and run against the embedded router', (t) => {
    const dir = emptyProject(work, 'with-generator', { wampkit: `file:${wampkit.tarball}`, zod: '^4.0.0' }, { wampgen: `file:${wampgen.tarball}` }, natives);
    const install = run(NPM, ['install', ...INSTALL_FLAGS], dir);
    ok(install, 'npm install (library + generator)');
    assert.doesNotMatch(`${install.stdout}${install.stderr}`, INSTALL_SCRIPT_WARNING);
    t.diagnostic(describeInstall('the library, zod and wampgen (dev)', measureInstall(dir)));

    mkdirSync(join(dir, 'schema'));
    writeFileSync(join(dir, 'schema', 'myapp.ts'), SCHEMA);
    const gen = ok(run(NPM, ['exec', '--offline', '--', 'wampgen', 'schema', '-o', 'gen'], dir, userEnv()), 'npx wampgen');
    const generated = readFileSync(join(dir, 'gen', 'myapp.ts'), 'utf8');
    // What the generated code imports besides its own files: the library's stubs runtime and the
    // project's zod, by name.
    const packages = new Set<string>();
    for (const file of readdirSync(join(dir, 'gen')).filter((f) => f.endsWith('.ts'))) {
      for (const m of readFileSync(join(dir, 'gen', file), 'utf8').matchAll(/\bfrom '([^']+)'/g)) if (!m[1]!.startsWith('.')) packages.add(m[1]!);
    }
    assert.deepEqual([...packages].sort(), ['wampkit/stubs', 'zod/v4'], `generated imports (${gen})`);
    writeFileSync(join(dir, 'generate-api.mjs'), GENERATE_API);
    assert.match(ok(run(process.execPath, ['generate-api.mjs'], dir, userEnv()), 'generate() from wampgen'), /^generate ok: true, files: [1-9]/m);
    assert.equal(readFileSync(join(dir, 'gen-api', 'myapp.ts'), 'utf8'), generated, 'the API and the command generate the same');

    writeFileSync(join(dir, 'app.ts'), APP);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { ...STRICT, outDir: 'out', rootDir: '.', typeRoots: [join(ROOT, 'node_modules', '@types')], types: ['node'] },
      include: ['app.ts', 'gen'],
    }));
    ok(run(process.execPath, [TSC, '-p', 'tsconfig.json'], dir), 'tsc --strict on the app and the generated stubs');
    const app = ok(run(process.execPath, ['out/app.js'], dir, userEnv()), 'the compiled app');
    assert.match(app, /^Got event: Hello, world!$/m);
    assert.match(app, /^Got result: 5$/m);
    assert.match(app, /^repeat: ababab$/m);
    assert.match(app, /^websocket echo: echo me$/m);
    assert.match(app, /^accelerator: \S+, utf8 ok: true, errors branded: false$/m);

    writeFileSync(join(dir, 'plugin-entry.ts'), PLUGIN_ENTRY);
    writeFileSync(join(dir, 'plugins.mjs'), PLUGINS);
    const plugins = ok(run(process.execPath, ['plugins.mjs', import.meta.resolve('esbuild')], dir, userEnv()), 'the installed wampgen/esbuild and wampgen/vite');
    assert.match(plugins, /^esbuild plugin: 0 errors, generated true, bundled stubs true, wampkit\/stubs true$/m);
    assert.match(plugins, /^vite plugin: wampgen$/m);
  });
});
