/**
 * The package as a newcomer gets it: `npm pack`, install the tarball into an empty project,
 * then `npx wampgen` generates stubs, and `wampkit` with its documented subpaths resolves with
 * types (tsc --strict on an app that uses them) and runs (the seed through the generated stubs
 * against the router from `wampkit/router`).
 *
 * The checkout is left alone: the files `npm pack` would take (its own dry-run list) are copied
 * to a staging directory, dist/ is compiled fresh there from the current sources, and the
 * tarball is packed from that copy. The install runs the package's install script and uses the
 * local npm cache first (this sandbox has no internet besides the registry).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const STEP_LIMIT_MS = 240_000;

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const result = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: STEP_LIMIT_MS });
  return result;
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  assert.equal(result.status, 0, `${what} failed (status ${result.status}, signal ${result.signal}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** The documented entry points, each used for something real in the app below. */
const APP = `
import { ApplicationSession, connectWebSocketTransport, isWampkitError, type SessionDetails } from 'wampkit';
import { Router } from 'wampkit/router';
import { connect as wsConnect, WebSocketServer } from 'wampkit/websocket';
import { implementation as accelImplementation } from 'wampkit/accel';
import { isValidUtf8 } from 'wampkit/nvx';
import { generate } from 'wampkit/codegen';
import type { Kwargs } from 'wampkit/codegen/schema';
import type { ApplicationSession as BrowserSession } from 'wampkit/browser';
import { GreetingsPublisher, MyAppCaller, registerMyApp, subscribeGreetings } from './gen/index.js';

type _Used = [Kwargs<{ a: number }>, BrowserSession];
const _check: typeof generate = generate;

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

/** Every subpath in the package's exports map (package.json aside), as an import specifier. */
function exportedSubpaths(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  return Object.keys(pkg.exports).filter((k) => k !== './package.json').map((k) => (k === '.' ? 'wampkit' : `wampkit/${k.slice(2)}`));
}

/** Imports every subpath: its types must resolve under --strict and its module must load. */
function subpathsProgram(subpaths: string[]): string {
  const imports = subpaths.map((s, i) => `import * as m${i} from '${s}';`).join('\n');
  const table = subpaths.map((s, i) => `  ['${s}', m${i}],`).join('\n');
  return `${imports}\nconst modules: Array<[string, object]> = [\n${table}\n];\nfor (const [name, m] of modules) console.log('loaded ' + name + ': ' + Object.keys(m).length + ' exports');\n`;
}

function skipReason(): string | undefined {
  if (spawnSync(npm, ['--version'], { encoding: 'utf8' }).status !== 0) return 'npm is not available';
  if (!existsSync(tsc)) return 'the typescript devDependency is not installed';
  return undefined;
}

test('npm pack -> install into an empty project -> npx wampgen, typed imports of every subpath, the seed runs', { skip: skipReason(), timeout: 15 * 60_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'wampkit-pack-'));
  try {
    // 1. Stage exactly what npm pack would take, with dist/ compiled fresh from the sources.
    const listing = JSON.parse(ok(run(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], root), 'npm pack --dry-run')) as Array<{ files: Array<{ path: string }> }>;
    const stage = join(work, 'stage');
    for (const { path } of listing[0]!.files) {
      if (path.startsWith('dist/')) continue;
      mkdirSync(dirname(join(stage, path)), { recursive: true });
      copyFileSync(join(root, path), join(stage, path));
    }
    ok(run(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', join(stage, 'dist')], root), 'tsc build');
    assert.ok(existsSync(join(stage, 'dist', 'runtime', 'index.d.ts')));
    const packed = JSON.parse(ok(run(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', work], stage), 'npm pack')) as Array<{ filename: string }>;
    const tarball = join(work, packed[0]!.filename);

    // 2. An empty project installs it (the install script runs; npm's cache first).
    const project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'newcomer', version: '1.0.0', private: true, type: 'module' }));
    // zod is a peer dependency of the generated code (optional for the library): the project installs it, as docs/schema.md says.
    const install = ok(run(npm, ['install', tarball, 'zod@^4', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], project), 'npm install <tarball> zod');
    assert.ok(existsSync(join(project, 'node_modules', 'wampkit', 'dist', 'runtime', 'index.js')), install);

    // 3. npx wampgen on a schema.
    mkdirSync(join(project, 'schema'));
    writeFileSync(join(project, 'schema', 'myapp.ts'), SCHEMA);
    const gen = run(npm, ['exec', '--offline', '--', 'wampgen', 'schema', '-o', 'gen'], project);
    ok(gen, 'npx wampgen');
    assert.ok(existsSync(join(project, 'gen', 'myapp.ts')) && existsSync(join(project, 'gen', 'catalog.json')), gen.stdout);
    const generated = readFileSync(join(project, 'gen', 'myapp.ts'), 'utf8');
    assert.match(generated, /from 'wampkit\/stubs'/, 'generated code imports the package\'s stubs runtime by name');

    // 4. Types: the app and the generated code compile under --strict against the installed package.
    writeFileSync(join(project, 'app.ts'), APP);
    const subpaths = exportedSubpaths();
    writeFileSync(join(project, 'subpaths.ts'), subpathsProgram(subpaths));
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noUncheckedIndexedAccess: true,
        skipLibCheck: false, outDir: 'out', rootDir: '.', typeRoots: [join(root, 'node_modules', '@types')], types: ['node'],
      },
      include: ['app.ts', 'subpaths.ts', 'gen'],
    }));
    ok(run(process.execPath, [tsc, '-p', 'tsconfig.json'], project), 'tsc --strict on the app');

    // 5. It runs: every subpath loads, and the app does its job.
    const loaded = ok(run(process.execPath, ['out/subpaths.js'], project), 'importing every subpath');
    for (const subpath of subpaths) assert.match(loaded, new RegExp(`^loaded ${subpath}: \\d+ exports$`, 'm'));
    const app = ok(run(process.execPath, ['out/app.js'], project), 'the compiled app');
    assert.match(app, /^Got event: Hello, world!$/m);
    assert.match(app, /^Got result: 5$/m);
    assert.match(app, /^repeat: ababab$/m);
    assert.match(app, /^websocket echo: echo me$/m);
    assert.match(app, /^accelerator: \S+, utf8 ok: true, errors branded: false$/m);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
