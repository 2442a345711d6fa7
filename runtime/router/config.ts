/**
 * Router options: what `new Router(options)` and the `--config` JSON file accept, validated at
 * this boundary (each error names the bad value) and normalised with defaults.
 */
import { createError } from '../errors.js';
import { RouterErrorCode } from './error-codes.js';
import { validateRealmAuthConfig, type RealmAuthConfig } from '../auth/router/config.js';
import { validateAuthorizationConfig, type AuthorizationConfig } from './authorizer.js';
import type { RetentionOptions } from './retention.js';
import { DEFAULT_MAX_DEPTH, MAX_CONFIGURABLE_DEPTH, MIN_CONFIGURABLE_DEPTH } from '../serializers/errors.js';
import { MAX_TIMER_DELAY } from '../long-timeout.js';
import type { MetaApiConfig } from './meta-api.js';
import { SESSION_LIMIT_KEYS, type SessionLimits } from './limits.js';

export { RouterErrorCode } from './error-codes.js';

export type SerializerName = 'json' | 'msgpack' | 'cbor';
export const SERIALIZER_NAMES: readonly SerializerName[] = ['json', 'msgpack', 'cbor'];

export interface RealmConfig {
  name: string;
  /**
   * How sessions authenticate on this realm, keyed by authmethod (anonymous, ticket, wampcra,
   * cryptosign, wamp-scram; static or dynamic). Default: anonymous only.
   */
  auth?: RealmAuthConfig;
  /**
   * Who may call, register, publish and subscribe what, per authrole (Crossbar-style role
   * permission tables or dynamic authorizer procedures). Absent: everything is allowed.
   */
  authorization?: AuthorizationConfig;
  /** Bounds of the event retention store (maxTopics, maxBytes, maxRestrictedPerTopic, maxAge). */
  retention?: Omit<RetentionOptions, 'now'>;
  /**
   * Who may call the meta procedures that end other sessions (wamp.session.kill*): the roles in
   * `mutating`, beside what `authorization` allows. Default: nobody (see docs/router.md).
   */
  metaApi?: MetaApiConfig;
  /** Per-session limits in this realm, key by key over the router's `limits` (docs/limits.md). */
  limits?: Partial<SessionLimits>;
}

/**
 * Keepalive of a listener's connections: a ping (WebSocket) or PING (RawSocket) after `interval`
 * ms in which nothing arrived from the peer; no answer within `timeout` ms closes the connection
 * (so its session ends). Defaults in `LISTENER_DEFAULTS`.
 */
export interface KeepaliveConfig {
  interval?: number;
  timeout?: number;
}

/** What a listener applies when its config does not say (documented in docs/router.md). */
export const LISTENER_DEFAULTS = {
  /** Ms from TCP accept to a completed WebSocket upgrade or RawSocket handshake. */
  handshakeTimeout: 10_000,
  keepalive: { interval: 30_000, timeout: 10_000 },
} as const;

/** Options every listener takes. */
interface ListenerTimeouts {
  /**
   * Ms a connection has, from TCP accept, to complete its opening handshake (the WebSocket
   * upgrade, or the RawSocket handshake; on a shared port also the first byte that tells them
   * apart), and for each further plain HTTP request; then it is dropped. Default 10000; 0: never.
   */
  handshakeTimeout?: number;
  /** Keepalive pings; `false` turns them off. Default { interval: 30000, timeout: 10000 }. */
  keepalive?: KeepaliveConfig | false;
}

export interface WebSocketListenerConfig extends ListenerTimeouts {
  type: 'websocket';
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** HTTP path WAMP is served at. Default '/ws'. */
  path?: string;
  /** Serializers offered, in preference order. Default all three. */
  serializers?: SerializerName[];
  /** Also accept RawSocket on the same port (told apart by the first byte, 0x7F). */
  rawsocket?: boolean;
  /**
   * Serve a directory's files over plain HTTP on the same port (GET and HEAD), so a browser page
   * and its WAMP endpoint share one origin. A string is the root; `index` defaults to index.html.
   */
  static?: string | { root: string; index?: string };
}

export interface RawSocketListenerConfig extends ListenerTimeouts {
  type: 'rawsocket';
  host?: string;
  port?: number;
  /** A Unix socket path instead of host/port. */
  unixPath?: string;
  serializers?: SerializerName[];
}

export type ListenerConfig = WebSocketListenerConfig | RawSocketListenerConfig;

