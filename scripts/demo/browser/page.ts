/// <reference lib="dom" />
/**
 * The browser side of the demo: bundled by esbuild (`wampkit` resolves to the browser entry),
 * served by the same process as the router, so the router is at ws://<this host>/ws.
 * `?serializer=json|msgpack|cbor` picks the serializer (default cbor).
 */
import { ApplicationError, connect } from 'wampkit/browser';
import { GreetingsPublisher, MyAppCaller, registerMyApp, subscribeGreetings } from '../gen/myapp/index.js';

const logElement = document.getElementById('log');
function say(line: string): void {
  logElement?.append(`${line}\n`);
}

async function main(): Promise<void> {
  const serializer = new URLSearchParams(location.search).get('serializer') ?? 'cbor';
  if (serializer !== 'json' && serializer !== 'msgpack' && serializer !== 'cbor') throw new Error(`unknown serializer ${serializer}`);
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const session = await connect({ transports: [{ url, serializers: [serializer] }], realm: 'realm1', maxRetries: 0 });
  say(`joined realm1 as session ${session.id} over ${url} (${serializer})`);

  // 1. subscribe, 2. publish (to ourselves too), 3. register, 4. call — as in the seed.
  let onHello: (msg: string) => void = () => {};
  const gotEvent = new Promise<string>((resolve) => (onHello = resolve));
  await subscribeGreetings(session, { hello: (msg) => onHello(msg) });
  say('1. subscribed to com.myapp.hello');
  await new GreetingsPublisher(session).hello(`Hello from ${navigator.userAgent.includes('Headless') ? 'a headless' : 'a'} browser!`, { excludeMe: false, acknowledge: true });
  say('2. published to com.myapp.hello');
  say(`   Got event: ${await gotEvent}`);
  await registerMyApp(session, {
    add2: (x, y) => x + y,
    async *countdown(from) {
      for (let i = from; i > 0; i--) yield i;
      return 'liftoff';
    },
  });
  say('3. registered com.myapp.add2 and com.myapp.countdown');
  const app = new MyAppCaller(session);
  say(`4. called com.myapp.add2(2, 3). Got result: ${await app.add2(2, 3)}`);
  const countdown = app.countdown(3);
  const steps: number[] = [];
  for await (const n of countdown) steps.push(n);
  say(`   countdown(3) progressed ${steps.join(', ')} and returned '${await countdown.result}'`);
  try {
    await session.call('com.myapp.add2', ['two', 3]);
  } catch (error) {
    say(`   add2("two", 3) refused: ${ApplicationError.is(error) ? error.error : String(error)}`);
  }
  // The session stays joined: other peers (a Node process, another tab) can call this page's add2.
  say('ready: this page serves com.myapp.add2');
}

main().then(
  () => { document.body.dataset['status'] = 'ok'; },
  (error: unknown) => {
    say(`failed: ${error instanceof Error ? error.message : String(error)}`);
    document.body.dataset['status'] = 'failed';
  },
);
