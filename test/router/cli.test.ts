import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { routerOptionsFromArgs } from '../../runtime/router/cli.js';
import { connectWebSocketTransport } from '../../runtime/transports/websocket-transport.js';
import { ApplicationSession } from '../../runtime/wamp/session.js';
import { withTimeout } from './helpers.js';

// The launcher as installed; the repository's condition has it run the sources (test/package
// runs it from a packed tarball, on compiled JavaScript).
const bin = fileURLToPath(new URL('../../runtime/bin/wampkit.mjs', import.meta.url));
const sources = ['--conditions=@wampkit/source', '--import', 'tsx'];

describe('wampkit router (CLI)', () => {
  test('flags and --config combine: realms add up, flags set the WebSocket listener', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wampkit-cli-'));
    try {
      const file = join(dir, 'router.json');
      writeFileSync(file, JSON.stringify({ realms: ['a'], helloTimeout: 500, listeners: [{ type: 'rawsocket', port: 0 }] }));
      const options = routerOptionsFromArgs(['--config', file, '--realm', 'b', '--realm', 'c', '--port', '0', '--host', '127.0.0.1']);
      assert.deepEqual(options.realms, ['a', 'b', 'c']);
      assert.equal(options.helloTimeout, 500);
      assert.deepEqual(options.listeners, [{ type: 'websocket', host: '127.0.0.1', port: 0 }, { type: 'rawsocket', port: 0 }]);
      assert.deepEqual(routerOptionsFromArgs([]).listeners, [{ type: 'websocket' }]);
      assert.deepEqual(routerOptionsFromArgs([]).realms, ['realm1']);
      assert.throws(() => routerOptionsFromArgs(['--port', 'x']), /--port must be an integer/);
      assert.throws(() => routerOptionsFromArgs(['--config', join(dir, 'missing.json')]), /cannot read --config/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('npx wampkit router prints its address, serves WAMP, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [...sources, bin, 'router', '--port', '0', '--realm', 'realm1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await withTimeout(new Promise<string>((resolve) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (ws:\/\/\S+)/.exec(out);
          if (m !== null) resolve(m[1]!);
        });
      }), 20_000, `router start (stderr: ${err})`);
      assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+\/ws$/);
      const session = new ApplicationSession({ realm: 'realm1' });
      const joined = new Promise((resolve) => session.once('join', resolve));
      session.attach(await connectWebSocketTransport(url, { serializers: ['json'] }));
      await withTimeout(joined, 15000, 'join');
      await session.register('cli.ping', () => 'pong');
      assert.equal(await session.call('cli.ping'), 'pong');
      const left = new Promise<string>((resolve) => session.once('leave', (d) => resolve(d.reason)));
      child.kill('SIGTERM');
      assert.equal(await withTimeout(left, 15000, 'leave'), 'wamp.close.system_shutdown');
      assert.equal(await withTimeout(exited, 10_000, 'exit'), 0);
      assert.match(out, /stopped/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