export interface RouterOptions {
  /** Realms that exist; a HELLO for any other realm is answered with ABORT no_such_realm. */
  realms: Array<string | RealmConfig>;
  /** Network listeners started by `router.start()`. Default none (embed with `router.attach`). */
  listeners?: ListenerConfig[];
  /** Close a connection whose peer sends no HELLO within this many ms. Default 10000; 0: never. */
  helloTimeout?: number;
  /** Largest serialized message accepted, in bytes. Default 16 MiB. */
  maxMessageSize?: number;
  /** Enforce sequential request IDs (spec: a non-sequential one is a protocol violation). Default true. */
  strictRequestIds?: boolean;
  /**
   * Nesting limit of the listeners' serializers, both ways (16..1024, default 512): a deeper
   * message is refused on receipt (ABORT protocol_violation) and cannot be sent.
   */
  maxNestingDepth?: number;
  /** Per-session limits for every realm (registrations, subscriptions, pending calls); docs/limits.md. */
  limits?: Partial<SessionLimits>;
}

export interface NormalizedRouterOptions {
  realms: RealmConfig[];
  listeners: ListenerConfig[];
  helloTimeout: number;
  maxMessageSize: number;
  strictRequestIds: boolean;
  maxNestingDepth: number;
  limits: Partial<SessionLimits>;
}

function bad(message: string): Error {
  return createError(RouterErrorCode.INVALID_OPTION, message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkPort(value: unknown, where: string): void {
  if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 65535)) {
    throw bad(`${where}.port must be an integer in 0..65535, got ${JSON.stringify(value)}`);
  }
}

function checkSerializers(value: unknown, where: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.length === 0 || !value.every((s) => SERIALIZER_NAMES.includes(s as SerializerName))) {
    throw bad(`${where}.serializers must be a non-empty list of ${SERIALIZER_NAMES.join(', ')}, got ${JSON.stringify(value)}`);
  }
}

function checkListenerTimeouts(value: Record<string, unknown>, where: string): void {
  checkNonNegative(value['handshakeTimeout'], `${where}.handshakeTimeout`, 0);
  const keepalive = value['keepalive'];
  if (keepalive === undefined || keepalive === false) return;
  if (!isRecord(keepalive)) throw bad(`${where}.keepalive must be false or { interval?, timeout? }, got ${JSON.stringify(keepalive)}`);
  for (const [k, v] of Object.entries(keepalive)) {
    if (k !== 'interval' && k !== 'timeout') throw bad(`${where}.keepalive.${k} is not one of interval, timeout`);
    if (!(Number.isInteger(v) && (v as number) > 0)) throw bad(`${where}.keepalive.${k} must be a positive integer (ms), got ${JSON.stringify(v)}`);
  }
}

function checkListener(value: unknown, at: number): ListenerConfig {
  const where = `listeners[${at}]`;
  if (!isRecord(value)) throw bad(`${where} must be an object, got ${JSON.stringify(value)}`);
  const type = value['type'];
  if (type !== 'websocket' && type !== 'rawsocket') {
    throw bad(`${where}.type must be 'websocket' or 'rawsocket', got ${JSON.stringify(type)}`);
  }
  if (value['host'] !== undefined && typeof value['host'] !== 'string') throw bad(`${where}.host must be a string, got ${JSON.stringify(value['host'])}`);
  checkPort(value['port'], where);
  checkSerializers(value['serializers'], where);
  checkListenerTimeouts(value, where);
  if (type === 'websocket') {
    const path = value['path'];
    if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) {
      throw bad(`${where}.path must be a string starting with '/', got ${JSON.stringify(path)}`);
    }
    if (value['rawsocket'] !== undefined && typeof value['rawsocket'] !== 'boolean') {
      throw bad(`${where}.rawsocket must be a boolean, got ${JSON.stringify(value['rawsocket'])}`);
    }
    const files = value['static'];
    const validStatic =
      files === undefined ||
      (typeof files === 'string' && files !== '') ||
      (isRecord(files) && typeof files['root'] === 'string' && files['root'] !== '' && (files['index'] === undefined || typeof files['index'] === 'string'));
    if (!validStatic) throw bad(`${where}.static must be a directory path or { root, index? }, got ${JSON.stringify(files)}`);
  } else if (value['unixPath'] !== undefined && (typeof value['unixPath'] !== 'string' || value['unixPath'] === '')) {
    throw bad(`${where}.unixPath must be a non-empty string, got ${JSON.stringify(value['unixPath'])}`);
  }
  return value as unknown as ListenerConfig;
}

