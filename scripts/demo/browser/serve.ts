/**
 * `npm run demo:browser`: the browser half of the demo. Generates the stubs, bundles the page
 * with esbuild into scripts/demo/gen/www/ (gitignored), and serves the page and the embedded
 * router from one HTTP server: static files at `/`, WAMP over WebSocket at `/ws`.
 *
 *   npm run demo:browser [-- --port 8080]     then open the printed URL; Ctrl-C stops
 *
 * `startBrowserDemo()` is what test/browser/ drives with headless Chromium.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { generate } from '../../../codegen/index.js';
import { Router } from '../../../runtime/router/router.js';
import { createStaticFiles } from '../../../runtime/router/static-files.js';
import { WebSocketTransport } from '../../../runtime/transports/websocket-transport.js';
import { WebSocketServer } from '../../../runtime/websocket/index.js';
import { withGenLock } from '../gen-lock.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const here = join(root, 'scripts', 'demo');
const WAMP_PATH = '/ws';
const SUBPROTOCOLS = ['wamp.2.cbor', 'wamp.2.msgpack', 'wamp.2.json'];

export interface BrowserDemo {
  /** The page's URL. */
  readonly url: string;
  readonly router: Router;
  close(): Promise<void>;
}

/** Generates, bundles and serves; resolves once listening. */
export async function startBrowserDemo(options: { host?: string; port?: number } = {}): Promise<BrowserDemo> {
  const www = join(here, 'gen', 'www');
  // `npm run demo` writes and reads the same generated stubs: one at a time.
  await withGenLock(join(here, 'gen'), async () => {
    const generated = await generate({ inputs: [join(here, 'schema')], outDir: join(here, 'gen', 'myapp'), cwd: root });
    if (!generated.ok) throw new Error(`wampgen: ${generated.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`).join('; ')}`);

    mkdirSync(www, { recursive: true });
    await build({
      entryPoints: [join(here, 'browser', 'page.ts')],
      outfile: join(www, 'page.js'),
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      sourcemap: true,
      logLevel: 'warning',
      // The page imports `wampkit/browser`, the generated stubs `wampkit/stubs` (browser-safe);
      // plain `wampkit` in the browser is the browser entry.
      alias: {
        'wampkit/browser': join(root, 'runtime', 'browser', 'index.ts'),
        'wampkit/stubs': join(root, 'runtime', 'stubs', 'index.ts'),
        wampkit: join(root, 'runtime', 'browser', 'index.ts'),
      },
    });
    copyFileSync(join(here, 'browser', 'index.html'), join(www, 'index.html'));
  });

  const router = new Router({ realms: ['realm1'] });
  const files = createStaticFiles({ root: www });
  const server = http.createServer((request, response) => {
    if (files(request, response)) return;
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  // The router serves any transport handed to it: here, WebSockets accepted on our own server.
  const wss = new WebSocketServer({ subprotocols: SUBPROTOCOLS }).attach(server, { path: WAMP_PATH });
  wss.on('connection', (connection) => {
    const transport = WebSocketTransport.accept(connection, {});
    if (transport === null) void connection.close(1002, 'no WAMP subprotocol').catch(() => {});
    else router.attach(transport);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://${host}:${port}/`,
    router,
    async close() {
      await wss.close();
      await router.close(100);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' }, host: { type: 'string', default: '127.0.0.1' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`demo:browser: --port must be 0..65535, got ${values.port}`);
    process.exit(2);
  }
  const demo = await startBrowserDemo({ host: values.host, port });
  console.log(`open ${demo.url} (WAMP at ws://${values.host}:${new URL(demo.url).port}${WAMP_PATH}); Ctrl-C stops`);
  const stop = (): void => void demo.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
