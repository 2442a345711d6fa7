/**
 * WebSocket over TLS (wss://) with a throwaway self-signed certificate.
 *
 *   npx tsx examples/websocket/tls.ts
 *
 * A real deployment loads its certificate from files (`tls: { key, cert }`). So that this
 * example runs anywhere, it makes a one-day self-signed certificate for 127.0.0.1 at run time
 * with the `openssl` command-line tool, in a temporary directory it deletes afterwards. The
 * client trusts exactly that certificate (`tls: { ca }`), never `rejectUnauthorized: false`.
 * Without openssl on the PATH it says so and exits 1.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, WebSocketServer } from '../../runtime/websocket/index.js';

function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wampkit-tls-example-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let credentials: { key: string; cert: string };
try {
  credentials = selfSignedCertificate();
} catch (error) {
  const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
  console.error(missing
    ? 'tls example: the openssl command was not found; it is needed to make a throwaway self-signed certificate (install openssl, e.g. `apt-get install openssl`)'
    : `tls example: openssl could not make a certificate: ${(error as Error).message}`);
  process.exit(1);
}

const server = new WebSocketServer({ tls: credentials });
server.on('connection', (conn, request) => {
  console.log(`server: ${request.secure ? 'TLS' : 'plain'} connection from ${request.peer}`);
  conn.on('message', (data, isBinary) => conn.sendMessage(data, isBinary));
});
const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
const url = `wss://127.0.0.1:${port}/`;
console.log(`listening on ${url}`);

// Trusting our own certificate only: a connection without `ca` would be refused.
const conn = await connect(url, { tls: { ca: credentials.cert } });
const echo = new Promise<string>((resolve) => conn.once('message', (data) => resolve(data.toString())));
conn.sendMessage('hello over TLS');
console.log(`client: echo "${await echo}"`);
await conn.close(1000);

let refused = 'accepted?!';
try {
  (await connect(url)).terminate();
} catch (error) {
  refused = `refused (${(error as Error).message})`;
}
console.log(`client without the certificate as CA: ${refused}`);
await server.close();
