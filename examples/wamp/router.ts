// An embedded router in code (the same thing `npx wampkit router` runs).
//
//   npx tsx examples/wamp/router.ts [--port 8080]
// WebSocket at ws://127.0.0.1:PORT/ws and RawSocket on the same port; Ctrl-C stops it.
import { parseArgs } from 'node:util';
import { Router } from '../../runtime/router/router.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' } } });
const router = new Router({
  realms: ['realm1'],
  listeners: [{ type: 'websocket', host: '127.0.0.1', port: Number(values.port), path: '/ws', rawsocket: true }],
});
for (const address of await router.start()) console.log(`listening on ${address}`);
const stop = async (): Promise<void> => {
  await router.close();
  console.log('stopped');
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
