/**
 * One router of the cluster bench in a process of its own (its CPU time is its own): a single
 * router, or one node of a cluster over NATS.
 * argv: <compiled runtime dir, or '-' for the sources> <RouterOptions as JSON>.
 * Answers { ready: { url } }; then `cpu` and `exit` (../wamp/ipc.ts).
 */
import { serveParent } from '../wamp/ipc.js';
import { engineDirArg, loadRouter } from '../wamp/runtime.js';

const engineDir = engineDirArg(process.argv[2]);
const options = JSON.parse(process.argv[3] ?? '{}') as Record<string, unknown>;
const { Router } = await loadRouter(engineDir);
const router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', host: '127.0.0.1', port: 0 }], ...options } as never);
const [url] = await router.start();
if (url === undefined) throw new Error('the router reported no address');
serveParent({}, { url }, 60 * 60_000);
