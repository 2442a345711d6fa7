/**
 * The WAMP meta API of one realm: session, registration and subscription meta procedures
 * (`wamp.session.*`, `wamp.registration.*`, `wamp.subscription.*`, testaments) and meta events
 * (`on_join`/`on_leave`, `on_create`/`on_register`/`on_unregister`/`on_delete`,
 * `on_create`/`on_subscribe`/`on_unsubscribe`/`on_delete`).
 *
 * It is written against `MetaRealmView`, a small description of what it needs from the realm
 * (its session, registration and subscription tables, a way to end a session and a way to
 * publish as the router), so plugging it in is: the dealer offers `wamp.*` calls to `call()`
 * before looking for a callee, and the realm/broker/dealer report lifecycle changes to the
 * `session…`/`registration…`/`subscription…` methods, which publish the meta events.
 *
 * Procedures dispatch through a table; each answers a `MetaResult` (RESULT payload or ERROR
 * URI), synchronously, so the dealer can reply at once.
 */
import { ErrorUri, CloseReason, isValidUri, isReservedUri, type UriMatch } from '../wamp/uris.js';
import { isValidId } from '../wamp/ids.js';
import { isMatchPolicy, MatchPolicy } from './uri-matcher.js';
import { TestamentStore, TestamentScope, isTestamentScope } from './testament.js';
import type { PeerIdentity } from './peer.js';

export const MetaProcedure = {
  SESSION_COUNT: 'wamp.session.count',
  SESSION_LIST: 'wamp.session.list',
  SESSION_GET: 'wamp.session.get',
  SESSION_KILL: 'wamp.session.kill',
  SESSION_KILL_BY_AUTHID: 'wamp.session.kill_by_authid',
  SESSION_KILL_BY_AUTHROLE: 'wamp.session.kill_by_authrole',
  SESSION_KILL_ALL: 'wamp.session.kill_all',
  SESSION_ADD_TESTAMENT: 'wamp.session.add_testament',
  SESSION_FLUSH_TESTAMENTS: 'wamp.session.flush_testaments',
  REGISTRATION_LIST: 'wamp.registration.list',
  REGISTRATION_LOOKUP: 'wamp.registration.lookup',
  REGISTRATION_MATCH: 'wamp.registration.match',
  REGISTRATION_GET: 'wamp.registration.get',
  REGISTRATION_LIST_CALLEES: 'wamp.registration.list_callees',
  REGISTRATION_COUNT_CALLEES: 'wamp.registration.count_callees',
  SUBSCRIPTION_LIST: 'wamp.subscription.list',
  SUBSCRIPTION_LOOKUP: 'wamp.subscription.lookup',
  SUBSCRIPTION_MATCH: 'wamp.subscription.match',
  SUBSCRIPTION_GET: 'wamp.subscription.get',
  SUBSCRIPTION_LIST_SUBSCRIBERS: 'wamp.subscription.list_subscribers',
  SUBSCRIPTION_COUNT_SUBSCRIBERS: 'wamp.subscription.count_subscribers',
} as const;
export type MetaProcedure = (typeof MetaProcedure)[keyof typeof MetaProcedure];

/**
 * Meta procedures that end or change another session. Secure by default: a session may call
 * them only when its realm grants it (MetaApiConfig.mutating, or an authorization table that
 * allows the call); the reading ones stay open to every session.
 */
export const MUTATING_META_PROCEDURES: ReadonlySet<string> = new Set<MetaProcedure>([
  MetaProcedure.SESSION_KILL,
  MetaProcedure.SESSION_KILL_BY_AUTHID,
  MetaProcedure.SESSION_KILL_BY_AUTHROLE,
  MetaProcedure.SESSION_KILL_ALL,
]);

/** A realm's `metaApi` option. */
export interface MetaApiConfig {
  /**
   * Authroles that may call the mutating meta procedures (MUTATING_META_PROCEDURES), beside
   * what the realm's authorization table allows. Default none: in a realm without a table,
   * nobody may kill sessions through the meta API.
   */
  mutating?: string[];
}

