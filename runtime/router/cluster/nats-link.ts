/**
 * The module that talks to NATS: a connection (core publish/subscribe, connection status) and
 * the registry's key-value bucket (kv-link.ts). The NATS packages are imported here (and in the
 * heartbeat thread, heartbeat-worker.ts, on a connection of its own) with a dynamic import(), so
 * a router without `cluster` never loads them.
 *
 * Connection settings are chosen for failover within the cluster's liveness window: reconnect
 * forever, 100 ms apart (the client's default of 2 s would outlast `isolateAfterMs`), to any of
 * the configured servers or those the NATS cluster announces. `noEcho`: a node never needs its
 * own messages back (it delivers locally first), which also keeps its own publications off its
 * socket.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { createError } from '../../errors.js';
import { RouterErrorCode } from '../error-codes.js';
import { openKv, type KvLink } from './kv-link.js';
import { natsConnectOptions } from './nats-connect-options.js';
import { logger } from '../../log.js';

const log = logger('router:cluster');


export type LinkStatus = 'disconnected' | 'reconnected' | 'closed';

export interface LinkSubscription {
  unsubscribe(): void;
}

export interface NatsLink {
  /** The largest message the NATS servers accept (their max_payload). */
  readonly maxPayload: number;
  readonly kv: KvLink;
  /** Publishes; false when NATS refused it at once (too large, connection closed). Never throws. */
  publish(subject: string, data: Uint8Array): boolean;
  subscribe(subject: string, onMessage: (data: Uint8Array) => void): LinkSubscription;
  /** Connection changes, in order. */
  onStatus(listener: (status: LinkStatus) => void): void;
  /** Resolves once the server has seen everything published so far. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface LinkOptions {
  readonly servers: readonly string[];
  /** Connection name as the NATS server shows it. */
  readonly name: string;
  readonly bucket: string;
  readonly replicas: number;
}

type NatsModule = typeof import('@nats-io/transport-node');
type KvModule = typeof import('@nats-io/kv');

async function loadClient(): Promise<{ nats: NatsModule; kv: KvModule }> {
  try {
    const [nats, kv] = await Promise.all([import('@nats-io/transport-node'), import('@nats-io/kv')]);
    return { nats, kv };
  } catch (error) {
    throw createError(RouterErrorCode.CLUSTER_CLIENT_MISSING,
      'the router\'s cluster needs the NATS client: npm install @nats-io/transport-node @nats-io/kv', {}, error);
  }
}

export async function openLink(options: LinkOptions): Promise<NatsLink> {
  const { nats, kv } = await loadClient();
  let nc: NatsConnection;
  try {
    nc = await nats.connect(natsConnectOptions(options.servers, options.name));
  } catch (error) {
    throw createError(RouterErrorCode.CLUSTER_UNAVAILABLE, `cannot connect to NATS at ${options.servers.join(', ')}: ${(error as Error).message}`, {}, error);
  }
  try {
    const bucket = await openKv(kv, nc, options.bucket, options.replicas);
    return new Link(nc, bucket);
  } catch (error) {
    await nc.close().catch(() => {});
    throw createError(RouterErrorCode.CLUSTER_UNAVAILABLE,
      `cannot open the cluster registry (JetStream bucket ${options.bucket}); is nats-server running with -js? ${(error as Error).message}`, {}, error);
  }
}

class Link implements NatsLink {
  readonly kv: KvLink;
  readonly #nc: NatsConnection;
  readonly #listeners: Array<(status: LinkStatus) => void> = [];

  constructor(nc: NatsConnection, kv: KvLink) {
    this.#nc = nc;
    this.kv = kv;
    void this.#watchStatus();
    void nc.closed().then(() => this.#emit('closed'));
  }

  get maxPayload(): number {
    return this.#nc.info?.max_payload ?? 1024 * 1024;
  }

  publish(subject: string, data: Uint8Array): boolean {
    try {
      this.#nc.publish(subject, data);
      return true;
    } catch (error) {
      log.warn(() => `NATS refused a ${data.length}-byte message on ${subject}: ${(error as Error).message}`);
      return false;
    }
  }

  subscribe(subject: string, onMessage: (data: Uint8Array) => void): LinkSubscription {
    const sub = this.#nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error !== null) {
          log.warn(() => `NATS subscription ${subject}: ${error.message}`);
          return;
        }
        onMessage(msg.data);
      },
    });
    return { unsubscribe: () => sub.unsubscribe() };
  }

  onStatus(listener: (status: LinkStatus) => void): void {
    this.#listeners.push(listener);
  }

  async flush(): Promise<void> {
    await this.#nc.flush();
  }

  async close(): Promise<void> {
    this.kv.stop();
    if (this.#nc.isClosed()) return;
    await this.#nc.drain().catch(() => this.#nc.close());
  }

  async #watchStatus(): Promise<void> {
    for await (const status of this.#nc.status()) {
      if (status.type === 'disconnect') this.#emit('disconnected');
      else if (status.type === 'reconnect') this.#emit('reconnected');
    }
  }

  #emit(status: LinkStatus): void {
    log.info(() => `NATS ${status}`);
    for (const listener of this.#listeners) listener(status);
  }
}
