/** wampkit/websocket: the RFC 6455 + RFC 7692 engine. */
export * from './constants.js';
export { WebSocketErrorCode } from './errors.js';
