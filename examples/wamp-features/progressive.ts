// Progressive call results and call cancellation (WAMP Advanced Profile), untyped.
//
//   npx tsx examples/wamp-features/progressive.ts       # starts an embedded router
//   npx tsx examples/wamp-features/progressive.ts --url ws://127.0.0.1:8080/ws
//
// A callee streams a countdown, one progressive result per step, and watches the invocation's
// AbortSignal. A caller first takes a short countdown to the end, then cancels a long one
// after three steps: its promise rejects at once, and the callee sees the INTERRUPT and stops.
import { parseArgs } from 'node:util';
import { connect } from '../../runtime/wamp/component.js';
import { Router } from '../../runtime/router/router.js';

const { values } = parseArgs({ options: { url: { type: 'string' }, realm: { type: 'string', default: 'realm1' } } });
const TICK_MS = 25;

let router: Router | undefined;
let url = values.url;
if (url === undefined) {
  router = new Router({ realms: [values.realm], listeners: [{ type: 'websocket', port: 0 }] });
  [url] = await router.start();
}
const options = { transports: [{ url: url! }], realm: values.realm, maxRetries: 0 };
const callee = await connect(options);
const caller = await connect(options);

let interrupted = (): void => {};
const calleeSawCancel = new Promise<void>((resolve) => (interrupted = resolve));

await callee.register('com.myapp.countdown', async ([from], _kwargs, details) => {
  for (let i = from as number; i > 0; i--) {
    if (details.signal.aborted) {
      console.log(`callee: interrupted at ${i}, stopping`);
      interrupted();
      return 'interrupted';
    }
    details.progress?.([i]); // only when the caller asked for progressive results
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  return 'liftoff';
});

const steps: unknown[] = [];
const final = await caller.call('com.myapp.countdown', [3], {}, { onProgress: ([n]) => steps.push(n) });
console.log(`countdown(3): progress ${steps.join(', ')}, result ${String(final)}`);

const controller = new AbortController();
let seen = 0;
const long = caller.call('com.myapp.countdown', [1000], {}, {
  signal: controller.signal,
  cancelMode: 'kill', // the dealer interrupts the callee and answers the caller when it stops
  onProgress: () => {
    if (++seen === 3) controller.abort();
  },
});
try {
  await long;
  console.log('countdown(1000) finished?!');
} catch (error) {
  console.log(`countdown(1000): canceled after ${seen} progressive results (${(error as Error).name})`);
}
await calleeSawCancel;

await caller.leave();
await callee.leave();
await router?.close();
console.log('done');
