/**
 * The library as a newcomer gets it: wampkit and the NVX packages are packed
 * (test/package/packs.ts) and installed from their tarballs into empty projects, third-party
 * dependencies from the npm registry (its cache first). Reported (t.diagnostic): packages and
 * bytes of each install and of each tarball. Asserted: what each tarball holds, the issue's
 * limits for the library alone (at most 5 packages and 6 MB), no install-script warning, the
 * native kernel through the optional package on linux-x64, `npx wampkit router` serving on
 * compiled JavaScript, require('wampkit'), `wampkit/browser` bundled by esbuild for the browser
 * with no Node built-ins or polyfills, and the TypeScript implementation, silently, when the
 * optional package is left out; wampkit/cryptobox failing by name without its optional peer
 * @noble/ciphers and working with it. Declarations: pack-types.test.ts; with wampgen:
 * pack-generator.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usableKernels } from '../../runtime/accel/select.js';
import { connectWebSocketTransport } from '../../runtime/transports/websocket-transport.js';
import { ApplicationSession } from '../../runtime/wamp/session.js';
import {
  INSTALL_FLAGS, INSTALL_SCRIPT_WARNING, NATIVE_TARGETS, NPM, describeInstall, emptyProject, hasNpm, measureInstall, nodeIn, ok, packForTest, run, userEnv,
  type NativePack, type NativeTarget, type Packed,
} from './packs.js';

/** The limits for the library alone. */
const LIBRARY_MAX_PACKAGES = 5;
const LIBRARY_MAX_BYTES = 6_000_000;
const HOST = `${process.platform}-${process.arch}`;

/** A browser app: the browser client and the runtime of generated stubs. */
const BROWSER_APP = `
import { ApplicationSession, Component, connect } from 'wampkit/browser';
import { CallerStub, requireStubsApi } from 'wampkit/stubs';
console.log(typeof ApplicationSession, typeof Component, typeof connect, typeof CallerStub, typeof requireStubsApi);
`;

