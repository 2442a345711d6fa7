import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { browserOffenders } from '../helpers/browser-safe.js';
import { browserTools } from '../helpers/headless-chromium.js';
import WebSocket from 'ws';
import { Router } from '../../runtime/router/router.js';
import { connectBrowserWebSocket, type W3CWebSocketConstructor } from '../../runtime/transports/browser-websocket.js';
import { ApplicationSession, Component, connect } from '../../runtime/browser/index.js';
import type { SessionDetails } from '../../runtime/wamp/session.js';
import { withTimeout } from '../router/helpers.js';

const entry = fileURLToPath(new URL('../../runtime/browser/index.ts', import.meta.url));
const require_ = createRequire(import.meta.url);


describe('browser WebSocket transport (wampkit/browser)', () => {
  test('no Node built-ins anywhere in the import graph of wampkit/browser', () => {
    const { files, offenders } = browserOffenders(entry);
    assert.ok(files > 10, `walked ${files} files`);
    assert.deepEqual(offenders, []);
  });

  test('esbuild bundles wampkit/browser for the browser platform', async (t) => {
    let esbuild: typeof import('esbuild');
    try {
      esbuild = require_('esbuild') as typeof import('esbuild');
    } catch {
      t.skip('esbuild is not installed');
      return;
    }
    const result = await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' });
    assert.equal(result.errors.length, 0);
    assert.ok(result.outputFiles[0]!.text.length > 1000);
  });

  for (const serializer of ['json', 'msgpack', 'cbor'] as const) {
    test(`a W3C WebSocket (ws's) with ${serializer}: join, register, call`, async () => {
      const router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0 }] });
      const [url] = await router.start();
      const transport = await connectBrowserWebSocket(url!, { serializers: [serializer], WebSocket: WebSocket as unknown as W3CWebSocketConstructor });
      assert.equal(transport.serializerName, serializer);
      const session = new ApplicationSession({ realm: 'realm1' });
      const joined = new Promise<SessionDetails>((r) => session.once('join', r));
      session.attach(transport);
      await withTimeout(joined, 10000, 'join');
      await session.register('b.echo', ([x]) => x);
      const bytes = new Uint8Array([7, 0, 255]);
      assert.deepEqual([...(await session.call('b.echo', [bytes]) as Uint8Array)], [7, 0, 255]);
      assert.equal(await session.call('b.echo', ['ü']), 'ü');
      await session.leave();
      session.disconnect();
      await router.close(50);
    });
  }

  test('no WebSocket available: a clear error; non-ws URLs are refused by the browser Component', async () => {
    await assert.rejects(connectBrowserWebSocket('ws://127.0.0.1:1/ws', { WebSocket: undefined as never }).catch((e: Error) => {
      throw e;
    }), /WebSocket/);
    assert.throws(() => new Component({ transports: 'rs://127.0.0.1:1', realm: 'r' }), /ws:\/\/ or wss:\/\//);
    void connect;
  });

  test('in headless Chromium: the bundled client joins our router, registers and calls', async (t) => {
    const tools = browserTools(t);
    if (tools === undefined) return;
    const { esbuild } = tools;
    const bundle = await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'iife', globalName: 'wampkit', write: false, logLevel: 'silent' });
    const router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0 }] });
    const [url] = await router.start();
    const browser = await tools.launch();
    try {
      const page = await browser.newPage();
      await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
      const result = await page.evaluate(async (routerUrl) => {
        const w = (globalThis as unknown as { wampkit: typeof import('../../runtime/browser/index.js') }).wampkit;
        const out: unknown[] = [];
        for (const serializer of ['json', 'msgpack', 'cbor'] as const) {
          const session = await w.connect({ transports: [{ url: routerUrl, serializers: [serializer] }], realm: 'realm1', maxRetries: 0 });
          await session.register(`in.browser.${serializer}`, ([a, b]) => (a as number) * (b as number));
          out.push(await session.call(`in.browser.${serializer}`, [6, 7]));
          await session.leave();
        }
        return out;
      }, url!);
      assert.deepEqual(result, [42, 42, 42]);
    } finally {
      await browser.close();
      await router.close(50);
    }
  });
});