function checkNonNegative(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && (value as number) >= 0)) throw bad(`${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return value as number;
}

function checkNestingDepth(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_DEPTH;
  if (!(Number.isInteger(value) && (value as number) >= MIN_CONFIGURABLE_DEPTH && (value as number) <= MAX_CONFIGURABLE_DEPTH)) {
    throw bad(`maxNestingDepth must be an integer in ${MIN_CONFIGURABLE_DEPTH}..${MAX_CONFIGURABLE_DEPTH}, got ${JSON.stringify(value)}`);
  }
  return value as number;
}

/** A delay one timer can hold: a longer one would fire after 1 ms (setTimeout overflow). */
function checkTimerDelay(value: unknown, name: string, fallback: number): number {
  const ms = checkNonNegative(value, name, fallback);
  if (ms > MAX_TIMER_DELAY) throw bad(`${name} must be at most ${MAX_TIMER_DELAY} ms (2^31-1), got ${ms}`);
  return ms;
}

function checkRetention(value: unknown, where: string): Omit<RetentionOptions, 'now'> {
  if (!isRecord(value)) throw bad(`${where} must be an object, got ${JSON.stringify(value)}`);
  const keys = ['maxTopics', 'maxBytes', 'maxRestrictedPerTopic', 'maxAge'];
  for (const [k, v] of Object.entries(value)) {
    if (!keys.includes(k)) throw bad(`${where}.${k} is not one of ${keys.join(', ')}`);
    checkNonNegative(v, `${where}.${k}`, 0);
  }
  for (const k of ['maxTopics', 'maxBytes']) if (value[k] === 0) throw bad(`${where}.${k} must be at least 1, got 0`);
  return value as Omit<RetentionOptions, 'now'>;
}

function checkMetaApi(value: unknown, where: string): MetaApiConfig {
  if (!isRecord(value)) throw bad(`${where} must be an object, got ${JSON.stringify(value)}`);
  for (const [k, v] of Object.entries(value)) {
    if (k !== 'mutating') throw bad(`${where}.${k} is not a metaApi option (mutating)`);
    if (!Array.isArray(v) || !v.every((r) => typeof r === 'string' && r !== '')) throw bad(`${where}.mutating must be a list of authroles, got ${JSON.stringify(v)}`);
  }
  return value as MetaApiConfig;
}

function checkLimits(value: unknown, where: string): Partial<SessionLimits> {
  if (!isRecord(value)) throw bad(`${where} must be an object, got ${JSON.stringify(value)}`);
  for (const [k, v] of Object.entries(value)) {
    if (!(SESSION_LIMIT_KEYS as readonly string[]).includes(k)) throw bad(`${where}.${k} is not one of ${SESSION_LIMIT_KEYS.join(', ')}`);
    if (!(Number.isSafeInteger(v) && (v as number) >= 1)) throw bad(`${where}.${k} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  return value as Partial<SessionLimits>;
}

export function normalizeRouterOptions(options: unknown): NormalizedRouterOptions {
  if (!isRecord(options)) throw bad(`router options must be an object, got ${JSON.stringify(options)}`);
  const realmsIn = options['realms'];
  if (!Array.isArray(realmsIn)) throw bad(`realms must be a list of realm names or { name } objects, got ${JSON.stringify(realmsIn)}`);
  const realms: RealmConfig[] = realmsIn.map((r: unknown, i) => {
    const name = typeof r === 'string' ? r : isRecord(r) ? r['name'] : undefined;
    if (typeof name !== 'string' || !/^[^\s.#]+(\.[^\s.#]+)*$/.test(name)) {
      throw bad(`realms[${i}] must be a realm URI (like "realm1"), got ${JSON.stringify(r)}`);
    }
    if (!isRecord(r)) return { name };
    const realm: RealmConfig = { name };
    if (r['auth'] !== undefined) realm.auth = validateRealmAuthConfig(r['auth'], `realms[${i}].auth`);
    if (r['authorization'] !== undefined) realm.authorization = validateAuthorizationConfig(r['authorization'], `realms[${i}].authorization`);
    if (r['retention'] !== undefined) realm.retention = checkRetention(r['retention'], `realms[${i}].retention`);
    if (r['metaApi'] !== undefined) realm.metaApi = checkMetaApi(r['metaApi'], `realms[${i}].metaApi`);
    if (r['limits'] !== undefined) realm.limits = checkLimits(r['limits'], `realms[${i}].limits`);
    return realm;
  });
  const seen = new Set<string>();
  for (const r of realms) {
    if (seen.has(r.name)) throw bad(`realm ${JSON.stringify(r.name)} is listed twice`);
    seen.add(r.name);
  }
  const listenersIn = options['listeners'] ?? [];
  if (!Array.isArray(listenersIn)) throw bad(`listeners must be a list, got ${JSON.stringify(listenersIn)}`);
  const strict = options['strictRequestIds'];
  if (strict !== undefined && typeof strict !== 'boolean') throw bad(`strictRequestIds must be a boolean, got ${JSON.stringify(strict)}`);
  return {
    realms,
    listeners: listenersIn.map(checkListener),
    helloTimeout: checkTimerDelay(options['helloTimeout'], 'helloTimeout', 10_000),
    maxMessageSize: checkNonNegative(options['maxMessageSize'], 'maxMessageSize', 16 * 1024 * 1024),
    strictRequestIds: strict ?? true,
    maxNestingDepth: checkNestingDepth(options['maxNestingDepth']),
    limits: options['limits'] === undefined ? {} : checkLimits(options['limits'], 'limits'),
  };
}
