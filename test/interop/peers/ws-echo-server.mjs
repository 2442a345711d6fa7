// `ws` (npm) echo server for wampkit's interop tests. Listens on 127.0.0.1 (port 0 unless
// --port), prints exactly one line "listening on ws://127.0.0.1:PORT", echoes every message with
// its type, and exits after --lifetime seconds at the latest. --deflate accepts permessage-deflate.
import { WebSocketServer } from 'ws';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, deflate: { type: 'boolean', default: false }, lifetime: { type: 'string', default: '120' } } });
const server = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(values.port),
  perMessageDeflate: values.deflate ? { threshold: 0 } : false,
  maxPayload: 64 * 1024 * 1024,
});
server.on('connection', (ws) => {
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
server.on('listening', () => console.log(`listening on ws://127.0.0.1:${server.address().port}`));
const stop = () => {
  for (const c of server.clients) c.terminate();
  server.close(() => process.exit(0));
};
setTimeout(stop, Number(values.lifetime) * 1000).unref();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
