import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Router } from '../../runtime/router/router.js';
import { routerOptionsFromArgs } from '../../runtime/router/cli.js';

test('a WebSocket listener with `static` serves files and WAMP on one port', async () => {
  const root = mkdtempSync(join(tmpdir(), 'wampkit-static-'));
  writeFileSync(join(root, 'index.html'), '<h1>hello</h1>');
  const router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0, static: root }] });
  try {
    const [url] = await router.start();
    const base = url!.replace('ws://', 'http://').replace(/\/ws$/, '');
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(await page.text(), '<h1>hello</h1>');
    assert.equal((await fetch(`${base}/missing.txt`)).status, 404);
    assert.equal((await fetch(`${base}/%2e%2e/%2e%2e/etc/passwd`)).status, 404);
    // The WAMP path still answers plain HTTP with 426 Upgrade Required.
    assert.equal((await fetch(`${base}/ws`)).status, 426);
  } finally {
    await router.close(100);
    rmSync(root, { recursive: true, force: true });
  }
});

test('`static` is validated and named when wrong', () => {
  assert.throws(
    () => new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0, static: 5 as unknown as string }] }),
    /listeners\[0\]\.static must be a directory path or \{ root, index\? \}, got 5/,
  );
});

test('the CLI flag --static sets the WebSocket listener root', () => {
  const options = routerOptionsFromArgs(['--static', '/srv/www', '--port', '0']);
  assert.deepEqual(options.listeners?.[0], { type: 'websocket', port: 0, static: '/srv/www' });
});
