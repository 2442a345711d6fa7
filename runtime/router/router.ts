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
 */
import { GlobalIdGenerator } from '../wamp/ids.js';
import { CloseReason } from '../wamp/uris.js';
import type { WampTransport } from '../transports/transport.js';
import { normalizeRouterOptions, type NormalizedRouterOptions, type RouterOptions } from './config.js';
import { createIdSource, type IdSource } from './ids.js';
import { LocalRealm, type RoutingCore } from './realm.js';
import { resolveSessionLimits } from './limits.js';
import { RouterSession, type SessionHost } from './router-session.js';
import { startListener, type RunningListener } from './listeners.js';
import { RealmAuth } from '../auth/router/handshake.js';
import { dealerCall } from './dealer-call.js';

export class Router {
  readonly options: NormalizedRouterOptions;
  readonly #realms = new Map<string, RoutingCore>();
  readonly #auth = new Map<string, RealmAuth>();
  readonly #sessions = new Set<RouterSession>();
  readonly #sessionIds = new GlobalIdGenerator();
  readonly #ids: IdSource = createIdSource();
  readonly #host: SessionHost;
  #listeners: RunningListener[] = [];
  #closed = false;

  constructor(options: RouterOptions) {
    this.options = normalizeRouterOptions(options);
    for (const realm of this.options.realms) {
      const core = new LocalRealm(realm.name, this.#ids, {
        ...(realm.retention === undefined ? {} : { retention: realm.retention }),
        ...(realm.authorization === undefined ? {} : { authorization: realm.authorization }),
        ...(realm.metaApi === undefined ? {} : { metaApi: realm.metaApi }),
        limits: resolveSessionLimits(realm.limits, this.options.limits),
      });
      this.#realms.set(realm.name, core);
      // Dynamic authenticators are procedures registered on this realm, called through its dealer.
      this.#auth.set(realm.name, new RealmAuth(realm.auth, dealerCall(core.dealer)));
    }
    const router = this;
    this.#host = {
      findRealm: (name) => router.#realms.get(name),
      realmAuth: (name) => router.#auth.get(name),
      newSessionId: () => router.#sessionIds.next(),
      helloTimeout: this.options.helloTimeout,
      strictRequestIds: this.options.strictRequestIds,
      sessionClosed: (session) => router.#sessions.delete(session),
    };
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
    const session = new RouterSession(transport, this.#host);
    if (this.#closed) {
      transport.close(1001, 'router closed');
    } else if (transport.isOpen) {
      this.#sessions.add(session);
    }
    return session;
  }

  /** Starts the configured listeners; resolves to their addresses ("ws://127.0.0.1:8080/ws"). */
  async start(): Promise<string[]> {
    const started: RunningListener[] = [];
    try {
      for (const config of this.options.listeners) {
        started.push(await startListener(config, (transport) => this.attach(transport), this.options.maxMessageSize, this.options.maxNestingDepth));
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
  }
}
