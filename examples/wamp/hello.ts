// The classic Autobahn component, line for line: subscribe, publish, register add2, call add2.
//
//   npx tsx examples/wamp/hello.ts                          # starts an embedded router itself
//   npx tsx examples/wamp/hello.ts --url ws://127.0.0.1:8080/ws --realm realm1
import { parseArgs } from 'node:util';
import { ApplicationSession, type SessionDetails } from '../../runtime/wamp/session.js';
import { connectWebSocketTransport } from '../../runtime/transports/websocket-transport.js';
import { Router } from '../../runtime/router/router.js';

class MyComponent extends ApplicationSession {
  override async onJoin(details: SessionDetails): Promise<void> {
    console.log(`joined realm ${details.realm} as session ${details.session}`);

    // 1. subscribe to a topic so we receive events
    const onevent = ([msg]: unknown[]): void => {
      console.log(`Got event: ${String(msg)}`);
    };
    await this.subscribe('com.myapp.hello', onevent);

    // 2. publish an event to a topic (not excluding ourselves, so we see it)
    await this.publish('com.myapp.hello', ['Hello, world!'], {}, { excludeMe: false, acknowledge: true });

    // 3. register a procedure for remote calling
    const add2 = ([x, y]: unknown[]): number => (x as number) + (y as number);
    await this.register('com.myapp.add2', add2);

    // 4. call a remote procedure
    const res = await this.call('com.myapp.add2', [2, 3]);
    console.log(`Got result: ${String(res)}`);

    await this.leave();
  }

  override onDisconnect(): void {
    console.log('disconnected');
  }
}

const { values } = parseArgs({ options: { url: { type: 'string' }, realm: { type: 'string', default: 'realm1' } } });
let router: Router | undefined;
let url = values.url;
if (url === undefined) {
  router = new Router({ realms: [values.realm], listeners: [{ type: 'websocket', port: 0 }] });
  [url] = await router.start();
  console.log(`embedded router on ${url}`);
}
const session = new MyComponent({ realm: values.realm });
const finished = new Promise<void>((resolve) => session.once('disconnect', () => resolve()));
session.attach(await connectWebSocketTransport(url!, { serializers: ['cbor', 'msgpack', 'json'] }));
await finished;
await router?.close();
