/**
 * connect(): the client half of the opening handshake. Opens TCP (or a CONNECT tunnel), TLS for
 * wss, sends the upgrade request through node's HTTP client, checks the answer with the pure
 * functions of handshake.ts and deflate-negotiation.ts, and hands the socket to a
 * WebSocketConnection. Redirects are refused: following one silently would send our headers
 * (cookies, tokens) to a host the caller never named.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { WampkitError, isWampkitError } from '../errors.js';
import { PerMessageDeflate } from './constants.js';
import { WebSocketConnection } from './connection.js';
import { acceptServerDeflate, buildClientOffer, checkClientDeflateOptions, type ClientDeflateOptions } from './deflate-negotiation.js';
import { WebSocketErrorCode, wsError } from './errors.js';
import { formatExtensionHeader } from './extension-header.js';
import { formatPeer, type ConnectionSettings } from './handshake.js';
import { buildClientRequest, checkProtocolList, validateServerResponse } from './handshake-client.js';
import { openTunnel, parseProxy, stripBrackets, type ProxySpec } from './proxy.js';
import type { ConnectionInit, DeflateParams } from './types.js';

/** Options of `connect()`; the ConnectionSettings (limits, timers, receive mode) go to the connection. */
export interface ConnectOptions extends ConnectionSettings {
  /** Subprotocols to offer, most preferred first. */
  protocols?: readonly string[];
  /** Extra request headers (not the handshake's own). */
  headers?: Readonly<Record<string, string>>;
  /** Origin header to send. */
  origin?: string;
  /** Offer permessage-deflate: false (default), true (defaults) or offer options with a response hook. */
  perMessageDeflate?: boolean | ClientDeflateOptions;
  /** Ms for everything up to the 101: proxy, TCP, TLS, HTTP (default 10 000). */
  handshakeTimeout?: number;
  /** For wss: passed to tls.connect (ca, cert, key, rejectUnauthorized, servername, ...). */
  tls?: tls.ConnectionOptions;
  /** HTTP CONNECT proxy: "http://[user:pass@]host:port" or { url, headers }. */
  proxy?: string | URL | ProxySpec;
  /** Abort the handshake. */
  signal?: AbortSignal;
  /** Largest response head in bytes (default: node's, 16 KiB). */
  maxHeaderSize?: number;
}

const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;
const DEFAULT_PORT = { 'ws:': 80, 'wss:': 443 } as const;

function invalid(message: string): Error {
  return wsError(WebSocketErrorCode.INVALID_ARGUMENT, message);
}

function parseTarget(url: string | URL): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalid(`url must be a ws:// or wss:// URL, got ${JSON.stringify(String(url))}`);
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw invalid(`url must be ws:// or wss://, got ${JSON.stringify(u.protocol)}`);
  // RFC 6455 section 3: fragment identifiers are meaningless in WebSocket URIs.
  if (u.hash !== '') throw invalid(`url must not have a fragment, got ${JSON.stringify(u.hash)}`);
  return u;
}

/** Opens a WebSocket connection; resolves once the opening handshake succeeded. */
export async function connect(url: string | URL, options: ConnectOptions = {}): Promise<WebSocketConnection> {
  const {
    protocols = [],
    headers,
    origin,
    perMessageDeflate = false,
    handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT,
    tls: tlsOptions,
    proxy,
    signal,
    maxHeaderSize,
    ...protocol
  } = options;
  const target = parseTarget(url);
  checkProtocolList(protocols);
  if (!Number.isInteger(handshakeTimeout) || handshakeTimeout <= 0) throw invalid(`handshakeTimeout must be a positive integer, got ${handshakeTimeout}`);
  let deflate: ClientDeflateOptions | null = null;
  if (typeof perMessageDeflate === 'object' && perMessageDeflate !== null) {
    checkClientDeflateOptions(perMessageDeflate);
    deflate = perMessageDeflate;
  } else if (perMessageDeflate === true) deflate = {};
  else if (perMessageDeflate !== false) throw invalid(`perMessageDeflate must be a boolean or an object, got ${JSON.stringify(perMessageDeflate)}`);
  const parsedProxy = proxy === undefined ? null : parseProxy(proxy);

  const secure = target.protocol === 'wss:';
  const host = stripBrackets(target.hostname);
  const port = target.port === '' ? DEFAULT_PORT[target.protocol as keyof typeof DEFAULT_PORT] : Number(target.port);
  const offer = deflate === null ? '' : formatExtensionHeader([buildClientOffer(deflate)]);
  const request = buildClientRequest({ protocols, origin, extensions: offer, headers });
  if (!Object.keys(request.headers).some((h) => h.toLowerCase() === 'host')) request.headers['Host'] = target.host;

  // One clock and one abort path for every phase: proxy, TCP, TLS, HTTP.
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(wsError(WebSocketErrorCode.HANDSHAKE_TIMEOUT, `opening handshake with ${target.host} took longer than ${handshakeTimeout} ms`));
  }, handshakeTimeout);
  const onUserAbort = (): void => controller.abort(signal?.reason ?? new Error('aborted'));
  if (signal?.aborted) onUserAbort();
  signal?.addEventListener('abort', onUserAbort, { once: true });

  try {
    let tunnel: net.Socket | null = null;
    if (parsedProxy !== null) tunnel = await openTunnel(parsedProxy, { host, port }, controller.signal);
    const createConnection = (): Duplex => {
      const tlsOpts: tls.ConnectionOptions = { ...tlsOptions, ...(net.isIP(host) === 0 ? { servername: host } : {}) };
      if (tlsOptions?.servername !== undefined) tlsOpts.servername = tlsOptions.servername;
      if (tunnel !== null) return secure ? tls.connect({ ...tlsOpts, socket: tunnel }) : tunnel;
      return secure ? tls.connect({ ...tlsOpts, host, port }) : net.connect({ host, port });
    };
    const upgraded = await upgrade(
      { host, port, path: target.pathname + target.search, headers: request.headers, createConnection, maxHeaderSize },
      controller.signal,
    );
    const { socket, head, res } = upgraded;
    let accepted;
    let params: DeflateParams | null = null;
    try {
      accepted = validateServerResponse(
        { statusCode: res.statusCode ?? 0, headers: res.headersDistinct },
        { key: request.key, protocols, offeredExtensions: deflate === null ? [] : [PerMessageDeflate.NAME] },
      );
      const element = accepted.extensions.find((e) => e.name === PerMessageDeflate.NAME);
      if (element !== undefined && deflate !== null) params = acceptServerDeflate(element, deflate);
    } catch (err) {
      socket.destroy();
      throw err;
    }
    const s = socket as Partial<net.Socket>;
    const init: ConnectionInit = {
      ...protocol,
      role: 'client',
      subprotocol: accepted.subprotocol,
      extensions: accepted.extensionsHeader,
      deflate: params,
      peer: formatPeer(s.remoteAddress, s.remotePort),
    };
    return new WebSocketConnection(socket, head, init);
  } catch (err) {
    if (controller.signal.aborted && !isWampkitError(err)) throw controller.signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onUserAbort);
  }
}

