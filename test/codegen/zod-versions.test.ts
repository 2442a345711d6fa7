/**
 * Generated stubs against the zod versions they support, each in a throwaway project that
 * installs that zod from the npm registry (zod 3.25.20 and 3.25.76, whose `zod/v4` serves the zod 4 API, and
 * zod 4): the output typechecks against that zod, loads, validates, and serves a call. The
 * generated folder imports only `wampkit/stubs` and the project's own `zod/v4`; wampkit/stubs
 * never imports zod itself, so under strict resolution (pnpm) nothing needs a zod the project
 * does not have.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate, formatDiagnostic } from '../../codegen/index.js';
import { ROOT } from './helpers.js';

/** The floor of the peer range (earlier 3.25 patches shipped zod/v4 without working type exports), the last zod 3, and zod 4. */
const VERSIONS = ['3.25.20', '3.25.76', '4'] as const;

/** Runs in the throwaway project: load the stubs, validate, and serve one call through a fake session. */
const CHECK = `
import { ProductSchema, OrderSchema, ShopCaller, registerShop, type Product } from './gen/language/index.js';
import { CalculatorCaller, registerCalculator } from './gen/examples/index.js';
import { Result } from 'wampkit/stubs';

const product: Product = {
  sku: 'sku-1', id: '3b241101-e2bb-4255-8caf-4136c566a962', name: 'Lamp', cents: 5, prices: { EUR: 1, USD: 2 },
  stock: { EUR: 0, USD: 1 } as Product['stock'], tags: [], dimensions: [1, 2], launched: '2025-01-31',
  updatedAt: '2025-01-31T12:00:00Z', region: 'us-3',
};
const endpoints = new Map<string, (a: unknown[], k: Record<string, unknown>, d: unknown) => unknown>();
const session = {
  id: 1, realm: 'r', isOpen: true,
  register: async (uri: string, e: (a: unknown[], k: Record<string, unknown>, d: unknown) => unknown) => { endpoints.set(uri, e); return { id: 1, procedure: uri, active: true, unregister: async () => {} }; },
  callResult: async (uri: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) => {
    const value = await endpoints.get(uri)?.(args, kwargs, { procedure: uri, registration: 1, signal: new AbortController().signal });
    return value instanceof Result ? { args: value.args, kwargs: value.kwargs } : { args: [value], kwargs: {} };
  },
} as never;
const out = {
  valid: ProductSchema.safeParse(product).success,
  halfCent: ProductSchema.safeParse({ ...product, cents: 1.5 }).success,
  badEmail: OrderSchema.safeParse({ product: 'sku-1', quantity: 1, contact: 'nope' }).success,
  badSku: OrderSchema.safeParse({ product: 'SKU1', quantity: 1, contact: 'a@b.co' }).success,
  call: 0, divmod: [] as number[], product: '',
};
await registerCalculator(session, {
  add2: (x, y) => x + y, div: (x, y) => x / y, divmod: (x, y) => [Math.floor(x / y), x % y], sum: (v) => v.length,
  async *countdown() { return 'done' as const; }, echo: (t) => t,
});
out.call = await new CalculatorCaller(session).add2(20, 22);
out.divmod = await new CalculatorCaller(session).divmod(7, 2);
await registerShop(session, { product: (sku) => ({ ...product, sku }), order: () => product.id, search: () => [], page: () => [] });
out.product = (await new ShopCaller(session).product('sku-9')).sku;
console.log(JSON.stringify(out));
`;

let base = '';
const projects = new Map<string, string | { skip: string }>();

function install(version: string): string | { skip: string } {
  const dir = join(base, `zod-${version}`);
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `zod-${version.replace(/\./g, '-')}`, private: true, type: 'module' }));
  const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', '--no-package-lock', `zod@${version}`], { cwd: dir, encoding: 'utf8', timeout: 180_000 });
  if (npm.status !== 0) return { skip: `npm install zod@${version} failed (no registry?): ${(npm.stderr || npm.stdout).split('\n').slice(-3).join(' ')}` };
  symlinkSync(join(ROOT, 'runtime'), join(dir, 'node_modules/wampkit'), 'dir');
  return dir;
}

describe('generated stubs with each supported zod, in throwaway projects', () => {
  before(async () => {
    base = mkdtempSync(join(tmpdir(), 'wampgen-zod-'));
    for (const v of VERSIONS) projects.set(v, install(v));
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  test('wampkit/stubs never imports zod (the project\'s zod is the only one in play)', () => {
    for (const file of readdirSync(join(ROOT, 'runtime/stubs'))) {
      assert.doesNotMatch(readFileSync(join(ROOT, 'runtime/stubs', file), 'utf8'), /from ['"]zod/, file);
    }
  });

  for (const version of VERSIONS) {
    test(`zod ${version}: the output typechecks against it, loads, validates and serves calls`, async (t) => {
      const dir = projects.get(version);
      if (dir === undefined || typeof dir !== 'string') return t.skip(dir?.skip ?? 'not installed');
      const installed = (JSON.parse(readFileSync(join(dir, 'node_modules/zod/package.json'), 'utf8')) as { version: string }).version;
      assert.ok(installed.startsWith(version === '4' ? '4.' : version), `zod ${installed} installed`);
      for (const [name, schema] of [['examples', 'schemas'], ['language', 'test/codegen/fixtures/language/schema']] as const) {
        const r = await generate({ inputs: [join(ROOT, schema)], outDir: join(dir, 'gen', name), cwd: ROOT });
        assert.deepEqual(r.diagnostics.map(formatDiagnostic), []);
      }
      writeFileSync(join(dir, 'check.ts'), CHECK);
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
        compilerOptions: { strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, module: 'nodenext', target: 'es2022', lib: ['es2023', 'dom'], types: [], customConditions: ['@wampkit/source'], skipLibCheck: true, noEmit: true },
        include: ['gen/**/*.ts', 'check.ts'],
      }));
      const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      const own = `${tsc.stdout}${tsc.stderr}`.split('\n').filter((l) => /^(gen\/|check\.ts)/.test(l));
      assert.deepEqual(own, [], `typechecks against zod ${installed}`);
      const run = spawnSync(process.execPath, ['--conditions=@wampkit/source', '--import', import.meta.resolve('tsx'), 'check.ts'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}'), {
        valid: true, halfCent: false, badEmail: false, badSku: false, call: 42, divmod: [3, 1], product: 'sku-9',
      });
    });
  }
});
