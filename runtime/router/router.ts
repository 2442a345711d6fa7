/**
 * The embedded WAMP router: realms, sessions, and (through listeners.ts) the network.
 *
 *   const router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 8080 }] });
 *   const addresses = await router.start();   // ['ws://127.0.0.1:8080/ws']
 *   ...
 *   await router.close();
 *
 * `router.attach(transport)` serves any WampTransport (an in-memory pair, a socket accepted
 * elsewhere), which is how tests and embedding applications use it without a network.
 *
 * With `cluster` (docs/cluster.md) the router is one node of several: start() first connects to
 * NATS (the cluster module and the NATS client are loaded then, by dynamic import, and never
 * otherwise) and joins the cluster; its realms exist from then on.
 */
import { GlobalIdGenerator } from '../wamp/ids.js';
import { CloseReason } from '../wamp/uris.js';
import type { WampTransport } from '../transports/transport.js';
import { normalizeRouterOptions, type NormalizedRouterOptions, type RouterOptions } from './config.js';
import { createIdSource, type IdSource } from './ids.js';
import { LocalRealm, type RoutingCore } from './realm.js';
import { resolveSessionLimits } from './limits.js';
import { resolveOutboundBudget, type OutboundBudgetOptions } from './outbound-budget.js';
import { RouterSession, type SessionHost } from './router-session.js';
import { State } from './router-session-states.js';
import { startListener, type RunningListener } from './listeners.js';
import { RealmAuth } from '../auth/router/handshake.js';
import { dealerCall } from './dealer-call.js';
import type { RealmConfig } from './config.js';
import type { RealmBackplane, BackplaneRealm } from './backplane.js';
import type { ClusterNode } from './cluster/cluster-node.js';
import type { ClusterStatus } from './cluster/options.js';

/** Why a node's sessions end when it leaves the cluster's view (its clients reconnect elsewhere). */
const ISOLATED_MESSAGE = 'this router node lost its cluster; reconnect to another node';

export class Router {
  readonly options: NormalizedRouterOptions;
  readonly #realms = new Map<string, RoutingCore>();
  readonly #auth = new Map<string, RealmAuth>();
  readonly #sessions = new Set<RouterSession>();
  readonly #sessionIds = new GlobalIdGenerator();
  readonly #ids: IdSource = createIdSource();
  readonly #host: SessionHost;
  /** Each realm's own outbound budget options. */
  readonly #outbound = new Map<string, Partial<OutboundBudgetOptions> | undefined>();
  #listeners: RunningListener[] = [];
  #closed = false;
  #cluster: ClusterNode | null = null;

  constructor(options: RouterOptions) {
    this.options = normalizeRouterOptions(options);
    // A cluster node's realms are made in start(), once the cluster is reached.
    if (this.options.cluster === undefined) for (const realm of this.options.realms) this.#addRealm(realm);
    const router = this;
    this.#host = {
      findRealm: (name) => router.#realms.get(name),
      realmAuth: (name) => router.#auth.get(name),
      newSessionId: () => router.#sessionIds.next(),
      helloTimeout: this.options.helloTimeout,
      strictRequestIds: this.options.strictRequestIds,
      // Key by key: the listener's, else the realm's, else the router's (docs/limits.md).
      outboundBudget: (realm, listener) => resolveOutboundBudget(listener, router.#outbound.get(realm), router.options.outbound),
      sessionClosed: (session) => router.#sessions.delete(session),
    };
  }

