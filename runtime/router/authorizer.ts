/**
 * Authorization: may this session's role call, register, publish or subscribe on this URI?
 *
 * The configuration follows Crossbar.io's so existing configs carry over:
 *
 *   roles: [
 *     { name: 'frontend', permissions: [
 *         { uri: 'com.example.', match: 'prefix',
 *           allow: { call: true, register: false, publish: true, subscribe: true },
 *           disclose: { caller: false, publisher: false }, cache: true } ] },
 *     { name: 'backend', authorizer: 'com.example.authorize' },
 *   ]
 *
 * A role with `permissions` is decided from its table: the permission whose pattern best matches
 * the URI (exact, then longest prefix, then wildcard: the same precedence as call routing, via
 * UriIndex; an empty prefix is the catch-all). A role with `authorizer` names a procedure; the
 * router's glue turns it into a hook `(subject, uri, action, options) => boolean | { allow,
 * disclose, cache }` (possibly async), as Crossbar calls its dynamic authorizers. A role in
 * neither form, or absent, is denied unless a default hook is given. Decisions a hook marks
 * `cache: true` are remembered per session until `forget(sessionId)`.
 *
 * Everything not explicitly allowed is denied (`wamp.error.not_authorized`); a hook that throws,
 * times out or answers nonsense fails secure (`wamp.error.authorization_failed`).
 *
 * A pattern SUBSCRIBE or REGISTER (options.match prefix or wildcard) is decided as Crossbar
 * decides it, by the pattern as a URI; an allowed one then also gets a `guard` unless the role's
 * table proves that every URI it can match is allowed (pattern-guard.ts), so deny rules under
 * the pattern still hold for each event and call. A hook's role is never proven: its guard asks
 * the hook about each concrete URI once per session.
 */
import { createError, isWampkitError } from '../errors.js';
import { ErrorUri } from '../wamp/uris.js';
import { RouterErrorCode } from './error-codes.js';
import { UriIndex, isMatchPolicy, MatchPolicy, type UriMatch } from './uri-matcher.js';
import { MAX_TIMER_DELAY } from '../long-timeout.js';
import { GUARD_VERDICTS_KEPT, cachedGuard, onlyMatchesAllowed, patternPolicy, type UriGuard } from './pattern-guard.js';

export const AuthorizeAction = {
  CALL: 'call',
  REGISTER: 'register',
  PUBLISH: 'publish',
  SUBSCRIBE: 'subscribe',
} as const;
export type AuthorizeAction = (typeof AuthorizeAction)[keyof typeof AuthorizeAction];
const ACTIONS: readonly AuthorizeAction[] = Object.values(AuthorizeAction);

/** Which disclosure flag of a permission applies to which action. */
const DISCLOSE_KEY: Readonly<Partial<Record<AuthorizeAction, 'caller' | 'publisher'>>> = {
  call: 'caller',
  publish: 'publisher',
};

export interface PermissionConfig {
  uri: string;
  /** Default 'exact'. */
  match?: UriMatch;
  allow?: Partial<Record<AuthorizeAction, boolean>>;
  /** Disclose the caller (to callees) or publisher (to subscribers) even when not asked to. */
  disclose?: { caller?: boolean; publisher?: boolean };
  cache?: boolean;
}

export interface RoleConfig {
  name: string;
  permissions?: PermissionConfig[];
  /** URI of a procedure that decides for this role (dynamic authorization). */
  authorizer?: string;
}

export interface AuthorizationConfig {
  roles: RoleConfig[];
}

/** Who asks: what a hook gets to decide on. */
export interface AuthorizationSubject {
  readonly sessionId: number;
  readonly authid: string;
  readonly authrole: string;
  readonly authmethod?: string;
  readonly authprovider?: string;
}

export interface AuthorizationDecision {
  readonly allow: boolean;
  /** Disclose the caller's / publisher's identity regardless of disclose_me. */
  readonly disclose: boolean;
  readonly cache: boolean;
  /** Set when `allow` is false: the ERROR URI to answer the request with. */
  readonly error?: typeof ErrorUri.NOT_AUTHORIZED | typeof ErrorUri.AUTHORIZATION_FAILED;
  /** Why, for logs and the ERROR's Arguments. */
  readonly reason?: string;
  /**
   * Set when a pattern SUBSCRIBE/REGISTER is allowed but may also match URIs the role may not
   * have: the broker/dealer asks it for each concrete topic/procedure (pattern-guard.ts).
   */
  readonly guard?: UriGuard;
}

export type AuthorizerHookResult = boolean | { allow: boolean; disclose?: boolean; cache?: boolean };
export type AuthorizerHook = (
  subject: AuthorizationSubject,
  uri: string,
  action: AuthorizeAction,
  options: Readonly<Record<string, unknown>>,
) => AuthorizerHookResult | Promise<AuthorizerHookResult>;

