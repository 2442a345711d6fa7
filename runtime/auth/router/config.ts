/**
 * The per-realm authentication config (`realms[i].auth` in router options and the JSON config
 * file) and its validation. Keys are WAMP authmethod names; each method is either `static`
 * (credentials in the config) or `dynamic` (a WAMP procedure decides). Naming follows
 * Crossbar.io where it has a name (`principals`, `users`, `authorized_keys`, `authenticator`,
 * `role`). Errors name the offending path and never echo a secret.
 */
import { invalidOption } from '../errors.js';
import { AuthMethod } from '../methods.js';
import { fromBase64, fromHex } from '../bytes.js';
import { scramKdf, SCRAM_KEY_LENGTH, type ScramCredential } from '../scram-core.js';
import { CRA_LIMITS } from '../wampcra.js';
import { isRecord } from '../options.js';
import { isValidUri } from '../../wamp/uris.js';

export interface DynamicAuthConfig {
  type: 'dynamic';
  /** Procedure URI called as (realm, authid, details) on the same realm. */
  authenticator: string;
}

export interface AnonymousAuthConfig {
  type: 'static';
  /** Default 'anonymous'. */
  role?: string;
}

interface PrincipalBase {
  role: string;
  /** Extra WELCOME.Details.authextra for this principal. */
  authextra?: Record<string, unknown>;
}

export interface TicketPrincipal extends PrincipalBase {
  ticket: string;
}

export interface WampCraUser extends PrincipalBase {
  /** The shared secret; for a salted user, the derived key (see `deriveCraKey`). */
  secret: string;
  salt?: string;
  iterations?: number;
  keylen?: number;
}

export interface CryptosignPrincipal extends PrincipalBase {
  /** Hex Ed25519 public keys allowed to authenticate as this principal. */
  authorized_keys: string[];
}

export type ScramPrincipal = PrincipalBase & ScramCredential;

export interface CryptosignRouterKey {
  /**
   * The router's Ed25519 private key (32-byte seed, 64 hex digits), for router authentication:
   * a client that sends `authextra.challenge` gets it signed in CHALLENGE.extra.signature.
   * Keep it out of files others can read (e.g. fill it in from the environment).
   */
  router_key?: string;
}

export interface RealmAuthConfig {
  anonymous?: AnonymousAuthConfig | DynamicAuthConfig;
  ticket?: { type: 'static'; principals: Record<string, TicketPrincipal> } | DynamicAuthConfig;
  wampcra?: { type: 'static'; users: Record<string, WampCraUser> } | DynamicAuthConfig;
  cryptosign?: ({ type: 'static'; principals: Record<string, CryptosignPrincipal> } | DynamicAuthConfig) & CryptosignRouterKey;
  'wamp-scram'?: { type: 'static'; principals: Record<string, ScramPrincipal> } | DynamicAuthConfig;
}

/** A realm without `auth` admits anonymous sessions only (role 'anonymous'), as before. */
export const DEFAULT_REALM_AUTH: RealmAuthConfig = { anonymous: { type: 'static' } };

type Check = (value: Record<string, unknown>, where: string) => void;

function fail(message: string): never {
  throw invalidOption(message);
}

function requireRole(p: Record<string, unknown>, where: string): void {
  if (typeof p['role'] !== 'string' || p['role'] === '') fail(`${where}.role must be a non-empty string, got ${JSON.stringify(p['role'])}`);
  if (p['authextra'] !== undefined && !isRecord(p['authextra'])) fail(`${where}.authextra must be an object`);
}

function requireSecretString(p: Record<string, unknown>, name: string, where: string): void {
  if (typeof p[name] !== 'string' || p[name] === '') fail(`${where}.${name} must be a non-empty string (got ${typeof p[name]})`);
}

