// Autobahn|JS as a client of our router (run: node --experimental-websocket autobahn-peer.cjs URL SERIALIZER PREFIX MODE).
// MODE "full": register PREFIX.add2, subscribe PREFIX.in (re-publish each event to PREFIX.out),
//              call ours.echo and check it, then print "ready" and stay until stdin closes.
// MODE "call:PROC": call PROC with [2, 3], print "result <json>", leave, exit.
'use strict';
const autobahn = require('autobahn');

const [url, serializerName, prefix, mode] = process.argv.slice(2);
const serializers = {
  json: () => new autobahn.serializer.JSONSerializer(),
  msgpack: () => new autobahn.serializer.MsgpackSerializer(),
  cbor: () => new autobahn.serializer.CBORSerializer(),
};
const fail = (what) => {
  process.stdout.write(`error ${typeof what === 'string' ? what : JSON.stringify(what && (what.error || what.message || what))}\n`);
  process.exit(1);
};
setTimeout(() => fail('peer timeout'), 20000).unref();

const connection = new autobahn.Connection({
  transports: [{ type: 'websocket', url, serializers: [serializers[serializerName]()] }],
  realm: 'realm1',
  max_retries: 0,
});

connection.onopen = async (session) => {
  try {
    if (mode === 'full') {
      await session.register(`${prefix}.add2`, (args) => args[0] + args[1]);
      await session.subscribe(`${prefix}.in`, (args, kwargs) => {
        session.publish(`${prefix}.out`, args, kwargs, { acknowledge: true }).catch(fail);
      });
      const echoed = await session.call('ours.echo', ['from-autobahn'], { n: 1 });
      const args = echoed && echoed.args ? echoed.args : [echoed];
      if (args[0] !== 'from-autobahn') fail(`echo mismatch ${JSON.stringify(echoed)}`);
      process.stdout.write('ready\n');
      process.stdin.resume();
      process.stdin.on('end', () => connection.close());
    } else if (mode.startsWith('call:')) {
      const result = await session.call(mode.slice(5), [2, 3]);
      process.stdout.write(`result ${JSON.stringify(result)}\n`);
      connection.close();
    }
  } catch (error) {
    fail(error);
  }
};
connection.onclose = (reason) => {
  if (reason !== 'closed' && reason !== 'lost') fail(`closed: ${reason}`);
  setTimeout(() => process.exit(0), 10);
  return true;
};
connection.open();
