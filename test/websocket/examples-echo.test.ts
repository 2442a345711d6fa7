import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SERVER = 'examples/websocket/echo-server.ts';
const CLIENT = 'examples/websocket/echo-client.ts';
const START_LIMIT_MS = 30_000;

function run(file: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', file, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Starts the echo server; resolves with its URL once it printed the listening line. */
function startServer(args: string[]): Promise<{ child: ChildProcess; url: string; stdout: () => string }> {
  const child = run(SERVER, ['--port', '0', ...args]);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.resume();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`echo server did not print its address within ${START_LIMIT_MS} ms: ${out}`));
    }, START_LIMIT_MS);
    const onData = (): void => {
      const m = /^listening on (ws:\/\/127\.0\.0\.1:(\d+))$/m.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      assert.notEqual(m[2], '0');
      resolve({ child, url: m[1]!, stdout: () => out });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`echo server exited early with ${code}: ${out}`));
    });
  });
}

function finish(child: ChildProcess, limitMs = 60_000): Promise<{ code: number | null; out: string }> {
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

async function stopServer(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

// The two modes run side by side: most of the time is process start-up, not work.
describe('echo examples', { concurrency: true }, () => {
  test('echo-client matches every echo of echo-server; asking for deflate from a plain server or a dead one fails clearly', async () => {
    const server = await startServer([]);
    try {
      const [plain, deflate] = await Promise.all([
        finish(run(CLIENT, ['--url', server.url])),
        finish(run(CLIENT, ['--url', server.url, '--deflate'])),
      ]);
      assert.equal(plain.code, 0, plain.out);
      assert.match(plain.out, /^OK 16 echoes matched/m);
      assert.notEqual(deflate.code, 0);
      assert.match(deflate.out, /^FAIL permessage-deflate/m);
    } finally {
      assert.equal(await stopServer(server.child, 'SIGTERM'), 0);
      assert.deepEqual(server.stdout().trim().split('\n'), [`listening on ${server.url}`]);
    }
    const gone = await finish(run(CLIENT, ['--url', server.url]));
    assert.notEqual(gone.code, 0);
    assert.match(gone.out, /^FAIL cannot connect/m);
  });

  test('echo-client matches every echo of echo-server with --deflate', async () => {
    const server = await startServer(['--deflate']);
    try {
      const client = await finish(run(CLIENT, ['--url', server.url, '--deflate']));
      assert.equal(client.code, 0, client.out);
      assert.match(client.out, /^OK 16 echoes matched \(.*permessage-deflate\)/m);
    } finally {
      assert.equal(await stopServer(server.child, 'SIGINT'), 0);
      assert.deepEqual(server.stdout().trim().split('\n'), [`listening on ${server.url}`]);
    }
  });
});
