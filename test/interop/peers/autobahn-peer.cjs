// Autobahn|JS as a client of our router.
// usage: node --experimental-websocket autobahn-peer.cjs URL PREFIX SERIALIZERS
// For each serializer S (comma list) one session: registers PREFIX.S.add2, re-publishes
// PREFIX.S.in events to PREFIX.S.out, calls ours.echo. Prints "ready" once all are set up.
// Then reads stdin lines "call S PROC" (calls PROC with [2, 3] on session S, prints
// "result S PROC <json>"); at the end of stdin it closes everything and exits.
'use strict';
const autobahn = require('autobahn');
const readline = require('node:readline');

const [url, prefix, serializerList] = process.argv.slice(2);
const makeSerializer = {
  json: () => new autobahn.serializer.JSONSerializer(),
  msgpack: () => new autobahn.serializer.MsgpackSerializer(),
  cbor: () => new autobahn.serializer.CBORSerializer(),
};
const say = (line) => process.stdout.write(`${line}\n`);
const fail = (what) => {
  say(`error ${typeof what === 'string' ? what : JSON.stringify(what && (what.error || what.message || what))}`);
  process.exit(1);
};
setTimeout(() => fail('peer timeout'), 60000).unref();

function open(serializer) {
  return new Promise((resolve) => {
    const connection = new autobahn.Connection({
      transports: [{ type: 'websocket', url, serializers: [makeSerializer[serializer]()] }],
      realm: 'realm1',
      max_retries: 0,
    });
    connection.onopen = async (session) => {
      try {
        const p = `${prefix}.${serializer}`;
        await session.register(`${p}.add2`, (args) => args[0] + args[1]);
        await session.subscribe(`${p}.in`, (args, kwargs) => {
          session.publish(`${p}.out`, args, kwargs, { acknowledge: true }).catch(fail);
        });
        const echoed = await session.call('ours.echo', [`from-autobahn-${serializer}`], { n: 1 });
        const args = echoed && echoed.args ? echoed.args : [echoed];
        if (args[0] !== `from-autobahn-${serializer}`) fail(`echo mismatch ${JSON.stringify(echoed)}`);
        resolve({ connection, session });
      } catch (error) {
        fail(error);
      }
    };
    connection.onclose = (reason) => {
      if (reason !== 'closed' && reason !== 'lost') fail(`closed: ${reason}`);
      return true;
    };
    connection.open();
  });
}

(async () => {
  const sessions = {};
  for (const s of serializerList.split(',')) sessions[s] = await open(s);
  say('ready');
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', async (line) => {
    const [cmd, s, proc] = line.trim().split(' ');
    if (cmd !== 'call') return;
    try {
      const result = await sessions[s].session.call(proc, [2, 3]);
      say(`result ${s} ${proc} ${JSON.stringify(result)}`);
    } catch (error) {
      fail(error);
    }
  });
  lines.on('close', () => {
    for (const { connection } of Object.values(sessions)) connection.close();
    setTimeout(() => process.exit(0), 50);
  });
})();
