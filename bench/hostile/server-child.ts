/**
 * The server under attack, in a process of its own so its peak RSS (VmHWM) is its own.
 * argv: <compiled engine dir> <router|engine>.
 *
 * - router: wampkit's Router with one listener, WebSocket and RawSocket on one port, every
 *   other option at its default (what `npx wampkit router --rawsocket` runs).
 * - engine: a bare WebSocketServer echoing messages, with maxFramesPerMessage off (to show
 *   what fragments cost without the limit).
 *
 * Prints `port N` once listening. Exits when stdin closes, or after 15 minutes.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, mode] = [process.argv[2]!, process.argv[3]!];
const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(join(dir, 'runtime', file)).href)) as T;

let port: number;
if (mode === 'router') {
  const { Router } = await load<typeof import('../../runtime/router/router.js')>('router/router.js');
  const router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', host: '127.0.0.1', port: 0, rawsocket: true }] });
  const [url] = await router.start();
  port = Number(new URL(url!).port);
} else {
  const { WebSocketServer } = await load<typeof import('../../runtime/websocket/server.js')>('websocket/server.js');
  // Unknown to the engine before maxFramesPerMessage existed, which then had no limit anyway.
  const server = new WebSocketServer({ maxFramesPerMessage: 0 } as ConstructorParameters<typeof WebSocketServer>[0]);
  server.on('error', () => {});
  server.on('connection', (conn) => {
    conn.on('error', () => {});
    conn.on('message', (data, isBinary) => conn.sendMessage(data, isBinary));
  });
  port = (await server.listen({ host: '127.0.0.1', port: 0 })).port;
}
process.stdout.write(`port ${port}\n`);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), 15 * 60_000).unref();
