/**
 * The router's `cluster` option (docs/cluster.md): which NATS servers the nodes share, this
 * node's name, and the liveness timings. Validated here, at the configuration boundary, and
 * normalised with defaults; nothing in this file loads NATS.
 */
import { createError } from '../../errors.js';
import { RouterErrorCode } from '../error-codes.js';

export interface ClusterOptions {
  /** NATS server URL(s), e.g. "nats://127.0.0.1:4222"; the client fails over between them. */
  servers: string | string[];
  /** This node's name, unique in the cluster: letters, digits, '-' and '_'. */
  node: string;
  /** Cluster name (NATS subjects and the registry bucket are named after it). Default "wampkit". */
  name?: string;
  /** JetStream replicas of the registry bucket (3 in a 3-server NATS cluster). Default 1. */
  replicas?: number;
  /** Ms between this node's heartbeats. Default 250. */
  heartbeatMs?: number;
  /** A node not heard from for this many ms is dead. Default 1250. */
  deadAfterMs?: number;
  /** This node closes its sessions after being cut off from NATS this many ms. Default 1000. */
  isolateAfterMs?: number;
}

export interface NormalizedClusterOptions {
  readonly servers: readonly string[];
  readonly node: string;
  readonly name: string;
  readonly replicas: number;
  readonly heartbeatMs: number;
  readonly deadAfterMs: number;
  readonly isolateAfterMs: number;
}

/** A router's place in its cluster (`router.cluster`). */
export interface ClusterStatus {
  /** The cluster's name. */
  readonly name: string;
  /** This node's name. */
  readonly node: string;
  /** This node's incarnation: a random ID per start (and per rejoin after being cut off). */
  readonly incarnation: string;
  /** True while this node serves sessions (connected to NATS, not counted dead). */
  readonly serving: boolean;
}

/** The defaults, and the bounds the timings are checked against. */
export const CLUSTER_DEFAULTS = Object.freeze({
  name: 'wampkit',
  replicas: 1,
  heartbeatMs: 250,
  deadAfterMs: 1250,
  isolateAfterMs: 1000,
});
const MAX_REPLICAS = 5;
const MIN_HEARTBEAT_MS = 10;
/** Node and cluster names become NATS subject tokens and KV key parts. */
const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const NATS_URL = /^(nats|tls):\/\/[^\s/]+(:\d+)?\/?$/;

function bad(message: string): Error {
  return createError(RouterErrorCode.INVALID_OPTION, message);
}

function integer(value: unknown, where: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= min)) {
    throw bad(`${where} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function normalizeClusterOptions(value: unknown, where = 'cluster'): NormalizedClusterOptions {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(`${where} must be an object, got ${JSON.stringify(value)}`);
  const o = value as Record<string, unknown>;
  const known = ['servers', 'node', 'name', 'replicas', 'heartbeatMs', 'deadAfterMs', 'isolateAfterMs'];
  for (const key of Object.keys(o)) if (!known.includes(key)) throw bad(`${where}.${key} is not one of ${known.join(', ')}`);
  const serversIn = typeof o['servers'] === 'string' ? [o['servers']] : o['servers'];
  if (!Array.isArray(serversIn) || serversIn.length === 0 || !serversIn.every((s) => typeof s === 'string' && NATS_URL.test(s))) {
    throw bad(`${where}.servers must be a NATS URL (nats://HOST:PORT) or a non-empty list of them, got ${JSON.stringify(o['servers'])}`);
  }
  const node = o['node'];
  if (typeof node !== 'string' || !NAME.test(node)) throw bad(`${where}.node must be 1-64 letters, digits, '-' or '_', got ${JSON.stringify(node)}`);
  const name = o['name'] ?? CLUSTER_DEFAULTS.name;
  if (typeof name !== 'string' || !NAME.test(name)) throw bad(`${where}.name must be 1-64 letters, digits, '-' or '_', got ${JSON.stringify(name)}`);
  const replicas = integer(o['replicas'], `${where}.replicas`, CLUSTER_DEFAULTS.replicas, 1);
  if (replicas > MAX_REPLICAS) throw bad(`${where}.replicas must be at most ${MAX_REPLICAS} (JetStream's limit), got ${replicas}`);
  const heartbeatMs = integer(o['heartbeatMs'], `${where}.heartbeatMs`, CLUSTER_DEFAULTS.heartbeatMs, MIN_HEARTBEAT_MS);
  const deadAfterMs = integer(o['deadAfterMs'], `${where}.deadAfterMs`, Math.max(CLUSTER_DEFAULTS.deadAfterMs, heartbeatMs * 5), 1);
  const isolateAfterMs = integer(o['isolateAfterMs'], `${where}.isolateAfterMs`, Math.min(CLUSTER_DEFAULTS.isolateAfterMs, deadAfterMs - heartbeatMs), 1);
  // Fewer than three heartbeats per window would count a node dead for one late packet.
  if (deadAfterMs < heartbeatMs * 3) throw bad(`${where}.deadAfterMs must be at least 3 heartbeats (${heartbeatMs * 3}), got ${deadAfterMs}`);
  // A node must give up its sessions before the others count it dead, or two views would serve at once.
  if (isolateAfterMs >= deadAfterMs) throw bad(`${where}.isolateAfterMs must be below deadAfterMs (${deadAfterMs}), got ${isolateAfterMs}`);
  return { servers: serversIn as string[], node, name, replicas, heartbeatMs, deadAfterMs, isolateAfterMs };
}
