// wampy as a client of our router: node wampy-peer.mjs URL PREFIX SERIALIZERS
// (the same protocol as autobahn-peer.cjs: "ready", then stdin "call S PROC" -> "result S PROC <json>").
import { Wampy } from 'wampy';
import { JsonSerializer } from 'wampy/JsonSerializer.js';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';
import { CborSerializer } from 'wampy/CborSerializer.js';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const [url, prefix, serializerList] = process.argv.slice(2);
const makeSerializer = { json: () => new JsonSerializer(), msgpack: () => new MsgpackSerializer(), cbor: () => new CborSerializer() };
const say = (line) => process.stdout.write(`${line}\n`);
const fail = (what) => {
  say(`error ${what instanceof Error ? what.message : JSON.stringify(what)}`);
  process.exit(1);
};
setTimeout(() => fail('peer timeout'), 60000).unref();

const sessions = {};
try {
  for (const s of serializerList.split(',')) {
    const wampy = new Wampy(url, { realm: 'realm1', ws: WebSocket, serializer: makeSerializer[s](), autoReconnect: false });
    await wampy.connect();
    const p = `${prefix}.${s}`;
    await wampy.register(`${p}.add2`, ({ argsList }) => ({ argsList: [argsList[0] + argsList[1]] }));
    await wampy.subscribe(`${p}.in`, ({ argsList, argsDict }) => {
      wampy.publish(`${p}.out`, { argsList, argsDict }, { acknowledge: true }).catch(fail);
    });
    const echoed = await wampy.call('ours.echo', { argsList: [`from-wampy-${s}`], argsDict: { n: 1 } });
    if (echoed.argsList?.[0] !== `from-wampy-${s}`) fail(`echo mismatch ${JSON.stringify(echoed)}`);
    sessions[s] = wampy;
  }
} catch (error) {
  fail(error);
}
say('ready');
const lines = createInterface({ input: process.stdin });
lines.on('line', async (line) => {
  const [cmd, s, proc] = line.trim().split(' ');
  if (cmd !== 'call') return;
  try {
    const result = await sessions[s].call(proc, { argsList: [2, 3] });
    say(`result ${s} ${proc} ${JSON.stringify(result.argsList.length === 1 ? result.argsList[0] : result.argsList)}`);
  } catch (error) {
    fail(error);
  }
});
lines.on('close', async () => {
  for (const wampy of Object.values(sessions)) await wampy.disconnect();
  process.exit(0);
});
