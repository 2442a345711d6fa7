import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { WebSocketServer } from '../../runtime/websocket/server.js';
import { connect } from '../../runtime/websocket/client.js';
import { parseProxy } from '../../runtime/websocket/proxy.js';
import { makeSelfSignedCert } from './tls-cert.js';

interface TinyProxy {
  port: number;
  /** CONNECT targets seen, in order. */
  targets: string[];
  stop(): Promise<void>;
}

/** A minimal HTTP CONNECT proxy: optional basic auth, then a byte pipe to the target. */
async function tinyProxy(credentials?: string): Promise<TinyProxy> {
  const targets: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('error', () => undefined);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      client.off('data', onData);
      const lines = head.subarray(0, end).toString('latin1').split('\r\n');
      const [method, target] = lines[0]!.split(' ');
      const auth = lines.find((l) => l.toLowerCase().startsWith('proxy-authorization:'))?.split(':').slice(1).join(':').trim();
      if (method !== 'CONNECT' || target === undefined) {
        client.end('HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      if (credentials !== undefined && auth !== `Basic ${Buffer.from(credentials).toString('base64')}`) {
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      targets.push(target);
      const sep = target.lastIndexOf(':');
      const upstream = net.connect(Number(target.slice(sep + 1)), target.slice(0, sep).replace(/^\[|\]$/g, ''));
      sockets.add(upstream);
      upstream.on('error', () => client.destroy());
      upstream.on('connect', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        const rest = head.subarray(end + 4);
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      client.on('close', () => upstream.destroy());
    };
    client.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    targets,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

async function echoServer(tls?: { key: string; cert: string }): Promise<{ server: WebSocketServer; port: number }> {
  const server = new WebSocketServer({ ...(tls ? { tls } : {}), handler: (c) => ({ onMessage: (p: Buffer, b: boolean) => c.sendMessage(p, b) }) });
  const { port } = await server.listen({ port: 0 });
  return { server, port };
}

async function roundTrip(url: string, options: Parameters<typeof connect>[1]): Promise<void> {
  const conn = await connect(url, options);
  const echo = new Promise<string>((r) => conn.once('message', (d: Buffer) => r(d.toString())));
  conn.sendMessage('through the tunnel');
  assert.equal(await echo, 'through the tunnel');
  conn.sendClose(1000);
  assert.equal((await conn.closed).code, 1000);
}

describe('HTTP CONNECT proxy', () => {
  test('ws:// through a proxy', async () => {
    const proxy = await tinyProxy();
    const { server, port } = await echoServer();
    try {
      await roundTrip(`ws://127.0.0.1:${port}/`, { proxy: `http://127.0.0.1:${proxy.port}` });
      assert.deepEqual(proxy.targets, [`127.0.0.1:${port}`]);
    } finally {
      await server.close();
      await proxy.stop();
    }
  });

  test('basic auth: refused without credentials (typed, with the status), accepted with them', async () => {
    const proxy = await tinyProxy('user:p@ss');
    const { server, port } = await echoServer();
    try {
      await assert.rejects(connect(`ws://127.0.0.1:${port}/`, { proxy: `http://127.0.0.1:${proxy.port}` }), {
        code: 'WS_PROXY_FAILED',
        httpStatus: 407,
      });
      await roundTrip(`ws://127.0.0.1:${port}/`, { proxy: `http://user:p%40ss@127.0.0.1:${proxy.port}` });
      assert.equal(proxy.targets.length, 1);
    } finally {
      await server.close();
      await proxy.stop();
    }
  });

  const cert = makeSelfSignedCert();
  test('wss:// through a proxy (TLS runs end to end inside the tunnel)', { skip: cert === null ? 'openssl CLI not available' : false }, async () => {
    const proxy = await tinyProxy();
    const { server, port } = await echoServer(cert!);
    try {
      await roundTrip(`wss://localhost:${port}/`, { proxy: { url: `http://127.0.0.1:${proxy.port}`, headers: { 'X-Via': 'test' } }, tls: { ca: cert!.cert } });
      assert.deepEqual(proxy.targets, [`localhost:${port}`]);
    } finally {
      await server.close();
      await proxy.stop();
    }
  });

  test('an unreachable proxy is WS_PROXY_FAILED; a silent one times out', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const deadPort = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    await assert.rejects(connect('ws://127.0.0.1:1/', { proxy: `http://127.0.0.1:${deadPort}` }), { code: 'WS_PROXY_FAILED' });

    const silent = net.createServer((s) => s.on('error', () => undefined));
    const held = new Set<net.Socket>();
    silent.on('connection', (s) => held.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      await assert.rejects(connect('ws://127.0.0.1:1/', { proxy: `http://127.0.0.1:${port}`, handshakeTimeout: 150 }), { code: 'WS_HANDSHAKE_TIMEOUT' });
    } finally {
      for (const s of held) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  test('proxy option parsing', () => {
    assert.deepEqual(parseProxy('http://a:b@proxy.local:3128'), {
      host: 'proxy.local',
      port: 3128,
      authorization: `Basic ${Buffer.from('a:b').toString('base64')}`,
      headers: {},
    });
    assert.equal(parseProxy('http://[::1]').host, '::1');
    assert.equal(parseProxy('http://p').port, 80);
    assert.throws(() => parseProxy('https://p:1'), { code: 'WS_INVALID_ARGUMENT' });
    assert.throws(() => parseProxy('::'), { code: 'WS_INVALID_ARGUMENT' });
  });
});
