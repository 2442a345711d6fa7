/**
 * The server side of the WebSocket bench, in its own process so client and server each get a
 * core. argv: <ours|ws> <echo|idle> [compiled engine dir, or '-' for the sources]. Reports its port over IPC; in idle mode it answers
 * {cmd:'measure'} with its memory after a forced GC (run with --expose-gc), and {cmd:'cpu'} with
 * its process.cpuUsage() (CPU time per message is steadier than msg/s on a loaded box).
 */
import { WebSocketServer as WsServer } from 'ws';
import { loadEngine } from './engine.js';

type Impl = 'ours' | 'ws';
const impl = process.argv[2] as Impl;
const mode = process.argv[3] === 'idle' ? 'idle' : 'echo';
const engineDir = process.argv[4] === undefined || process.argv[4] === '-' ? null : process.argv[4];
const { WebSocketServer } = (await loadEngine(engineDir)).server;
const MAX_PAYLOAD = 64 * 1024 * 1024;

interface Memory {
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  rss: number;
}

function measure(): Memory {
  const gc = (globalThis as { gc?: () => void }).gc;
  // Several passes: weak refs and finalizers free more on the second and third.
  for (let i = 0; i < 3; i++) gc?.();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss };
}

let connections = 0;

async function start(): Promise<number> {
  if (impl === 'ours') {
    const server = new WebSocketServer({ maxMessagePayloadSize: MAX_PAYLOAD, handshakeTimeout: 30_000 });
    server.on('error', () => {});
    server.on('connection', (conn) => {
      connections++;
      conn.on('error', () => {});
      if (mode === 'echo') conn.on('message', (data, isBinary) => void conn.sendMessage(data, isBinary));
    });
    const address = await server.listen({ host: '127.0.0.1', port: 0 });
    return address.port;
  }
  const server = new WsServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: MAX_PAYLOAD });
  server.on('connection', (ws) => {
    connections++;
    ws.on('error', () => {});
    if (mode === 'echo') ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

const baseline = mode === 'idle' ? measure() : null;
const port = await start();
const afterListen = mode === 'idle' ? measure() : null;
process.on('message', (msg: { cmd?: string }) => {
  if (msg.cmd === 'measure') process.send?.({ memory: measure(), connections, baseline: afterListen ?? baseline });
  if (msg.cmd === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  if (msg.cmd === 'exit') process.exit(0);
});
// Never outlive the parent, whatever happens to it.
process.on('disconnect', () => process.exit(0));
// Bounded: long enough for --rounds 20 over every size.
setTimeout(() => process.exit(0), 1_800_000).unref();
process.send?.({ port });
