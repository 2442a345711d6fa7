/**
 * This router process as a node of the cluster: its NATS link, its incarnation (a fresh random
 * ID per start, and per rejoin after being cut off), the realms' cluster parts, heartbeats and
 * the liveness of the others, the registry watch, and what happens on each failure
 * (docs/cluster.md, "Failures"):
 *
 * - another incarnation dies: every realm drops its sessions here at once (calls in flight to
 *   them end), and the first node to create its death entry cleans up after it (cleanup.ts);
 * - this node is cut off from NATS for `isolateAfterMs`, or finds its own death entry (it
 *   stalled): it stops serving and closes its sessions quietly (their cleanup and meta events
 *   are the cleaner's), then rejoins as a new incarnation once it can.
 *
 * Router (router.ts) loads this module with a dynamic import only when `cluster` is configured.
 */
import { randomBytes } from 'node:crypto';
import { randomGlobalId } from '../../wamp/ids.js';
import type { ClusterStatus, NormalizedClusterOptions } from './options.js';
import { openLink, type NatsLink } from './nats-link.js';
import type { KvChange } from './kv-link.js';
import { KvConflict } from './kv-link.js';
import { Serial } from './claims.js';
import { KeyKind, Keys, parseKey, realmKey } from './keys.js';
import { Liveness } from './liveness.js';
import { Heartbeats } from './heartbeats.js';
import { RealmCluster, type NodePort, type RealmClusterOptions } from './realm-cluster.js';
import { RemotePeer } from './remote-peer.js';
import { Subjects, WireKind, decodeValue, decodeWire, encodeValue, encodeWire, type WireMessage } from './wire.js';
import type { RealmContext } from './context.js';
import { cleanUpAfter } from './cleanup.js';
import { logger } from '../../log.js';

const log = logger('router:cluster');

/** How long close() waits for this node's registry writes to settle. */
const CLOSE_SETTLE_MS = 3000;

export interface ClusterHooks {
  /** Stop serving: close every session quietly (the cluster counts this node dead and cleans up). */
  isolated(reason: string): void;
}

export interface ClusterRealmSpec {
  readonly name: string;
  readonly options?: RealmClusterOptions;
}

function newIncarnation(): string {
  return randomBytes(8).toString('hex');
}

export class ClusterNode implements NodePort, ClusterStatus {
  readonly options: NormalizedClusterOptions;
  readonly #link: NatsLink;
  readonly #subjects: Subjects;
  readonly #hooks: ClusterHooks;
  readonly #realms = new Map<string, RealmCluster>();
  readonly #byKey = new Map<string, RealmCluster>();
  readonly #serial = new Serial();
  readonly #liveness: Liveness;
  readonly #heartbeats: Heartbeats;
  #incarnation = newIncarnation();
  #serving = false;
  #closing = false;
  #abandoning = false;
  #isolateTimer: ReturnType<typeof setTimeout> | null = null;

  /** Connects to NATS and opens the registry; realms are served once start() resolved. */
  static async connect(options: NormalizedClusterOptions, realms: readonly ClusterRealmSpec[], hooks: ClusterHooks): Promise<ClusterNode> {
    const name = `wampkit ${options.name}/${options.node}`;
    const link = await openLink({ servers: options.servers, name, bucket: `wampkit_${options.name}`, replicas: options.replicas });
    let liveness: Liveness | null = null;
    let heartbeats: Heartbeats;
    try {
      heartbeats = await Heartbeats.open({
        servers: options.servers, connectionName: name, subject: new Subjects(options.name).beat, node: options.node,
        heartbeatMs: options.heartbeatMs, deadAfterMs: options.deadAfterMs,
        heard: (node, incarnation, at) => liveness?.heard(node, incarnation, at),
      }, link);
    } catch (error) {
      await link.close().catch(() => {});
      throw error;
    }
    const clusterNode = new ClusterNode(options, link, heartbeats, realms, hooks);
    liveness = clusterNode.#liveness;
    return clusterNode;
  }

