/**
 * Options and Details dicts: the key rules every dict follows and the typed schemas of the keys
 * the spec (and the test vectors) define per message. Unknown keys are ignored, as the spec
 * requires, but must still be well-formed; a known key with a wrong value is a protocol
 * violation naming the key.
 */
import { isValidUri } from './uris.js';
import { isValidId } from './ids.js';
import { ProtocolErrorCode, protocolError } from './protocol-error.js';
import { describe, isDict, isNil, type CheckContext, type WampDict } from './message-fields.js';

/** A check for one key's value; `what` completes "must be ...". */
export interface ValueCheck {
  readonly what: string;
  test(value: unknown, ctx: CheckContext): boolean;
}

/** Known keys of one dict and the check of each. */
export type DictSchema = Readonly<Record<string, ValueCheck>>;

// Predefined keys: [a-z][a-z0-9_]{2,}; implementation-specific keys: _[a-z0-9_]{3,}.
const KEY = /^(?:[a-z][a-z0-9_]{2,}|_[a-z0-9_]{3,})$/;

export function isValidDictKey(key: string): boolean {
  return KEY.test(key);
}

export function checkDictKeys(dict: WampDict, schema: DictSchema, where: string, ctx: CheckContext): void {
  for (const key in dict) {
    if (!KEY.test(key)) {
      throw protocolError(ProtocolErrorCode.INVALID_OPTION, `${where} has an invalid key ${JSON.stringify(key)}`);
    }
    // Own keys only: a peer's "constructor" or "toString" key must not find Object.prototype.
    const check = Object.hasOwn(schema, key) ? schema[key] : undefined;
    if (check !== undefined && !check.test(dict[key], ctx)) {
      throw protocolError(ProtocolErrorCode.INVALID_OPTION, `${where}.${key} must be ${check.what}`);
    }
  }
}

/** A dict element (Options, Details, Extra) whose keys follow `schema`, or any keys if null. */
export function checkDict<T extends WampDict = WampDict>(value: unknown, where: string, schema: DictSchema | null, ctx: CheckContext): T {
  // Tolerated (docs/wamp-protocol.md): a null Options/Details/Extra is read as an empty dict.
  // A fresh one each time: the message owns its dict, and a router may add keys to it.
  if (isNil(value)) return {} as T;
  if (!isDict(value)) {
    throw protocolError(ProtocolErrorCode.INVALID_TYPE, `${where} must be a dict, got ${describe(value)}`);
  }
  if (schema !== null) checkDictKeys(value, schema, where, ctx);
  return value as T;
}

