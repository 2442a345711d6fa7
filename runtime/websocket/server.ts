/**
 * WebSocketServer: the server half of the opening handshake, after Autobahn's
 * WebSocketServerFactory/Protocol. HTTP parsing is node's (llhttp); the decisions are the pure
 * functions of handshake.ts and deflate-negotiation.ts; after the 101 the socket belongs to a
 * WebSocketConnection.
 *
 * Two ways to serve: `listen()` runs an own node:http or node:https server (then this class also
 * owns the HTTP phase: header size limit -> 431, malformed -> 400, slow -> 408 after
 * `handshakeTimeout`), or `attach()` shares a user's server for one path (then the user's server
 * governs the HTTP phase and the timeout covers only our part: validation and `onConnect`).
 */
import { EventEmitter } from 'node:events';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type * as tls from 'node:tls';
import { CloseCode } from './constants.js';
import { WebSocketConnection, type ConnectionHandler } from './connection.js';
import { checkServerDeflateOptions, type ServerDeflateOptions } from './deflate-negotiation.js';
import { WebSocketErrorCode, wsError } from './errors.js';
import { isToken } from './extension-header.js';
import {
  HttpStatus,
  formatAcceptResponse,
  formatRejection,
  reject,
  validateUpgradeRequest,
  type ConnectionSettings,
  type HandshakeRejection,
} from './handshake.js';
import {
  HttpDenial,
  checkOwnOptions,
  pathOf,
  peerOf,
  type ConnectAcceptance,
  type ConnectResult,
  type ConnectionRequest,
  type ServerOwnOptions,
} from './server-request.js';

import { HandshakeClock } from './handshake-clock.js';
import { prepareHandshake, settleHandshake, type Decision, type DecisionContext, type Prepared } from './server-decision.js';
import { awaitAnswer, callHook, isPromiseLike, settleAnswer } from './server-hook.js';
import type { ConnectionInit } from './types.js';

export { HttpDenial };
export type { ConnectAcceptance, ConnectResult, ConnectionRequest, ServerOwnOptions };

export interface WebSocketServerOptions extends ServerOwnOptions, ConnectionSettings {
  /** Subprotocols we speak; the first one in the client's list that we speak wins. */
  subprotocols?: readonly string[];
  /** Custom choice instead: return one of `offered`, or null for none. */
  selectSubprotocol?: (offered: readonly string[], request: ConnectionRequest) => string | null;
  /** Accept, modify or deny each handshake; may be async. */
  onConnect?: (request: ConnectionRequest) => ConnectResult | Promise<ConnectResult>;
  /** permessage-deflate: false (default), true (defaults), or options with an accept hook. */
  perMessageDeflate?: boolean | ServerDeflateOptions;
  /** TLS for `listen()`: an https server is created with these. */
  tls?: tls.SecureContextOptions & tls.TlsOptions;
  /** Makes an Autobahn-style handler object for every new connection. */
  handler?: (connection: WebSocketConnection, request: ConnectionRequest) => ConnectionHandler;
}

export interface ServerEvents {
  connection: [connection: WebSocketConnection, request: ConnectionRequest];
  /** A handshake answered with an error status (for logs). */
  rejected: [info: { status: number; reason: string; peer: string }];
  /** An error that is not a client's fault (a failing hook, a listen error). */
  error: [error: Error];
}

/** ConnectionInit fields that describe the connection rather than configure it. */
const CONNECTION_OWN_FIELDS: ReadonlySet<string> = new Set(['role', 'subprotocol', 'extensions', 'deflate', 'peer']);

/** Extension of http.Server bookkeeping: which of our servers serve which paths on it. */
const ATTACHED = new WeakMap<http.Server, Set<WebSocketServer>>();

