// Workload child for bench/wamp: Autobahn|JS. Args: URL SERIALIZER MODE SECONDS [SUBSCRIBERS]
// Prints one JSON line { ops, seconds }.
'use strict';
const autobahn = require('autobahn');

const [url, serializerName, mode, secondsArg, subscribersArg] = process.argv.slice(2);
const seconds = Number(secondsArg);
const IN_FLIGHT = 100;
const makeSerializer = {
  json: () => new autobahn.serializer.JSONSerializer(),
  msgpack: () => new autobahn.serializer.MsgpackSerializer(),
  cbor: () => new autobahn.serializer.CBORSerializer(),
}[serializerName];

function session() {
  return new Promise((resolve, reject) => {
    const connection = new autobahn.Connection({
      transports: [{ type: 'websocket', url, serializers: [makeSerializer()] }],
      realm: 'realm1',
      max_retries: 0,
    });
    connection.onopen = (s) => resolve(s);
    connection.onclose = (reason) => {
      reject(new Error(reason));
      return true;
    };
    connection.open();
  });
}

async function rpc() {
  const callee = await session();
  const caller = await session();
  await callee.register('bench.add2', (args) => args[0] + args[1]);
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      await caller.call('bench.add2', [done, 1]);
      done++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return done;
}

async function events(subscribers) {
  let delivered = 0;
  for (let i = 0; i < subscribers; i++) {
    const s = await session();
    await s.subscribe('bench.topic', () => void delivered++);
  }
  const publisher = await session();
  const deadline = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) await publisher.publish('bench.topic', [1, 'x'], {}, { acknowledge: true });
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(IN_FLIGHT, Math.floor(1000 / subscribers))) }, worker));
  for (let i = 0; i < 100; i++) {
    const before = delivered;
    await new Promise((r) => setTimeout(r, 20));
    if (delivered === before) break;
  }
  return delivered;
}

(async () => {
  const started = performance.now();
  const ops = mode === 'rpc' ? await rpc() : await events(Number(subscribersArg));
  console.log(JSON.stringify({ ops, seconds: (performance.now() - started) / 1000 }));
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