  #addRealm(realm: RealmConfig, backplane?: (realm: BackplaneRealm) => RealmBackplane): void {
    const core = new LocalRealm(realm.name, this.#ids, {
      ...(realm.retention === undefined ? {} : { retention: realm.retention }),
      ...(realm.authorization === undefined ? {} : { authorization: realm.authorization }),
      ...(realm.metaApi === undefined ? {} : { metaApi: realm.metaApi }),
      limits: resolveSessionLimits(realm.limits, this.options.limits),
      ...(backplane === undefined ? {} : { backplane }),
    });
    this.#realms.set(realm.name, core);
    this.#outbound.set(realm.name, realm.outbound);
    // Dynamic authenticators are procedures registered on this realm, called through its dealer.
    this.#auth.set(realm.name, new RealmAuth(realm.auth, dealerCall(core.dealer)));
  }

  async #joinCluster(): Promise<void> {
    const options = this.options.cluster!;
    const { ClusterNode } = await import('./cluster/cluster-node.js');
    const specs = this.options.realms.map((r) => ({
      name: r.name,
      options: { ...(r.retention === undefined ? {} : { retention: r.retention }), limits: resolveSessionLimits(r.limits, this.options.limits) },
    }));
    const node = await ClusterNode.connect(options, specs, { isolated: () => this.#isolated() });
    for (const realm of this.options.realms) {
      const rc = node.realm(realm.name)!;
      this.#addRealm(realm, (core) => {
        rc.attach(core);
        return rc;
      });
    }
    try {
      await node.start();
    } catch (error) {
      await node.close().catch(() => {});
      throw error;
    }
    this.#cluster = node;
  }

  /** This cluster node gave up its part of the cluster: every session ends, quietly (the cluster cleans up after it). */
  #isolated(): void {
    for (const session of [...this.#sessions]) {
      if (session.state === State.JOINED) session.kill(CloseReason.SYSTEM_SHUTDOWN, ISOLATED_MESSAGE, true);
      else session.shutdown(CloseReason.SYSTEM_SHUTDOWN);
    }
  }

  /** This router's place in its cluster, when `cluster` is configured and start() joined it. */
  get cluster(): ClusterStatus | null {
    return this.#cluster;
  }

  /** The realm named `name`, if it exists. */
  realm(name: string): RoutingCore | undefined {
    return this.#realms.get(name);
  }

  /** Number of transports currently attached (joined or not). */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Serves one transport: the peer's HELLO decides its realm. */
  attach(transport: WampTransport): RouterSession {
    return this.#attach(transport, undefined);
  }

  /** `attach` for a listener's connection: the listener's outbound budget options apply. */
  #attach(transport: WampTransport, outbound: Partial<OutboundBudgetOptions> | undefined): RouterSession {
    const session = new RouterSession(transport, this.#host, outbound);
    // A cluster node that is not (or no longer) part of its cluster serves nobody: the client tries another node.
    if (this.#closed || (this.options.cluster !== undefined && this.#cluster?.serving !== true)) {
      transport.close(1001, 'router closed');
    } else if (transport.isOpen) {
      this.#sessions.add(session);
    }
    return session;
  }

  /** Starts the configured listeners; resolves to their addresses ("ws://127.0.0.1:8080/ws"). */
  async start(): Promise<string[]> {
    if (this.options.cluster !== undefined && this.#cluster === null) await this.#joinCluster();
    const started: RunningListener[] = [];
    try {
      for (const config of this.options.listeners) {
        started.push(await startListener(config, (transport) => this.#attach(transport, config.outbound), this.options.maxMessageSize, this.options.maxNestingDepth));
      }
    } catch (error) {
      await Promise.all(started.map((l) => l.close()));
      throw error;
    }
    this.#listeners.push(...started);
    return this.addresses;
  }

  /** Addresses of the running listeners. */
  get addresses(): string[] {
    return this.#listeners.flatMap((l) => l.addresses);
  }

  /**
   * Stops listening, says GOODBYE (wamp.close.system_shutdown) to every joined session, and
   * closes every transport after a short grace period for the GOODBYE replies.
   */
  async close(graceMs = 1000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const session of this.#sessions) session.shutdown(CloseReason.SYSTEM_SHUTDOWN);
    const deadline = Date.now() + graceMs;
    while (this.#sessions.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const session of [...this.#sessions]) {
      try {
        session.transport.close(1001, 'router closed');
      } catch {
        // One transport failing to close must not keep the others open.
      }
    }
    this.#sessions.clear();
    await Promise.all(listeners.map((l) => l.close()));
    // After the sessions left (their registry entries and meta events went out through the cluster).
    await this.#cluster?.close();
  }
}
