/**
 * How every NATS connection of a node is opened (the main one in nats-link.ts, the heartbeat
 * thread's own in heartbeat-worker.ts): reconnecting for ever, quickly, so a NATS server's
 * restart or the loss of one server of a NATS cluster is a blip, never the node's end.
 */

const RECONNECT_WAIT_MS = 100;
const RECONNECT_JITTER_MS = 20;
/** How long the first connection may take before the node's start fails. */
const CONNECT_TIMEOUT_MS = 5000;

export function natsConnectOptions(servers: readonly string[], name: string) {
  return {
    servers: [...servers],
    name,
    noEcho: true,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: RECONNECT_WAIT_MS,
    reconnectJitter: RECONNECT_JITTER_MS,
    timeout: CONNECT_TIMEOUT_MS,
  };
}
