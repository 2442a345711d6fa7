/** wampkit: the curated public entry. */
export { WampkitError, isWampkitError } from './errors.js';
export type { ProtocolMeaning } from './errors.js';
export * as websocket from './websocket/index.js';
export { ApplicationError, Result } from './wamp/application-error.js';
export type * from './wamp/types.js';
