/**
 * The serializer layer's errors and its nesting limit.
 *
 * Bytes that do not decode stay `WAMP_SERIALIZATION` ProtocolErrors (the peer broke the
 * protocol: the session answers ABORT protocol_violation). Two failures get codes of their own:
 * a value that the target format cannot carry faithfully (`SERIALIZER_UNREPRESENTABLE`, thrown
 * by serialize(): the router turns it into a failed delivery, never an ABORT of the sender), and
 * nesting beyond the limit (`SERIALIZER_TOO_DEEP`, either direction; on decode it carries
 * `wamp.error.protocol_violation`, like any message refused at the door). Both name the value's
 * path in the message, e.g. `message[4][0].tags`.
 */
import { createError, isWampkitError, type WampkitError } from '../errors.js';
import { ErrorUri } from '../wamp/uris.js';
import type { SerializerName } from './types.js';
import { SerializerErrorCode } from './error-codes.js';

export { SerializerErrorCode };
/** The codes a SerializerError carries. */
export type SerializerFailureCode = typeof SerializerErrorCode.UNREPRESENTABLE | typeof SerializerErrorCode.TOO_DEEP;
import { describeValue, findPath, formatPath } from './value-path.js';


/**
 * Default nesting limit of all three serializers: the message array counts as level 1, each
 * list, dict, Map, Set or CBOR tag inside it one more; scalars (and bytes, Dates, typed arrays)
 * add none. Deep enough for any real payload, shallow enough for every recursive consumer.
 */
export const DEFAULT_MAX_DEPTH = 512;
/**
 * The largest configurable limit. The encoders recurse (ours, @msgpack/msgpack's,
 * JSON.stringify); measured on Node 20 with the default stack, the shallowest of them
 * (@msgpack/msgpack's encoder) still manages about 1,900 levels, so 1024 leaves room for the
 * caller's own frames.
 */
export const MAX_CONFIGURABLE_DEPTH = 1024;
/** The smallest: WAMP's own messages nest 5 levels (WELCOME.Details.roles.broker.features). */
export const MIN_CONFIGURABLE_DEPTH = 16;

export interface SerializerError extends WampkitError {
  readonly code: SerializerFailureCode;
  /** The format that refused. */
  readonly format: SerializerName;
  /** Where in the message, e.g. `message[4][0].tags` (absent when it could not be located). */
  readonly path?: string;
}

const CODES = new Set<string>([SerializerErrorCode.UNREPRESENTABLE, SerializerErrorCode.TOO_DEEP]);

export function isSerializerError(value: unknown): value is SerializerError {
  return isWampkitError(value) && CODES.has(value.code);
}

/**
 * Thrown inside encoders and decoders, where the position is not tracked (tracking it would
 * cost every message); the serializer turns it into a SerializerError, locating the value by a
 * second walk over the message only on this failure path.
 */
export class SerializerFault extends Error {
  override readonly name = 'SerializerFault';
  constructor(
    readonly code: SerializerErrorCode,
    /** The offending value (for UNREPRESENTABLE) or the container past the limit (TOO_DEEP). */
    readonly value: unknown,
    message: string,
  ) {
    super(message);
  }
}

export function unrepresentable(value: unknown, why: string): SerializerFault {
  return new SerializerFault(SerializerErrorCode.UNREPRESENTABLE, value, `${describeValue(value)} ${why}`);
}

export function tooDeep(value: unknown, maxDepth: number): SerializerFault {
  return new SerializerFault(SerializerErrorCode.TOO_DEEP, value, `nesting deeper than ${maxDepth} levels (or a cycle)`);
}

const FORMAT_NAME: Record<SerializerName, string> = { json: 'JSON', msgpack: 'MessagePack', cbor: 'CBOR' };

/**
 * The typed error for a failure while serializing `message`: a SerializerFault with its path,
 * or anything else that escaped an encoder (a throwing getter, say) as UNREPRESENTABLE.
 */
export function serializeError(format: SerializerName, message: unknown, err: unknown, maxDepth: number): SerializerError {
  if (!(err instanceof SerializerFault)) {
    const why = err instanceof Error ? err.message : String(err);
    return withDetails(createError(SerializerErrorCode.UNREPRESENTABLE, `${FORMAT_NAME[format]} cannot encode the message: ${why}`, {}, err), format, undefined);
  }
  const segments = findPath(message, err.code === SerializerErrorCode.TOO_DEEP ? { depthOver: maxDepth } : { value: err.value }, maxDepth);
  const path = segments === undefined ? undefined : formatPath(segments);
  const where = path === undefined ? '' : ` at ${path}`;
  return withDetails(createError(err.code, `${FORMAT_NAME[format]} cannot encode the message: ${err.message}${where}`, {}, err), format, path);
}

/** The typed error for nesting past the limit while deserializing (a protocol violation). */
export function decodeTooDeepError(format: SerializerName, maxDepth: number): SerializerError {
  const err = createError(SerializerErrorCode.TOO_DEEP, `invalid ${FORMAT_NAME[format]} message: nesting deeper than ${maxDepth} levels`, {
    wampUri: ErrorUri.PROTOCOL_VIOLATION,
  });
  return withDetails(err, format, undefined);
}

function withDetails(err: WampkitError, format: SerializerName, path: string | undefined): SerializerError {
  Object.defineProperty(err, 'format', { value: format, enumerable: true });
  if (path !== undefined) Object.defineProperty(err, 'path', { value: path, enumerable: true });
  return err as SerializerError;
}

/** Validates a `maxDepth` option at the public boundary. */
export function checkMaxDepth(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_DEPTH;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_CONFIGURABLE_DEPTH || value > MAX_CONFIGURABLE_DEPTH) {
    throw createError(SerializerErrorCode.INVALID_ARGUMENT, `maxDepth must be an integer in ${MIN_CONFIGURABLE_DEPTH}..${MAX_CONFIGURABLE_DEPTH}, got ${String(value)}`);
  }
  return value;
}