interface UpgradeRequestSpec {
  host: string;
  port: number;
  path: string;
  headers: Record<string, string>;
  createConnection: () => Duplex;
  maxHeaderSize: number | undefined;
}

/** Sends the upgrade request; resolves with the 101's socket, rejects with typed errors. */
function upgrade(spec: UpgradeRequestSpec, signal: AbortSignal): Promise<{ socket: Duplex; head: Buffer; res: http.IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: spec.host,
      port: spec.port,
      path: spec.path === '' ? '/' : spec.path,
      method: 'GET',
      headers: spec.headers,
      // No agent: with one, node would ignore createConnection (and pool the socket).
      setHost: false,
      createConnection: spec.createConnection as unknown as http.RequestOptions['createConnection'],
      ...(spec.maxHeaderSize === undefined ? {} : { maxHeaderSize: spec.maxHeaderSize }),
    });
    const onAbort = (): void => {
      req.destroy();
      reject(signal.reason);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    const done = (): void => signal.removeEventListener('abort', onAbort);

    req.once('upgrade', (res: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      done();
      resolve({ socket, head, res });
    });
    req.once('response', (res: http.IncomingMessage) => {
      done();
      const status = res.statusCode ?? 0;
      let failure: Error;
      try {
        validateServerResponse({ statusCode: status, headers: res.headersDistinct }, { key: '', protocols: [], offeredExtensions: [] });
        failure = wsError(WebSocketErrorCode.HANDSHAKE_FAILED, `server answered HTTP ${status}`, { httpStatus: status });
      } catch (err) {
        failure = err as Error;
      }
      if (failure instanceof WampkitError && failure.code === WebSocketErrorCode.HANDSHAKE_FAILED) {
        // The start of the body usually says why (our server sends a one-line reason): wait a moment for it.
        readExcerpt(res).then((excerpt) => {
          req.destroy();
          reject(excerpt === '' ? failure : wsError(WebSocketErrorCode.HANDSHAKE_FAILED, `${failure.message}: ${excerpt}`, { httpStatus: status }));
        }, () => undefined);
      } else {
        req.destroy();
        reject(failure);
      }
    });
    req.once('error', (err) => {
      done();
      if (signal.aborted) reject(signal.reason);
      else reject(wsError(WebSocketErrorCode.HANDSHAKE_FAILED, `opening handshake failed: ${err.message}`, { cause: err }));
    });
    req.end();
  });
}

const EXCERPT_BYTES = 200;
const EXCERPT_WAIT_MS = 250;

/** Up to EXCERPT_BYTES of a response body as one printable line; never waits long. */
function readExcerpt(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (): void => {
      clearTimeout(timer);
      res.off('data', onData);
      res.off('end', finish);
      res.off('error', finish);
      const text = Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8');
      resolve(text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim());
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= EXCERPT_BYTES) finish();
    };
    const timer = setTimeout(finish, EXCERPT_WAIT_MS);
    res.on('data', onData);
    res.once('end', finish);
    res.once('error', finish);
  });
}
