// The browser demo page in headless Chromium: bundled with esbuild, served beside the router,
// the seed's actions through the generated stubs over the browser's own WebSocket, and a Node
// session calling the procedure the page registered.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ApplicationSession, type SessionDetails } from '../../runtime/wamp/session.js';
import { connectWebSocketTransport } from '../../runtime/transports/websocket-transport.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/headless-chromium.js';

const require_ = createRequire(import.meta.url);
const PAGE_LIMIT_MS = 60_000;

function skipReason(): string | undefined {
  if (CHROMIUM === undefined) return 'chromium is not installed (/usr/bin/chromium)';
  for (const name of ['playwright-core', 'esbuild']) {
    try {
      require_.resolve(name);
    } catch {
      return `${name} is not installed`;
    }
  }
  return undefined;
}

const skip = skipReason();

describe('browser demo page (scripts/demo/browser) in headless Chromium', { skip }, () => {
  let demo: Awaited<ReturnType<typeof import('../../scripts/demo/browser/serve.js')['startBrowserDemo']>>;
  let browser: import('playwright-core').Browser;

  before(async () => {
    const { startBrowserDemo } = await import('../../scripts/demo/browser/serve.js');
    demo = await startBrowserDemo();
    const { chromium } = require_('playwright-core') as typeof import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM!, args: CHROMIUM_ARGS, timeout: PAGE_LIMIT_MS });
  });

  after(async () => {
    await browser?.close();
    await demo?.close();
  });

  test('the server answers the page, the bundle, and 404 for anything else', async () => {
    const page = await fetch(demo.url);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await page.text(), /<script type="module" src=".\/page.js">/);
    const bundle = await fetch(new URL('page.js', demo.url));
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.doesNotMatch(await bundle.text(), /from ["']node:/, 'no Node built-ins in the bundle');
    assert.equal((await fetch(new URL('../../package.json', demo.url))).status, 404);
    assert.equal((await fetch(new URL('nope.js', demo.url))).status, 404);
  });

  for (const serializer of ['cbor', 'json'] as const) {
    test(`${serializer}: the page runs subscribe, publish, register, call and a progressive call; Node calls the page's add2`, async () => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        await page.goto(`${demo.url}?serializer=${serializer}`, { timeout: PAGE_LIMIT_MS });
        await page.waitForSelector('body:not([data-status="running"])', { timeout: PAGE_LIMIT_MS });
        const status = await page.getAttribute('body', 'data-status');
        const log = (await page.textContent('#log')) ?? '';
        assert.equal(status, 'ok', `${log}\n${errors.join('\n')}`);
        assert.match(log, new RegExp(`^joined realm1 as session \\d+ over ws://127\\.0\\.0\\.1:\\d+/ws \\(${serializer}\\)$`, 'm'));
        assert.match(log, /Got event: Hello from a headless browser!/);
        assert.match(log, /Got result: 5$/m);
        assert.match(log, /countdown\(3\) progressed 3, 2, 1 and returned 'liftoff'/);
        assert.match(log, /add2\("two", 3\) refused: wamp\.error\.invalid_argument/);
        assert.deepEqual(errors, []);

        // A Node peer on the same router calls the procedure the browser registered.
        const url = demo.url.replace(/^http/, 'ws') + 'ws';
        const node = new ApplicationSession({ realm: 'realm1' });
        const joined = new Promise<SessionDetails>((resolve) => node.once('join', resolve));
        node.attach(await connectWebSocketTransport(url, { serializers: ['msgpack'] }));
        await joined;
        try {
          assert.equal(await node.call('com.myapp.add2', [40, 2]), 42);
        } finally {
          await node.leave();
          node.disconnect();
        }
      } finally {
        await page.close();
      }
    });
  }
});

test('the demo:browser script prints the URL, serves the page there, and stops on SIGTERM', async () => {
  const { startProgram } = await import('../examples/run-program.js');
  const root = fileURLToPath(new URL('../../', import.meta.url));
  // What `npm run demo:browser -- --port 0` runs, started directly: npm does not pass SIGTERM on.
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const [command, ...args] = (scripts['demo:browser'] ?? '').split(' ');
  assert.equal(command, 'node');
  const program = await startProgram(process.execPath, [...args, '--port', '0'], {
    cwd: root, limitMs: 120_000, ready: /^open (http:\/\/127\.0\.0\.1:\d+\/) \(WAMP at ws:\/\/127\.0\.0\.1:\d+\/ws\); Ctrl-C stops$/m,
  });
  try {
    const page = await fetch(program.match[1]!);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /wampkit in the browser/);
  } finally {
    program.child.kill('SIGTERM');
  }
  const run = await program.finished;
  assert.equal(run.code, 0, run.output);
});
