/** Socket pairs and raw peers for connection tests (not a test file itself). */
import * as net from 'node:net';
import { once } from 'node:events';
import { WebSocketConnection } from '../../runtime/websocket/connection.js';
import { encodeFrame } from '../../runtime/websocket/frame-encoder.js';
import { FrameParser, type FrameHeader } from '../../runtime/websocket/frame-parser.js';
import type { ConnectionInit, Role } from '../../runtime/websocket/types.js';

export interface SocketPair {
  server: net.Socket;
  client: net.Socket;
  close(): Promise<void>;
}

export async function socketPair(): Promise<SocketPair> {
  const listener = net.createServer();
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const { port } = listener.address() as net.AddressInfo;
  const accepted = once(listener, 'connection');
  const client = net.connect(port, '127.0.0.1');
  const [[server]] = await Promise.all([accepted, once(client, 'connect')]);
  listener.close();
  return {
    server: server as net.Socket,
    client,
    async close() {
      client.destroy();
      (server as net.Socket).destroy();
    },
  };
}

export function init(role: Role, extra: Partial<ConnectionInit> = {}): ConnectionInit {
  return { role, subprotocol: null, extensions: '', deflate: null, peer: `tcp:test-${role}`, ...extra };
}

export interface ConnectionPair {
  server: WebSocketConnection;
  client: WebSocketConnection;
  sockets: SocketPair;
  close(): Promise<void>;
}

export async function connectionPair(serverExtra: Partial<ConnectionInit> = {}, clientExtra: Partial<ConnectionInit> = {}): Promise<ConnectionPair> {
  const sockets = await socketPair();
  const server = new WebSocketConnection(sockets.server, Buffer.alloc(0), init('server', serverExtra));
  const client = new WebSocketConnection(sockets.client, Buffer.alloc(0), init('client', clientExtra));
  return {
    server,
    client,
    sockets,
    async close() {
      server.terminate();
      client.terminate();
      await Promise.all([server.closed, client.closed]);
    },
  };
}

export interface RawFrame {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  payload: Buffer;
}

/** A hand-driven peer: writes crafted bytes, records the frames it receives. */
export class RawPeer {
  readonly frames: RawFrame[] = [];
  readonly socket: net.Socket;
  #waiters: Array<() => void> = [];
  #ended = false;

  constructor(socket: net.Socket, role: Role) {
    this.socket = socket;
    let current: RawFrame | null = null;
    let parts: Buffer[] = [];
    const parser = new FrameParser(
      {
        onFrameHeader: (h: Readonly<FrameHeader>) => {
          current = { fin: h.fin, rsv1: h.rsv1, opcode: h.opcode, payload: Buffer.alloc(0) };
          parts = [];
        },
        onFramePayload: (c) => parts.push(Buffer.from(c)),
        onFrameEnd: () => {
          current!.payload = Buffer.concat(parts);
          this.frames.push(current!);
          this.#wake();
        },
        onFrameError: (e) => {
          throw e;
        },
      },
      { role, allowRsv1: true, maxFramePayloadSize: 0 },
    );
    socket.on('data', (chunk: Buffer) => parser.push(chunk));
    socket.on('close', () => {
      this.#ended = true;
      this.#wake();
    });
    socket.on('error', () => {});
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Writes a frame, masked with a fixed key when this peer is a client. */
  send(opcode: number, payload: Buffer | string, fin = true, rsv1 = false): void {
    const key = this.role === 'client' ? Buffer.from([0x11, 0x22, 0x33, 0x44]) : null;
    this.socket.write(encodeFrame(opcode, Buffer.from(payload), fin, rsv1, key));
  }

  get role(): Role {
    // A peer that parses as a client talks to a server, and masks.
    return this.#role;
  }
  #role: Role = 'client';
  setRole(role: Role): this {
    this.#role = role;
    return this;
  }

  /** Resolves when a frame matching `match` arrived (or rejects when the socket closed first). */
  async waitFor(match: (f: RawFrame) => boolean, timeoutMs = 5000): Promise<RawFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      if (this.#ended) throw new Error('socket closed before the frame arrived');
      if (Date.now() > deadline) throw new Error('timed out waiting for a frame');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#ended) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the socket to close');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

/** A server connection under test facing a raw client peer (which masks its frames). */
export async function serverWithRawClient(serverExtra: Partial<ConnectionInit> = {}): Promise<{ server: WebSocketConnection; peer: RawPeer; close(): Promise<void> }> {
  const sockets = await socketPair();
  const server = new WebSocketConnection(sockets.server, Buffer.alloc(0), init('server', serverExtra));
  // The raw peer parses what a client parses: unmasked server frames.
  const peer = new RawPeer(sockets.client, 'client').setRole('client');
  return {
    server,
    peer,
    async close() {
      server.terminate();
      sockets.client.destroy();
      await server.closed;
    },
  };
}

/** A client connection under test facing a raw server peer (which requires masked frames and unmasks them). */
export async function clientWithRawServer(clientExtra: Partial<ConnectionInit> = {}): Promise<{ client: WebSocketConnection; peer: RawPeer; close(): Promise<void> }> {
  const sockets = await socketPair();
  const client = new WebSocketConnection(sockets.client, Buffer.alloc(0), init('client', clientExtra));
  client.on('error', () => {});
  // The raw peer parses what a server parses: masked client frames.
  const peer = new RawPeer(sockets.server, 'server').setRole('server');
  return {
    client,
    peer,
    async close() {
      client.terminate();
      sockets.server.destroy();
      await client.closed;
    },
  };
}

export function closeCodeOf(frame: RawFrame): number {
  return frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
}
