// The WAMP examples run as a user would run them.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { PeerProcess } from '../interop/peer-process.js';
import { withTimeout } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsx = ['--import', 'tsx'];

describe('examples/wamp', () => {
  test('hello.ts ports the Autobahn component and prints the event and the result', async () => {
    const p = new PeerProcess(process.execPath, [...tsx, 'examples/wamp/hello.ts'], root);
    try {
      assert.equal(await withTimeout(p.exited, 30_000, 'hello.ts'), 0, p.err);
      assert.match(p.out, /Got event: Hello, world!/);
      assert.match(p.out, /Got result: 5/);
      assert.match(p.out, /disconnected/);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  });

  test('router.ts serves hello.ts and component.ts, and stops on SIGINT', async () => {
    const router = new PeerProcess(process.execPath, [...tsx, 'examples/wamp/router.ts', '--port', '0'], root);
    try {
      const m = await router.waitFor(/listening on (ws:\/\/\S+)/, 30_000);
      const url = m[1]!;
      const hello = new PeerProcess(process.execPath, [...tsx, 'examples/wamp/hello.ts', '--url', url], root);
      assert.equal(await withTimeout(hello.exited, 30_000, 'hello.ts'), 0, hello.err);
      assert.match(hello.out, /Got result: 5/);
      const component = new PeerProcess(process.execPath, [...tsx, 'examples/wamp/component.ts', '--url', url, '--seconds', '1'], root);
      assert.equal(await withTimeout(component.exited, 30_000, 'component.ts'), 0, component.err);
      assert.match(component.out, /joined as \d+/);
      assert.match(component.out, /done/);
      router.child.kill('SIGINT');
      assert.equal(await withTimeout(router.exited, 10_000, 'router exit'), 0);
      assert.match(router.out, /stopped/);
    } finally {
      if (router.child.exitCode === null) router.child.kill('SIGKILL');
    }
  });
});
