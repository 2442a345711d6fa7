/**
 * The vocabulary of the server's handshake decisions: what a hook sees of a request, how it
 * accepts or denies, and the server's own options with their validation. Kept apart from
 * server.ts, which does the I/O.
 */
import type * as http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type * as tls from 'node:tls';
import { WampkitError } from '../errors.js';
import { WebSocketErrorCode, wsError } from './errors.js';
import type { ExtensionElement } from './extension-header.js';
import { formatPeer, type UpgradeRequestInfo } from './handshake.js';

/** What `onConnect` and the 'connection' event see of an upgrade request. */
export interface ConnectionRequest {
  /** The path without the query ("/ws"). */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  /** "tcp:127.0.0.1:54321" */
  readonly peer: string;
  readonly origin: string | null;
  /** Subprotocols the client offered, in its order of preference. */
  readonly protocols: readonly string[];
  /** Extensions the client offered. */
  readonly extensions: readonly ExtensionElement[];
  readonly version: 13 | 8;
  /** True over TLS. */
  readonly secure: boolean;
  /** The node request, for anything else (cookies, socket). */
  readonly httpRequest: http.IncomingMessage;
}

/**
 * The ConnectionRequest the server hands out. `path` and `query` are parsed on first read: most
 * servers never look at them, and a URL with its URLSearchParams per handshake is garbage that
 * thousands of handshakes turn into young-generation pages kept resident.
 */
export class UpgradeRequest implements ConnectionRequest {
  readonly peer: string;
  readonly origin: string | null;
  readonly protocols: readonly string[];
  readonly extensions: readonly ExtensionElement[];
  readonly version: 13 | 8;
  readonly secure: boolean;
  readonly httpRequest: http.IncomingMessage;
  #url: URL | null = null;

  constructor(req: http.IncomingMessage, peer: string, info: UpgradeRequestInfo) {
    this.peer = peer;
    this.origin = info.origin;
    this.protocols = info.protocols;
    this.extensions = info.extensions;
    this.version = info.version;
    this.secure = (req.socket as Partial<tls.TLSSocket>).encrypted === true;
    this.httpRequest = req;
  }

  get path(): string {
    return this.#parsed().pathname;
  }

  get query(): URLSearchParams {
    return this.#parsed().searchParams;
  }

  get headers(): http.IncomingHttpHeaders {
    return this.httpRequest.headers;
  }

  #parsed(): URL {
    return (this.#url ??= new URL(this.httpRequest.url ?? '/', 'http://localhost'));
  }
}

/** `onConnect` accepts with these (all optional), or denies with an HttpDenial. */
export interface ConnectAcceptance {
  /** Overrides subprotocol selection; must be one the client offered, or null for none. */
  readonly subprotocol?: string | null;
  /** Extra headers for the 101 response. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Deny a handshake from `onConnect`: throw it or return it. */
export class HttpDenial extends WampkitError {
  readonly status: number;
  readonly reason: string;
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: number, reason = '', headers: Readonly<Record<string, string>> = {}) {
    super(WebSocketErrorCode.HANDSHAKE_FAILED, `handshake denied: ${status} ${reason}`, { httpStatus: status });
    this.name = 'HttpDenial';
    this.status = status;
    this.reason = reason;
    this.headers = headers;
  }
}

export type ConnectResult = ConnectAcceptance | HttpDenial | void | undefined;

/** Options of the server itself (the rest are ProtocolOptions for each connection). */
export interface ServerOwnOptions {
  /** Allowed Origin values; exact (case-insensitive) or with `*` wildcards. Others get 403. */
  allowedOrigins?: readonly string[];
  /** Beyond this many open connections new handshakes get 503 (0: no limit). */
  maxConnections?: number;
  /** Ms a client has from TCP accept (listen mode) or upgrade (attach mode) to a 101 (default 10 000). */
  handshakeTimeout?: number;
  /** Largest HTTP request head in bytes, listen mode (default 16 KiB); beyond it 431. */
  maxHeaderSize?: number;
}

const SERVER_DEFAULTS = { maxConnections: 0, handshakeTimeout: 10_000, maxHeaderSize: 16 * 1024 } as const;

export function checkOwnOptions(o: ServerOwnOptions): Required<Omit<ServerOwnOptions, 'allowedOrigins'>> & Pick<ServerOwnOptions, 'allowedOrigins'> {
  const bad = (what: string, value: unknown): never => {
    throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `${what}, got ${JSON.stringify(value)}`);
  };
  if (o.allowedOrigins !== undefined && (!Array.isArray(o.allowedOrigins) || o.allowedOrigins.some((x) => typeof x !== 'string'))) {
    bad('allowedOrigins must be an array of strings', o.allowedOrigins);
  }
  const int = (name: keyof typeof SERVER_DEFAULTS, min: number): number => {
    const v = o[name] ?? SERVER_DEFAULTS[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) bad(`${name} must be an integer >= ${min}`, v);
    return v;
  };
  return {
    allowedOrigins: o.allowedOrigins,
    maxConnections: int('maxConnections', 0),
    handshakeTimeout: int('handshakeTimeout', 1),
    maxHeaderSize: int('maxHeaderSize', 1024),
  };
}

export function peerOf(socket: Duplex): string {
  const s = socket as Partial<Socket>;
  return formatPeer(s.remoteAddress, s.remotePort);
}

/** The path of a request target, without its query. */
export function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q === -1 ? u : u.slice(0, q);
}
