// Test helpers: a router with in-memory clients, and a raw client that speaks arrays.
import { Router } from '../../runtime/router/router.js';
import { createMemoryPair } from '../../runtime/transports/memory.js';
import { ApplicationSession, type SessionConfig, type SessionDetails } from '../../runtime/wamp/session.js';
import type { WampTransport, TransportSerializer } from '../../runtime/transports/transport.js';
import type { RouterOptions } from '../../runtime/router/config.js';

export function makeRouter(options: Partial<RouterOptions> = {}): Router {
  return new Router({ realms: ['realm1'], helloTimeout: 2000, ...options });
}

/** Joins a new ApplicationSession to `router` over a memory pair; resolves once joined. */
export async function joinSession(
  router: Router,
  config: SessionConfig = {},
  serializer?: TransportSerializer,
): Promise<{ session: ApplicationSession; details: SessionDetails; transport: WampTransport }> {
  const [client, server] = createMemoryPair(serializer === undefined ? {} : { serializer });
  router.attach(server);
  const session = new ApplicationSession({ realm: 'realm1', ...config });
  const joined = new Promise<SessionDetails>((resolve, reject) => {
    session.once('join', resolve);
    session.once('leave', (d) => reject(new Error(`left: ${d.reason}`)));
  });
  session.attach(client);
  const details = await withTimeout(joined, 10000, 'join');
  return { session, details, transport: client };
}

/** A raw peer: sends arrays, collects received arrays. */
export class RawPeer {
  readonly transport: WampTransport;
  readonly received: unknown[] = [];
  closed = false;
  #waiters: Array<() => void> = [];

  constructor(router: Router, serializer?: TransportSerializer) {
    const [client, server] = createMemoryPair(serializer === undefined ? {} : { serializer });
    router.attach(server);
    this.transport = client;
    client.on('message', (m) => {
      this.received.push(m);
      this.#wake();
    });
    client.on('close', () => {
      this.closed = true;
      this.#wake();
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  send(message: unknown[]): void {
    this.transport.send(message);
  }

  /** Waits for the next message matching `type` (removing it from `received`). */
  async next(type: number, timeoutMs = 8000): Promise<unknown[]> {
    const deadline = Date.now() + timeoutMs;
    for (let round = 0; round < 1000; round++) {
      const at = this.received.findIndex((m) => Array.isArray(m) && m[0] === type);
      if (at >= 0) return this.received.splice(at, 1)[0] as unknown[];
      if (this.closed) throw new Error(`transport closed while waiting for message type ${type}; got ${JSON.stringify(this.received)}`);
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    throw new Error(`timed out waiting for message type ${type}; got ${JSON.stringify(this.received)}`);
  }

  async waitClosed(timeoutMs = 8000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (!this.closed) throw new Error('transport did not close');
  }

  async hello(realm = 'realm1', details: Record<string, unknown> = { roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} } }): Promise<unknown[]> {
    this.send([1, realm, details]);
    return this.next(2);
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
