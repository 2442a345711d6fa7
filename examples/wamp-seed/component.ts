// The seed's component in the `Component` style: the same four actions as
// examples/wamp/hello.ts (an ApplicationSession subclass), written as an onJoin callback of a
// Component, which owns connecting (and would reconnect, restoring registrations and
// subscriptions, if the router went away).
//
//   npx tsx examples/wamp-seed/component.ts                          # starts an embedded router
//   npx tsx examples/wamp-seed/component.ts --url ws://127.0.0.1:8080/ws --realm realm1
import { parseArgs } from 'node:util';
import { Component } from '../../runtime/wamp/component.js';
import { Router } from '../../runtime/router/router.js';

const { values } = parseArgs({ options: { url: { type: 'string' }, realm: { type: 'string', default: 'realm1' } } });
let router: Router | undefined;
let url = values.url;
if (url === undefined) {
  router = new Router({ realms: [values.realm], listeners: [{ type: 'websocket', port: 0 }] });
  [url] = await router.start();
  console.log(`embedded router on ${url}`);
}

const component = new Component({
  transports: [{ url: url!, serializers: ['cbor', 'msgpack', 'json'] }],
  realm: values.realm,
  maxRetries: 0, // a demo: give up at once if the router is not there
  onJoin: async (session, details) => {
    console.log(`joined realm ${details.realm} as session ${details.session}`);

    // 1. subscribe to a topic so we receive events
    let received = (): void => {};
    const gotEvent = new Promise<void>((resolve) => (received = resolve));
    await session.subscribe('com.myapp.hello', ([msg]) => {
      console.log(`Got event: ${String(msg)}`);
      received();
    });

    // 2. publish an event to a topic (not excluding ourselves, so we see it)
    await session.publish('com.myapp.hello', ['Hello, world!'], {}, { excludeMe: false, acknowledge: true });
    await gotEvent;

    // 3. register a procedure for remote calling
    await session.register('com.myapp.add2', ([x, y]) => (x as number) + (y as number));

    // 4. call a remote procedure
    const res = await session.call('com.myapp.add2', [2, 3]);
    console.log(`Got result: ${String(res)}`);

    await component.stop();
  },
});
component.on('connectfailure', (error) => console.log(`cannot connect: ${(error as Error).message}`));

await component.start();
console.log('done');
await router?.close();
