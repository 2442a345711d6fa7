/**
 * The heartbeat thread of a node (a worker_thread; heartbeats.ts starts it). It owns a NATS
 * connection of its own, so its heartbeats neither queue behind the node's traffic in one socket
 * (a node flooding events) nor wait for the node's main event loop (a node busy for a second):
 * it says "alive" every heartbeatMs on `<prefix>.beat` and tells the main thread when and from
 * whom it heard a heartbeat there, with its own clock reading.
 *
 * It beats only while the main thread shows life: the main thread pings it every heartbeatMs
 * (from its liveness timer), and a main thread silent for longer than `stallLimitMs` (stuck,
 * not merely busy) is let be counted dead. A process stopped (SIGSTOP) or killed stops this
 * thread with it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { WireKind, decodeWire, encodeWire } from './wire.js';
import { natsConnectOptions } from './nats-connect-options.js';
import type { ToHeartbeat, FromHeartbeat, HeartbeatWorkerData } from './heartbeats.js';


const data = workerData as HeartbeatWorkerData;
const port = parentPort;
const post = (message: FromHeartbeat): void => port?.postMessage(message);

async function main(): Promise<void> {
  if (port === null) return;
  const { connect } = await import('@nats-io/transport-node');
  const nc = await connect(natsConnectOptions(data.servers, data.connectionName));
  let incarnation: string | null = null;
  let seq = 0;
  let mainSeenAt = Date.now();
  const beat = (): void => {
    if (incarnation === null) return;
    // A main thread stuck past the limit no longer serves its sessions: stop vouching for it.
    if (Date.now() - mainSeenAt > data.stallLimitMs) return;
    try {
      nc.publish(data.subject, encodeWire(WireKind.HEARTBEAT, { node: data.node, incarnation }, ++seq));
    } catch {
      // Closed or reconnecting: the next beat tries again; silence is what the others judge.
    }
  };
  const timer = setInterval(beat, data.heartbeatMs);
  nc.subscribe(data.subject, {
    callback: (error, msg) => {
      if (error !== null) return;
      const wire = decodeWire(msg.data);
      if (wire === null || wire[0] !== WireKind.HEARTBEAT) return;
      const [, node, inc] = wire as [number, string, string];
      if (node === data.node && inc === incarnation) return;
      post({ type: 'heard', node, incarnation: inc, at: Date.now() });
    },
  });
  port.on('message', (message: ToHeartbeat) => {
    if (message.type === 'alive') {
      mainSeenAt = Date.now();
    } else if (message.type === 'start') {
      incarnation = message.incarnation;
      mainSeenAt = Date.now();
      beat();
    } else if (message.type === 'stop') {
      incarnation = null;
    } else if (message.type === 'close') {
      incarnation = null;
      clearInterval(timer);
      void nc.drain().catch(() => nc.close()).finally(() => port.close());
    }
  });
  post({ type: 'ready' });
}

main().catch((error: unknown) => post({ type: 'failed', message: (error as Error).message }));
