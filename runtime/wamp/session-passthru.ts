/**
 * Payload Passthru Mode on the client (Advanced Profile `payload_passthru_mode`): how a call's,
 * publication's or answer's args and kwargs become the one item a passthru message carries, and
 * back. The spec's message structure: the client packs `{ args, kwargs }` into a single element
 * of Arguments (ArgumentsKw absent), serialized with `ppt_serializer` when that names a
 * serializer, as the value itself when it is `native` (or absent, which means native).
 *
 *   serializer                    send                                 receive
 *   json, msgpack, cbor           [bytes of {args, kwargs}]            args, kwargs unpacked
 *   native (or none)              [{args, kwargs}]                     args, kwargs unpacked; any other item as [item]
 *   any other (flatbuffers, a     the application's one Uint8Array     [bytes], as they came
 *   custom one), or any cipher    argument, as it is
 *
 * We do not encrypt or decrypt (`ppt_cipher`): an application that does passes and receives the
 * bytes itself, and the details of what it receives name the scheme, serializer, cipher and key.
 */
import { json, msgpack, cbor } from '../serializers/index.js';
import type { Serializer } from '../serializers/types.js';
import { isDict, type WampDict, type WampList } from './message-fields.js';
import type { Args, Kwargs, PayloadPassthru } from './types.js';
import { invalidArgument } from './session-checks.js';
import { createError } from '../errors.js';
import { WampErrorCode } from './error-codes.js';

/** The serializers a passthru payload may be packed with here, by `ppt_serializer` value. */
const PACKERS: Readonly<Record<string, Serializer>> = { json, msgpack, cbor };
const NATIVE = 'native';
/** Schemes the spec defines (`mqtt`; `wamp` for end-to-end encryption) and custom ones (`x_...`). */
const SCHEME = /^(?:mqtt|wamp|x_[A-Za-z0-9_]+)$/;
/** A serialized one-element list starts and ends with these (JSON), or starts with this byte. */
const LIST_OF_ONE = { json: ['[', ']'], msgpack: 0x91, cbor: 0x81 } as const;

/** The passthru of a message whose dict has ppt_* keys, or undefined. */
export function passthruOf(dict: WampDict): PayloadPassthru | undefined {
  const scheme = dict['ppt_scheme'];
  if (typeof scheme !== 'string' || scheme === '') return undefined;
  const p: PayloadPassthru = { scheme };
  if (typeof dict['ppt_serializer'] === 'string') p.serializer = dict['ppt_serializer'];
  if (typeof dict['ppt_cipher'] === 'string') p.cipher = dict['ppt_cipher'];
  if (typeof dict['ppt_keyid'] === 'string') p.keyid = dict['ppt_keyid'];
  return p;
}

