/**
 * wampkit/stubs: the runtime of the code wampgen generates (docs/schema.md). Generated modules
 * import only this entry and zod; they hold what is schema-specific, and everything shared —
 * validation at the trust boundaries, result decoding, progressive calls, registering and
 * subscribing a service at once — lives here, typechecked and versioned with wampkit.
 * Browser-safe: nothing here imports a Node built-in or zod.
 */
export { STUBS_API_VERSION, STUBS_API_MIN, StubsErrorCode, requireStubsApi } from './version.js';
export { InvalidPayloadError, toIssues, describeIssues, check } from './schema.js';
export type { PayloadSchema, PayloadIssue, SafeParseResult, SchemaIssue } from './schema.js';
export { configureStubs } from './options.js';
export type { CallerOptions, CallerStubOptions, PublisherStubOptions, OutboundOption, StubsConfig } from './options.js';
export { assertMatches } from './target.js';
export type { Target } from './target.js';
export { CallerStub, ProgressiveCall, call, callProgressive, single, multiple, keywords, none, positional } from './caller.js';
export type { Decoder, ErrorParser, OutboundSchemas } from './caller.js';
export { INVALID_ARGUMENT, endpoint, endpointWithKwargs, streamProgress, noResult, resultOf, kwResultOf, registerAll } from './callee.js';
export type { Registrations, RegisterEntry } from './callee.js';
export { eventHandler, eventHandlerWithKwargs, subscribeAll } from './subscriber.js';
export type { InvalidEvent, SubscribeAllOptions, Subscriptions, SubscribeEntry } from './subscriber.js';
export { PublisherStub, publish } from './publisher.js';
// What generated signatures name, so generated code needs no second runtime import.
export { ApplicationError, Result } from '../wamp/application-error.js';
export type { EventDetails, InvocationDetails, Publication, PublishOptions, WampSession } from '../wamp/types.js';
