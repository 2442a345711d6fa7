/**
 * HTTP CONNECT tunnelling (RFC 9110 section 9.3.6) for clients behind a forward proxy: ask the
 * proxy for a raw TCP tunnel to host:port, then run TLS (wss) and the WebSocket handshake
 * through it as if connected directly.
 */
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketErrorCode, wsError } from './errors.js';

export interface ProxySpec {
  /** "http://[user:password@]host:port" */
  readonly url: string | URL;
  /** Extra headers for the CONNECT request. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ParsedProxy {
  readonly host: string;
  readonly port: number;
  /** The Proxy-Authorization value, or null. */
  readonly authorization: string | null;
  readonly headers: Readonly<Record<string, string>>;
}

const DEFAULT_PROXY_PORT = 80;
const HTTP_OK_MIN = 200;
const HTTP_OK_MAX = 299;

/** Validates a proxy option at the public boundary. */
export function parseProxy(spec: string | URL | ProxySpec): ParsedProxy {
  const raw = typeof spec === 'string' || spec instanceof URL ? { url: spec } : spec;
  let url: URL;
  try {
    url = new URL(raw.url);
  } catch {
    throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `proxy must be an http:// URL, got ${JSON.stringify(String(raw.url))}`);
  }
  if (url.protocol !== 'http:') {
    throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `proxy must be an http:// URL, got ${JSON.stringify(url.protocol)}`);
  }
  const authorization =
    url.username === '' && url.password === ''
      ? null
      : 'Basic ' + Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
  return {
    host: stripBrackets(url.hostname),
    port: url.port === '' ? DEFAULT_PROXY_PORT : Number(url.port),
    authorization,
    headers: { ...(raw.headers ?? {}) },
  };
}

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** The authority form of a CONNECT target: "host:port", "[::1]:443". */
function authority(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Opens a tunnel through the proxy. Resolves with the connected socket; rejects with
 * WS_PROXY_FAILED (httpStatus set when the proxy answered) or with the signal's reason.
 */
export function openTunnel(proxy: ParsedProxy, target: { host: string; port: number }, signal?: AbortSignal): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const path = authority(target.host, target.port);
    const headers: Record<string, string> = { ...proxy.headers, Host: path };
    if (proxy.authorization !== null) headers['Proxy-Authorization'] = proxy.authorization;
    const req = http.request({ host: proxy.host, port: proxy.port, method: 'CONNECT', path, headers, agent: false });
    const onAbort = (): void => {
      req.destroy();
      reject(signal?.reason);
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => signal?.removeEventListener('abort', onAbort);

    req.once('connect', (res: http.IncomingMessage, socket: Socket, head: Buffer) => {
      done();
      const status = res.statusCode ?? 0;
      if (status < HTTP_OK_MIN || status > HTTP_OK_MAX) {
        socket.destroy();
        reject(
          wsError(WebSocketErrorCode.PROXY_FAILED, `proxy ${authority(proxy.host, proxy.port)} refused CONNECT ${path}: HTTP ${status}`, {
            httpStatus: status,
          }),
        );
        return;
      }
      // Bytes the target sent before we asked for anything belong to what runs in the tunnel.
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.once('error', (err) => {
      done();
      reject(wsError(WebSocketErrorCode.PROXY_FAILED, `proxy ${authority(proxy.host, proxy.port)} failed: ${err.message}`, { cause: err }));
    });
    req.end();
  });
}
