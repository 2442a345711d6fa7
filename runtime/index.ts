/** wampkit: the curated public entry. */
// Its declarations name Node's types (Buffer, sockets, streams, process.env): this makes a
// user's tsc load @types/node for them even where tsconfig's `types` leaves it out (TypeScript 6+
// defaults to none); `preserve` keeps the reference in the emitted .d.ts.
/// <reference types="node" preserve="true" />
export { WampkitError, isWampkitError } from './errors.js';
export type { ProtocolMeaning, ErrorCode } from './errors.js';
export * as websocket from './websocket/index.js';
export { ApplicationError, Result } from './wamp/application-error.js';
export type * from './wamp/types.js';
// WAMP client: sessions, Component/connect(), transports (added by the WAMP peers helper).
export { ApplicationSession, SessionErrorCode } from './wamp/session.js';
export type { SessionDetails, CloseDetails, SessionConfig, JoinOptions, Challenge, SessionEvents, ProgressiveCall, TestamentOptions } from './wamp/session.js';
export { Component, connect, retryDelay, ComponentErrorCode } from './wamp/component.js';
export type { ComponentOptions, ComponentEvents, TransportConfig, TransportEntry } from './wamp/component.js';
export { anonymous } from './wamp/auth.js';
export type { Authenticator } from './wamp/auth.js';
export { connectWebSocketTransport, WebSocketTransport } from './transports/websocket-transport.js';
export type { WebSocketClientOptions } from './transports/websocket-transport.js';
export { connectRawSocketTransport, RawSocketTransport } from './transports/rawsocket.js';
export type { RawSocketClientOptions, RawSocketOptions } from './transports/rawsocket.js';
export { createMemoryPair } from './transports/memory.js';
export type { WampTransport, TransportConnector, TransportCloseInfo } from './transports/transport.js';
// Serializers: the values payloads may hold beyond JSON's (docs/payloads.md), the serializer
// classes (for a nesting limit other than 512) and their errors.
export { CborTag, MsgpackExtension, JsonSerializer, MsgpackSerializer, CborSerializer, createSerializer, SerializerErrorCode, isSerializerError, DEFAULT_MAX_DEPTH } from './serializers/index.js';
export type { Serializer, SerializerName, SerializerOptions, SerializerError } from './serializers/index.js';
