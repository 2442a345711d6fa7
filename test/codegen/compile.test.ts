/**
 * The generated code compiles under `tsc --strict` (the native TS 7 compiler, on a temp
 * tsconfig as a user project would have it), importing 'wampkit' and 'zod' by package name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { generate } from '../../codegen/index.js';
import { formatDiagnostic } from '../../codegen/diagnostics.js';
import { ROOT, tempProject } from './helpers.js';

const TSCONFIG = {
  compilerOptions: {
    strict: true, noEmit: true, target: 'es2022', lib: ['es2023'], module: 'nodenext', moduleResolution: 'nodenext',
    customConditions: ['@wampkit/source'], types: ['node'], noUncheckedIndexedAccess: true, noImplicitOverride: true,
    exactOptionalPropertyTypes: false, verbatimModuleSyntax: true, isolatedModules: true, skipLibCheck: true,
    noUnusedLocals: true, noUnusedParameters: true, noImplicitReturns: true,
  },
  include: ['out/**/*.ts', 'use.ts'],
};

/**
 * 'wampkit' mapped to the two runtime files generated code binds to (the package root re-exports
 * exactly these), so the check does not type-check the whole runtime on every run.
 */
const WAMPKIT_API = `export { ApplicationError, Result } from '${ROOT}runtime/wamp/application-error.js';
export type * from '${ROOT}runtime/wamp/types.js';
`;

function writeProject(tmp: ReturnType<typeof tempProject>, include: string[]): void {
  tmp.write('wampkit-api.ts', WAMPKIT_API);
  tmp.write('tsconfig.json', JSON.stringify({ ...TSCONFIG, compilerOptions: { ...TSCONFIG.compilerOptions, paths: { wampkit: ['./wampkit-api.ts'] } }, include: [...include, 'wampkit-api.ts'] }, null, 2));
}

/** A user program: what the generated API looks like from outside, checked by the compiler. */
const USE = `
import type { WampSession } from 'wampkit';
import { CalculatorCaller, DivisionByZeroError, registerCalculator, subscribeChat, type ChatMessage } from './out/examples/index.js';

export async function use(session: WampSession): Promise<number> {
  const calc = new CalculatorCaller(session);
  const sum: number = await calc.add2(1, 2, { timeout: 1000, signal: AbortSignal.timeout(5000) });
  const [q, r]: [number, number] = await calc.divmod(7, 2);
  const countdown = calc.countdown(3);
  for await (const n of countdown) void (n satisfies number);
  const done: 'done' = await countdown.result;
  try {
    await calc.div(1, 0);
  } catch (e) {
    if (e instanceof DivisionByZeroError) return e.detail.dividend;
  }
  await registerCalculator(session, {
    add2: (x, y) => x + y,
    div: (x, y) => x / y,
    divmod: async (x, y) => [Math.floor(x / y), x % y],
    sum: (values, options) => values.length + (options.decimals ?? 0),
    async *countdown(from) { yield from; return 'done'; },
    echo: (text, details) => details.procedure + text,
  });
  await subscribeChat(session, { message: (m: ChatMessage, details) => void [m.text, details.topic] }, { onInvalid: (e) => void e.issues });
  return sum + q + r + done.length;
}
`;

test('generated code compiles under tsc --strict with no errors', async () => {
  const tmp = tempProject();
  try {
    for (const [name, schema] of [['examples', 'schemas'], ['edge', 'test/codegen/fixtures/edge/schema']] as const) {
      const r = await generate({ inputs: [join(ROOT, schema)], outDir: join(tmp.dir, 'out', name), cwd: ROOT });
      assert.deepEqual(r.diagnostics.map(formatDiagnostic), []);
    }
    writeProject(tmp, TSCONFIG.include);
    tmp.write('use.ts', USE);
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(tmp.dir, 'tsconfig.json')], { cwd: tmp.dir, encoding: 'utf8', timeout: 120_000 });
    const lines = `${tsc.stdout}${tsc.stderr}`.split('\n').filter((l) => /^(out\/|use\.ts)/.test(l));
    assert.deepEqual(lines, [], 'no compiler errors in generated code or in the program using it');
    assert.notEqual(tsc.status, null, 'tsc ran to completion');
  } finally {
    tmp.dispose();
  }
});

test('the compile check is able to fail: a type error in a generated file is reported', async () => {
  const tmp = tempProject();
  try {
    await generate({ inputs: [join(ROOT, 'schemas/common.ts')], outDir: join(tmp.dir, 'out'), cwd: ROOT });
    tmp.write('out/broken.ts', "import type { User } from './common.js';\nexport const u: User = { id: 1 };\n");
    writeProject(tmp, ['out/**/*.ts']);
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(tmp.dir, 'tsconfig.json')], { cwd: tmp.dir, encoding: 'utf8', timeout: 120_000 });
    assert.match(`${tsc.stdout}`, /out\/broken\.ts\(2,/);
  } finally {
    tmp.dispose();
  }
});
