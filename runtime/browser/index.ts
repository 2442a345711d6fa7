/**
 * wampkit/browser: the WAMP client for browsers, over the browser's own WebSocket. No Node
 * built-ins anywhere in this entry's import graph (a test checks it).
 */
import { browserTransportFactory } from '../transports/browser-websocket.js';
import { Component as CoreComponent, connectWith, type ComponentOptions } from '../wamp/component-core.js';
import type { ApplicationSession } from '../wamp/session.js';

export { ApplicationSession } from '../wamp/session.js';
export type { SessionDetails, CloseDetails, SessionConfig, JoinOptions, Challenge } from '../wamp/session.js';
export { ApplicationError, Result } from '../wamp/application-error.js';
export type * from '../wamp/types.js';
export { anonymous } from '../wamp/auth.js';
export type { Authenticator } from '../wamp/auth.js';
export { BrowserWebSocketTransport, connectBrowserWebSocket, browserTransportFactory } from '../transports/browser-websocket.js';
export type { BrowserWebSocketOptions, W3CWebSocket, W3CWebSocketConstructor } from '../transports/browser-websocket.js';
export { createMemoryPair } from '../transports/memory.js';
export type { WampTransport, TransportConnector } from '../transports/transport.js';
export { retryDelay, ComponentErrorCode } from '../wamp/component-core.js';
export { CborTag, MsgpackExtension, SerializerErrorCode, isSerializerError } from '../serializers/index.js';
export type { SerializerError } from '../serializers/index.js';
export type { ComponentOptions, ComponentEvents, TransportConfig, TransportEntry } from '../wamp/component-core.js';

/** A Component whose URL transports use the browser's WebSocket. */
export class Component extends CoreComponent {
  constructor(options: ComponentOptions) {
    super(options, (entry) => browserTransportFactory(entry));
  }
}

/** Connects, joins, and resolves with the session; it reconnects until it leaves. */
export function connect(options: ComponentOptions): Promise<ApplicationSession> {
  return connectWith(options, (entry) => browserTransportFactory(entry));
}
