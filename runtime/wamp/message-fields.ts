/**
 * Element checkers shared by the message parsers: IDs, URIs, strings and the application payload
 * at the end of a message (dicts: message-options.ts). Each returns the checked value or throws a
 * ProtocolError naming the element (`PUBLISH.Options.exclude`), never a TypeError.
 */
import { MAX_ID, MIN_ID } from './ids.js';
import { ErrorUri, isValidUri, type UriMatch, type UriRule } from './uris.js';
import { ProtocolErrorCode, protocolError, type OffendingRequest } from './protocol-error.js';

export type WampDict = { [key: string]: unknown };
export type WampList = unknown[];

/**
 * The application payload of PUBLISH, EVENT, CALL, INVOCATION, YIELD, RESULT, ERROR, ABORT. A
 * parsed message has only the fields the wire had; one made by a constructor always has `args`
 * and `kwargs` (possibly undefined), so each message type keeps one object shape on the send path.
 */
export interface PayloadFields {
  /** Positional arguments; absent when the message had none. */
  args?: WampList;
  /** Keyword arguments; absent when the message had none. */
  kwargs?: WampDict;
  /**
   * Payload passthru in Autobahn's form (Options/Details carry `enc_algo`): the opaque payload
   * bytes sit where Arguments would be. Present instead of args/kwargs.
   */
  payload?: Uint8Array;
}

export interface CheckContext {
  readonly uriRule: UriRule;
}

export function isDict(value: unknown): value is WampDict {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export function checkId(value: unknown, where: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= MIN_ID && value <= MAX_ID) return value;
  // CBOR and MessagePack decoders may hand over 2^53 (not a "safe" integer) as a bigint.
  if (typeof value === 'bigint' && value >= BigInt(MIN_ID) && value <= BigInt(MAX_ID)) return Number(value);
  throw protocolError(ProtocolErrorCode.INVALID_ID, `${where} must be an ID (integer in 1..2^53), got ${describe(value)}`);
}

/** A non-negative integer (ERROR's REQUEST.Type, timeouts). */
export function checkInteger(value: unknown, where: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_ID) return value;
  throw protocolError(ProtocolErrorCode.INVALID_TYPE, `${where} must be a non-negative integer, got ${describe(value)}`);
}

export function checkString(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  throw protocolError(ProtocolErrorCode.INVALID_TYPE, `${where} must be a string, got ${describe(value)}`);
}

/**
 * A URI element. `request` is set for request messages that the peer answers with ERROR
 * `wamp.error.invalid_uri` (PUBLISH, SUBSCRIBE, CALL, REGISTER); `invalidUri` marks HELLO's
 * realm, answered with ABORT `wamp.error.invalid_uri`. Other bad URIs are protocol violations.
 */
export function checkUri(
  value: unknown,
  where: string,
  ctx: CheckContext,
  match: UriMatch = 'exact',
  request?: OffendingRequest,
  invalidUri = request !== undefined,
): string {
  if (isValidUri(value, ctx.uriRule, match)) return value;
  throw protocolError(
    ProtocolErrorCode.INVALID_URI,
    `${where} must be a valid ${ctx.uriRule}${match === 'exact' ? '' : ` ${match}`} URI, got ${describe(value)}`,
    {
      ...(invalidUri ? { wampUri: ErrorUri.INVALID_URI } : {}),
      ...(request === undefined ? {} : { request }),
    },
  );
}

/** Autobahn-style passthru: a message whose dict has `enc_algo` carries raw payload bytes. */
function isAutobahnPassthru(dict: WampDict): boolean {
  return dict['enc_algo'] !== undefined;
}

/** Spec-style passthru: `ppt_scheme` present; the payload is one binary item in Arguments. */
function isPptPassthru(dict: WampDict): boolean {
  return dict['ppt_scheme'] !== undefined;
}

/**
 * Reads the trailing payload of a message starting at index `at` into `out`. The caller has
 * checked the element count (at most `at + 2`).
 */
export function readPayload(a: readonly unknown[], at: number, dict: WampDict, where: string, out: PayloadFields): void {
  if (a.length <= at) {
    if (isAutobahnPassthru(dict)) {
      throw protocolError(ProtocolErrorCode.INVALID_PAYLOAD, `${where}: enc_algo set but no payload`);
    }
    return;
  }
  const first = a[at];
  if (isAutobahnPassthru(dict)) {
    if (!(first instanceof Uint8Array) || a.length > at + 1) {
      throw protocolError(ProtocolErrorCode.INVALID_PAYLOAD, `${where}: enc_algo set, payload must be a single binary element`);
    }
    out.payload = first;
    return;
  }
  // Tolerated (docs/wamp-protocol.md, "Tolerated deviations"): a null (or CBOR undefined)
  // Arguments or ArgumentsKw is read as absent; fox-wamp writes `[50, 1, {}, [1], null]`.
  if (!isNil(first)) {
    if (!Array.isArray(first)) {
      throw protocolError(ProtocolErrorCode.INVALID_PAYLOAD, `${where}.Arguments must be a list, got ${describe(first)}`);
    }
    out.args = first;
  }
  if (a.length > at + 1) {
    const kw = a[at + 1];
    if (!isNil(kw)) {
      if (!isDict(kw)) {
        throw protocolError(ProtocolErrorCode.INVALID_PAYLOAD, `${where}.ArgumentsKw must be a dict, got ${describe(kw)}`);
      }
      out.kwargs = kw;
    }
  }
  if (isPptPassthru(dict)) checkPptPayload(out, dict, where);
}

