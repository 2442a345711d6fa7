/**
 * The `ws` package as a target: only to check the suite itself (CONFORMANCE_TARGET=ws), since a
 * well-known implementation shows which failures are the suite's and which are the engine's.
 */
import { WebSocket, WebSocketServer, type PerMessageDeflateOptions } from 'ws';
import type { DeflateOptions, EchoClientHandle, EchoClientOptions, EchoServerHandle, EchoServerOptions, EngineTarget, CloseReport } from '../target-types.js';

function deflateOf(option: boolean | DeflateOptions | undefined): false | PerMessageDeflateOptions {
  if (option === undefined || option === false) return false;
  const o = option === true ? {} : option;
  return {
    threshold: 0,
    ...(o.serverNoContextTakeover === undefined ? {} : { serverNoContextTakeover: o.serverNoContextTakeover }),
    ...(o.clientNoContextTakeover === undefined ? {} : { clientNoContextTakeover: o.clientNoContextTakeover }),
    ...(o.serverMaxWindowBits === undefined ? {} : { serverMaxWindowBits: o.serverMaxWindowBits }),
    ...(o.clientMaxWindowBits === undefined ? {} : { clientMaxWindowBits: o.clientMaxWindowBits }),
  };
}

function maxPayloadOf(o: EchoServerOptions | EchoClientOptions): number {
  const limits = [o.maxFramePayloadSize, o.maxMessagePayloadSize].filter((v): v is number => v !== undefined && v > 0);
  return limits.length === 0 ? 100 * 1024 * 1024 : Math.min(...limits);
}

export const wsTarget: EngineTarget = {
  name: 'ws',
  async startEchoServer(options: EchoServerOptions): Promise<EchoServerHandle> {
    const closes: CloseReport[] = [];
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: deflateOf(options.perMessageDeflate), maxPayload: maxPayloadOf(options) });
    server.on('connection', (ws) => {
      ws.on('error', () => {});
      ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
      ws.on('close', (code, reason) => closes.push({ wasClean: code !== 1006, code, reason: reason.toString() }));
    });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    return {
      port,
      closes,
      close: () =>
        new Promise<void>((resolve) => {
          for (const client of server.clients) client.terminate();
          server.close(() => resolve());
        }),
    };
  },
  async connectEchoClient(url: string, options: EchoClientOptions): Promise<EchoClientHandle> {
    const ws = new WebSocket(url, { perMessageDeflate: deflateOf(options.perMessageDeflate), maxPayload: maxPayloadOf(options) });
    ws.on('error', () => {});
    const closed = new Promise<CloseReport>((resolve) => ws.once('close', (code, reason) => resolve({ wasClean: code !== 1006, code, reason: reason.toString() })));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
    return {
      closed,
      send: (data, binary) => ws.send(data, { binary }),
      destroy: () => ws.terminate(),
    };
  },
};
