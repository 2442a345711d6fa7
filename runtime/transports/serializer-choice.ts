/**
 * Which serializers a transport offers: names ('json' | 'msgpack' | 'cbor') or Serializer
 * instances, validated at the public boundary.
 */
import { createError } from '../errors.js';
import { TransportErrorCode } from './error-codes.js';
import { serializerByName } from '../serializers/index.js';
import type { Serializer, SerializerName } from '../serializers/types.js';

export type SerializerSpec = SerializerName | Serializer;

/** Our preference when we offer several (binary formats are smaller and faster). */
export const DEFAULT_SERIALIZERS: readonly SerializerName[] = ['cbor', 'msgpack', 'json'];

export function serializerOf(spec: SerializerSpec): Serializer {
  if (typeof spec === 'string') {
    const s = serializerByName(spec);
    if (s === undefined) throw createError(TransportErrorCode.INVALID_ARGUMENT, `unknown serializer ${JSON.stringify(spec)}; use json, msgpack or cbor`);
    return s;
  }
  if (typeof spec !== 'object' || spec === null || typeof spec.serialize !== 'function' || typeof spec.deserialize !== 'function') {
    throw createError(TransportErrorCode.INVALID_ARGUMENT, `a serializer must be a name or a Serializer, got ${String(spec)}`);
  }
  return spec;
}

export function serializersOf(specs: readonly SerializerSpec[] | undefined): Serializer[] {
  const list = specs ?? DEFAULT_SERIALIZERS;
  if (!Array.isArray(list) || list.length === 0) {
    throw createError(TransportErrorCode.INVALID_ARGUMENT, `serializers must be a non-empty list, got ${JSON.stringify(specs)}`);
  }
  return list.map(serializerOf);
}
