/** wampkit's own engine as the target: WebSocketServer and connect() echoing every message. */
import { connect } from '../../../../runtime/websocket/client.js';
import type { WebSocketConnection } from '../../../../runtime/websocket/connection.js';
import { WebSocketServer } from '../../../../runtime/websocket/server.js';
import type { CloseReport, DeflateOptions, EchoClientHandle, EchoClientOptions, EchoServerHandle, EchoServerOptions, EngineTarget } from '../target-types.js';

function deflateOf(option: boolean | DeflateOptions | undefined): boolean | DeflateOptions {
  return option ?? false;
}

function limitsOf(o: EchoServerOptions | EchoClientOptions): { maxFramePayloadSize?: number; maxMessagePayloadSize?: number; autoFragmentSize?: number } {
  return {
    ...(o.maxFramePayloadSize === undefined ? {} : { maxFramePayloadSize: o.maxFramePayloadSize }),
    ...(o.maxMessagePayloadSize === undefined ? {} : { maxMessagePayloadSize: o.maxMessagePayloadSize }),
    ...(o.autoFragmentSize === undefined ? {} : { autoFragmentSize: o.autoFragmentSize }),
  };
}

function echo(conn: WebSocketConnection): void {
  conn.on('error', () => {});
  conn.on('message', (data, isBinary) => {
    conn.sendMessage(data, isBinary);
  });
}

export const wampkitTarget: EngineTarget = {
  name: 'wampkit',
  async startEchoServer(options: EchoServerOptions): Promise<EchoServerHandle> {
    const closes: CloseReport[] = [];
    // A short close timeout keeps a misbehaving case from holding the suite for the default 5 s.
    const server = new WebSocketServer({ perMessageDeflate: deflateOf(options.perMessageDeflate), closeTimeout: 2_000, ...limitsOf(options) });
    server.on('error', () => {});
    server.on('connection', (conn) => {
      echo(conn);
      conn.on('close', (info) => closes.push(info));
    });
    const address = await server.listen({ host: '127.0.0.1', port: 0 });
    return {
      port: address.port,
      closes,
      async close() {
        for (const conn of server.connections) conn.terminate();
        await server.close();
      },
    };
  },
  async connectEchoClient(url: string, options: EchoClientOptions): Promise<EchoClientHandle> {
    const conn = await connect(url, { perMessageDeflate: deflateOf(options.perMessageDeflate), closeTimeout: 2_000, handshakeTimeout: 5_000, ...limitsOf(options) });
    echo(conn);
    return {
      closed: conn.closed,
      send: (data, binary) => {
        conn.sendMessage(data, binary);
      },
      destroy: () => conn.terminate(),
    };
  },
};
