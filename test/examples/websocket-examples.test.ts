// The streaming and TLS WebSocket examples, run as a user runs them.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProgram } from './run-program.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsx = ['--import', 'tsx'];

describe('examples/websocket', { concurrency: true }, () => {
  test('streaming.ts sends a message piece by piece and the server hashes it as it arrives', async () => {
    const run = await runProgram(process.execPath, [...tsx, 'examples/websocket/streaming.ts', '--mib', '4', '--piece-kib', '32'], { cwd: root, limitMs: 120_000 });
    assert.equal(run.code, 0, run.output);
    const m = /^sent 4 MiB as 128 frames; the server read it as (\d+) chunks while it arrived \(4194304 bytes\)$/m.exec(run.stdout);
    assert.ok(m !== null, run.output);
    assert.ok(Number(m[1]) > 1, 'received in more than one piece');
    assert.match(run.stdout, /^OK sha256 [0-9a-f]{16}… matches on both ends$/m);
  });

  test('streaming.ts names a bad --mib', async () => {
    const run = await runProgram(process.execPath, [...tsx, 'examples/websocket/streaming.ts', '--mib', 'lots'], { cwd: root, limitMs: 120_000 });
    assert.equal(run.code, 2);
    assert.match(run.output, /--mib must be a whole number of MiB from 1 to 1024, got lots/);
  });

  test('tls.ts makes a certificate with openssl, echoes over wss, and a client without the CA is refused', async (t) => {
    const run = await runProgram(process.execPath, [...tsx, 'examples/websocket/tls.ts'], { cwd: root, limitMs: 120_000 });
    if (run.code !== 0 && /openssl command was not found/.test(run.output)) {
      t.skip('openssl is not installed');
      return;
    }
    assert.equal(run.code, 0, run.output);
    assert.match(run.stdout, /^listening on wss:\/\/127\.0\.0\.1:\d+\/$/m);
    assert.match(run.stdout, /^server: TLS connection from tcp:127\.0\.0\.1:\d+$/m);
    assert.match(run.stdout, /^client: echo "hello over TLS"$/m);
    assert.match(run.stdout, /^client without the certificate as CA: refused \(.*self-signed certificate.*\)$/m);
  });

  test('tls.ts without openssl on the PATH says what is missing and exits 1', async () => {
    // A PATH holding only a link to node (node often shares /usr/bin with openssl).
    const bin = mkdtempSync(join(tmpdir(), 'wampkit-only-node-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    let run;
    try {
      run = await runProgram(process.execPath, [...tsx, 'examples/websocket/tls.ts'], { cwd: root, limitMs: 120_000, env: { ...process.env, PATH: bin } });
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
    assert.equal(run.code, 1, run.output);
    assert.match(run.output, /the openssl command was not found; it is needed to make a throwaway self-signed certificate/);
    assert.doesNotMatch(run.output, /listening on/);
  });
});
