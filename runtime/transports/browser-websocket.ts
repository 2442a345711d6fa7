/**
 * WAMP over the browser's own WebSocket (globalThis.WebSocket, or any W3C-compatible
 * constructor passed in). Client side only. Nothing in this file's import graph uses Node
 * built-ins, so it bundles for browsers as is.
 */
import { createError } from '../errors.js';
import { TransportErrorCode } from './error-codes.js';
import { serializerBySubprotocol } from '../serializers/index.js';
import type { Serializer } from '../serializers/types.js';
import { ErrorUri } from '../wamp/uris.js';
import { BaseTransport, type TransportConnector } from './transport.js';
import { serializersOf, type SerializerSpec } from './serializer-choice.js';

/** The part of the W3C WebSocket API we use. */
export interface W3CWebSocket {
  readonly protocol: string;
  readonly readyState: number;
  binaryType: string;
  send(data: string | ArrayBufferView | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: never) => void): void;
}
export type W3CWebSocketConstructor = new (url: string, protocols?: string | string[]) => W3CWebSocket;

export interface BrowserWebSocketOptions {
  /** Serializers to offer, most preferred first: names or instances. Default cbor, msgpack, json. */
  serializers?: SerializerSpec[];
  /** Nesting limit (16..1024, default 512) of the serializers given by name. */
  maxDepth?: number;
  /** A WebSocket constructor (default: globalThis.WebSocket). */
  WebSocket?: W3CWebSocketConstructor;
  /** Give up on the opening handshake after this many ms (default 10 000). */
  connectTimeout?: number;
  /** Report received messages larger than this many bytes as errors (0: no limit). */
  maxMessageSize?: number;
}

const OPEN = 1;
const textEncoder = new TextEncoder();

export class BrowserWebSocketTransport extends BaseTransport {
  readonly serializerName: string;
  readonly peer: string;
  readonly socket: W3CWebSocket;
  readonly #serializer: Serializer;
  readonly #maxMessageSize: number;

  constructor(socket: W3CWebSocket, serializer: Serializer, url: string, maxMessageSize = 0) {
    super();
    this.socket = socket;
    this.#serializer = serializer;
    this.#maxMessageSize = maxMessageSize;
    this.serializerName = serializer.name;
    this.peer = url;
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('message', (event: { data: unknown }) => this.#receive(event.data));
    socket.addEventListener('close', (event: { wasClean?: boolean; code?: number; reason?: string }) => {
      this.closed({ wasClean: event.wasClean === true, ...(event.code === undefined ? {} : { code: event.code }), reason: event.reason ?? '' });
    });
  }

  get serializer(): Serializer {
    return this.#serializer;
  }

  send(message: unknown[]): void {
    if (!this.isOpen || this.socket.readyState !== OPEN) return;
    this.socket.send(this.#serializer.serialize(message));
  }

  close(code = 1000, reason = ''): void {
    if (this.isOpen) this.socket.close(code, reason);
  }

  #receive(data: unknown): void {
    const isText = typeof data === 'string';
    if (isText === this.#serializer.isBinary) {
      this.fail(createError(TransportErrorCode.BAD_MESSAGE, `${isText ? 'text' : 'binary'} message on ${this.#serializer.subprotocol}`, { wampUri: ErrorUri.PROTOCOL_VIOLATION }));
      return;
    }
    let payload: string | Uint8Array;
    if (isText) payload = data;
    else if (data instanceof ArrayBuffer) payload = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) payload = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else {
      this.fail(createError(TransportErrorCode.BAD_MESSAGE, 'unsupported WebSocket message data', { wampUri: ErrorUri.PROTOCOL_VIOLATION }));
      return;
    }
    const size = typeof payload === 'string' ? textEncoder.encode(payload).length : payload.byteLength;
    if (this.#maxMessageSize > 0 && size > this.#maxMessageSize) {
      this.fail(createError(TransportErrorCode.MESSAGE_TOO_BIG, `message of ${size} bytes exceeds the limit of ${this.#maxMessageSize}`, { wampUri: ErrorUri.PROTOCOL_VIOLATION }));
      return;
    }
    let value: unknown;
    try {
      value = this.#serializer.deserialize(payload);
    } catch (error) {
      this.fail(createError(TransportErrorCode.BAD_MESSAGE, error instanceof Error ? error.message : String(error), { wampUri: ErrorUri.PROTOCOL_VIOLATION }, error));
      return;
    }
    this.deliver(value);
  }
}

/** Opens a browser WebSocket to a WAMP router; resolves once a WAMP subprotocol was agreed. */
export function connectBrowserWebSocket(url: string, options: BrowserWebSocketOptions = {}): Promise<BrowserWebSocketTransport> {
  const offered = serializersOf(options.serializers, options.maxDepth === undefined ? undefined : { maxDepth: options.maxDepth });
  const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: W3CWebSocketConstructor }).WebSocket;
  if (Ctor === undefined) {
    return Promise.reject(createError(TransportErrorCode.INVALID_OPTION, 'no WebSocket implementation: globalThis.WebSocket is missing; pass options.WebSocket'));
  }
  const timeoutMs = options.connectTimeout ?? 10_000;
  return new Promise<BrowserWebSocketTransport>((resolve, reject) => {
    let socket: W3CWebSocket;
    try {
      socket = new Ctor(url, offered.map((s) => s.subprotocol));
    } catch (error) {
      reject(error);
      return;
    }
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      socket.close();
      reject(createError(TransportErrorCode.CONNECT_TIMEOUT, `WebSocket to ${url} did not open within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.addEventListener('open', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const chosen = offered.find((s) => s.subprotocol === socket.protocol) ?? serializerBySubprotocol(socket.protocol);
      if (chosen === undefined) {
        socket.close(1000, 'no WAMP subprotocol');
        reject(createError(TransportErrorCode.NO_SUBPROTOCOL, `the server at ${url} agreed none of ${offered.map((s) => s.subprotocol).join(', ')}`));
        return;
      }
      resolve(new BrowserWebSocketTransport(socket, chosen, url, options.maxMessageSize ?? 0));
    });
    const failed = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(createError(TransportErrorCode.CONNECT_FAILED, `WebSocket to ${url} failed to open`));
    };
    socket.addEventListener('error', failed);
    socket.addEventListener('close', failed);
  });
}

export interface BrowserTransportConfig {
  url: string;
  /** Serializers to offer, most preferred first: names or instances. */
  serializers?: SerializerSpec[];
  /** Nesting limit (16..1024, default 512) of the serializers given by name. */
  maxDepth?: number;
  maxMessageSize?: number;
}

/** The browser transport factory for Component: ws:// and wss:// URLs only. */
export function browserTransportFactory(entry: string | BrowserTransportConfig, WebSocketImpl?: W3CWebSocketConstructor): TransportConnector {
  const config: BrowserTransportConfig = typeof entry === 'string' ? { url: entry } : entry;
  if (typeof config?.url !== 'string' || !/^wss?:\/\//i.test(config.url)) {
    throw createError(TransportErrorCode.INVALID_OPTION, `in a browser a transport must be a ws:// or wss:// URL, got ${JSON.stringify(entry)}`);
  }
  return () => connectBrowserWebSocket(config.url, {
    ...(config.serializers === undefined ? {} : { serializers: config.serializers }),
    ...(config.maxDepth === undefined ? {} : { maxDepth: config.maxDepth }),
    ...(config.maxMessageSize === undefined ? {} : { maxMessageSize: config.maxMessageSize }),
    ...(WebSocketImpl === undefined ? {} : { WebSocket: WebSocketImpl }),
  });
}
