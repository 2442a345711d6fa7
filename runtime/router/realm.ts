/**
 * A realm: a routing and administrative domain with its own broker, dealer, sessions, meta API
 * and (when configured) authorizer.
 *
 * The router session hands each request of a joined session straight to its realm's
 * `RoutingCore` (session dispatch -> realm -> broker | dealer, as Crossbar routes them), so a
 * realm backed by a backplane (sessions spread over router processes) can replace `LocalRealm`
 * without touching session handling. The realm applies the policy around routing: reserved
 * `wamp.*` URIs, authorization (answering a denial with ERROR), the answer to the request, and
 * the meta events that follow it (SUBSCRIBED before on_create/on_subscribe, as the meta API
 * section orders them). A request whose authorization is asynchronous (a dynamic authorizer)
 * returns a Promise, and the session holds back its later requests until it settles.
 */
import { MessageType, type ErrorRequestType } from '../wamp/message-types.js';
import {
  errorMessage, publishedMessage, registeredMessage, resultMessage, subscribedMessage, unregisteredMessage, unsubscribedMessage,
  type CallMessage, type CancelMessage, type ErrorMessage, type PublishMessage, type RegisterMessage,
  type SubscribeMessage, type UnregisterMessage, type UnsubscribeMessage, type YieldMessage,
} from '../wamp/messages.js';
import { ErrorUri, isReservedUri } from '../wamp/uris.js';
import { LocalBroker, type Broker, type SubscribeOutcome, type Unsubscribed } from './broker.js';
import { LocalDealer, type CallRequest, type Dealer, type DealerRegistration, type Unregistered } from './dealer.js';
import { isMatchPolicy } from './uri-matcher.js';
import type { RouterPeer } from './peer.js';
import type { IdSource } from './ids.js';
import type { RetentionOptions } from './retention.js';
import type { SessionLimits } from './limits.js';
import { MetaApi, MetaProcedure, MUTATING_META_PROCEDURES, type MetaApiConfig } from './meta-api.js';
import { metaView, sessionInfo, registrationInfo, subscriptionInfo } from './realm-meta.js';
import { Authorizer, AuthorizeAction, type AuthorizationConfig, type AuthorizationDecision } from './authorizer.js';
import { dealerCall } from './dealer-call.js';

const ALLOW: AuthorizationDecision = Object.freeze({ allow: true, disclose: false, cache: false });

/** What a request handler returns: a Promise while an authorization is pending. */
export type Handled = void | Promise<void>;

export interface RoutingCore {
  readonly name: string;
  readonly broker: Broker;
  readonly dealer: Dealer;
  readonly meta: MetaApi;
  join(peer: RouterPeer): void;
  /** Removes the session and everything it held; `quiet`: no testaments, no meta events. */
  leave(peer: RouterPeer, quiet?: boolean): void;
  readonly sessionCount: number;
  session(id: number): RouterPeer | undefined;
  // The requests of a joined session; each is answered to `peer`.
  subscribe(peer: RouterPeer, msg: SubscribeMessage): Handled;
  unsubscribe(peer: RouterPeer, msg: UnsubscribeMessage): void;
  publish(peer: RouterPeer, msg: PublishMessage): Handled;
  register(peer: RouterPeer, msg: RegisterMessage): Handled;
  unregister(peer: RouterPeer, msg: UnregisterMessage): void;
  /** A new CALL, or a progressive call's continuation (authorized with its first CALL). */
  call(peer: RouterPeer, msg: CallMessage): Handled;
  cancel(peer: RouterPeer, msg: CancelMessage): void;
  /** The callee's YIELD; one for an invocation the dealer settled already is dropped. */
  yield(peer: RouterPeer, msg: YieldMessage): void;
  /** The callee's ERROR for an INVOCATION. */
  invocationError(peer: RouterPeer, msg: ErrorMessage): void;
  /** Revokes a registration (all callees, or one session's), with meta events. */
  revokeRegistration(id: number, reason: string, session?: number): number;
  /** Revokes a subscription (all subscribers, or one session's), with meta events. */
  revokeSubscription(id: number, reason: string, session?: number): number;
}

export interface LocalRealmOptions {
  retention?: RetentionOptions;
  /** Per-session limits (registrations, subscriptions, pending calls and invocations). Default DEFAULT_SESSION_LIMITS. */
  limits?: SessionLimits;
  authorization?: AuthorizationConfig;
  metaApi?: MetaApiConfig;
}

