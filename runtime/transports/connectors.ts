/**
 * The Node transport factory: turns a URL or transport config into a connector.
 * ws:// and wss:// -> WebSocket; rs://, tcp://, unix: -> RawSocket.
 */
import { createError } from '../errors.js';
import { TransportErrorCode } from './error-codes.js';
import type { TransportConnector } from './transport.js';
import type { SerializerSpec } from './serializer-choice.js';
import { connectWebSocketTransport, type WebSocketClientOptions } from './websocket-transport.js';
import { connectRawSocketTransport, type RawSocketClientOptions } from './rawsocket.js';

export interface NodeTransportConfig {
  url: string;
  /** Names or instances; WebSocket offers them in order, RawSocket asks for the first. */
  serializers?: SerializerSpec[];
  /** Nesting limit (16..1024, default 512) of the serializers given by name. */
  maxDepth?: number;
  maxMessageSize?: number;
  /** WebSocket client options (headers, tls, proxy, ...) or RawSocket options (autoPingInterval, ...). */
  options?: Record<string, unknown>;
}

export function nodeTransportFactory(entry: string | NodeTransportConfig): TransportConnector {
  const config: NodeTransportConfig = typeof entry === 'string' ? { url: entry } : entry;
  if (typeof config !== 'object' || config === null || typeof config.url !== 'string') {
    throw createError(TransportErrorCode.INVALID_OPTION, `a transport must be a URL or { url, ... }, got ${JSON.stringify(entry)}`);
  }
  const { url, serializers, maxDepth, maxMessageSize, options = {} } = config;
  const scheme = /^([a-z]+):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'ws' || scheme === 'wss') {
    return () => connectWebSocketTransport(url, {
      ...(options as WebSocketClientOptions),
      ...(serializers === undefined ? {} : { serializers }),
      ...(maxDepth === undefined ? {} : { maxDepth }),
      ...(maxMessageSize === undefined ? {} : { maxMessageSize }),
    });
  }
  if (scheme === 'rs' || scheme === 'tcp' || scheme === 'unix') {
    return () => connectRawSocketTransport(url, {
      ...(options as RawSocketClientOptions),
      ...(serializers?.[0] === undefined ? {} : { serializer: serializers[0] }),
      ...(maxDepth === undefined ? {} : { maxDepth }),
      ...(maxMessageSize === undefined ? {} : { maxMessageSize }),
    });
  }
  throw createError(TransportErrorCode.INVALID_OPTION, `unsupported transport URL ${JSON.stringify(url)}: use ws://, wss://, rs://, tcp:// or unix:`);
}
