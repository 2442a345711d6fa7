/**
 * Which serializers a transport offers: names ('json' | 'msgpack' | 'cbor') or Serializer
 * instances, validated at the public boundary.
 */
import { createError } from '../errors.js';
import { TransportErrorCode } from './error-codes.js';
import { createSerializer, serializerByName } from '../serializers/index.js';
import type { Serializer, SerializerName, SerializerOptions } from '../serializers/types.js';

export type SerializerSpec = SerializerName | Serializer;

/** Our preference when we offer several (binary formats are smaller and faster). */
export const DEFAULT_SERIALIZERS: readonly SerializerName[] = ['cbor', 'msgpack', 'json'];

/** A name becomes the shared instance, or with `options` (a nesting limit) a configured one; instances pass as they are. */
export function serializerOf(spec: SerializerSpec, options?: SerializerOptions): Serializer {
  if (typeof spec === 'string') {
    const s = serializerByName(spec);
    if (s === undefined) throw createError(TransportErrorCode.INVALID_ARGUMENT, `unknown serializer ${JSON.stringify(spec)}; use json, msgpack or cbor`);
    return options === undefined ? s : createSerializer(spec, options);
  }
  if (typeof spec !== 'object' || spec === null || typeof spec.serialize !== 'function' || typeof spec.deserialize !== 'function') {
    throw createError(TransportErrorCode.INVALID_ARGUMENT, `a serializer must be a name or a Serializer, got ${String(spec)}`);
  }
  return spec;
}

export function serializersOf(specs: readonly SerializerSpec[] | undefined, options?: SerializerOptions): Serializer[] {
  const list = specs ?? DEFAULT_SERIALIZERS;
  if (!Array.isArray(list) || list.length === 0) {
    throw createError(TransportErrorCode.INVALID_ARGUMENT, `serializers must be a non-empty list, got ${JSON.stringify(specs)}`);
  }
  return list.map((spec) => serializerOf(spec, options));
}