export const MetaTopic = {
  SESSION_ON_JOIN: 'wamp.session.on_join',
  SESSION_ON_LEAVE: 'wamp.session.on_leave',
  REGISTRATION_ON_CREATE: 'wamp.registration.on_create',
  REGISTRATION_ON_REGISTER: 'wamp.registration.on_register',
  REGISTRATION_ON_UNREGISTER: 'wamp.registration.on_unregister',
  REGISTRATION_ON_DELETE: 'wamp.registration.on_delete',
  SUBSCRIPTION_ON_CREATE: 'wamp.subscription.on_create',
  SUBSCRIPTION_ON_SUBSCRIBE: 'wamp.subscription.on_subscribe',
  SUBSCRIPTION_ON_UNSUBSCRIBE: 'wamp.subscription.on_unsubscribe',
  SUBSCRIPTION_ON_DELETE: 'wamp.subscription.on_delete',
} as const;
export type MetaTopic = (typeof MetaTopic)[keyof typeof MetaTopic];

/** A session as the meta API reports it (wamp.session.get, on_join). */
export interface MetaSessionInfo {
  readonly session: number;
  readonly authid: string;
  readonly authrole: string;
  readonly authmethod?: string;
  readonly authprovider?: string;
  readonly transport?: Readonly<Record<string, unknown>>;
}

interface MetaObjectInfo {
  readonly id: number;
  readonly uri: string;
  readonly match: UriMatch;
  /** ISO 8601 creation time. */
  readonly created: string;
}

export interface MetaRegistrationInfo extends MetaObjectInfo {
  readonly invoke: string;
  /** Session IDs of the callees, in registration order. */
  readonly callees: readonly number[];
}

export interface MetaSubscriptionInfo extends MetaObjectInfo {
  readonly subscribers: readonly number[];
}

export interface MetaSessionTable {
  sessions(): Iterable<MetaSessionInfo>;
  session(id: number): MetaSessionInfo | undefined;
  /**
   * Ends a session with GOODBYE `reason` (Details.message when given); false when there is none.
   * `quiet`: without meta events or testaments (kill_all: nobody would be left to receive them).
   */
  kill(id: number, reason: string, message?: string, quiet?: boolean): boolean;
}

export interface MetaRegistrationTable {
  registrations(): Iterable<MetaRegistrationInfo>;
  registration(id: number): MetaRegistrationInfo | undefined;
  /** The registration of exactly (uri, match), if any. */
  lookupRegistration(uri: string, match: UriMatch): MetaRegistrationInfo | undefined;
  /** The registration a call to `uri` would be routed to, if any. */
  matchRegistration(uri: string): MetaRegistrationInfo | undefined;
}

export interface MetaSubscriptionTable {
  subscriptions(): Iterable<MetaSubscriptionInfo>;
  subscription(id: number): MetaSubscriptionInfo | undefined;
  lookupSubscription(uri: string, match: UriMatch): MetaSubscriptionInfo | undefined;
  /** Every subscription a publication to `uri` would reach. */
  matchSubscriptions(uri: string): MetaSubscriptionInfo[];
}

/** Publishes as the router: no publisher to exclude; `options` as PUBLISH.Options (testaments). */
export interface MetaPublisher {
  publish(topic: string, args: unknown[], kwargs?: Record<string, unknown>, options?: Record<string, unknown>): void;
}

export type MetaRealmView = MetaSessionTable & MetaRegistrationTable & MetaSubscriptionTable & MetaPublisher;

export type MetaResult =
  | { readonly ok: true; readonly args?: unknown[]; readonly kwargs?: Record<string, unknown> }
  | { readonly ok: false; readonly error: string; readonly args: unknown[] };

type Kwargs = Readonly<Record<string, unknown>>;
type Handler = (api: MetaApi, caller: PeerIdentity, args: readonly unknown[], kwargs: Kwargs) => MetaResult;

const ok = (...args: unknown[]): MetaResult => ({ ok: true, args });
const err = (error: string, message: string): MetaResult => ({ ok: false, error, args: [message] });