export interface AuthorizerOptions {
  /** Turns a role's `authorizer` procedure URI into a hook (the router calls the procedure). */
  procedureHook?: (procedure: string) => AuthorizerHook;
  /** Decides for roles the table does not list. Default: deny them. */
  defaultHook?: AuthorizerHook;
  /** A hook that has not answered after this many ms fails (authorization_failed). Default 10000. */
  hookTimeout?: number;
  /** Cached decisions kept per session; the cache is emptied when full. Default 1000. */
  maxCachePerSession?: number;
}

function bad(message: string): Error {
  return createError(RouterErrorCode.INVALID_OPTION, message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkBoolDict(value: unknown, keys: readonly string[], where: string): void {
  if (value === undefined) return;
  if (!isRecord(value)) throw bad(`${where} must be an object, got ${JSON.stringify(value)}`);
  for (const [k, v] of Object.entries(value)) {
    if (!keys.includes(k)) throw bad(`${where}.${k} is not one of ${keys.join(', ')}`);
    if (typeof v !== 'boolean') throw bad(`${where}.${k} must be a boolean, got ${JSON.stringify(v)}`);
  }
}

function checkPermission(value: unknown, where: string): PermissionConfig {
  if (!isRecord(value)) throw bad(`${where} must be an object, got ${JSON.stringify(value)}`);
  const { uri, match } = value;
  if (match !== undefined && !isMatchPolicy(match)) throw bad(`${where}.match must be exact, prefix or wildcard, got ${JSON.stringify(match)}`);
  if (typeof uri !== 'string') throw bad(`${where}.uri must be a string, got ${JSON.stringify(uri)}`);
  if (uri.endsWith('*')) throw bad(`${where}.uri ${JSON.stringify(uri)}: write a prefix as { uri: "${uri.slice(0, -1)}", match: "prefix" }`);
  try {
    new UriIndex<true>({ allowCatchAll: true }).set(uri, match ?? MatchPolicy.EXACT, true);
  } catch (error) {
    throw bad(`${where}.uri: ${isWampkitError(error) ? error.message : String(error)}`);
  }
  checkBoolDict(value['allow'], ACTIONS, `${where}.allow`);
  checkBoolDict(value['disclose'], ['caller', 'publisher'], `${where}.disclose`);
  if (value['cache'] !== undefined && typeof value['cache'] !== 'boolean') throw bad(`${where}.cache must be a boolean, got ${JSON.stringify(value['cache'])}`);
  return value as unknown as PermissionConfig;
}

/** Checks an authorization config (a realm's `roles`), naming the bad value; returns it typed. */
export function validateAuthorizationConfig(value: unknown, where = 'authorization'): AuthorizationConfig {
  if (!isRecord(value) || !Array.isArray(value['roles'])) throw bad(`${where} must be { roles: [...] }, got ${JSON.stringify(value)}`);
  const seen = new Set<string>();
  value['roles'].forEach((role: unknown, i) => {
    const at = `${where}.roles[${i}]`;
    if (!isRecord(role) || typeof role['name'] !== 'string' || role['name'] === '') throw bad(`${at} must be an object with a non-empty name, got ${JSON.stringify(role)}`);
    if (seen.has(role['name'])) throw bad(`${at}: role ${JSON.stringify(role['name'])} is listed twice`);
    seen.add(role['name']);
    const { permissions, authorizer } = role;
    if ((permissions === undefined) === (authorizer === undefined)) throw bad(`${at} needs exactly one of permissions, authorizer`);
    if (authorizer !== undefined && (typeof authorizer !== 'string' || authorizer === '')) throw bad(`${at}.authorizer must be a procedure URI, got ${JSON.stringify(authorizer)}`);
    if (permissions !== undefined) {
      if (!Array.isArray(permissions)) throw bad(`${at}.permissions must be a list, got ${JSON.stringify(permissions)}`);
      permissions.forEach((p: unknown, j) => checkPermission(p, `${at}.permissions[${j}]`));
    }
  });
  return value as unknown as AuthorizationConfig;
}

const DENY_NO_ROLE = (role: string): AuthorizationDecision =>
  ({ allow: false, disclose: false, cache: false, error: ErrorUri.NOT_AUTHORIZED, reason: `role '${role}' has no permissions` });

function fail(reason: string): AuthorizationDecision {
  return { allow: false, disclose: false, cache: false, error: ErrorUri.AUTHORIZATION_FAILED, reason };
}

/** A hook's answer as a decision; anything malformed fails secure. */
function fromHook(result: unknown): AuthorizationDecision {
  if (typeof result === 'boolean') {
    return result ? { allow: true, disclose: false, cache: false } : { allow: false, disclose: false, cache: false, error: ErrorUri.NOT_AUTHORIZED };
  }
  if (!isRecord(result) || typeof result['allow'] !== 'boolean' ||
    (result['disclose'] !== undefined && typeof result['disclose'] !== 'boolean') ||
    (result['cache'] !== undefined && typeof result['cache'] !== 'boolean')) {
    return fail(`authorizer answered ${JSON.stringify(result)}, not a bool or { allow, disclose?, cache? }`);
  }
  const allow = result['allow'];
  const decision = { allow, disclose: result['disclose'] === true, cache: result['cache'] === true };
  return allow ? decision : { ...decision, error: ErrorUri.NOT_AUTHORIZED };
}

interface TableRule {
  readonly kind: 'table';
  readonly index: UriIndex<PermissionConfig>;
  /** Per action, the guard of this role's unproven patterns (one verdict cache per role). */
  readonly guards: Map<AuthorizeAction, UriGuard>;
  /** `${action} ${match} ${pattern}` -> proven to match allowed URIs only. */
  readonly proven: Map<string, boolean>;
}
type RoleRule = TableRule | { kind: 'hook'; hook: AuthorizerHook };

export class Authorizer {
  readonly #roles = new Map<string, RoleRule>();
  readonly #defaultHook: AuthorizerHook | undefined;
  readonly #hookTimeout: number;
  readonly #maxCache: number;
  /** Cached hook decisions: session -> `${action} ${uri}` -> decision. */
  readonly #cache = new Map<number, Map<string, AuthorizationDecision>>();
  /** A dynamic authorizer's answers for the concrete URIs of a session's patterns (pattern guards). */
  readonly #verdicts = new Map<number, Map<string, boolean | Promise<boolean>>>();

  constructor(config: AuthorizationConfig, options: AuthorizerOptions = {}) {
    validateAuthorizationConfig(config);
    const timeout = options.hookTimeout ?? 10_000;
    if (!(Number.isInteger(timeout) && timeout > 0 && timeout <= MAX_TIMER_DELAY)) throw bad(`hookTimeout must be a positive integer of at most ${MAX_TIMER_DELAY} ms, got ${JSON.stringify(timeout)}`);
    const maxCache = options.maxCachePerSession ?? 1000;
    if (!(Number.isInteger(maxCache) && maxCache >= 0)) throw bad(`maxCachePerSession must be a non-negative integer, got ${JSON.stringify(maxCache)}`);
    this.#hookTimeout = timeout;
    this.#maxCache = maxCache;
    this.#defaultHook = options.defaultHook;
    for (const role of config.roles) {
      if (role.authorizer !== undefined) {
        if (options.procedureHook === undefined) throw bad(`role '${role.name}' names authorizer '${role.authorizer}' but no procedureHook was given`);
        this.#roles.set(role.name, { kind: 'hook', hook: options.procedureHook(role.authorizer) });
      } else {
        const index = new UriIndex<PermissionConfig>({ allowCatchAll: true });
        for (const p of role.permissions ?? []) index.set(p.uri, p.match ?? MatchPolicy.EXACT, p);
        this.#roles.set(role.name, { kind: 'table', index, guards: new Map(), proven: new Map() });
      }
    }
  }

  /**
   * Decides whether `subject` may perform `action` on `uri` (for REGISTER/SUBSCRIBE, the URI or
   * pattern as sent). Synchronous for table roles and cached decisions; a Promise when a hook
   * has to be asked, so callers pay for asynchrony only where a hook is configured.
   */
  authorize(
    subject: AuthorizationSubject,
    uri: string,
    action: AuthorizeAction,
    options: Readonly<Record<string, unknown>> = {},
  ): AuthorizationDecision | Promise<AuthorizationDecision> {
    const decision = this.#decide(subject, uri, action, options);
    const match = action === AuthorizeAction.SUBSCRIBE || action === AuthorizeAction.REGISTER ? patternPolicy(options) : undefined;
    if (match === undefined) return decision;
    if (decision instanceof Promise) return decision.then((d) => this.#guarded(d, subject, uri, match, action));
    return this.#guarded(decision, subject, uri, match, action);
  }

  #decide(
    subject: AuthorizationSubject,
    uri: string,
    action: AuthorizeAction,
    options: Readonly<Record<string, unknown>>,
  ): AuthorizationDecision | Promise<AuthorizationDecision> {
    const rule = this.#roles.get(subject.authrole);
    if (rule?.kind === 'table') return this.#fromTable(rule.index, uri, action);
    const hook = rule?.hook ?? this.#defaultHook;
    if (hook === undefined) return DENY_NO_ROLE(subject.authrole);
    const key = `${action} ${uri}`;
    const cached = this.#cache.get(subject.sessionId)?.get(key);
    if (cached !== undefined) return cached;
    // Taken before asking: if the session leaves (forget) meanwhile, the late answer lands in
    // this orphaned map instead of resurrecting a cache for a session that is gone.
    const sessionCache = this.#sessionCache(subject.sessionId);
    return this.#ask(hook, subject, uri, action, options).then((decision) => {
      if (decision.cache && this.#maxCache > 0) {
        if (sessionCache.size >= this.#maxCache) sessionCache.clear();
        sessionCache.set(key, decision);
      }
      return decision;
    });
  }

  /** Drops a session's cached decisions (call when it leaves). */
  forget(sessionId: number): void {
    this.#cache.delete(sessionId);
    this.#verdicts.delete(sessionId);
  }

  /** An allowed pattern decision, with a guard unless every URI the pattern matches is allowed. */
  #guarded(decision: AuthorizationDecision, subject: AuthorizationSubject, pattern: string, match: UriMatch, action: AuthorizeAction): AuthorizationDecision {
    if (!decision.allow) return decision;
    const rule = this.#roles.get(subject.authrole);
    if (rule?.kind === 'table') {
      const key = `${action} ${match} ${pattern}`;
      let safe = rule.proven.get(key);
      if (safe === undefined) {
        safe = onlyMatchesAllowed(rule.index.entries(), pattern, match, (p) => p.allow?.[action] === true);
        if (rule.proven.size >= GUARD_VERDICTS_KEPT) rule.proven.clear();
        rule.proven.set(key, safe);
      }
      if (safe) return decision;
      let guard = rule.guards.get(action);
      if (guard === undefined) rule.guards.set(action, (guard = cachedGuard((uri) => this.#fromTable(rule.index, uri, action).allow)));
      return { ...decision, guard };
    }
    const hook = rule?.hook ?? this.#defaultHook;
    return hook === undefined ? decision : { ...decision, guard: this.#hookGuard(hook, subject, action) };
  }

  /**
   * A dynamic authorizer cannot be proven safe for a pattern, so each concrete URI is asked once
   * per session, as an exact `action` (options `{ match: 'exact' }`), and the answer kept; while
   * it is pending the guard answers that Promise. A failed ask (error, timeout) denies this
   * delivery and is asked again next time.
   */
  #hookGuard(hook: AuthorizerHook, subject: AuthorizationSubject, action: AuthorizeAction): UriGuard {
    return (uri) => {
      const key = `${action} ${uri}`;
      const cached = this.#cache.get(subject.sessionId)?.get(key);
      if (cached !== undefined) return cached.allow;
      let verdicts = this.#verdicts.get(subject.sessionId);
      const known = verdicts?.get(key);
      if (known !== undefined) return known;
      if (verdicts === undefined) this.#verdicts.set(subject.sessionId, (verdicts = new Map()));
      const kept = verdicts;
      const asked = this.#ask(hook, subject, uri, action, { match: MatchPolicy.EXACT }).then((d) => {
        if (kept.get(key) !== asked) return d.allow;
        if (d.error === ErrorUri.AUTHORIZATION_FAILED) kept.delete(key);
        else kept.set(key, d.allow);
        return d.allow;
      });
      if (kept.size >= GUARD_VERDICTS_KEPT) kept.clear();
      kept.set(key, asked);
      return asked;
    };
  }

  #fromTable(index: UriIndex<PermissionConfig>, uri: string, action: AuthorizeAction): AuthorizationDecision {
    const permission = index.best(uri)?.value;
    if (permission?.allow?.[action] !== true) {
      return { allow: false, disclose: false, cache: false, error: ErrorUri.NOT_AUTHORIZED, reason: `${action} on '${uri}' is not allowed` };
    }
    const discloseKey = DISCLOSE_KEY[action];
    return { allow: true, disclose: discloseKey !== undefined && permission.disclose?.[discloseKey] === true, cache: permission.cache === true };
  }

  async #ask(hook: AuthorizerHook, subject: AuthorizationSubject, uri: string, action: AuthorizeAction, options: Readonly<Record<string, unknown>>): Promise<AuthorizationDecision> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<AuthorizationDecision>((resolve) => {
      timer = setTimeout(() => resolve(fail(`authorizer did not answer within ${this.#hookTimeout} ms`)), this.#hookTimeout);
    });
    try {
      const answer = Promise.resolve().then(() => hook(subject, uri, action, options)).then(fromHook, (error: unknown) =>
        fail(`authorizer failed: ${error instanceof Error ? error.message : String(error)}`));
      return await Promise.race([answer, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  #sessionCache(sessionId: number): Map<string, AuthorizationDecision> {
    let cache = this.#cache.get(sessionId);
    if (cache === undefined) this.#cache.set(sessionId, (cache = new Map()));
    return cache;
  }
}
