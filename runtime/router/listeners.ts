/**
 * Network listeners: accept connections and hand each one to the router as a WampTransport.
 *
 * - websocket: an HTTP server with our WebSocketServer attached at `path` (default /ws),
 *   offering wamp.2.cbor / wamp.2.msgpack / wamp.2.json. With `rawsocket: true` the port also
 *   accepts RawSocket: a plain TCP server looks at the first byte of each connection (0x7F
 *   starts a RawSocket handshake, anything else is HTTP) and routes it.
 * - rawsocket: TCP (host/port) or a Unix socket (unixPath).
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { unlinkSync } from 'node:fs';
import { WebSocketServer, HttpDenial } from '../websocket/server.js';
import { WebSocketTransport } from '../transports/websocket-transport.js';
import { serializersOf } from '../transports/serializer-choice.js';
import { createError } from '../errors.js';
import type { WampTransport } from '../transports/transport.js';
import type { Serializer } from '../serializers/types.js';
import { RouterErrorCode, type ListenerConfig, type RawSocketListenerConfig, type WebSocketListenerConfig } from './config.js';
import { acceptRawSocket, RAWSOCKET_MAGIC } from '../transports/rawsocket.js';
import { createStaticFiles } from './static-files.js';
import { logger } from '../log.js';

const log = logger('router');

export interface RunningListener {
  readonly addresses: string[];
  close(): Promise<void>;
}

type Accept = (transport: WampTransport) => void;

/** RawSocket announces limits as powers of two from 512 B to 16 MiB. */
function rawSocketLimit(maxMessageSize: number): number {
  return Math.max(512, Math.min(maxMessageSize === 0 ? 2 ** 24 : maxMessageSize, 2 ** 24));
}

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 8080;
const DEFAULT_PATH = '/ws';

/** `maxDepth`: the serializers' nesting limit (router option maxNestingDepth). */
export async function startListener(config: ListenerConfig, accept: Accept, maxMessageSize: number, maxDepth?: number): Promise<RunningListener> {
  const running = config.type === 'websocket'
    ? await startWebSocket(config, accept, maxMessageSize, maxDepth)
    : await startRawSocket(config, accept, maxMessageSize, maxDepth);
  for (const address of running.addresses) log.info(`listening on ${address}`);
  return running;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** What to do about the common reasons a listen fails. */
const LISTEN_HINTS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'another process uses that port: stop it or choose another port (0 picks a free one)',
  EACCES: 'ports below 1024 need privileges: choose a port from 1024 up',
  EADDRNOTAVAIL: 'that host address is not one of this machine\'s: use 127.0.0.1, 0.0.0.0 or a local interface address',
};

async function listen(server: net.Server, where: { port: number; host: string } | { path: string }, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      const hint = LISTEN_HINTS[(error as NodeJS.ErrnoException).code ?? ''];
      reject(createError(RouterErrorCode.LISTEN_FAILED, `cannot listen on ${what}: ${error.message}${hint === undefined ? '' : `; ${hint}`}`, {}, error));
    };
    server.once('error', onError);
    const done = (): void => {
      server.off('error', onError);
      server.on('error', () => {});
      resolve();
    };
    if ('path' in where) server.listen(where.path, done);
    else server.listen(where.port, where.host, done);
  });
}

function boundPort(server: net.Server): number {
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

async function stop(server: net.Server, sockets: Set<net.Socket>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const socket of sockets) socket.destroy();
  await closed;
}

function trackSockets(server: net.Server): Set<net.Socket> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return sockets;
}