function stringList(value: unknown): readonly string[] | null | undefined {
  if (value === undefined || value === null) return null;
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

function details(o: MetaObjectInfo, invoke?: string): Record<string, unknown> {
  const d: Record<string, unknown> = { id: o.id, created: o.created, uri: o.uri, match: o.match };
  if (invoke !== undefined) d['invoke'] = invoke;
  return d;
}

function sessionDetails(s: MetaSessionInfo): Record<string, unknown> {
  const d: Record<string, unknown> = { session: s.session, authid: s.authid, authrole: s.authrole };
  if (s.authmethod !== undefined) d['authmethod'] = s.authmethod;
  if (s.authprovider !== undefined) d['authprovider'] = s.authprovider;
  if (s.transport !== undefined) d['transport'] = s.transport;
  return d;
}

function byPolicy<T extends MetaObjectInfo>(items: Iterable<T>): Record<UriMatch, number[]> {
  const lists: Record<UriMatch, number[]> = { exact: [], prefix: [], wildcard: [] };
  for (const item of items) lists[item.match].push(item.id);
  return lists;
}

/** The (uri, options.match) arguments of the lookup procedures. */
function lookupArgs(args: readonly unknown[]): { uri: string; match: UriMatch } | MetaResult {
  const [uri, options] = args;
  const match = typeof options === 'object' && options !== null ? (options as Record<string, unknown>)['match'] ?? MatchPolicy.EXACT : MatchPolicy.EXACT;
  if (!isMatchPolicy(match)) return err(ErrorUri.INVALID_ARGUMENT, `options.match must be exact, prefix or wildcard, got ${JSON.stringify(match)}`);
  // Checked for its policy: a prefix may end in '.', a wildcard has empty components.
  if (!isValidUri(uri, 'loose', match)) return err(ErrorUri.INVALID_ARGUMENT, `the first argument must be a URI valid for match '${match}', got ${JSON.stringify(uri)}`);
  return { uri, match };
}

function idArg(args: readonly unknown[], what: string): number | MetaResult {
  const id = args[0];
  return isValidId(id) ? id : err(ErrorUri.INVALID_ARGUMENT, `the first argument must be a ${what} ID, got ${JSON.stringify(id)}`);
}

/** GOODBYE reason and message of the kill procedures, checked as the spec says. */
function killReason(kwargs: Kwargs): { reason: string; message?: string } | MetaResult {
  const reason = kwargs['reason'] ?? CloseReason.KILLED;
  if (!isValidUri(reason)) return err(ErrorUri.INVALID_URI, `reason must be a valid URI, got ${JSON.stringify(reason)}`);
  const message = kwargs['message'];
  if (message !== undefined && typeof message !== 'string') return err(ErrorUri.INVALID_ARGUMENT, `message must be a string, got ${JSON.stringify(message)}`);
  return message === undefined ? { reason } : { reason, message };
}

const isResult = (v: unknown): v is MetaResult => typeof v === 'object' && v !== null && 'ok' in v;

function killMany(api: MetaApi, caller: PeerIdentity, kwargs: Kwargs, which: (s: MetaSessionInfo) => boolean, quiet = false): number[] | MetaResult {
  const how = killReason(kwargs);
  if (isResult(how)) return how;
  // Collected first: killing while iterating the realm's live table would skip sessions.
  const victims = [...api.realm.sessions()].filter((s) => s.session !== caller.sessionId && which(s)).map((s) => s.session);
  return victims.filter((id) => api.realm.kill(id, how.reason, how.message, quiet));
}

const HANDLERS: Readonly<Record<MetaProcedure, Handler>> = {
  'wamp.session.count': (api, _c, args) => {
    const roles = stringList(args[0]);
    if (roles === undefined) return err(ErrorUri.INVALID_ARGUMENT, 'filter_authroles must be a list of strings');
    let n = 0;
    for (const s of api.realm.sessions()) if (roles === null || roles.includes(s.authrole)) n++;
    return ok(n);
  },
  'wamp.session.list': (api, _c, args) => {
    const roles = stringList(args[0]);
    if (roles === undefined) return err(ErrorUri.INVALID_ARGUMENT, 'filter_authroles must be a list of strings');
    return ok([...api.realm.sessions()].filter((s) => roles === null || roles.includes(s.authrole)).map((s) => s.session));
  },
  'wamp.session.get': (api, _c, args) => {
    const id = idArg(args, 'session');
    if (isResult(id)) return id;
    const s = api.realm.session(id);
    return s === undefined ? err(ErrorUri.NO_SUCH_SESSION, `no session ${id}`) : ok(sessionDetails(s));
  },
  'wamp.session.kill': (api, caller, args, kwargs) => {
    const id = idArg(args, 'session');
    if (isResult(id)) return id;
    const how = killReason(kwargs);
    if (isResult(how)) return how;
    // The caller cannot kill itself: "no *other* session with that ID exists".
    if (id === caller.sessionId || !api.realm.kill(id, how.reason, how.message)) return err(ErrorUri.NO_SUCH_SESSION, `no other session ${id}`);
    return { ok: true };
  },
  'wamp.session.kill_by_authid': (api, caller, args, kwargs) => {
    if (typeof args[0] !== 'string') return err(ErrorUri.INVALID_ARGUMENT, `authid must be a string, got ${JSON.stringify(args[0])}`);
    const killed = killMany(api, caller, kwargs, (s) => s.authid === args[0]);
    return isResult(killed) ? killed : ok(killed);
  },
  'wamp.session.kill_by_authrole': (api, caller, args, kwargs) => {
    if (typeof args[0] !== 'string') return err(ErrorUri.INVALID_ARGUMENT, `authrole must be a string, got ${JSON.stringify(args[0])}`);
    const killed = killMany(api, caller, kwargs, (s) => s.authrole === args[0]);
    return isResult(killed) ? killed : ok(killed.length);
  },
  'wamp.session.kill_all': (api, caller, _a, kwargs) => {
    const killed = killMany(api, caller, kwargs, () => true, true);
    return isResult(killed) ? killed : ok(killed.length);
  },
  'wamp.session.add_testament': (api, caller, args, kwargs) => {
    const [topic, targs = [], tkwargs = {}] = args;
    if (!isValidUri(topic)) return err(ErrorUri.INVALID_URI, `topic must be a valid URI, got ${JSON.stringify(topic)}`);
    // A testament on a wamp.* topic would forge the router's meta events.
    if (isReservedUri(topic)) return err(ErrorUri.INVALID_URI, `'${topic}' is reserved for the router`);
    if (!Array.isArray(targs)) return err(ErrorUri.INVALID_ARGUMENT, 'args must be a list');
    if (typeof tkwargs !== 'object' || tkwargs === null || Array.isArray(tkwargs)) return err(ErrorUri.INVALID_ARGUMENT, 'kwargs must be a dict');
    const scope = kwargs['scope'] ?? TestamentScope.DESTROYED;
    if (!isTestamentScope(scope)) return err(ErrorUri.INVALID_ARGUMENT, `scope must be detached or destroyed, got ${JSON.stringify(scope)}`);
    const options = kwargs['publish_options'] ?? {};
    if (typeof options !== 'object' || options === null || Array.isArray(options)) return err(ErrorUri.INVALID_ARGUMENT, 'publish_options must be a dict');
    const added = api.testaments.add(caller.sessionId, scope, { topic, args: targs, kwargs: tkwargs as Kwargs, options: options as Kwargs });
    return added ? { ok: true } : err(ErrorUri.INVALID_ARGUMENT, 'too many testaments for this session');
  },
  'wamp.session.flush_testaments': (api, caller, _a, kwargs) => {
    const scope = kwargs['scope'] ?? TestamentScope.DESTROYED;
    if (!isTestamentScope(scope)) return err(ErrorUri.INVALID_ARGUMENT, `scope must be detached or destroyed, got ${JSON.stringify(scope)}`);
    api.testaments.flush(caller.sessionId, scope);
    return { ok: true };
  },
  'wamp.registration.list': (api) => ok(byPolicy(api.realm.registrations())),
  'wamp.registration.lookup': (api, _c, args) => {
    const q = lookupArgs(args);
    return isResult(q) ? q : ok(api.realm.lookupRegistration(q.uri, q.match)?.id ?? null);
  },
  'wamp.registration.match': (api, _c, args) => {
    if (!isValidUri(args[0])) return err(ErrorUri.INVALID_ARGUMENT, `procedure must be a URI, got ${JSON.stringify(args[0])}`);
    return ok(api.realm.matchRegistration(args[0])?.id ?? null);
  },
  'wamp.registration.get': (api, _c, args) => withRegistration(api, args, (r) => ok(details(r, r.invoke))),
  'wamp.registration.list_callees': (api, _c, args) => withRegistration(api, args, (r) => ok([...r.callees])),
  'wamp.registration.count_callees': (api, _c, args) => withRegistration(api, args, (r) => ok(r.callees.length)),
  'wamp.subscription.list': (api) => ok(byPolicy(api.realm.subscriptions())),
  'wamp.subscription.lookup': (api, _c, args) => {
    const q = lookupArgs(args);
    return isResult(q) ? q : ok(api.realm.lookupSubscription(q.uri, q.match)?.id ?? null);
  },
  'wamp.subscription.match': (api, _c, args) => {
    if (!isValidUri(args[0])) return err(ErrorUri.INVALID_ARGUMENT, `topic must be a URI, got ${JSON.stringify(args[0])}`);
    const ids = api.realm.matchSubscriptions(args[0]).map((s) => s.id);
    return ok(ids.length === 0 ? null : ids);
  },
  'wamp.subscription.get': (api, _c, args) => withSubscription(api, args, (s) => ok(details(s))),
  'wamp.subscription.list_subscribers': (api, _c, args) => withSubscription(api, args, (s) => ok([...s.subscribers])),
  'wamp.subscription.count_subscribers': (api, _c, args) => withSubscription(api, args, (s) => ok(s.subscribers.length)),
};

function withRegistration(api: MetaApi, args: readonly unknown[], then: (r: MetaRegistrationInfo) => MetaResult): MetaResult {
  const id = idArg(args, 'registration');
  if (isResult(id)) return id;
  const r = api.realm.registration(id);
  return r === undefined ? err(ErrorUri.NO_SUCH_REGISTRATION, `no registration ${id}`) : then(r);
}

function withSubscription(api: MetaApi, args: readonly unknown[], then: (s: MetaSubscriptionInfo) => MetaResult): MetaResult {
  const id = idArg(args, 'subscription');
  if (isResult(id)) return id;
  const s = api.realm.subscription(id);
  return s === undefined ? err(ErrorUri.NO_SUCH_SUBSCRIPTION, `no subscription ${id}`) : then(s);
}

export class MetaApi {
  readonly realm: MetaRealmView;
  readonly testaments: TestamentStore;

  constructor(realm: MetaRealmView, testaments: TestamentStore = new TestamentStore()) {
    this.realm = realm;
    this.testaments = testaments;
  }

  /** True when `procedure` is a meta procedure this API answers (the dealer asks before routing). */
  handles(procedure: string): procedure is MetaProcedure {
    return Object.hasOwn(HANDLERS, procedure);
  }

  /** Runs a meta procedure for `caller`; an unknown one is no_such_procedure. */
  call(caller: PeerIdentity, procedure: string, args: readonly unknown[] = [], kwargs: Kwargs = {}): MetaResult {
    if (!this.handles(procedure)) return err(ErrorUri.NO_SUCH_PROCEDURE, `no meta procedure '${procedure}'`);
    return HANDLERS[procedure](this, caller, args, kwargs);
  }

  // ---- lifecycle reports: each publishes its meta event(s) ----

  sessionJoined(info: MetaSessionInfo): void {
    this.realm.publish(MetaTopic.SESSION_ON_JOIN, [sessionDetails(info)]);
  }

  /** Publishes the session's testaments (detached, then destroyed), then on_leave. */
  sessionLeft(info: MetaSessionInfo): void {
    for (const t of this.testaments.take(info.session)) {
      const { acknowledge: _ignored, ...options } = t.options;
      this.realm.publish(t.topic, [...t.args], { ...t.kwargs }, options);
    }
    this.realm.publish(MetaTopic.SESSION_ON_LEAVE, [info.session, info.authid, info.authrole]);
  }

  registrationCreated(session: number, registration: MetaRegistrationInfo): void {
    this.realm.publish(MetaTopic.REGISTRATION_ON_CREATE, [session, details(registration, registration.invoke)]);
  }

  calleeAdded(session: number, registrationId: number): void {
    this.realm.publish(MetaTopic.REGISTRATION_ON_REGISTER, [session, registrationId]);
  }

  calleeRemoved(session: number, registrationId: number): void {
    this.realm.publish(MetaTopic.REGISTRATION_ON_UNREGISTER, [session, registrationId]);
  }

  registrationDeleted(session: number, registrationId: number): void {
    this.realm.publish(MetaTopic.REGISTRATION_ON_DELETE, [session, registrationId]);
  }

  subscriptionCreated(session: number, subscription: MetaSubscriptionInfo): void {
    this.realm.publish(MetaTopic.SUBSCRIPTION_ON_CREATE, [session, details(subscription)]);
  }

  subscriberAdded(session: number, subscriptionId: number): void {
    this.realm.publish(MetaTopic.SUBSCRIPTION_ON_SUBSCRIBE, [session, subscriptionId]);
  }

  subscriberRemoved(session: number, subscriptionId: number): void {
    this.realm.publish(MetaTopic.SUBSCRIPTION_ON_UNSUBSCRIBE, [session, subscriptionId]);
  }

  subscriptionDeleted(session: number, subscriptionId: number): void {
    this.realm.publish(MetaTopic.SUBSCRIPTION_ON_DELETE, [session, subscriptionId]);
  }
}
