import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type ConnectionRequest } from '../../runtime/websocket/server.js';
import { connect } from '../../runtime/websocket/client.js';
import { makeSelfSignedCert } from './tls-cert.js';

const cert = makeSelfSignedCert();
const skip = cert === null ? 'openssl CLI not available to make a test certificate' : false;

describe('wss with a self-signed certificate made at test time', { skip }, () => {
  test('listen with tls: wss works when the client trusts the certificate', async () => {
    let seen: ConnectionRequest | undefined;
    const server = new WebSocketServer({
      tls: { key: cert!.key, cert: cert!.cert },
      onConnect: (req) => {
        seen = req;
      },
      handler: (conn) => ({ onMessage: (p: Buffer, b: boolean) => conn.sendMessage(p, b) }),
    });
    const { port } = await server.listen({ port: 0 });
    try {
      const conn = await connect(`wss://localhost:${port}/secure`, { tls: { ca: cert!.cert } });
      assert.equal(seen?.secure, true);
      const echo = new Promise<string>((r) => conn.once('message', (d: Buffer) => r(d.toString())));
      conn.sendMessage('over tls');
      assert.equal(await echo, 'over tls');
      conn.sendClose(1000);
      assert.equal((await conn.closed).code, 1000);
      // By IP address too (the certificate names 127.0.0.1).
      const byIp = await connect(`wss://127.0.0.1:${port}/`, { tls: { ca: cert!.cert } });
      byIp.sendClose(1000);
      await byIp.closed;
    } finally {
      await server.close();
    }
  });

  test('an untrusted certificate fails the handshake with the TLS error as cause', async () => {
    const server = new WebSocketServer({ tls: { key: cert!.key, cert: cert!.cert } });
    const { port } = await server.listen({ port: 0 });
    try {
      await assert.rejects(connect(`wss://localhost:${port}/`), (err: Error & { code?: string; cause?: { code?: string } }) => {
        assert.equal(err.code, 'WS_HANDSHAKE_FAILED');
        assert.match(String(err.cause?.code), /SELF_SIGNED|UNABLE_TO_VERIFY/);
        return true;
      });
      // The server keeps serving after a failed TLS handshake.
      const ok = await connect(`wss://localhost:${port}/`, { tls: { ca: cert!.cert } });
      ok.sendClose(1000);
      await ok.closed;
    } finally {
      await server.close();
    }
  });

  test('attach to an existing https server', async () => {
    const httpsServer = https.createServer({ key: cert!.key, cert: cert!.cert }, (_req, res) => res.end('page'));
    await new Promise<void>((r) => httpsServer.listen(0, '127.0.0.1', r));
    const port = (httpsServer.address() as AddressInfo).port;
    const wss = new WebSocketServer({ subprotocols: ['s'] }).attach(httpsServer, { path: '/ws' });
    try {
      const conn = await connect(`wss://localhost:${port}/ws`, { tls: { ca: cert!.cert }, protocols: ['s'] });
      assert.equal(conn.subprotocol, 's');
      conn.sendClose(1000);
      await conn.closed;
    } finally {
      await wss.close();
      httpsServer.closeAllConnections();
      await new Promise((r) => httpsServer.close(r));
    }
  });

  test('stalled TLS or HTTP handshakes are dropped after handshakeTimeout', async () => {
    const server = new WebSocketServer({ tls: { key: cert!.key, cert: cert!.cert }, handshakeTimeout: 200 });
    const { port } = await server.listen({ port: 0 });
    try {
      const rawClosed = await new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        s.on('error', () => undefined);
        const t = setTimeout(() => { s.destroy(); resolve(false); }, 3000);
        s.on('close', () => { clearTimeout(t); resolve(true); });
      });
      assert.equal(rawClosed, true, 'a TCP connection without TLS handshake is dropped');
      const answer = await new Promise<string>((resolve) => {
        const s = tls.connect({ host: '127.0.0.1', port, ca: cert!.cert, servername: 'localhost' });
        let text = '';
        s.on('error', () => undefined);
        s.on('secureConnect', () => s.write('GET / HTTP/1.1\r\n'));
        s.on('data', (d) => { text += d.toString(); });
        const t = setTimeout(() => { s.destroy(); resolve('no close'); }, 3000);
        s.on('close', () => { clearTimeout(t); resolve(text); });
      });
      assert.match(answer, /^HTTP\/1\.1 408 /);
    } finally {
      await server.close();
    }
  });
});