/**
 * Gives a constructed message the passthru payload of Autobahn's form (the bytes in place of
 * Arguments), which the constructors leave out so that every other message keeps one shape.
 */
export function withPayload<M extends PayloadFields>(message: M, payload: Uint8Array | undefined): M {
  if (payload !== undefined) {
    message.args = undefined;
    message.kwargs = undefined;
    message.payload = payload;
  }
  return message;
}

/** null, or CBOR's undefined: what some peers write for an element they mean to leave out. */
export function isNil(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

/**
 * The spec's passthru payload: one item in Arguments, ArgumentsKw absent or empty. The item is
 * binary, except with `ppt_serializer` native (or none, which means native): then "no additional
 * serialization will be applied" and the item is a value the session serializer carries (wampy
 * sends its `{args, kwargs}` dict there).
 */
function checkPptPayload(p: PayloadFields, dict: WampDict, where: string): void {
  const args = p.args;
  const kwEmpty = p.kwargs === undefined || Object.keys(p.kwargs).length === 0;
  if (args === undefined && kwEmpty) return;
  const serializer = dict['ppt_serializer'];
  const native = serializer === undefined || serializer === 'native';
  const item = args?.[0];
  // Tolerated (docs/wamp-protocol.md): with ppt_serializer json, wampy sends the JSON text itself.
  const binary = item instanceof Uint8Array || (serializer === 'json' && typeof item === 'string');
  if (args !== undefined && args.length === 1 && kwEmpty && (native || binary)) return;
  throw protocolError(
    ProtocolErrorCode.INVALID_PAYLOAD,
    `${where}: ppt_scheme set, Arguments must hold one ${native ? 'item' : 'binary item'} and ArgumentsKw must be absent or empty`,
  );
}

/**
 * Appends the payload of `msg` to `out`, unchecked (the send path's layout): the passthru bytes,
 * or Arguments and ArgumentsKw with trailing empty ones omitted, as the spec recommends;
 * Arguments is written (possibly empty) whenever ArgumentsKw is.
 */
export function appendPayload(out: unknown[], msg: PayloadFields): unknown[] {
  const { args, kwargs, payload } = msg;
  if (payload !== undefined) {
    out.push(payload);
  } else if (kwargs !== undefined && hasKeys(kwargs)) {
    out.push(args ?? [], kwargs);
  } else if (args !== undefined && args.length > 0) {
    out.push(args);
  }
  return out;
}

/**
 * What `appendPayload` cannot show in its output and so re-parsing cannot catch: args that are
 * not a list or kwargs not a dict (an empty or missing one is omitted), and passthru bytes
 * beside args/kwargs or without enc_algo. Run by the checked encoder only.
 */
export function checkPayloadFields(msg: PayloadFields, dict: WampDict, where: string): void {
  const { args, kwargs, payload } = msg;
  if (payload !== undefined) {
    if (!(payload instanceof Uint8Array) || args !== undefined || kwargs !== undefined || !isAutobahnPassthru(dict)) {
      throw protocolError(ProtocolErrorCode.INVALID_PAYLOAD, `${where}: payload needs enc_algo in the dict and excludes args/kwargs`);
    }
    return;
  }
  if (args !== undefined && !Array.isArray(args)) {
    throw protocolError(ProtocolErrorCode.INVALID_PAYLOAD, `${where}.Arguments must be a list, got ${describe(args)}`);
  }
  if (kwargs !== undefined && !isDict(kwargs)) {
    throw protocolError(ProtocolErrorCode.INVALID_PAYLOAD, `${where}.ArgumentsKw must be a dict, got ${describe(kwargs)}`);
  }
}

function hasKeys(d: WampDict): boolean {
  for (const _ in d) return true;
  return false;
}

/** A short, safe description of a value for error messages (never throws). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? JSON.stringify(`${value.slice(0, 40)}…`) : JSON.stringify(value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return 'nothing';
    case 'object':
      return 'a dict';
    default:
      return typeof value;
  }
}

/** Checks the element count of a message (including the type code). */
export function checkLength(a: readonly unknown[], min: number, max: number, name: string): void {
  if (a.length < min || a.length > max) {
    const want = min === max ? `${min}` : `${min}..${max}`;
    throw protocolError(ProtocolErrorCode.BAD_LENGTH, `${name} must have ${want} elements, got ${a.length}`);
  }
}
