/** wampkit/websocket: the RFC 6455 + RFC 7692 engine. */
// Its declarations name Node's types (Buffer, sockets, streams, process.env): this makes a
// user's tsc load @types/node for them even where tsconfig's `types` leaves it out (TypeScript 6+
// defaults to none); `preserve` keeps the reference in the emitted .d.ts.
/// <reference types="node" preserve="true" />
export * from './constants.js';
export { WebSocketErrorCode } from './errors.js';

// Server and client.
export { WebSocketServer, HttpDenial } from './server.js';
export type {
  ConnectAcceptance,
  ConnectResult,
  ConnectionRequest,
  ServerEvents,
  ServerOwnOptions,
  WebSocketServerOptions,
} from './server.js';
export { connect } from './client.js';
export type { ConnectOptions } from './client.js';
export type { ProxySpec } from './proxy.js';

// The connection.
export { WebSocketConnection, ReadyState } from './connection.js';
export type { CloseInfo, ConnectionEvents, ConnectionHandler, FrameInfo, ReceivedMessage } from './connection.js';
export type { MessageData, MessageStreamOptions } from './message-data.js';
export type { IncomingMessage } from './incoming-message.js';
export { PROTOCOL_DEFAULTS } from './types.js';
export type { ConnectionInit, DeflateParams, ProtocolOptions, ReceiveMode, Role } from './types.js';

// Handshake building blocks, for custom servers and tests.
export { computeAccept, HttpStatus } from './handshake.js';
export type { ConnectionSettings } from './handshake.js';
export { parseExtensionHeader, formatExtensionHeader } from './extension-header.js';
export type { ExtensionElement } from './extension-header.js';
export type {
  ClientDeflateOptions,
  DeflateAgreement,
  DeflateOffer,
  DeflateResponse,
  ServerDeflateOptions,
} from './deflate-negotiation.js';
