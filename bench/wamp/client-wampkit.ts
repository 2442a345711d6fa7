// Workload child for bench/wamp: our client. Args: URL SERIALIZER MODE SECONDS [SUBSCRIBERS]
// Prints one JSON line { ops, seconds }.
import { ApplicationSession, type SessionDetails } from '../../runtime/wamp/session.js';
import { connectWebSocketTransport } from '../../runtime/transports/websocket-transport.js';

const [url, serializer, mode, secondsArg, subscribersArg] = process.argv.slice(2) as [string, 'json' | 'msgpack' | 'cbor', string, string, string?];
const seconds = Number(secondsArg);
const IN_FLIGHT = 100;

async function session(): Promise<ApplicationSession> {
  const s = new ApplicationSession({ realm: 'realm1' });
  const joined = new Promise<SessionDetails>((resolve) => s.once('join', resolve));
  s.attach(await connectWebSocketTransport(url, { serializers: [serializer] }));
  await joined;
  return s;
}

async function rpc(): Promise<number> {
  const callee = await session();
  const caller = await session();
  await callee.register('bench.add2', ([x, y]) => (x as number) + (y as number));
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      await caller.call('bench.add2', [done, 1]);
      done++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return done;
}

async function events(subscribers: number): Promise<number> {
  let delivered = 0;
  const subs: ApplicationSession[] = [];
  for (let i = 0; i < subscribers; i++) {
    const s = await session();
    await s.subscribe('bench.topic', () => void delivered++);
    subs.push(s);
  }
  const publisher = await session();
  const deadline = performance.now() + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) await publisher.publish('bench.topic', [1, 'x'], {}, { acknowledge: true });
  };
  // Acknowledged publishes bound what is in flight; fewer in flight when each fans out widely.
  await Promise.all(Array.from({ length: Math.max(1, Math.min(IN_FLIGHT, Math.floor(1000 / subscribers))) }, worker));
  // Let the events already routed arrive (bounded wait).
  for (let i = 0; i < 100; i++) {
    const before = delivered;
    await new Promise((r) => setTimeout(r, 20));
    if (delivered === before) break;
  }
  return delivered;
}

const started = performance.now();
const ops = mode === 'rpc' ? await rpc() : await events(Number(subscribersArg));
console.log(JSON.stringify({ ops, seconds: (performance.now() - started) / 1000 }));
process.exit(0);
