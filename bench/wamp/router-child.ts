/**
 * One router of the WAMP bench, in a process of its own so its CPU time is its own.
 * argv: <ours|fox|wire> <compiled runtime dir, or '-' for the sources>.
 *   ours  the embedded router (wampkit/router), WebSocket listener, every serializer
 *   fox   fox-wamp (npm), the maintained Node router: WebSocket with wamp.2.json only
 *   wire  no router: our WebSocket engine forwarding the same bytes (./wire.ts)
 * Answers { ready: { url } }; then `cpu` (process.cpuUsage) and `exit` (see ./ipc.ts).
 */
import { serveParent } from './ipc.js';
import { engineDirArg, loadRouter, loadWebSocket } from './runtime.js';
import { REALM, type RouterImpl } from './peer-types.js';
import { startWireServer } from './wire.js';
import { startFoxWamp } from './fox-router.js';

const impl = process.argv[2] as RouterImpl;
const engineDir = engineDirArg(process.argv[3]);

async function start(): Promise<string> {
  if (impl === 'ours') {
    const { Router } = await loadRouter(engineDir);
    const router = new Router({ realms: [REALM], listeners: [{ type: 'websocket', host: '127.0.0.1', port: 0 }] });
    const [url] = await router.start();
    if (url === undefined) throw new Error('our router reported no address');
    return url;
  }
  if (impl === 'fox') return (await startFoxWamp()).url;
  if (impl === 'wire') return (await startWireServer(await loadWebSocket(engineDir))).url;
  throw new Error(`unknown router ${String(impl)}`);
}

serveParent({}, { url: await start() }, 20 * 60_000);
