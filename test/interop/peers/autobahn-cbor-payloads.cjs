// Autobahn|JS over CBOR as a client of our router, for the payload fidelity test.
// usage: node autobahn-cbor-payloads.cjs URL
// Registers ab.echo (answers with what it got, printing "invoked <args> <kwargs>") and
// subscribes ab.topic (printing "event <args> <kwargs>"), then prints "ready". Commands on stdin:
//   call-ours   calls ours.echo with VALUES and prints "ours-echo same|diff <result>"
//   publish-ours publishes VALUES to ours.topic (acknowledged), prints "published"
//   call-self   calls its own ab.echo through the router, prints "self-echo same|diff <result>"
// Ends when stdin closes. Descriptions come from describe-value.cjs.
'use strict';
const path = require('node:path');
const readline = require('node:readline');
const autobahn = require('autobahn');
const cbor = require(require.resolve('cbor', { paths: [path.dirname(require.resolve('autobahn'))] }));
const { describe } = require('./describe-value.cjs');

const [url] = process.argv.slice(2);
const say = (line) => process.stdout.write(`${line}\n`);
const fail = (what) => {
  say(`error ${what && what.stack ? what.stack.split('\n').join(' | ') : JSON.stringify(what && (what.error || what.message || what))}`);
  process.exit(1);
};
setTimeout(() => fail('peer timeout'), 90_000).unref();

// What Autobahn|JS users naturally send: a Uint8Array (cbor writes tag 64), typed arrays in
// host byte order, a Date, a Set, a tag of its own, integers beyond 64 bits.
const VALUES = [
  new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]),
  new Uint16Array([1, 65535]),
  new Float32Array([1.5, -2.25]),
  new Int32Array([-7]),
  new BigInt64Array([-5n]),
  new Float64Array([Math.PI]),
  new Date(1700000000123),
  new Set([1, 'a']),
  new cbor.Tagged(4242, 'custom'),
  2n ** 128n - 1n,
  -(2n ** 128n),
];
const KWARGS = { when: new Date(1700000000000), big: 2n ** 128n - 1n, bytes: new Uint8Array([9]) };
const SENT = `${describe(VALUES)} ${describe(KWARGS)}`;
const shape = (r) => (r instanceof autobahn.Result ? `${describe(r.args || [])} ${describe(r.kwargs || {})}` : `${describe([r])} {}`);

const connection = new autobahn.Connection({
  transports: [{ type: 'websocket', url, serializers: [new autobahn.serializer.CBORSerializer()] }],
  realm: 'realm1',
  max_retries: 0,
});
connection.onopen = async (session) => {
  try {
    await session.register('ab.echo', (args, kwargs) => {
      say(`invoked ${describe(args || [])} ${describe(kwargs || {})}`);
      return new autobahn.Result(args, kwargs);
    });
    await session.subscribe('ab.topic', (args, kwargs) => say(`event ${describe(args || [])} ${describe(kwargs || {})}`));
  } catch (error) {
    fail(error);
  }
  say('ready');
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', async (line) => {
    try {
      switch (line.trim()) {
        case 'call-ours': {
          const r = shape(await session.call('ours.echo', VALUES, KWARGS));
          say(`ours-echo ${r === SENT ? 'same' : 'diff'} ${r}`);
          break;
        }
        case 'publish-ours':
          await session.publish('ours.topic', VALUES, KWARGS, { acknowledge: true });
          say('published');
          break;
        case 'call-self': {
          const r = shape(await session.call('ab.echo', VALUES, KWARGS));
          say(`self-echo ${r === SENT ? 'same' : 'diff'} ${r}`);
          break;
        }
        default:
          break;
      }
    } catch (error) {
      fail(error);
    }
  });
  lines.on('close', () => {
    connection.close();
    setTimeout(() => process.exit(0), 50);
  });
};
connection.onclose = (reason, details) => {
  if (reason !== 'closed') fail(`closed: ${reason} ${JSON.stringify(details)}`);
  return true;
};
connection.open();