async function startWebSocket(config: WebSocketListenerConfig, accept: Accept, maxMessageSize: number, maxDepth?: number): Promise<RunningListener> {
  const host = config.host ?? DEFAULT_HOST;
  const port = config.port ?? DEFAULT_PORT;
  const path = config.path ?? DEFAULT_PATH;
  const serializers = serializersOf(config.serializers, maxDepth === undefined ? undefined : { maxDepth });
  const subprotocols = serializers.map((s) => s.subprotocol);
  const wss = new WebSocketServer({
    subprotocols,
    maxMessagePayloadSize: maxMessageSize,
    onConnect: (request) => {
      if (!request.protocols.some((p) => subprotocols.includes(p as never))) {
        return new HttpDenial(400, `offer one of the WAMP subprotocols ${subprotocols.join(', ')}`);
      }
      return undefined;
    },
  });
  wss.on('error', (error: Error) => log.warn(() => `WebSocket listener error: ${error.message}`));
  // A refused handshake is the first thing to look at when a client "cannot connect".
  wss.on('rejected', (info: { status: number; reason: string; peer: string }) => {
    log.info(() => `refused WebSocket handshake from ${info.peer}: HTTP ${info.status} ${info.reason}`);
  });
  wss.on('connection', (connection) => {
    const transport = WebSocketTransport.accept(connection, { maxMessageSize }, serializers);
    if (transport === null) {
      log.info(() => `closed WebSocket from ${connection.peer}: it agreed no WAMP subprotocol (offer one of ${subprotocols.join(', ')})`);
      void connection.close(1002, 'no WAMP subprotocol').catch(() => {});
    }
    else accept(transport);
  });
  const httpServer = http.createServer({ noDelay: true, requestTimeout: 10_000 });
  const files = config.static === undefined ? undefined : createStaticFiles(typeof config.static === 'string' ? { root: config.static } : config.static);
  httpServer.on('request', (req, res) => {
    if (files?.(req, res) === true) return;
    const onPath = (req.url ?? '/').split('?')[0] === path;
    res.writeHead(onPath ? 426 : 404, { 'content-type': 'text/plain', ...(onPath ? { upgrade: 'websocket' } : {}) });
    res.end(onPath ? `WAMP over WebSocket: connect with one of ${subprotocols.join(', ')}\n` : 'not found\n');
  });
  wss.attach(httpServer, { path });

  let front: net.Server = httpServer;
  if (config.rawsocket === true) {
    // One port, two protocols: the first byte decides (RawSocket's 0x7F is no HTTP method).
    front = net.createServer({ noDelay: true }, (socket) => {
      socket.once('error', () => socket.destroy());
      socket.once('readable', () => {
        const head = socket.read(1) as Buffer | null;
        if (head === null) {
          if (!socket.readableEnded) socket.once('readable', () => socket.destroy());
          return;
        }
        if (head[0] === RAWSOCKET_MAGIC) {
          socket.unshift(head);
          acceptRawSocket(socket, { serializers, maxMessageSize: rawSocketLimit(maxMessageSize) }, accept);
        } else {
          socket.unshift(head);
          httpServer.emit('connection', socket);
        }
      });
    });
  }
  const sockets = trackSockets(front);
  await listen(front, { port, host }, `${host}:${port}`);
  const actual = boundPort(front);
  const addresses = [`ws://${formatHost(host)}:${actual}${path}`];
  if (config.rawsocket === true) addresses.push(`rs://${formatHost(host)}:${actual}`);
  return {
    addresses,
    async close() {
      await wss.close();
      await stop(front, sockets);
      if (front !== httpServer) httpServer.close();
    },
  };
}

async function startRawSocket(config: RawSocketListenerConfig, accept: Accept, maxMessageSize: number, maxDepth?: number): Promise<RunningListener> {
  const serializers: Serializer[] = serializersOf(config.serializers, maxDepth === undefined ? undefined : { maxDepth });
  const server = net.createServer({ noDelay: true }, (socket) => acceptRawSocket(socket, { serializers, maxMessageSize: rawSocketLimit(maxMessageSize) }, accept));
  const sockets = trackSockets(server);
  if (config.unixPath !== undefined) {
    const unixPath = config.unixPath;
    try {
      unlinkSync(unixPath); // a stale socket file from a previous run would make listen fail
    } catch {
      // absent: fine
    }
    await listen(server, { path: unixPath }, unixPath);
    return {
      addresses: [`unix:${unixPath}`],
      async close() {
        await stop(server, sockets);
      },
    };
  }
  const host = config.host ?? DEFAULT_HOST;
  const port = config.port ?? DEFAULT_PORT;
  await listen(server, { port, host }, `${host}:${port}`);
  return {
    addresses: [`rs://${formatHost(host)}:${boundPort(server)}`],
    async close() {
      await stop(server, sockets);
    },
  };
}