function isPlainDict(v: unknown): v is WampDict {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

const bool: ValueCheck = { what: 'a bool', test: (v) => typeof v === 'boolean' };
const string: ValueCheck = { what: 'a string', test: (v) => typeof v === 'string' };
const id: ValueCheck = { what: 'an ID', test: (v) => isValidId(v) };
const integer: ValueCheck = {
  what: 'a non-negative integer',
  test: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0,
};
const uri: ValueCheck = { what: 'a URI', test: (v, ctx) => isValidUri(v, ctx.uriRule) };
const dict: ValueCheck = { what: 'a dict', test: isPlainDict };
const idList: ValueCheck = {
  what: 'a list of IDs',
  test: (v) => Array.isArray(v) && v.every((x) => isValidId(x)),
};
const stringList: ValueCheck = {
  what: 'a list of strings',
  test: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
};

function oneOf(...values: readonly string[]): ValueCheck {
  const set = new Set(values);
  return { what: `one of ${values.join(', ')}`, test: (v) => typeof v === 'string' && set.has(v) };
}

/** Router-to-router links: the chain of sessions a message was forwarded for. */
const forwardFor: ValueCheck = {
  what: 'a list of {session, authid, authrole}',
  test: (v) =>
    Array.isArray(v) &&
    v.every(
      (hop) =>
        isPlainDict(hop) &&
        isValidId(hop['session']) &&
        typeof hop['authid'] === 'string' &&
        typeof hop['authrole'] === 'string',
    ),
};

const clientRoles = ['publisher', 'subscriber', 'caller', 'callee'] as const;
const routerRoles = ['broker', 'dealer'] as const;
function roles(names: readonly string[]): ValueCheck {
  return {
    what: `a dict of role dicts with at least one of ${names.join(', ')}`,
    test: (v) => isPlainDict(v) && names.some((n) => v[n] !== undefined) && Object.values(v).every(isPlainDict),
  };
}

/** Values the test vectors (Autobahn's payload passthru names) allow. */
export const EncAlgo = ['null', 'cryptobox', 'mqtt', 'xbr'] as const;
export const EncSerializer = ['null', 'json', 'msgpack', 'cbor', 'ubjson', 'opaque', 'flatbuffers'] as const;

/** Payload passthru keys: the spec's ppt_* and Autobahn's enc_* (used by the test vectors). */
const PASSTHRU: DictSchema = {
  ppt_scheme: string,
  ppt_serializer: string,
  ppt_cipher: string,
  ppt_keyid: string,
  enc_algo: oneOf(...EncAlgo),
  enc_serializer: oneOf(...EncSerializer),
  enc_key: string,
};
const FORWARD: DictSchema = { forward_for: forwardFor };
const match = oneOf('exact', 'prefix', 'wildcard');

export const Schemas = {
  HELLO_DETAILS: {
    roles: roles(clientRoles),
    authmethods: stringList,
    authid: string,
    authrole: string,
    authextra: dict,
    agent: string,
    resumable: bool,
    resume_session: id,
    resume_token: string,
  },
  WELCOME_DETAILS: {
    roles: roles(routerRoles),
    authid: string,
    authrole: string,
    authmethod: string,
    authprovider: string,
    authextra: dict,
    agent: string,
    realm: uri,
    resumed: bool,
    resumable: bool,
    resume_token: string,
  },
  CLOSE_DETAILS: { message: string },
  ERROR_DETAILS: { callee: id, callee_authid: string, callee_authrole: string, ...FORWARD, ...PASSTHRU },
  PUBLISH_OPTIONS: {
    acknowledge: bool,
    exclude_me: bool,
    exclude: idList,
    exclude_authid: stringList,
    exclude_authrole: stringList,
    eligible: idList,
    eligible_authid: stringList,
    eligible_authrole: stringList,
    disclose_me: bool,
    retain: bool,
    transaction_hash: string,
    rkey: string,
    ...FORWARD,
    ...PASSTHRU,
  },
  SUBSCRIBE_OPTIONS: { match, get_retained: bool, nkey: string, ...FORWARD },
  UNSUBSCRIBE_OPTIONS: { ...FORWARD },
  UNSUBSCRIBED_DETAILS: { subscription: id, reason: string },
  EVENT_DETAILS: {
    publisher: id,
    publisher_authid: string,
    publisher_authrole: string,
    topic: uri,
    trustlevel: integer,
    retained: bool,
    transaction_hash: string,
    x_acknowledged_delivery: bool,
    ...FORWARD,
    ...PASSTHRU,
  },
  CALL_OPTIONS: {
    timeout: integer,
    receive_progress: bool,
    progress: bool,
    disclose_me: bool,
    rkey: string,
    runmode: oneOf('all', 'partition'),
    ...FORWARD,
    ...PASSTHRU,
  },
  CANCEL_OPTIONS: { mode: oneOf('skip', 'kill', 'killnowait'), ...FORWARD },
  RESULT_DETAILS: { progress: bool, callee: id, callee_authid: string, callee_authrole: string, ...FORWARD, ...PASSTHRU },
  REGISTER_OPTIONS: {
    match,
    invoke: oneOf('single', 'roundrobin', 'random', 'first', 'last'),
    disclose_caller: bool,
    concurrency: integer,
    force_reregister: bool,
    forward_timeout: bool,
    ...FORWARD,
  },
  UNREGISTER_OPTIONS: { ...FORWARD },
  UNREGISTERED_DETAILS: { registration: id, reason: string },
  INVOCATION_DETAILS: {
    caller: id,
    caller_authid: string,
    caller_authrole: string,
    procedure: uri,
    trustlevel: integer,
    receive_progress: bool,
    progress: bool,
    timeout: integer,
    ...FORWARD,
    ...PASSTHRU,
  },
  INTERRUPT_OPTIONS: { mode: oneOf('kill', 'killnowait'), reason: string, ...FORWARD },
  YIELD_OPTIONS: { progress: bool, callee: id, callee_authid: string, callee_authrole: string, ...FORWARD, ...PASSTHRU },
} as const satisfies Record<string, DictSchema>;

/** Marks a schema key as required by a message (HELLO/WELCOME roles). */
export function requireKey(dict: WampDict, key: string, where: string): void {
  if (dict[key] === undefined) {
    throw protocolError(ProtocolErrorCode.INVALID_OPTION, `${where}.${key} is required`);
  }
}
