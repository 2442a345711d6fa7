/**
 * `npm run demo`: the whole toolchain in one run, from a fresh checkout.
 *
 *   1. reports which accelerator the WebSocket engine uses (the NVX addon that `npm install`
 *      built, or the TypeScript implementation);
 *   2. runs wampgen on schemas/ (the example APIs) and on scripts/demo/schema/ (the seed app's
 *      API) into scripts/demo/gen/ (gitignored);
 *   3. typechecks scripts/demo/app.ts against the freshly generated stubs;
 *   4. starts the embedded router on an ephemeral port;
 *   5. runs the seed's component (subscribe, publish, register add2, call add2) through the
 *      typed stubs, then the Calculator API of schemas/, prints what happened, and exits 0 —
 *      or 1 naming the step that failed.
 *
 *   npm run demo [-- --serializer json|msgpack|cbor]
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const here = join(root, 'scripts', 'demo');
const REALM = 'realm1';
const SERIALIZERS = ['json', 'msgpack', 'cbor'] as const;
/** The whole component run is bounded: a hung step fails the demo instead of hanging it. */
const RUN_LIMIT_MS = 20_000;

const { values } = parseArgs({ options: { serializer: { type: 'string', default: 'cbor' } } });
const serializer = SERIALIZERS.find((s) => s === values.serializer);
if (serializer === undefined) {
  console.error(`demo: --serializer must be one of ${SERIALIZERS.join(', ')}, got ${values.serializer}`);
  process.exit(2);
}

// Loaded after the options are checked: a typo is reported at once, not after ts-morph loads.
const { implementation } = await import('../runtime/accel/index.js');
const { generate } = await import('../codegen/index.js');
const { Router } = await import('../runtime/router/router.js');
const { connectWebSocketTransport } = await import('../runtime/transports/websocket-transport.js');

const started = performance.now();
const step = (n: number, text: string): void => console.log(`[${n}/5] ${text}`);
const fail = (what: string, detail: string): never => {
  console.error(`demo FAILED at ${what}: ${detail}`);
  process.exit(1);
};

// 1. The accelerator chosen at load time.
step(1, implementation === 'ts'
  ? 'accelerator: TypeScript implementation (no NVX native addon here; `npm run build:native` builds it)'
  : `accelerator: NVX native kernel '${implementation}'`);

const { withGenLock } = await import('./demo/gen-lock.js');
// Steps 2 and 3 write and read scripts/demo/gen/, which demo:browser writes too.
await withGenLock(join(here, 'gen'), async () => {
  // 2. wampgen, through its programmatic API (the same pipeline as the `wampgen` command).
  for (const [input, out] of [['schemas', 'gen/schemas'], ['scripts/demo/schema', 'gen/myapp']] as const) {
    const result = await generate({ inputs: [input], outDir: join(here, out), cwd: root });
    if (!result.ok) {
      fail(`wampgen ${input}`, result.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`).join('\n'));
    }
    const catalog = JSON.parse(readFileSync(join(here, out, 'catalog.json'), 'utf8')) as { procedures: unknown[]; topics: unknown[] };
    step(2, `wampgen ${input}/ -> scripts/demo/${out}/: ${catalog.procedures.length} procedures, ${catalog.topics.length} topics ` +
      `(${result.written.length} files written, ${result.unchanged.length} unchanged)`);
  }

  // 3. The component must compile against what was just generated.
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (existsSync(tsc)) {
    const config = join(here, 'gen', 'tsconfig.json');
    writeFileSync(config, JSON.stringify({
      extends: '../../../tsconfig.json',
      compilerOptions: { noEmit: true },
      include: ['../app.ts', '../schema', './myapp', '../browser', '../../demo.ts'],
    }, null, 2) + '\n');
    const check = spawnSync(process.execPath, [tsc, '-p', config], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    if (check.status !== 0) fail('typecheck', `${check.stdout}${check.stderr}`);
    step(3, 'typecheck: the component (scripts/demo/app.ts) and the browser page compile against the generated stubs (strict)');
  } else {
    step(3, 'typecheck skipped: the typescript devDependency is not installed');
  }
});

// 4. The embedded router.
const router = new Router({ realms: [REALM], listeners: [{ type: 'websocket', host: '127.0.0.1', port: 0 }] });
const [url] = await router.start();
if (url === undefined) fail('router', 'no listener address');
step(4, `embedded router listening on ${url} (realm ${REALM})`);

// 5. The component (loaded only now: it imports the generated stubs).
step(5, `component over WebSocket with ${serializer}:`);
const { TypedHello } = await import(pathToFileURL(join(here, 'app.ts')).href) as typeof import('./demo/app.js');
const session = new TypedHello(REALM, (line) => console.log(`      ${line}`));
let failure: unknown;
session.on('error', (error: unknown) => (failure ??= error));
const left = new Promise<string>((resolve) => session.once('leave', (details) => resolve(details.reason)));
let timer: NodeJS.Timeout | undefined;
const limit = new Promise<never>((_, reject) => {
  timer = setTimeout(() => reject(new Error(`the component did not finish within ${RUN_LIMIT_MS} ms`)), RUN_LIMIT_MS);
});
try {
  session.attach(await connectWebSocketTransport(url!, { serializers: [serializer] }));
  const reason = await Promise.race([left, limit]);
  if (failure !== undefined) throw failure;
  console.log(`      left the realm: ${reason}`);
} catch (error) {
  session.disconnect();
  await router.close(100);
  fail('the component', error instanceof Error ? error.stack ?? error.message : String(error));
} finally {
  clearTimeout(timer);
}
session.disconnect();
await router.close(100);
console.log(`demo OK in ${((performance.now() - started) / 1000).toFixed(1)} s`);
