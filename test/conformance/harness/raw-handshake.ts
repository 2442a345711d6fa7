/**
 * Raw opening handshakes (RFC 6455 section 4) for the conformance harness: a raw client that
 * upgrades against the engine's server, and a raw server that accepts the engine's client.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import assert from 'node:assert/strict';
import { HANDSHAKE_GUID } from '../../../runtime/websocket/constants.js';
import { directionsOf, parseDeflateResponse } from './deflate.js';
import { RawPeer, WAIT_MS, type NegotiatedDeflate } from './raw-peer.js';

const HEADER_END = '\r\n\r\n';
const MAX_HEAD = 16 * 1024;

export function acceptKeyOf(key: string): string {
  return createHash('sha1').update(key + HANDSHAKE_GUID).digest('base64');
}

interface HttpHead {
  startLine: string;
  headers: Map<string, string>;
  rest: Buffer;
}

/** Reads an HTTP head off a socket, bounded in size and time. */
function readHead(socket: net.Socket, timeoutMs: number): Promise<HttpHead> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`no HTTP head within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf(HEADER_END);
      if (end < 0) {
        if (buffered.length > MAX_HEAD) finish(new Error('HTTP head too large'));
        return;
      }
      const lines = buffered.subarray(0, end).toString('latin1').split('\r\n');
      const headers = new Map<string, string>();
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) {
          const name = line.slice(0, colon).trim().toLowerCase();
          const value = line.slice(colon + 1).trim();
          const prior = headers.get(name);
          headers.set(name, prior === undefined ? value : `${prior}, ${value}`);
        }
      }
      finish(null, { startLine: lines[0] ?? '', headers, rest: buffered.subarray(end + HEADER_END.length) });
    };
    const onClose = (): void => finish(new Error('socket closed during the handshake'));
    function finish(err: Error | null, head?: HttpHead): void {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      if (err !== null) reject(err);
      else resolve(head as HttpHead);
    }
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

export interface RawClientOptions {
  path?: string;
  /** Sec-WebSocket-Extensions offer, e.g. 'permessage-deflate; client_max_window_bits'. */
  extensions?: string;
  protocols?: string[];
}

/** Connects, upgrades and returns the raw client end. Fails if the server refuses. */
export async function rawConnect(port: number, options: RawClientOptions = {}): Promise<RawPeer> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const key = randomBytes(16).toString('base64');
    const lines = [
      `GET ${options.path ?? '/'} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${key}`,
      'Sec-WebSocket-Version: 13',
    ];
    if (options.extensions !== undefined) lines.push(`Sec-WebSocket-Extensions: ${options.extensions}`);
    if (options.protocols !== undefined) lines.push(`Sec-WebSocket-Protocol: ${options.protocols.join(', ')}`);
    socket.write(lines.join('\r\n') + HEADER_END);
    const head = await readHead(socket, WAIT_MS);
    assert.match(head.startLine, /^HTTP\/1\.1 101 /, `upgrade refused: ${head.startLine}`);
    assert.equal(head.headers.get('sec-websocket-accept'), acceptKeyOf(key), 'wrong Sec-WebSocket-Accept');
    const extensions = head.headers.get('sec-websocket-extensions') ?? '';
    const response = parseDeflateResponse(extensions);
    let deflate: NegotiatedDeflate | null = null;
    if (response !== null) {
      const d = directionsOf(response);
      deflate = { send: d.client, receive: d.server };
    }
    return new RawPeer(socket, head.rest, 'client', extensions, deflate);
  } catch (err) {
    socket.destroy();
    throw err;
  }
}

/** Decides the extensions response for a client's offer: the header value, or null for none. */
export type ExtensionResponder = (offer: string) => string | null;

/** A listening raw server; each accepted client becomes a RawPeer in the 'server' role. */
export class RawServer {
  readonly #server: net.Server;
  readonly #waiting: RawPeer[] = [];
  readonly #sockets = new Set<net.Socket>();
  #wake: (() => void) | null = null;
  /** Changed per case: how to answer the next client's extension offer. */
  respondExtensions: ExtensionResponder = () => null;
  /** Offers seen, most recent last. */
  readonly offers: string[] = [];

  private constructor(server: net.Server) {
    this.#server = server;
  }

  static async listen(): Promise<RawServer> {
    const server = net.createServer();
    const raw = new RawServer(server);
    server.on('connection', (socket) => raw.#onSocket(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return raw;
  }

  get port(): number {
    const address = this.#server.address();
    assert.ok(address !== null && typeof address === 'object');
    return address.port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/`;
  }

  #onSocket(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    socket.on('error', () => {});
    readHead(socket, WAIT_MS).then(
      (head) => {
        const key = head.headers.get('sec-websocket-key');
        if (!/^GET /.test(head.startLine) || key === undefined) {
          socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
          return;
        }
        const offer = head.headers.get('sec-websocket-extensions') ?? '';
        this.offers.push(offer);
        const extensions = offer === '' ? null : this.respondExtensions(offer);
        const lines = ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${acceptKeyOf(key)}`];
        if (extensions !== null) lines.push(`Sec-WebSocket-Extensions: ${extensions}`);
        socket.write(lines.join('\r\n') + HEADER_END);
        let deflate: NegotiatedDeflate | null = null;
        const response = parseDeflateResponse(extensions ?? undefined);
        if (response !== null) {
          const d = directionsOf(response);
          deflate = { send: d.server, receive: d.client };
        }
        this.#waiting.push(new RawPeer(socket, head.rest, 'server', extensions ?? '', deflate));
        const wake = this.#wake;
        this.#wake = null;
        wake?.();
      },
      () => socket.destroy(),
    );
  }

  /** The next upgraded client, within the bound. */
  async accept(timeoutMs = WAIT_MS): Promise<RawPeer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const peer = this.#waiting.shift();
      if (peer !== undefined) return peer;
      const left = deadline - Date.now();
      if (left <= 0) assert.fail(`no client upgraded within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