function checkInteger(p: Record<string, unknown>, name: string, where: string, min: number, max: number, required: boolean): void {
  const v = p[name];
  if (v === undefined && !required) return;
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) fail(`${where}.${name} must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
}

function checkKey(p: Record<string, unknown>, name: string, where: string): void {
  const v = p[name];
  const bytes = typeof v === 'string' ? fromBase64(v) : undefined;
  if (bytes === undefined || bytes.length !== SCRAM_KEY_LENGTH) fail(`${where}.${name} must be ${SCRAM_KEY_LENGTH} bytes as canonical base64 (got ${typeof v})`);
}

const CHECK_PRINCIPAL: Record<Exclude<AuthMethod, 'anonymous'>, { collection: string; check: Check }> = {
  [AuthMethod.TICKET]: {
    collection: 'principals',
    check(p, where) {
      requireRole(p, where);
      requireSecretString(p, 'ticket', where);
    },
  },
  [AuthMethod.WAMPCRA]: {
    collection: 'users',
    check(p, where) {
      requireRole(p, where);
      requireSecretString(p, 'secret', where);
      if (p['salt'] !== undefined && (typeof p['salt'] !== 'string' || p['salt'] === '')) fail(`${where}.salt must be a non-empty string`);
      if (p['salt'] === undefined && (p['iterations'] !== undefined || p['keylen'] !== undefined)) fail(`${where}: iterations/keylen need a salt`);
      checkInteger(p, 'iterations', where, 1, CRA_LIMITS.MAX_ITERATIONS, false);
      checkInteger(p, 'keylen', where, 1, CRA_LIMITS.MAX_KEYLEN, false);
    },
  },
  [AuthMethod.CRYPTOSIGN]: {
    collection: 'principals',
    check(p, where) {
      requireRole(p, where);
      const keys = p['authorized_keys'];
      if (!Array.isArray(keys) || keys.length === 0) fail(`${where}.authorized_keys must be a non-empty list of hex Ed25519 public keys`);
      keys.forEach((k: unknown, i) => {
        const bytes = typeof k === 'string' ? fromHex(k) : undefined;
        if (bytes === undefined || bytes.length !== 32) fail(`${where}.authorized_keys[${i}] must be 64 hex digits, got ${JSON.stringify(k)}`);
      });
    },
  },
  [AuthMethod.SCRAM]: {
    collection: 'principals',
    check(p, where) {
      requireRole(p, where);
      const kdf = scramKdf(p['kdf']);
      if (kdf === undefined) fail(`${where}.kdf must be 'argon2id13' or 'pbkdf2', got ${JSON.stringify(p['kdf'])}`);
      checkInteger(p, 'iterations', where, 1, 10_000_000, true);
      if (kdf === 'argon2id13') checkInteger(p, 'memory', where, 8, 4_194_304, true);
      if (typeof p['salt'] !== 'string' || p['salt'] === '' || fromBase64(p['salt']) === undefined) fail(`${where}.salt must be non-empty canonical base64, got ${JSON.stringify(p['salt'])}`);
      checkKey(p, 'stored_key', where);
      checkKey(p, 'server_key', where);
    },
  },
};

function checkMethod(method: string, value: unknown, where: string): void {
  if (!isRecord(value)) fail(`${where} must be an object, got ${JSON.stringify(value)}`);
  if (method === AuthMethod.CRYPTOSIGN && value['router_key'] !== undefined) {
    const seed = typeof value['router_key'] === 'string' ? fromHex(value['router_key']) : undefined;
    if (seed === undefined || seed.length !== 32) fail(`${where}.router_key must be a 32-byte Ed25519 seed as 64 hex digits`);
  }
  const type = value['type'];
  if (type === 'dynamic') {
    const proc = value['authenticator'];
    if (!isValidUri(proc)) fail(`${where}.authenticator must be a procedure URI, got ${JSON.stringify(proc)}`);
    return;
  }
  if (type !== 'static') fail(`${where}.type must be 'static' or 'dynamic', got ${JSON.stringify(type)}`);
  if (method === AuthMethod.ANONYMOUS) {
    if (value['role'] !== undefined && (typeof value['role'] !== 'string' || value['role'] === '')) fail(`${where}.role must be a non-empty string, got ${JSON.stringify(value['role'])}`);
    return;
  }
  const spec = CHECK_PRINCIPAL[method as Exclude<AuthMethod, 'anonymous'>];
  const collection = value[spec.collection];
  if (!isRecord(collection)) fail(`${where}.${spec.collection} must be an object of authid -> principal`);
  for (const [authid, principal] of Object.entries(collection)) {
    const at = `${where}.${spec.collection}[${JSON.stringify(authid)}]`;
    if (authid === '') fail(`${where}.${spec.collection} has an empty authid`);
    if (!isRecord(principal)) fail(`${at} must be an object`);
    spec.check(principal, at);
  }
}

/** Validates a realm's `auth` object (`where` names it in errors, e.g. "realms[0].auth"). */
export function validateRealmAuthConfig(value: unknown, where = 'auth'): RealmAuthConfig {
  if (value === undefined) return DEFAULT_REALM_AUTH;
  if (!isRecord(value)) fail(`${where} must be an object keyed by authmethod, got ${JSON.stringify(value)}`);
  const names = Object.keys(value);
  if (names.length === 0) fail(`${where} must configure at least one authmethod`);
  for (const method of names) {
    if (method !== AuthMethod.ANONYMOUS && !(method in CHECK_PRINCIPAL)) {
      fail(`${where}: unknown authmethod ${JSON.stringify(method)} (known: ${Object.values(AuthMethod).join(', ')})`);
    }
    checkMethod(method, value[method], `${where}.${method}`);
  }
  return value as RealmAuthConfig;
}