describe('wampkit packed and installed into empty projects', { skip: hasNpm() ? undefined : 'npm or the typescript devDependency is missing', timeout: 15 * 60_000 }, () => {
  let work: string;
  let wampkit: Packed;
  let natives: Record<NativeTarget, NativePack>;
  let tarballs: Array<Packed | NativePack> = [];

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'wampkit-pack-'));
    const packed = packForTest(work, ['wampkit', 'wampgen']);
    wampkit = packed.js.wampkit!;
    natives = packed.natives;
    tarballs = [packed.js.wampkit!, packed.js.wampgen!, ...Object.values(natives)];
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('each tarball holds what users run: compiled JavaScript and declarations, no TypeScript sources or maps, no install script', (t) => {
    for (const p of tarballs) {
      const missing = 'missingBinary' in p && p.missingBinary !== undefined ? ` (no binary: ${p.missingBinary})` : '';
      t.diagnostic(`${p.name}: ${p.files.length} files, tarball ${(p.size / 1e3).toFixed(0)} kB, unpacked ${(p.unpackedSize / 1e3).toFixed(0)} kB${missing}`);
      for (const file of p.files) {
        assert.doesNotMatch(file, /\.map$/, `${p.name} ships a map: ${file}`);
        assert.ok(!/\.[cm]?tsx?$/.test(file) || /\.d\.[cm]?ts$/.test(file), `${p.name} ships a TypeScript source: ${file}`);
      }
      const manifest = JSON.parse(run('tar', ['-xzOf', p.tarball, 'package/package.json'], work).stdout) as { scripts?: Record<string, string> };
      for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) assert.equal(manifest.scripts?.[hook], undefined, `${p.name} has a ${hook} script`);
    }
    const [library, generator] = tarballs as [Packed, Packed];
    for (const entry of ['README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/browser/index.js', 'dist/router/index.js', 'bin/wampkit.mjs']) assert.ok(library.files.includes(entry), `wampkit ships ${entry}`);
    assert.ok(generator.files.includes('templates/module.hbs') && generator.files.includes('bin/wampgen.mjs'));
    for (const target of NATIVE_TARGETS) {
      const p = natives[target];
      if (p.missingBinary === undefined) assert.deepEqual([...p.files].sort(), ['README.md', 'nvx.node', 'package.json']);
    }
  });

  test('the library alone: at most 5 packages and 6 MB, no install-script warning, native through the optional package, npx wampkit router on compiled JavaScript, require(), a browser bundle', async (t) => {
    const dir = emptyProject(work, 'library-alone', { wampkit: `file:${wampkit.tarball}` }, {}, natives);
    const install = run(NPM, ['install', ...INSTALL_FLAGS], dir);
    ok(install, 'npm install (library alone)');
    assert.doesNotMatch(`${install.stdout}${install.stderr}`, INSTALL_SCRIPT_WARNING, 'npm says nothing about install scripts');
    const measured = measureInstall(dir);
    t.diagnostic(describeInstall('the library alone', measured));
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
      const debug = nodeIn(dir, "await import('wampkit/nvx')", { WAMPKIT_NVX_DEBUG: '1' });
      assert.match(debug.stderr, new RegExp(`node_modules/${own.name}/nvx\\.node`), 'loaded from the installed package');
    });

    await t.test('npx wampkit router serves WAMP from compiled JavaScript and stops on SIGTERM', async () => {
      const help = run(NPM, ['exec', '--offline', '--', 'wampkit', 'router', '--help'], dir, userEnv(), 60_000);
      assert.equal(help.status, 0, help.stderr);
      assert.match(help.stdout, /--port/);
      // What npx runs: the bin link. The package has no TypeScript and the project no tsx, so
      // what serves is dist/.
      const child = spawn(process.execPath, [join(dir, 'node_modules', '.bin', 'wampkit'), 'router', '--port', '0', '--realm', 'realm1'], { cwd: dir, env: { ...process.env, ...userEnv() }, stdio: ['ignore', 'pipe', 'pipe'] });
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
      const r = run(process.execPath, ['-e', "const w = require('wampkit'); const r = require('wampkit/router'); console.log(typeof w.ApplicationSession, typeof r.Router)"], dir, userEnv(), 60_000);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'function function');
      st.diagnostic(`require('wampkit') on Node ${process.versions.node}: stderr ${JSON.stringify(r.stderr.trim())}`);
    });

    await t.test('wampkit/browser and wampkit/stubs bundle with esbuild for the browser: no Node built-ins, no polyfills', async (st) => {
      const esbuild = await import('esbuild');
      writeFileSync(join(dir, 'browser-app.js'), BROWSER_APP);
      const result = await esbuild.build({ entryPoints: [join(dir, 'browser-app.js')], absWorkingDir: dir, bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
      assert.deepEqual(result.warnings, []);
      const inputs = Object.keys(result.metafile.inputs);
      const packages = [...new Set(inputs.map((i) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(i)?.[1] ?? i))];
      st.diagnostic(`browser bundle: ${inputs.length} modules, ${result.outputFiles[0]!.contents.length} bytes, from ${packages.join(', ')}`);
      for (const input of inputs) assert.match(input, /^(browser-app\.js|node_modules\/(wampkit|@msgpack\/msgpack)\/)/, `bundled: ${input}`);
      const code = new TextDecoder().decode(result.outputFiles[0]!.contents);
      assert.doesNotMatch(code, /\brequire\(|from ["']node:|import\(["']node:/);
    });
  });

  test('the library without its optional package: the TypeScript implementation, silently', (t) => {
    const dir = emptyProject(work, 'library-ts-only', { wampkit: `file:${wampkit.tarball}` }, {}, natives);
    ok(run(NPM, ['install', '--omit=optional', ...INSTALL_FLAGS], dir), 'npm install --omit=optional');
    const measured = measureInstall(dir);
    t.diagnostic(describeInstall('the library without optional packages', measured));
    assert.ok(!measured.packages.some((p) => p.startsWith('@wampkit/')), measured.packages.join(', '));
    const probe = nodeIn(dir, "const m = await import('wampkit/nvx'); console.log(m.implementation, m.isValidUtf8(new Uint8Array([0xc3, 0xa9])));");
    assert.equal(probe.status, 0, probe.stderr);
    assert.equal(probe.stdout, 'ts true');
    assert.equal(probe.stderr, '', 'a platform without a binary falls back silently');
    // @noble/ciphers is an optional peer: not installed with the library, and only
    // wampkit/cryptobox needs it (test/structure/import-graph.test.ts holds the other entries to that).
    assert.ok(!measured.packages.includes('@noble/ciphers'), measured.packages.join(', '));
    const missing = nodeIn(dir, "await import('wampkit/cryptobox');");
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /Cannot find (package|module) '@noble\/ciphers/, 'the failure names the package to install');
  });

  test('wampkit/cryptobox with its optional peer @noble/ciphers installed: a key pair encrypts and decrypts', () => {
    const dir = emptyProject(work, 'library-cryptobox', { wampkit: `file:${wampkit.tarball}`, '@noble/ciphers': '^2.4.0' }, {}, natives);
    ok(run(NPM, ['install', '--omit=optional', ...INSTALL_FLAGS], dir), 'npm install wampkit @noble/ciphers');
    const probe = nodeIn(dir, [
      "const { CryptoboxKey, CryptoboxKeyRing } = await import('wampkit/cryptobox');",
      'const a = CryptoboxKeyRing.generateKey(), b = CryptoboxKeyRing.generateKey();',
      'const out = new CryptoboxKeyRing(), back = new CryptoboxKeyRing();',
      "out.setKey('e2e.', new CryptoboxKey({ originatorPrivate: a.privateKey, responderPublic: b.publicKey }));",
      "back.setKey('e2e.', new CryptoboxKey({ responderPrivate: b.privateKey, originatorPublic: a.publicKey }));",
      "const sealed = out.encode(true, 'e2e.proc', ['x', 1], { k: 'v' });",
      "console.log(sealed.algo, JSON.stringify(back.decode(false, 'e2e.proc', sealed)));",
    ].join('\n'));
    assert.equal(probe.status, 0, probe.stderr);
    assert.equal(probe.stdout, 'cryptobox {"uri":"e2e.proc","args":["x",1],"kwargs":{"k":"v"}}');
  });
});
