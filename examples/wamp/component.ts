// A long-lived Component: reconnects with backoff and restores its registration and
// subscription after the router comes back.
//
//   npx tsx examples/wamp/component.ts --url ws://127.0.0.1:8080/ws [--seconds 10]
import { parseArgs } from 'node:util';
import { Component } from '../../runtime/wamp/component.js';

const { values } = parseArgs({
  options: { url: { type: 'string', default: 'ws://127.0.0.1:8080/ws' }, seconds: { type: 'string', default: '10' } },
});

const component = new Component({
  transports: [{ url: values.url, serializers: ['cbor', 'json'] }],
  realm: 'realm1',
  initialRetryDelay: 500,
  retryDelayGrowth: 1.5,
  retryDelayJitter: 0.1,
  maxRetryDelay: 5000,
  maxRetries: -1,
  onJoin: async (session) => {
    await session.register('com.example.time', () => new Date().toISOString());
    await session.subscribe('com.example.tick', ([n]) => console.log(`tick ${String(n)}`));
  },
});
component.on('join', (_session, details) => console.log(details.rejoined ? 'rejoined (restored)' : `joined as ${details.session}`));
component.on('disconnect', () => console.log('disconnected; will retry'));
component.on('connectfailure', (error, attempt) => console.log(`connect attempt ${attempt} failed: ${(error as Error).message}`));

const done = component.start();
setTimeout(() => void component.stop(), Number(values.seconds) * 1000);
await done;
console.log('done');