export class WebSocketServer extends EventEmitter<ServerEvents> {
  readonly #opts: ReturnType<typeof checkOwnOptions>;
  readonly #subprotocols: readonly string[];
  readonly #select: WebSocketServerOptions['selectSubprotocol'];
  readonly #onConnect: WebSocketServerOptions['onConnect'];
  readonly #handler: WebSocketServerOptions['handler'];
  readonly #deflate: ServerDeflateOptions | null;
  readonly #tls: WebSocketServerOptions['tls'];
  readonly #protocol: ConnectionSettings;
  readonly #connections = new Set<WebSocketConnection>();
  /** Sockets between TCP accept (listen mode) or upgrade (attach mode) and the 101. */
  readonly #pending: HandshakeClock<Duplex>;
  #http: http.Server | null = null;
  #ownsHttp = false;
  #path: string | undefined;
  #closing = false;
  /** Handshakes between validation start and their answer (this one included). */
  #deciding = 0;
  #context: { -readonly [K in keyof DecisionContext]: DecisionContext[K] } | null = null;
  /**
   * Socket 'close' and connection 'close' listeners, one function per server rather than a
   * closure per socket: an idle connection should cost as little as possible.
   */
  readonly #untrackOnClose: (this: Duplex) => void;
  readonly #forgetOnClose: (this: WebSocketConnection) => void;