  private constructor(options: NormalizedClusterOptions, link: NatsLink, heartbeats: Heartbeats, realms: readonly ClusterRealmSpec[], hooks: ClusterHooks) {
    this.options = options;
    this.#link = link;
    this.#heartbeats = heartbeats;
    this.#hooks = hooks;
    this.#subjects = new Subjects(options.name);
    this.#liveness = new Liveness(() => `${this.node}/${this.#incarnation}`, options, {
      beat: () => this.#heartbeats.tick(),
      dead: (node, incarnation) => this.#nodeDied(node, incarnation),
    });
    for (const spec of realms) {
      const rc = new RealmCluster(spec.name, this, this.#context(spec.name, () => rc), spec.options);
      this.#realms.set(spec.name, rc);
      this.#byKey.set(rc.ctx.key, rc);
    }
    link.onStatus((status) => this.#status(status));
  }

  get name(): string {
    return this.options.name;
  }

  get node(): string {
    return this.options.node;
  }

  get incarnation(): string {
    return this.#incarnation;
  }

  /** True while this node may serve sessions (connected, not counted dead). */
  get serving(): boolean {
    return this.#serving;
  }

  /** The backplane of realm `name`. */
  realm(name: string): RealmCluster | undefined {
    return this.#realms.get(name);
  }

  /** Joins the cluster: every existing registry entry applied, heartbeats running. */
  async start(): Promise<void> {
    const previous = await this.#link.kv.get(Keys.node(this.node));
    await this.#announce();
    this.#link.subscribe(this.#subjects.all, (d) => this.#receive(d));
    this.#link.subscribe(this.#subjects.node(this.node), (d) => this.#receive(d));
    for (const key of this.#byKey.keys()) this.#link.subscribe(this.#subjects.publications(key), (d) => this.#receive(d));
    await this.#link.kv.watch((change) => this.#apply(change));
    // This node's previous process (same name, another incarnation) is gone: what it left is cleaned up.
    const before = previous === null ? null : decodeValue(previous.value);
    if (typeof before?.[0] === 'string' && before[0] !== this.#incarnation) this.#liveness.declareDead(this.node, before[0]);
    this.#heartbeats.start(this.#incarnation);
    this.#liveness.start();
    this.#serving = true;
    log.info(() => `cluster ${this.options.name}: node ${this.node} (incarnation ${this.#incarnation}) joined`);
  }

  /** Leaves the cluster after the router's sessions left (their meta events and registry entries settled). */
  async close(): Promise<void> {
    this.#closing = true;
    this.#serving = false;
    if (this.#isolateTimer !== null) clearTimeout(this.#isolateTimer);
    await Promise.race([this.#serial.idle(), new Promise((r) => setTimeout(r, CLOSE_SETTLE_MS))]);
    this.#liveness.stop();
    this.#heartbeats.stop();
    this.#link.publish(this.#subjects.all, encodeWire(WireKind.NODE_LEAVING, this));
    try {
      const mine = await this.#link.kv.get(Keys.node(this.node));
      if (mine !== null && decodeValue(mine.value)?.[0] === this.#incarnation) await this.#link.kv.delete(Keys.node(this.node), mine.revision);
    } catch {
      // Another incarnation took the name meanwhile, or NATS is gone: nothing to remove.
    }
    await Promise.all([this.#heartbeats.close(), this.#link.close()]);
  }

  // ---- NodePort ----

  sendTo(node: string, kind: WireKind, realm: string, fields: readonly unknown[]): boolean {
    return this.#send(this.#subjects.node(node), kind, realm, fields);
  }

  publishAll(realmKeyValue: string, kind: WireKind, realm: string, fields: readonly unknown[]): boolean {
    const subject = kind === WireKind.PUBLISH ? this.#subjects.publications(realmKeyValue) : this.#subjects.all;
    return this.#send(subject, kind, realm, fields);
  }

  isDead(node: string, incarnation: string): boolean {
    return this.#liveness.isDead(node, incarnation);
  }

  sawIncarnation(node: string, incarnation: string): void {
    this.#liveness.known(node, incarnation);
  }

  // ---- inside ----

  #context(realm: string, rc: () => RealmCluster): RealmContext {
    const node = this;
    const key = realmKey(realm);
    return {
      realm, key,
      get node() { return node.node; },
      get incarnation() { return node.#incarnation; },
      get member() { return `${node.node}/${node.#incarnation}`; },
      get abandoning() { return node.#abandoning; },
      kv: this.#link.kv,
      serial: this.#serial,
      get maxPayload() { return node.#link.maxPayload; },
      peer: (session) => rc().realm?.session(session),
      remote: (peer) => (peer instanceof RemotePeer ? peer : undefined),
      joined: (peer) => rc().realm?.session(peer.sessionId) === peer,
      send: (to, kind, ...fields) => this.sendTo(to, kind, realm, fields),
      broadcast: (kind, ...fields) => this.publishAll(key, kind, realm, fields),
      newId: randomGlobalId,
      heardSince: (member, since) => {
        const at = member.lastIndexOf('/');
        return this.#liveness.heardSince(member.slice(0, at), member.slice(at + 1), since);
      },
      settleMs: this.options.deadAfterMs + this.options.heartbeatMs * 4,
    };
  }

  #send(subject: string, kind: WireKind, realm: string, fields: readonly unknown[]): boolean {
    let bytes: Uint8Array;
    try {
      bytes = encodeWire(kind, this, realm, ...fields);
    } catch (error) {
      log.warn(() => `a message for the cluster could not be encoded (a value CBOR cannot carry?): ${(error as Error).message}`);
      return false;
    }
    if (bytes.length > this.#link.maxPayload) {
      log.warn(() => `a ${bytes.length}-byte message is larger than NATS carries (max_payload ${this.#link.maxPayload}): not sent to the cluster`);
      return false;
    }
    return this.#link.publish(subject, bytes);
  }

  #receive(data: Uint8Array): void {
    const msg: WireMessage | null = decodeWire(data);
    if (msg === null) return;
    const [kind, from, incarnation] = msg as [number, string, string];
    if (from === this.node && incarnation === this.#incarnation) return;
    if (this.#liveness.isDead(from, incarnation)) return;
    this.#liveness.heard(from, incarnation);
    if (kind === WireKind.HEARTBEAT) return;
    if (kind === WireKind.NODE_LEAVING) {
      this.#liveness.declareDead(from, incarnation);
      return;
    }
    const realm = typeof msg[3] === 'string' ? this.#realms.get(msg[3]) : undefined;
    realm?.receive(kind, from, incarnation, msg.slice(4));
  }

  #apply(change: KvChange): void {
    const parsed = parseKey(change.key);
    if (parsed === null) return;
    const value = change.value === null ? null : decodeValue(change.value);
    const { kind, parts } = parsed;
    if (kind === KeyKind.NODE) {
      const incarnation = value?.[0];
      if (typeof incarnation === 'string' && parts[0] !== undefined && parts[0] !== this.node) this.#liveness.known(parts[0], incarnation);
      return;
    }
    if (kind === KeyKind.DEATH) {
      const [node, incarnation] = parts;
      if (value === null || node === undefined || incarnation === undefined) return;
      if (node === this.node && incarnation === this.#incarnation) this.#declaredDead();
      else this.#liveness.declareDead(node, incarnation);
      return;
    }
    const rc = this.#byKey.get(parts[0] ?? '');
    rc?.applyEntry(kind, change.key, parts.slice(1), value, change.revision);
  }

  #nodeDied(node: string, incarnation: string): void {
    log.info(() => `cluster ${this.options.name}: node ${node} (incarnation ${incarnation}) is gone`);
    for (const rc of this.#realms.values()) rc.dropNode(node, incarnation);
    // A node that is not serving may itself be the one cut off: it cleans up nothing.
    if (!this.#serving) return;
    void this.#cleanUp(node, incarnation);
  }

  async #cleanUp(node: string, incarnation: string): Promise<void> {
    try {
      await this.#link.kv.create(Keys.death(node, incarnation), encodeValue([this.node, this.#incarnation]));
    } catch (error) {
      if (!(error instanceof KvConflict)) log.warn(() => `claiming the cleanup after node ${node} failed: ${(error as Error).message}`);
      return;
    }
    let sessions = 0;
    for (const rc of this.#realms.values()) sessions += await cleanUpAfter(rc, node, incarnation).catch(() => 0);
    try {
      const entry = await this.#link.kv.get(Keys.node(node));
      if (entry !== null && decodeValue(entry.value)?.[0] === incarnation) await this.#link.kv.delete(Keys.node(node), entry.revision);
    } catch {
      // It came back under a new incarnation meanwhile: its entry is its own.
    }
    log.info(() => `cluster ${this.options.name}: cleaned up after node ${node} (${sessions} sessions)`);
  }

  async #announce(): Promise<void> {
    await this.#link.kv.put(Keys.node(this.node), encodeValue([this.#incarnation, new Date().toISOString()]));
  }

  #status(status: string): void {
    if (this.#closing) return;
    if (status === 'disconnected' && this.#serving && this.#isolateTimer === null) {
      this.#isolateTimer = setTimeout(() => {
        this.#isolateTimer = null;
        this.#isolate(`cut off from NATS for ${this.options.isolateAfterMs} ms`);
      }, this.options.isolateAfterMs);
    } else if (status === 'reconnected') {
      if (this.#isolateTimer !== null) clearTimeout(this.#isolateTimer);
      this.#isolateTimer = null;
      if (!this.#serving) void this.#rejoin();
    }
  }

  #declaredDead(): void {
    log.warn(() => `cluster ${this.options.name}: node ${this.node} was counted dead by the cluster (it stalled longer than deadAfterMs)`);
    this.#isolate('counted dead by the cluster');
    void this.#rejoin();
  }

  #isolate(reason: string): void {
    if (!this.#serving) return;
    this.#serving = false;
    this.#liveness.stop();
    this.#heartbeats.stop();
    log.warn(() => `cluster ${this.options.name}: node ${this.node} stops serving: ${reason}`);
    this.#abandoning = true;
    try {
      this.#hooks.isolated(reason);
    } finally {
      this.#abandoning = false;
    }
  }

  async #rejoin(): Promise<void> {
    if (this.#serving || this.#closing) return;
    this.#incarnation = newIncarnation();
    try {
      await this.#announce();
    } catch (error) {
      log.warn(() => `cluster ${this.options.name}: rejoining failed, waiting for NATS: ${(error as Error).message}`);
      return;
    }
    this.#heartbeats.start(this.#incarnation);
    this.#liveness.start();
    this.#serving = true;
    log.info(() => `cluster ${this.options.name}: node ${this.node} rejoined as incarnation ${this.#incarnation}`);
  }
}
