/**
 * Network listeners: accept connections and hand each one to the router as a WampTransport.
 *
 * - websocket: an HTTP server with our WebSocketServer attached at `path` (default /ws),
 *   offering wamp.2.cbor / wamp.2.msgpack / wamp.2.json. With `rawsocket: true` the port also
 *   accepts RawSocket: a plain TCP server looks at the first byte of each connection (0x7F
 *   starts a RawSocket handshake, anything else is HTTP) and routes it.
 * - rawsocket: TCP (host/port) or a Unix socket (unixPath).
 *
 * In every mode each accepted connection has `handshakeTimeout` to complete its opening
 * handshake (a HandshakeGuard from TCP accept to the 101 or the RawSocket reply), so silent or
 * dripping connections cannot pile up; open ones get keepalive pings (`keepalive`).
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
import {
  LISTENER_DEFAULTS, RouterErrorCode, type ListenerConfig, type RawSocketListenerConfig, type WebSocketListenerConfig,
} from './config.js';
import { acceptRawSocket, RAWSOCKET_MAGIC, type RawSocketAcceptOptions } from '../transports/rawsocket.js';
import { HandshakeClock } from '../websocket/handshake-clock.js';
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

/**
 * The opening-handshake deadline of every connection a listener accepts, whatever it turns out
 * to be: from TCP accept until the WebSocket upgrade or the RawSocket handshake completes, and
 * again for each further plain HTTP request on a kept-alive connection. One timer for all.
 */
class HandshakeGuard {
  readonly #clock: HandshakeClock<net.Socket> | null;
  readonly #forget: (this: net.Socket) => void;

  constructor(timeoutMs: number) {
    const clock = timeoutMs > 0 ? new HandshakeClock<net.Socket>(timeoutMs, (socket) => this.#expired(socket, timeoutMs)) : null;
    this.#clock = clock;
    this.#forget = function (this: net.Socket) {
      clock?.stop(this);
    };
  }

  /** A socket was accepted: its clock starts. */
  accepted(socket: net.Socket): void {
    if (this.#clock === null) return;
    this.#clock.start(socket);
    socket.once('close', this.#forget);
  }

  /** The socket finished a handshake (or a whole HTTP request arrived): its clock stops. */
  done(socket: net.Socket): void {
    this.#clock?.stop(socket);
  }

  /** A plain HTTP response went out on a connection kept alive: the next request gets a fresh deadline. */
  again(socket: net.Socket): void {
    if (!socket.destroyed) this.#clock?.start(socket);
  }

  #expired(socket: net.Socket, timeoutMs: number): void {
    if (socket.destroyed) return;
    log.info(() => `dropped ${socket.remoteAddress ?? 'a peer'}:${socket.remotePort ?? ''}: no opening handshake within ${timeoutMs} ms`);
    socket.destroy();
  }
}

/** The keepalive settings a listener gives its connections: interval and timeout in ms, 0 for off. */
function keepaliveOf(config: ListenerConfig): { autoPingInterval: number; autoPingTimeout: number } {
  if (config.keepalive === false) return { autoPingInterval: 0, autoPingTimeout: LISTENER_DEFAULTS.keepalive.timeout };
  return {
    autoPingInterval: config.keepalive?.interval ?? LISTENER_DEFAULTS.keepalive.interval,
    autoPingTimeout: config.keepalive?.timeout ?? LISTENER_DEFAULTS.keepalive.timeout,
  };
}

/** How a listener accepts RawSocket connections: its serializers, limit, handshake timeout and keepalive. */
function rawSocketOptions(config: ListenerConfig, serializers: Serializer[], maxMessageSize: number): RawSocketAcceptOptions {
  return {
    serializers,
    maxMessageSize: rawSocketLimit(maxMessageSize),
    handshakeTimeout: config.handshakeTimeout ?? LISTENER_DEFAULTS.handshakeTimeout,
    ...keepaliveOf(config),
  };
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
  const handshakeTimeout = config.handshakeTimeout ?? LISTENER_DEFAULTS.handshakeTimeout;
  const guard = new HandshakeGuard(handshakeTimeout);
  const wss = new WebSocketServer({
    subprotocols,
    maxMessagePayloadSize: maxMessageSize,
    handshakeTimeout,
    ...keepaliveOf(config),
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
  wss.on('connection', (connection, request) => {
    guard.done(request.httpRequest.socket);
    const transport = WebSocketTransport.accept(connection, { maxMessageSize }, serializers);
    if (transport === null) {
      log.info(() => `closed WebSocket from ${connection.peer}: it agreed no WAMP subprotocol (offer one of ${subprotocols.join(', ')})`);
      void connection.close(1002, 'no WAMP subprotocol').catch(() => {});
    }
    else accept(transport);
  });
  // The HandshakeGuard bounds each request (node's own requestTimeout runs only when the HTTP
  // server listens itself, which it does not when it shares the port with RawSocket).
  const httpServer = http.createServer({ noDelay: true, requestTimeout: handshakeTimeout });
  const files = config.static === undefined ? undefined : createStaticFiles(typeof config.static === 'string' ? { root: config.static } : config.static);
  httpServer.on('request', (req, res) => {
    guard.done(req.socket);
    res.once('finish', () => guard.again(req.socket));
    if (files?.(req, res) === true) return;
    const onPath = (req.url ?? '/').split('?')[0] === path;
    res.writeHead(onPath ? 426 : 404, { 'content-type': 'text/plain', ...(onPath ? { upgrade: 'websocket' } : {}) });
    res.end(onPath ? `WAMP over WebSocket: connect with one of ${subprotocols.join(', ')}\n` : 'not found\n');
  });
  wss.attach(httpServer, { path });

  let front: net.Server = httpServer;
  if (config.rawsocket === true) {
    // One port, two protocols: the first byte decides (RawSocket's 0x7F is no HTTP method).
    const rawOptions = rawSocketOptions(config, serializers, maxMessageSize);
    front = net.createServer({ noDelay: true }, (socket) => {
      guard.accepted(socket);
      socket.once('error', () => socket.destroy());
      socket.once('readable', () => {
        const head = socket.read(1) as Buffer | null;
        if (head === null) {
          if (!socket.readableEnded) socket.once('readable', () => socket.destroy());
          return;
        }
        if (head[0] === RAWSOCKET_MAGIC) {
          socket.unshift(head);
          acceptRawSocket(socket, rawOptions, (transport) => {
            guard.done(socket);
            accept(transport);
          });
        } else {
          socket.unshift(head);
          httpServer.emit('connection', socket);
        }
      });
    });
  }
  if (front === httpServer) httpServer.on('connection', (socket: net.Socket) => guard.accepted(socket));
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
  const options = rawSocketOptions(config, serializers, maxMessageSize);
  const guard = new HandshakeGuard(options.handshakeTimeout ?? LISTENER_DEFAULTS.handshakeTimeout);
  const server = net.createServer({ noDelay: true }, (socket) => {
    guard.accepted(socket);
    acceptRawSocket(socket, options, (transport) => {
      guard.done(socket);
      accept(transport);
    });
  });
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