  constructor(options: WebSocketServerOptions = {}) {
    super();
    const {
      subprotocols = [],
      selectSubprotocol,
      onConnect,
      perMessageDeflate = false,
      tls,
      handler,
      allowedOrigins,
      maxConnections,
      handshakeTimeout,
      maxHeaderSize,
      ...protocol
    } = options;
    this.#opts = checkOwnOptions({ allowedOrigins, maxConnections, handshakeTimeout, maxHeaderSize });
    for (const p of subprotocols) {
      if (!isToken(p)) throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `subprotocols: ${JSON.stringify(p)} is not a token`);
    }
    for (const [name, fn] of [['selectSubprotocol', selectSubprotocol], ['onConnect', onConnect], ['handler', handler]] as const) {
      if (fn !== undefined && typeof fn !== 'function') throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `${name} must be a function`);
    }
    if (typeof perMessageDeflate === 'object' && perMessageDeflate !== null) checkServerDeflateOptions(perMessageDeflate);
    else if (typeof perMessageDeflate !== 'boolean') {
      throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `perMessageDeflate must be a boolean or an object, got ${JSON.stringify(perMessageDeflate)}`);
    }
    this.#subprotocols = [...subprotocols];
    this.#select = selectSubprotocol;
    this.#onConnect = onConnect;
    this.#handler = handler;
    this.#deflate = perMessageDeflate === true ? {} : perMessageDeflate === false ? null : perMessageDeflate;
    this.#tls = tls;
    // Only settings pass on: what a connection is (role, subprotocol, ...) is the server's to say.
    this.#protocol = Object.fromEntries(Object.entries(protocol).filter(([name]) => !CONNECTION_OWN_FIELDS.has(name))) as ConnectionSettings;
    this.#pending = new HandshakeClock(this.#opts.handshakeTimeout, (socket) => this.#handshakeTimedOut(socket));
    const server = this;
    const connections = this.#connections;
    this.#untrackOnClose = function (this: Duplex) {
      server.#untrack(this);
    };
    this.#forgetOnClose = function (this: WebSocketConnection) {
      connections.delete(this);
    };
  }

  /** Open connections. */
  get connections(): ReadonlySet<WebSocketConnection> {
    return this.#connections;
  }

  /** The listening address (listen mode), or null. */
  get address(): AddressInfo | null {
    const a = this.#ownsHttp ? this.#http?.address() : null;
    return a !== null && a !== undefined && typeof a === 'object' ? a : null;
  }

  /** Starts an own HTTP(S) server. Port 0 picks a free port: read it from `address`. */
  async listen(where: { host?: string; port?: number } = {}): Promise<AddressInfo> {
    const { host = '127.0.0.1', port = 0 } = where;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `port must be 0..65535, got ${port}`);
    if (this.#http !== null && (!this.#ownsHttp || this.#http.listening)) {
      throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, 'server is already listening or attached');
    }
    const server = this.#ownHttp();
    try {
      await new Promise<void>((resolve, reject_) => {
        server.once('error', reject_);
        server.listen(port, host, () => {
          server.off('error', reject_);
          resolve();
        });
      });
    } catch (err) {
      this.#http = null;
      this.#ownsHttp = false;
      throw err;
    }
    return this.address!;
  }

  /** The own HTTP(S) server of listen mode and handleSocket, created on first use. */
  #ownHttp(): http.Server {
    if (this.#http !== null) return this.#http;
    const httpOpts: http.ServerOptions = { maxHeaderSize: this.#opts.maxHeaderSize, noDelay: true, requestTimeout: 0 };
    const server = this.#tls
      ? https.createServer({ ...this.#tls, ...httpOpts, handshakeTimeout: this.#opts.handshakeTimeout })
      : http.createServer(httpOpts);
    this.#http = server;
    this.#ownsHttp = true;
    // With TLS the HTTP socket is the TLS one: its clock starts after the TLS handshake, which
    // has its own timeout (the same value) in node:tls.
    server.on(this.#tls ? 'secureConnection' : 'connection', (socket: Socket) => this.#track(socket));
    server.on('upgrade', (req, socket, head) => this.#onUpgrade(req, socket, head));
    server.on('request', (req, res) => this.#plainRequest(req, res));
    server.on('connect', (req, socket) => this.#fail(socket, reject(HttpStatus.BAD_REQUEST, `method must be GET, not ${req.method}`), peerOf(req.socket)));
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => this.#clientError(err, socket));
    server.on('error', (err) => this.#reportError(err));
    if (this.#tls) server.on('tlsClientError', (_err: Error, socket: Duplex) => socket.destroy());
    return server;
  }

  /**
   * Serves WebSocket upgrades on an existing node:http/https server, for `path` only (all paths
   * if omitted). Normal requests and other paths stay the user's. An upgrade to a path no
   * WebSocketServer claims gets 404 when the server has no other 'upgrade' listener, and is left
   * alone (for that listener) otherwise.
   */
  attach(server: http.Server, where: { path?: string } = {}): this {
    if (this.#http !== null) throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, 'server is already listening or attached');
    if (where.path !== undefined && (typeof where.path !== 'string' || !where.path.startsWith('/'))) {
      throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `path must start with "/", got ${JSON.stringify(where.path)}`);
    }
    this.#http = server;
    this.#path = where.path;
    let group = ATTACHED.get(server);
    if (group === undefined) {
      const servers = new Set<WebSocketServer>();
      group = servers;
      ATTACHED.set(server, servers);
      server.on('upgrade', function dispatch(req: http.IncomingMessage, socket: Duplex, head: Buffer) {
        const path = pathOf(req.url);
        const match = [...servers].find((s) => s.#path === undefined || s.#path === path);
        if (match !== undefined) match.#onUpgrade(req, socket, head);
        else if (server.listenerCount('upgrade') === 1) {
          socket.on('error', () => socket.destroy());
          socket.end(formatRejection(reject(HttpStatus.NOT_FOUND, `no WebSocket service at ${path}`)));
        }
      });
    }
    group.add(this);
    return this;
  }

  /**
   * Hands over a raw connected socket accepted elsewhere (e.g. a listener that sniffs the first
   * byte to tell WebSocket from RawSocket on one port): `head` holds bytes already read from it.
   * The whole HTTP phase then runs as in listen mode (TLS too, when `tls` is set), without
   * this server having to listen itself. Not for attached servers.
   */
  handleSocket(socket: Socket, head?: Buffer): void {
    if (this.#http !== null && !this.#ownsHttp) throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, 'handleSocket is not available on an attached server');
    const server = this.#ownHttp();
    if (this.#closing) {
      socket.destroy();
      return;
    }
    if (head !== undefined && head.length > 0) socket.unshift(head);
    server.emit('connection', socket);
  }

  /** Runs the handshake for an upgrade request node has parsed (usable from any 'upgrade' listener). */
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<WebSocketConnection | null> {
    const result = this.#upgrade(req, socket, head);
    return result instanceof Promise ? result : Promise.resolve(result);
  }

  /** Our own 'upgrade' listeners: a handshake decided at once makes no promise at all. */
  #onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    // Failures are reported inside (an 'error' event and a 500), on either path.
    void this.#upgrade(req, socket, head);
  }

  /**
   * Decided and answered at once when there is no hook or the hook answers synchronously (as
   * a plain check does); only a hook's promise is awaited. A promise, closures and a race per
   * handshake were about half of its garbage, and garbage from thousands of handshakes grows
   * the young generation, whose pages then stay resident.
   */
  #upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): WebSocketConnection | null | Promise<WebSocketConnection | null> {
    const peer = this.#beginUpgrade(req, socket);
    // Handshakes still deciding count against maxConnections, so slow hooks cannot overshoot it.
    this.#deciding++;
    let decided = true;
    try {
      let outcome: Decision | HandshakeRejection;
      try {
        const prepared = prepareHandshake(req, peer, this.#decisionContext());
        const onConnect = this.#onConnect;
        if (!prepared.ok) outcome = prepared;
        else if (onConnect === undefined) outcome = settleHandshake(prepared, undefined, this.#deflate);
        else {
          const answer = callHook(onConnect, prepared.request);
          if (isPromiseLike(answer)) {
            decided = false;
            return this.#upgradeAfterHook(socket, head, peer, prepared, answer);
          }
          outcome = settleAnswer(prepared, answer, this.#deflate);
        }
      } finally {
        // An awaited hook gives its slot back when it settles (#upgradeAfterHook).
        if (decided) this.#deciding--;
      }
      return this.#finishUpgrade(socket, head, peer, outcome);
    } catch (err) {
      this.#upgradeFailed(err, socket, peer);
      return null;
    }
  }

  /** The hook returned a promise: wait for it, or for the socket to go. */
  async #upgradeAfterHook(
    socket: Duplex,
    head: Buffer,
    peer: string,
    prepared: Prepared,
    answer: PromiseLike<ConnectResult>,
  ): Promise<WebSocketConnection | null> {
    try {
      let outcome: Decision | HandshakeRejection | null;
      try {
        // A hook that never settles must not hold its slot once the socket is gone (timeout, peer).
        outcome = await awaitAnswer(prepared, answer, this.#deflate, socket, (err) => this.#reportError(err));
      } finally {
        this.#deciding--;
      }
      if (outcome === null) return null;
      return this.#finishUpgrade(socket, head, peer, outcome);
    } catch (err) {
      this.#upgradeFailed(err, socket, peer);
      return null;
    }
  }

  /** Takes a socket into the handshake; returns the peer's name. */
  #beginUpgrade(req: http.IncomingMessage, socket: Duplex): string {
    socket.on('error', destroySocket);
    if (!this.#pending.has(socket)) this.#track(socket);
    return peerOf(req.socket);
  }

  /** Answers a decided handshake: the error status, or the 101 and a new connection. */
  #finishUpgrade(socket: Duplex, head: Buffer, peer: string, outcome: Decision | HandshakeRejection): WebSocketConnection | null {
    if (!this.#pending.has(socket) || socket.destroyed) return null; // timed out or gone meanwhile
    if (!outcome.ok) {
      this.#fail(socket, outcome, peer);
      return null;
    }
    this.#untrack(socket);
    socket.write(formatAcceptResponse(outcome.key, outcome.subprotocol, outcome.extensions, outcome.headers));
    // Not `{ ...settings, role, ... }`: in V8 a spread followed by more properties costs every
    // handshake over a kilobyte of garbage; assigning the settings onto a literal costs ~100 bytes.
    const init: ConnectionInit = Object.assign(
      { role: 'server' as const, subprotocol: outcome.subprotocol, extensions: outcome.extensions, deflate: outcome.deflate, peer },
      this.#protocol,
    );
    const conn = new WebSocketConnection(socket, head, init);
    // The connection handles socket errors from here on.
    socket.removeListener('error', destroySocket);
    this.#connections.add(conn);
    conn.on('close', this.#forgetOnClose);
    if (this.#handler !== undefined) conn.setHandler(this.#handler(conn, outcome.request));
    this.emit('connection', conn, outcome.request);
    return conn;
  }

  /** A hook failed: the client gets a 500, the owner an 'error' event. */
  #upgradeFailed(err: unknown, socket: Duplex, peer: string): void {
    this.#reportError(err);
    this.#fail(socket, reject(HttpStatus.INTERNAL_SERVER_ERROR, 'internal error'), peer);
  }

  /** The context for a decision: one object, refreshed (prepareHandshake reads it at once). */
  #decisionContext(): DecisionContext {
    const ctx = (this.#context ??= {
      closing: false,
      allowedOrigins: this.#opts.allowedOrigins,
      maxConnections: this.#opts.maxConnections,
      inFlight: 0,
      subprotocols: this.#subprotocols,
      selectSubprotocol: this.#select,
    });
    ctx.closing = this.#closing;
    ctx.inFlight = this.#connections.size + this.#deciding;
    return ctx;
  }

  /** 'error' only when someone listens: a server must not die of an unobserved hook failure. */
  #reportError(err: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', err instanceof Error ? err : new Error(String(err)));
  }

  /** Starts the handshake clock for a socket. */
  #track(socket: Duplex): void {
    this.#pending.start(socket);
    socket.on('close', this.#untrackOnClose);
  }

  #untrack(socket: Duplex): void {
    this.#pending.stop(socket);
    socket.removeListener('close', this.#untrackOnClose);
  }

  #handshakeTimedOut(socket: Duplex): void {
    socket.removeListener('close', this.#untrackOnClose);
    if (socket.destroyed) return;
    this.emit('rejected', { status: HttpStatus.REQUEST_TIMEOUT, reason: 'handshake timeout', peer: peerOf(socket) });
    // Nothing may have been written yet; if it has, the 408 is best effort before the drop.
    socket.end(formatRejection(reject(HttpStatus.REQUEST_TIMEOUT, 'handshake timeout')));
    setTimeout(() => socket.destroy(), 100).unref();
  }

  #fail(socket: Duplex, rejection: HandshakeRejection, peer: string): void {
    this.#untrack(socket);
    this.emit('rejected', { status: rejection.status, reason: rejection.reason, peer });
    if (socket.destroyed) return;
    socket.end(formatRejection(rejection));
    // A peer that never reads must not keep the socket: give the answer a moment, then drop.
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  /** A request node did not flag as an upgrade: explain why it is not a WebSocket handshake. */
  #plainRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const info = validateUpgradeRequest({ method: req.method ?? '', httpVersion: req.httpVersion, headers: req.headersDistinct });
    const rejection = info.ok ? reject(HttpStatus.BAD_REQUEST, 'not a WebSocket upgrade') : info;
    this.#untrack(req.socket);
    this.emit('rejected', { status: rejection.status, reason: rejection.reason, peer: peerOf(req.socket) });
    res.shouldKeepAlive = false;
    res.writeHead(rejection.status, { ...rejection.headers, Connection: 'close', 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(rejection.reason + '\n');
  }

  /** Malformed or oversized HTTP, or a socket error before the request was complete. */
  #clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? HttpStatus.HEADERS_TOO_LARGE : HttpStatus.BAD_REQUEST;
    const reason = status === HttpStatus.HEADERS_TOO_LARGE ? 'request headers too large' : 'malformed HTTP request';
    if (err.code === 'ECONNRESET' || !socket.writable) {
      this.#untrack(socket);
      socket.destroy();
      return;
    }
    this.#fail(socket, reject(status, reason), peerOf(socket));
  }

  /**
   * Stops accepting, drops pending handshakes and closes every connection with 1001.
   * Resolves once all connections have closed. An attached server is detached, not closed.
   */
  async close(): Promise<void> {
    this.#closing = true;
    const server = this.#http;
    let stopped: Promise<void> = Promise.resolve();
    if (server !== null && this.#ownsHttp) {
      stopped = new Promise((resolve) => server.close(() => resolve()));
    } else if (server !== null) {
      ATTACHED.get(server)?.delete(this);
    }
    for (const socket of this.#pending.clear()) socket.destroy();
    const closing = [...this.#connections].map((c) => {
      goingAway(c);
      return c.closed.then(() => undefined, () => undefined);
    });
    await Promise.all(closing);
    if (server !== null && this.#ownsHttp) server.closeAllConnections();
    await stopped;
  }
}

/** A socket's 'error' listener during the handshake (shared: `this` is the socket). */
function destroySocket(this: Duplex): void {
  this.destroy();
}

/** Close 1001 (RFC 6455 section 7.4.1: "a server going down"). */
function goingAway(conn: WebSocketConnection): void {
  conn.sendClose(CloseCode.GOING_AWAY, 'server shutting down');
}
