// The WAMP examples run as a user would run them.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { PeerProcess } from '../interop/peer-process.js';
import { withTimeout } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsx = ['--import', 'tsx'];

describe('examples/wamp', () => {
  test('hello.ts alone (embedded router); router.ts serving hello.ts and component.ts; SIGINT stops it', async () => {
    // Started together: the standalone run overlaps with the router's start-up.
    const alone = new PeerProcess(process.execPath, [...tsx, 'examples/wamp/hello.ts'], root);
    const router = new PeerProcess(process.execPath, [...tsx, 'examples/wamp/router.ts', '--port', '0'], root);
    try {
      assert.equal(await withTimeout(alone.exited, 60_000, 'hello.ts'), 0, alone.err);
      assert.match(alone.out, /embedded router on ws:/);
      assert.match(alone.out, /Got event: Hello, world!/);
      assert.match(alone.out, /Got result: 5/);
      assert.match(alone.out, /disconnected/);
      const m = await router.waitFor(/listening on (ws:\/\/\S+)/, 60_000);
      const url = m[1]!;
      const hello = new PeerProcess(process.execPath, [...tsx, 'examples/wamp/hello.ts', '--url', url], root);
      assert.equal(await withTimeout(hello.exited, 60_000, 'hello.ts'), 0, hello.err);
      assert.match(hello.out, /Got result: 5/);
      const component = new PeerProcess(process.execPath, [...tsx, 'examples/wamp/component.ts', '--url', url, '--seconds', '1'], root);
      assert.equal(await withTimeout(component.exited, 60_000, 'component.ts'), 0, component.err);
      assert.match(component.out, /joined as \d+/);
      assert.match(component.out, /done/);
      router.child.kill('SIGINT');
      assert.equal(await withTimeout(router.exited, 10_000, 'router exit'), 0);
      assert.match(router.out, /stopped/);
    } finally {
      if (alone.child.exitCode === null) alone.child.kill('SIGKILL');
      if (router.child.exitCode === null) router.child.kill('SIGKILL');
    }
  });
});
