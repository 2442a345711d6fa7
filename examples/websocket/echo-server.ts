/**
 * A WebSocket echo server: every message comes back with the same type.
 *
 *   npx tsx examples/websocket/echo-server.ts [--port 9000] [--host 127.0.0.1] [--deflate]
 *
 * Prints `listening on ws://HOST:PORT` once ready (with `--port 0` the real port), logs each
 * peer on stderr, and exits cleanly on SIGINT/SIGTERM.
 *
 * It respects backpressure, as every server should: when `sendMessage()` returns false (the
 * peer reads slower than it sends) the loop waits for `drain()`, and while it waits,
 * `messages()` stops reading the socket once 16 messages are queued. A peer that sends and
 * never reads is slowed down by TCP instead of growing this process's memory.
 */
import { parseArgs } from 'node:util';
import { WebSocketServer } from '../../runtime/websocket/index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9000' },
    host: { type: 'string', default: '127.0.0.1' },
    deflate: { type: 'boolean', default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`echo-server: --port must be 0..65535, got ${values.port}`);
  process.exit(2);
}

const server = new WebSocketServer({
  perMessageDeflate: values.deflate,
  // Large enough for the echo client's 1 MiB messages with room to spare.
  maxMessagePayloadSize: 16 * 1024 * 1024,
  onConnect: (request) => {
    console.error(`connect from ${request.peer} ${request.path}`);
  },
});
server.on('error', (err) => console.error(`echo-server: ${err.message}`));
server.on('connection', (connection) => {
  connection.on('close', ({ code, wasClean }) => console.error(`closed ${connection.peer} code=${code} clean=${wasClean}`));
  void (async () => {
    // The loop ends when the connection closes.
    for await (const { data, isBinary } of connection.messages()) {
      if (!connection.sendMessage(data, isBinary)) await connection.drain();
    }
  })();
});

const address = await server.listen({ host: values.host, port });
const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
console.log(`listening on ws://${host}:${address.port}`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
