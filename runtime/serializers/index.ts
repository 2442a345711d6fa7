/**
 * WAMP serializers and their lookup by name, WebSocket subprotocol and RawSocket serializer ID.
 * Serializers are stateless between calls, so one shared instance per format serves every
 * connection.
 */
import { CborSerializer } from './cbor.js';
import { JsonSerializer } from './json.js';
import { MsgpackSerializer } from './msgpack.js';
import type { Serializer, SerializerName } from './types.js';

export { SerializerId, Subprotocol } from './types.js';
export type { Serializer, SerializerName } from './types.js';
export { JsonSerializer } from './json.js';
export { MsgpackSerializer } from './msgpack.js';
export { CborSerializer } from './cbor.js';

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

export function serializerBySubprotocol(subprotocol: string): Serializer | undefined {
  return BY_SUBPROTOCOL.get(subprotocol);
}

export function serializerById(id: number): Serializer | undefined {
  return BY_ID.get(id);
}

export function isSerializerName(name: unknown): name is SerializerName {
  return typeof name === 'string' && BY_NAME.has(name);
}
