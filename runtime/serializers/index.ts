/**
 * WAMP serializers and their lookup by name, WebSocket subprotocol and RawSocket serializer ID.
 * Serializers are stateless between calls, so one shared instance per format serves every
 * connection.
 */
import { SerializerErrorCode } from './error-codes.js';
import { CborSerializer } from './cbor.js';
import { JsonSerializer } from './json.js';
import { MsgpackSerializer } from './msgpack.js';
import { createError } from '../errors.js';
import { DEFAULT_MAX_DEPTH } from './errors.js';
import type { Serializer, SerializerName, SerializerOptions } from './types.js';

export { SerializerId, Subprotocol } from './types.js';
export type { Serializer, SerializerName, SerializerOptions } from './types.js';
export { JsonSerializer } from './json.js';
export { MsgpackSerializer } from './msgpack.js';
export { CborSerializer } from './cbor.js';
export { CborTag, MsgpackExtension } from './tagged-values.js';
export { SerializerErrorCode, DEFAULT_MAX_DEPTH, isSerializerError } from './errors.js';
export type { SerializerError } from './errors.js';

export const json: Serializer = new JsonSerializer();
export const msgpack: Serializer = new MsgpackSerializer();
export const cbor: Serializer = new CborSerializer();

/** All serializers, in our order of preference when offering WebSocket subprotocols. */
export const SERIALIZERS: readonly Serializer[] = Object.freeze([cbor, msgpack, json]);

const BY_NAME = new Map<string, Serializer>(SERIALIZERS.map((s) => [s.name, s]));
const BY_SUBPROTOCOL = new Map<string, Serializer>(SERIALIZERS.map((s) => [s.subprotocol, s]));
const BY_ID = new Map<number, Serializer>(SERIALIZERS.map((s) => [s.id, s]));

export function serializerByName(name: string): Serializer | undefined {
  return BY_NAME.get(name);
}

const CLASSES = { json: JsonSerializer, msgpack: MsgpackSerializer, cbor: CborSerializer } as const;
/** Instances with a non-default limit, shared like the default ones (keyed "name:depth"). */
const CONFIGURED = new Map<string, Serializer>();

/**
 * The serializer `name` with `options`: the shared instance for the defaults, otherwise one
 * shared instance per name and limit. Throws for an unknown name or an invalid option.
 */
export function createSerializer(name: SerializerName, options: SerializerOptions = {}): Serializer {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const shared = BY_NAME.get(name);
  if (shared === undefined) throw createError(SerializerErrorCode.INVALID_ARGUMENT, `unknown serializer ${JSON.stringify(name)}; use json, msgpack or cbor`);
  if (maxDepth === DEFAULT_MAX_DEPTH) return shared;
  const key = `${name}:${maxDepth}`;
  let s = CONFIGURED.get(key);
  if (s === undefined) CONFIGURED.set(key, (s = new CLASSES[name]({ maxDepth })));
  return s;
}

export function serializerBySubprotocol(subprotocol: string): Serializer | undefined {
  return BY_SUBPROTOCOL.get(subprotocol);
}

export function serializerById(id: number): Serializer | undefined {
  return BY_ID.get(id);
}

export function isSerializerName(name: unknown): name is SerializerName {
  return typeof name === 'string' && BY_NAME.has(name);
}
