// runtime/router/static-files.ts: what it serves, and what it refuses to serve.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStaticFiles, StaticFilesErrorCode } from '../../runtime/router/static-files.js';

interface Reply { status: number; type: string | undefined; body: string }

/** A raw request: the path goes out exactly as written (fetch would normalise `..` away). */
function request(port: number, path: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('static files', () => {
  let dir: string;
  let server: http.Server;
  let port: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wampkit-static-'));
    const www = join(dir, 'www');
    mkdirSync(join(www, 'sub'), { recursive: true });
    writeFileSync(join(www, 'index.html'), '<p>home</p>');
    writeFileSync(join(www, 'app.js'), 'export {};');
    writeFileSync(join(www, 'sub', 'index.html'), '<p>sub</p>');
    writeFileSync(join(www, 'data.bin'), 'bytes');
    writeFileSync(join(dir, 'secret.txt'), 'outside the root');
    symlinkSync(join(dir, 'secret.txt'), join(www, 'escape.txt'));
    const files = createStaticFiles({ root: www });
    server = http.createServer((req, res) => {
      if (!files(req, res)) res.writeHead(404).end('fallback 404');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves files with their content type, index.html for directories, HEAD without a body', async () => {
    assert.deepEqual(await request(port, '/'), { status: 200, type: 'text/html; charset=utf-8', body: '<p>home</p>' });
    assert.deepEqual(await request(port, '/sub/?x=1'), { status: 200, type: 'text/html; charset=utf-8', body: '<p>sub</p>' });
    assert.deepEqual(await request(port, '/app.js'), { status: 200, type: 'text/javascript; charset=utf-8', body: 'export {};' });
    assert.deepEqual(await request(port, '/data.bin'), { status: 200, type: 'application/octet-stream', body: 'bytes' });
    assert.deepEqual(await request(port, '/app.js', 'HEAD'), { status: 200, type: 'text/javascript; charset=utf-8', body: '' });
  });

  test('leaves everything else to the caller: other methods, missing files, directories without a slash', async () => {
    assert.equal((await request(port, '/app.js', 'POST')).body, 'fallback 404');
    assert.equal((await request(port, '/missing.js')).body, 'fallback 404');
    assert.equal((await request(port, '/sub')).body, 'fallback 404');
  });

  test('never reads outside the root: .. in any spelling, symbolic links, NUL bytes, bad escapes', async () => {
    for (const path of ['/../secret.txt', '/sub/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/escape.txt', '/app.js%00.html', '/%E0%A4%A']) {
      const reply = await request(port, path);
      assert.equal(reply.status, 404, path);
      assert.doesNotMatch(reply.body, /outside the root/, path);
    }
  });

  test('bad options name the bad value', () => {
    assert.throws(() => createStaticFiles({ root: '' }), { code: StaticFilesErrorCode.INVALID_OPTION, message: /root must be a directory path, got ""/ });
    assert.throws(() => createStaticFiles({ root: '/definitely/not/here' }), { message: /root "\/definitely\/not\/here" does not exist/ });
    assert.throws(() => createStaticFiles({ root: fileURLToPath(import.meta.url) }), { message: /is not a directory/ });
    assert.throws(() => createStaticFiles({ root: tmpdir(), index: '../x.html' }), { message: /index must be a plain file name, got "..\/x.html"/ });
  });
});
