/**
 * Component and connect() for Node: transports given as ws://, wss://, rs://, tcp:// or unix:
 * URLs (or { url, serializers, maxMessageSize }, or your own connector function).
 *
 *   const component = new Component({
 *     transports: ['ws://127.0.0.1:8080/ws', 'rs://127.0.0.1:8081'],
 *     realm: 'realm1',
 *     onJoin: async (session) => { await session.register('com.example.add2', ([x, y]) => x + y); },
 *   });
 *   await component.start();   // until stop(), a deliberate leave, or retries run out
 */
import { nodeTransportFactory } from '../transports/connectors.js';
import { Component as CoreComponent, connectWith, type ComponentOptions } from './component-core.js';
import type { ApplicationSession } from './session.js';

export { retryDelay, ComponentErrorCode } from './component-core.js';
export type { ComponentOptions, ComponentEvents, TransportConfig, TransportEntry, TransportFactory } from './component-core.js';

export class Component extends CoreComponent {
  constructor(options: ComponentOptions) {
    super(options, nodeTransportFactory);
  }
}

/** Connects, joins, and resolves with the session; it reconnects until it leaves. */
export function connect(options: ComponentOptions): Promise<ApplicationSession> {
  return connectWith(options, nodeTransportFactory);
}