/** One request to authorize: answered with ERROR `requestType` when denied (PUBLISH: only when acknowledged). */
interface Guarded {
  readonly uri: string;
  readonly action: AuthorizeAction;
  readonly options: Readonly<Record<string, unknown>>;
  readonly requestType: ErrorRequestType;
  readonly request: number;
  readonly answerDenial: boolean;
}

export class LocalRealm implements RoutingCore {
  readonly name: string;
  readonly broker: Broker;
  readonly dealer: Dealer;
  readonly meta: MetaApi;
  readonly #authorizer: Authorizer | null;
  /** Roles granted the mutating meta procedures by `metaApi.mutating`. */
  readonly #metaMutating: ReadonlySet<string>;
  readonly #sessions = new Map<number, RouterPeer>();

  constructor(name: string, ids: IdSource, options: LocalRealmOptions = {}) {
    this.name = name;
    this.broker = new LocalBroker(ids, options.retention, options.limits);
    this.dealer = new LocalDealer(ids, options.limits);
    const sessions = this.#sessions;
    this.meta = new MetaApi(metaView({
      broker: this.broker,
      dealer: this.dealer,
      sessions: () => sessions.values(),
      session: (id) => sessions.get(id),
    }));
    this.#metaMutating = new Set(options.metaApi?.mutating ?? []);
    const ask = dealerCall(this.dealer);
    this.#authorizer = options.authorization === undefined ? null : new Authorizer(options.authorization, {
      // A dynamic authorizer is a procedure on this realm, called as Crossbar calls it.
      procedureHook: (procedure) => (s, uri, action, opts) => ask(procedure, [{
        session: s.sessionId, authid: s.authid, authrole: s.authrole,
        ...(s.authmethod === undefined ? {} : { authmethod: s.authmethod }),
        ...(s.authprovider === undefined ? {} : { authprovider: s.authprovider }),
      }, uri, action, opts]) as Promise<boolean>,
    });
  }

  join(peer: RouterPeer): void {
    this.#sessions.set(peer.sessionId, peer);
    this.meta.sessionJoined(sessionInfo(peer));
  }

  leave(peer: RouterPeer, quiet = false): void {
    if (this.#sessions.get(peer.sessionId) !== peer) return;
    this.#sessions.delete(peer.sessionId);
    this.#authorizer?.forget(peer.sessionId);
    const subs = this.broker.detach(peer);
    const regs = this.dealer.detach(peer);
    if (quiet) {
      this.meta.testaments.take(peer.sessionId);
      return;
    }
    this.#unsubscribed(peer.sessionId, subs);
    this.#unregistered(regs);
    this.meta.sessionLeft(sessionInfo(peer));
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  session(id: number): RouterPeer | undefined {
    return this.#sessions.get(id);
  }

  // ---- requests ----

  subscribe(peer: RouterPeer, msg: SubscribeMessage): Handled {
    const match = msg.options.match ?? 'exact';
    if (!isMatchPolicy(match)) {
      peer.send(errorMessage(MessageType.SUBSCRIBE, msg.request, {}, ErrorUri.INVALID_ARGUMENT, [`match policy '${String(match)}' is not supported`]));
      return;
    }
    return this.#authorized(peer, guard(msg.topic, AuthorizeAction.SUBSCRIBE, msg), (decision) => {
      // decision.guard: a pattern the role's permissions do not wholly allow is checked per event.
      const outcome = this.broker.subscribe(peer, msg.topic, match, decision.guard);
      if (!outcome.ok) {
        peer.send(errorMessage(MessageType.SUBSCRIBE, msg.request, {}, outcome.error, [outcome.message]));
        return;
      }
      peer.send(subscribedMessage(msg.request, outcome.subscription.id));
      if (msg.options.get_retained === true) this.broker.sendRetained(peer, outcome.subscription);
      this.#subscribed(peer, outcome);
    });
  }

  unsubscribe(peer: RouterPeer, msg: UnsubscribeMessage): void {
    const change = this.broker.unsubscribe(peer, msg.subscription);
    if (change === null) {
      peer.send(errorMessage(MessageType.UNSUBSCRIBE, msg.request, {}, ErrorUri.NO_SUCH_SUBSCRIPTION));
      return;
    }
    peer.send(unsubscribedMessage(msg.request));
    this.#unsubscribed(peer.sessionId, [change]);
  }

  publish(peer: RouterPeer, msg: PublishMessage): Handled {
    const acknowledge = msg.options.acknowledge === true;
    if (isReservedUri(msg.topic)) {
      // wamp.* topics carry the router's own meta events; a client must not forge them.
      if (acknowledge) peer.send(errorMessage(MessageType.PUBLISH, msg.request, {}, ErrorUri.INVALID_URI, [`'${msg.topic}' is reserved for the router`]));
      return;
    }
    return this.#authorized(peer, guard(msg.topic, AuthorizeAction.PUBLISH, msg, acknowledge), (decision) => {
      const publication = this.broker.publish(peer, {
        topic: msg.topic, options: msg.options, args: msg.args, kwargs: msg.kwargs, payload: msg.payload, disclosePublisher: decision.disclose,
      });
      if (acknowledge) peer.send(publishedMessage(msg.request, publication));
    });
  }

  register(peer: RouterPeer, msg: RegisterMessage): Handled {
    if (isReservedUri(msg.procedure)) {
      peer.send(errorMessage(MessageType.REGISTER, msg.request, {}, ErrorUri.INVALID_URI, [`'${msg.procedure}' is reserved for the router`]));
      return;
    }
    return this.#authorized(peer, guard(msg.procedure, AuthorizeAction.REGISTER, msg), (decision) => {
      const { options } = msg;
      // decision.guard: a pattern the role's permissions do not wholly allow is checked per call.
      const outcome = this.dealer.register(peer, msg.procedure, options.match ?? 'exact', options.invoke ?? 'single', {
        forwardTimeout: options['forward_timeout'] === true,
        force: options.force_reregister === true,
        guard: decision.guard,
      });
      if (!outcome.ok) {
        peer.send(errorMessage(MessageType.REGISTER, msg.request, {}, outcome.error, [`cannot register '${msg.procedure}': ${outcome.message}`]));
        return;
      }
      this.#unregistered(outcome.revoked);
      peer.send(registeredMessage(msg.request, outcome.registration.id));
      this.#registered(peer, outcome.registration, outcome.created);
    });
  }

  unregister(peer: RouterPeer, msg: UnregisterMessage): void {
    const change = this.dealer.unregister(peer, msg.registration);
    if (change === null) {
      peer.send(errorMessage(MessageType.UNREGISTER, msg.request, {}, ErrorUri.NO_SUCH_REGISTRATION));
      return;
    }
    peer.send(unregisteredMessage(msg.request));
    this.#unregistered([change]);
  }

  call(peer: RouterPeer, msg: CallMessage): Handled {
    const request: CallRequest = {
      request: msg.request, procedure: msg.procedure, options: msg.options, args: msg.args, kwargs: msg.kwargs, payload: msg.payload,
      discloseCaller: false,
    };
    // A progressive call's continuation: authorized with its first CALL.
    if (this.dealer.hasCall(peer, msg.request)) return this.dealer.call(peer, request);
    if (MUTATING_META_PROCEDURES.has(msg.procedure)) return this.#mutatingMeta(peer, msg);
    return this.#authorized(peer, guard(msg.procedure, AuthorizeAction.CALL, msg), (decision) => {
      if (!this.meta.handles(msg.procedure)) {
        request.discloseCaller = decision.disclose;
        return this.dealer.call(peer, request);
      }
      const topic = msg.args?.[0];
      // A testament is published later on the session's behalf: it needs the right to publish there now.
      if (msg.procedure === MetaProcedure.SESSION_ADD_TESTAMENT && typeof topic === 'string') {
        return this.#authorized(peer, guard(topic, AuthorizeAction.PUBLISH, msg, true, {}), () => this.#answerMeta(peer, msg));
      }
      return this.#answerMeta(peer, msg);
    });
  }

  cancel(peer: RouterPeer, msg: CancelMessage): void {
    this.dealer.cancel(peer, msg.request, msg.options.mode ?? 'kill');
  }

  yield(peer: RouterPeer, msg: YieldMessage): void {
    this.dealer.yield(peer, { request: msg.request, options: msg.options, args: msg.args, kwargs: msg.kwargs, payload: msg.payload });
  }

  invocationError(peer: RouterPeer, msg: ErrorMessage): void {
    this.dealer.invocationError(peer, {
      request: msg.request, details: msg.details, error: msg.error, args: msg.args, kwargs: msg.kwargs, payload: msg.payload,
    });
  }

  // ---- administration ----

  revokeRegistration(id: number, reason: string, session?: number): number {
    const changes = this.dealer.revoke(id, reason, session);
    this.#unregistered(changes);
    return changes.length;
  }

  revokeSubscription(id: number, reason: string, session?: number): number {
    let n = 0;
    // Copied: unsubscribing while iterating the live set would skip subscribers.
    for (const peer of [...(this.broker.subscription(id)?.subscribers ?? [])]) {
      if (session !== undefined && peer.sessionId !== session) continue;
      const change = this.broker.unsubscribe(peer, id);
      if (change === null) continue;
      n++;
      // Spec: a subscriber that did not announce subscription_revocation must not get UNSUBSCRIBED.
      if (peer.hasFeature('subscriber', 'subscription_revocation')) peer.send(unsubscribedMessage(0, { subscription: id, reason }));
      this.#unsubscribed(peer.sessionId, [change]);
    }
    return n;
  }

  /**
   * Runs `then` once `peer` may do what `req` asks, synchronously when the decision is (no
   * authorizer, a role table, a cached answer); a denial is answered with ERROR (not_authorized
   * or authorization_failed, the reason in Arguments). A session that left while a decision was
   * pending gets nothing.
   */
  #authorized(peer: RouterPeer, req: Guarded, then: (decision: AuthorizationDecision) => Handled): Handled {
    const decision = this.#authorizer === null ? ALLOW : this.#authorizer.authorize(peer, req.uri, req.action, req.options);
    if (!(decision instanceof Promise)) return this.#decided(peer, req, decision, then);
    return decision.then((d) => (this.#sessions.get(peer.sessionId) === peer ? this.#decided(peer, req, d, then) : undefined));
  }

  #decided(peer: RouterPeer, req: Guarded, d: AuthorizationDecision, then: (decision: AuthorizationDecision) => Handled): Handled {
    if (d.allow) return then(d);
    if (!req.answerDenial) return;
    peer.send(errorMessage(req.requestType, req.request, {}, d.error ?? ErrorUri.NOT_AUTHORIZED, [d.reason ?? `${req.action} on '${req.uri}' is not authorized`]));
  }

  /**
   * wamp.session.kill and its kin end other sessions, so they need a grant even where
   * everything else is open (secure default): a role in metaApi.mutating, or the realm's
   * authorization allowing the call. Without a table and without the role: not_authorized.
   */
  #mutatingMeta(peer: RouterPeer, msg: CallMessage): Handled {
    if (this.#metaMutating.has(peer.authrole)) return this.#answerMeta(peer, msg);
    if (this.#authorizer !== null) return this.#authorized(peer, guard(msg.procedure, AuthorizeAction.CALL, msg), () => this.#answerMeta(peer, msg));
    peer.send(errorMessage(MessageType.CALL, msg.request, {}, ErrorUri.NOT_AUTHORIZED, [
      `${msg.procedure} ends other sessions: allowed only to roles in the realm's metaApi.mutating or granted by its authorization table`,
    ]));
  }

  /** Answers a meta procedure CALL from the meta API. */
  #answerMeta(peer: RouterPeer, msg: CallMessage): void {
    const r = this.meta.call(peer, msg.procedure, msg.args ?? [], msg.kwargs ?? {});
    if (!r.ok) peer.send(errorMessage(MessageType.CALL, msg.request, {}, r.error, r.args));
    else peer.send(resultMessage(msg.request, {}, r.args, r.kwargs));
  }

  // ---- meta events, after the answer ----

  #subscribed(peer: RouterPeer, outcome: SubscribeOutcome): void {
    if (outcome.created) this.meta.subscriptionCreated(peer.sessionId, subscriptionInfo(outcome.subscription));
    this.meta.subscriberAdded(peer.sessionId, outcome.subscription.id);
  }

  #unsubscribed(session: number, changes: readonly Unsubscribed[]): void {
    for (const c of changes) {
      this.meta.subscriberRemoved(session, c.id);
      if (c.deleted) this.meta.subscriptionDeleted(session, c.id);
    }
  }

  #registered(peer: RouterPeer, registration: DealerRegistration, created: boolean): void {
    if (created) this.meta.registrationCreated(peer.sessionId, registrationInfo(registration));
    this.meta.calleeAdded(peer.sessionId, registration.id);
  }

  #unregistered(changes: readonly Unregistered[]): void {
    for (const c of changes) {
      this.meta.calleeRemoved(c.session, c.id);
      if (c.deleted) this.meta.registrationDeleted(c.session, c.id);
    }
  }
}

/** What to authorize for request `msg`; a denial is answered with ERROR for it unless `answerDenial` is false. */
function guard(
  uri: string, action: AuthorizeAction, msg: { request: number; type: ErrorRequestType; options: Readonly<Record<string, unknown>> },
  answerDenial = true, options: Readonly<Record<string, unknown>> = msg.options,
): Guarded {
  return { uri, action, options, requestType: msg.type, request: msg.request, answerDenial };
}
