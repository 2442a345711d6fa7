/**
 * wampkit's declarations as a user's compiler sees them: the packed library installed into an
 * empty project (test/package/packs.ts), then one tsc --strict program per export subpath,
 * without skipLibCheck and with TypeScript's default `types` (none since TypeScript 6), so an
 * entry that needs a type only another entry would load fails; the Node entries with
 * @types/node available (the repository's, as a user installs their own), the browser entry and
 * wampkit/stubs (which browser apps' generated stubs import) with no @types/node at all and the
 * DOM library.
 */
import { describe, test, before, after } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INSTALL_FLAGS, NPM, ROOT, STRICT, TSC, emptyProject, hasNpm, librarySubpaths, ok, packForTest, run } from './packs.js';

/** A browser app: the browser client and the runtime of generated stubs (browser-safe too). */
const BROWSER_APP = `
import { ApplicationSession, Component, connect } from 'wampkit/browser';
import { CallerStub, requireStubsApi } from 'wampkit/stubs';
console.log(typeof ApplicationSession, typeof Component, typeof connect, typeof CallerStub, typeof requireStubsApi);
`;

describe('wampkit declarations in an empty project', { skip: hasNpm() ? undefined : 'npm or the typescript devDependency is missing', timeout: 15 * 60_000 }, () => {
  let work: string;
  let dir: string;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'wampkit-types-'));
    const { js, natives } = packForTest(work, ['wampkit']);
    dir = emptyProject(work, 'types', { wampkit: `file:${js.wampkit!.tarball}` }, {}, natives);
    ok(run(NPM, ['install', '--omit=optional', ...INSTALL_FLAGS], dir), 'npm install');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  for (const [i, subpath] of librarySubpaths().entries()) {
    test(`import '${subpath}' typechecks under --strict without skipLibCheck`, () => {
      writeFileSync(join(dir, `entry-${i}.ts`), `import * as m from '${subpath}';\nconsole.log(Object.keys(m).length);\n`);
      writeFileSync(join(dir, `tsconfig.${i}.json`), JSON.stringify({ compilerOptions: { ...STRICT, noEmit: true, typeRoots: [join(ROOT, 'node_modules', '@types')] }, files: [`entry-${i}.ts`] }));
      ok(run(process.execPath, [TSC, '-p', `tsconfig.${i}.json`], dir), `tsc --strict on import '${subpath}'`);
    });
  }

  test('wampkit/browser and wampkit/stubs typecheck for the browser with no @types/node', () => {
    writeFileSync(join(dir, 'browser-app.ts'), BROWSER_APP);
    const config = { compilerOptions: { ...STRICT, module: 'esnext', moduleResolution: 'bundler', lib: ['es2022', 'dom'], types: [], typeRoots: [], noEmit: true }, files: ['browser-app.ts'] };
    writeFileSync(join(dir, 'tsconfig.browser.json'), JSON.stringify(config));
    ok(run(process.execPath, [TSC, '-p', 'tsconfig.browser.json'], dir), 'tsc --strict on wampkit/browser and wampkit/stubs without @types/node');
  });
});
