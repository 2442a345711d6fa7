/**
 * RawSocket transport (placeholder until rawsocket-protocol.ts lands).
 */
import type { Socket } from 'node:net';
import type { Serializer } from '../serializers/types.js';
import type { WampTransport } from './transport.js';

export const RAWSOCKET_MAGIC = 0x7f;

export interface RawSocketAcceptOptions {
  serializers: Serializer[];
  maxMessageSize: number;
}

export function acceptRawSocket(socket: Socket, options: RawSocketAcceptOptions, accept: (t: WampTransport) => void): void {
  void options;
  void accept;
  socket.destroy();
}