/** Checks an application's passthru option at the public boundary. */
export function checkPassthru(p: unknown): PayloadPassthru {
  if (typeof p !== 'object' || p === null) throw invalidArgument(`passthru must be { scheme, serializer?, cipher?, keyid? }, got ${String(p)}`);
  const { scheme, serializer, cipher, keyid } = p as Record<string, unknown>;
  if (typeof scheme !== 'string' || !SCHEME.test(scheme)) {
    throw invalidArgument(`passthru.scheme must be 'mqtt', 'wamp' or a custom scheme 'x_...', got ${JSON.stringify(scheme)}`);
  }
  for (const [name, value] of [['serializer', serializer], ['cipher', cipher], ['keyid', keyid]] as const) {
    if (value !== undefined && (typeof value !== 'string' || value === '')) throw invalidArgument(`passthru.${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  if (scheme === 'wamp' && serializer !== 'cbor' && serializer !== 'flatbuffers') {
    throw invalidArgument(`passthru scheme 'wamp' needs serializer 'cbor' or 'flatbuffers' (spec), got ${JSON.stringify(serializer)}`);
  }
  return p as PayloadPassthru;
}

/** The ppt_* keys of a passthru, added to `dict` (the message's Options/Details). */
export function addPassthruKeys(dict: WampDict, p: PayloadPassthru): WampDict {
  dict['ppt_scheme'] = p.scheme;
  if (p.serializer !== undefined) dict['ppt_serializer'] = p.serializer;
  if (p.cipher !== undefined) dict['ppt_cipher'] = p.cipher;
  if (p.keyid !== undefined) dict['ppt_keyid'] = p.keyid;
  return dict;
}

/** How a passthru's payload is (un)packed here: by a serializer, natively, or not at all (raw). */
function packerOf(p: PayloadPassthru): Serializer | typeof NATIVE | null {
  if (p.cipher !== undefined) return null;
  if (p.serializer === undefined || p.serializer === NATIVE) return NATIVE;
  return PACKERS[p.serializer] ?? null;
}

function packedValue(args: Args | undefined, kwargs: Kwargs | undefined): WampDict {
  const value: WampDict = {};
  if (args !== undefined && args.length > 0) value['args'] = args;
  if (kwargs !== undefined && Object.keys(kwargs).length > 0) value['kwargs'] = kwargs;
  return value;
}

/**
 * One value in `serializer`'s format (not a WAMP message). Our serializers write message lists:
 * this encodes [value] and takes the one element's bytes.
 */
export function encodeValue(serializer: Serializer, value: unknown): Uint8Array {
  const out = serializer.serialize([value]);
  if (typeof out === 'string') {
    const [open, close] = LIST_OF_ONE.json;
    if (!out.startsWith(open) || !out.endsWith(close)) throw new Error('unexpected JSON layout');
    return new TextEncoder().encode(out.slice(1, -1));
  }
  if (out[0] !== LIST_OF_ONE[serializer.name as 'msgpack' | 'cbor']) throw new Error(`unexpected ${serializer.name} layout`);
  return out.subarray(1);
}

/** The one-element Arguments of an outgoing passthru message. */
export function packPassthru(p: PayloadPassthru, args: Args | undefined, kwargs: Kwargs | undefined): WampList {
  const packer = packerOf(p);
  if (packer === NATIVE) return [packedValue(args, kwargs)];
  if (packer !== null) return [encodeValue(packer, packedValue(args, kwargs))];
  const raw = args?.[0];
  if (args?.length !== 1 || !(raw instanceof Uint8Array) || (kwargs !== undefined && Object.keys(kwargs).length > 0)) {
    throw invalidArgument(`passthru with serializer ${JSON.stringify(p.serializer)}${p.cipher === undefined ? '' : ` and cipher ${JSON.stringify(p.cipher)}`}: we do not pack that, pass the encoded payload as the only argument (a Uint8Array)`);
  }
  return [raw];
}

function unpackFailed(p: PayloadPassthru, why: string): Error {
  return createError(WampErrorCode.INVALID_PAYLOAD, `passthru payload (scheme ${p.scheme}, serializer ${p.serializer ?? NATIVE}) ${why}`);
}

/** One value from `serializer`'s bytes (or, for JSON, text); throws what the serializer throws. */
export function decodeValue(serializer: Serializer, data: Uint8Array | string): unknown {
  return serializer.deserialize(serializer.isBinary || typeof data === 'string' ? data : new TextDecoder('utf-8', { fatal: true }).decode(data));
}

/** args and kwargs of `{ args?, kwargs? }`, or undefined when `value` is no such dict. */
function unpackedValue(value: unknown): { args: Args; kwargs: Kwargs } | undefined {
  if (!isDict(value) || Object.keys(value).some((k) => k !== 'args' && k !== 'kwargs')) return undefined;
  const { args = [], kwargs = {} } = value as { args?: unknown; kwargs?: unknown };
  if (!Array.isArray(args) || !isDict(kwargs)) return undefined;
  return { args, kwargs };
}

/** The args and kwargs an application sees of an incoming passthru message; throws a WampkitError. */
export function unpackPassthru(p: PayloadPassthru, args: Args | undefined): { args: Args; kwargs: Kwargs } {
  if (args === undefined || args.length === 0) return { args: [], kwargs: {} };
  const item = args[0];
  const packer = packerOf(p);
  if (packer === null) return { args: [item], kwargs: {} };
  if (packer === NATIVE) return unpackedValue(item) ?? { args: [item], kwargs: {} };
  // A JSON text rather than its bytes is what wampy sends (tolerated, docs/wamp-protocol.md).
  const text = typeof item === 'string' && !packer.isBinary;
  if (!(item instanceof Uint8Array) && !text) throw unpackFailed(p, 'is not binary');
  let value: unknown;
  try {
    value = decodeValue(packer, item as Uint8Array | string);
  } catch (error) {
    throw unpackFailed(p, `does not decode: ${error instanceof Error ? error.message : String(error)}`);
  }
  const unpacked = unpackedValue(value);
  if (unpacked === undefined) throw unpackFailed(p, 'is not a dict of args (a list) and kwargs (a dict)');
  return unpacked;
}
