/**
 * Network listeners: turn accepted connections into WampTransports handed to the router.
 * (Filled in as the WebSocket and RawSocket transports land.)
 */
import type { WampTransport } from '../transports/transport.js';
import type { ListenerConfig } from './config.js';

export interface RunningListener {
  readonly addresses: string[];
  close(): Promise<void>;
}

export async function startListener(
  config: ListenerConfig,
  accept: (transport: WampTransport) => void,
  maxMessageSize: number,
): Promise<RunningListener> {
  void accept;
  void maxMessageSize;
  throw new Error(`listener type ${config.type} is not available yet`);
}
