// wampy as a payload passthru peer of our router: node wampy-passthru-peer.mjs URL SESSION_SERIALIZER PPT_SERIALIZERS
// For each ppt serializer S (native, json, msgpack, cbor): registers wampy.ppt.S (answers in the
// same mode with its args reversed and kwargs plus { by: 'wampy' }), subscribes wampy.ppt.in.S
// (prints "event S <json>"), and calls our ours.ppt.echo in that mode (prints "call S <json>" or
// "callerror S <message>"); then prints "ready". Lines are JSON of { args, kwargs, ppt }.
import { Wampy } from 'wampy';
import { JsonSerializer } from 'wampy/JsonSerializer.js';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';
import { CborSerializer } from 'wampy/CborSerializer.js';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const [url, sessionSerializer, pptList] = process.argv.slice(2);
const make = { json: () => new JsonSerializer(), msgpack: () => new MsgpackSerializer(), cbor: () => new CborSerializer() };
const say = (line) => process.stdout.write(`${line}\n`);
const fail = (what) => {
  say(`error ${what instanceof Error ? what.message : JSON.stringify(what)}`);
  process.exit(1);
};
setTimeout(() => fail('peer timeout'), 60000).unref();

const pptOf = (s) => (s === 'native' ? { ppt_scheme: 'mqtt', ppt_serializer: 'native' } : { ppt_scheme: 'x_interop', ppt_serializer: s });
const pptOfDetails = (d) => Object.fromEntries(Object.entries(d ?? {}).filter(([k]) => k.startsWith('ppt_')));

let wampy;
try {
  wampy = new Wampy(url, {
    realm: 'realm1', ws: WebSocket, serializer: make[sessionSerializer](), autoReconnect: false,
    payloadSerializers: { json: make.json(), msgpack: make.msgpack(), cbor: make.cbor() },
  });
  await wampy.connect();
  for (const s of pptList.split(',')) {
    await wampy.register(`wampy.ppt.${s}`, ({ argsList, argsDict }) => ({
      argsList: [...(argsList ?? [])].reverse(), argsDict: { ...argsDict, by: 'wampy' }, options: pptOf(s),
    }));
    await wampy.subscribe(`wampy.ppt.in.${s}`, ({ argsList, argsDict, details }) => {
      say(`event ${s} ${JSON.stringify({ args: argsList, kwargs: argsDict, ppt: pptOfDetails(details) })}`);
    });
  }
  for (const s of pptList.split(',')) {
    try {
      const r = await wampy.call('ours.ppt.echo', { argsList: ['w', 1], argsDict: { s } }, pptOf(s));
      say(`call ${s} ${JSON.stringify({ args: r.argsList, kwargs: r.argsDict, ppt: pptOfDetails(r.details) })}`);
    } catch (error) {
      say(`callerror ${s} ${error?.message ?? JSON.stringify(error)}`);
    }
  }
} catch (error) {
  fail(error);
}
say('ready');
const lines = createInterface({ input: process.stdin });
lines.on('line', async (line) => {
  const [cmd, s] = line.trim().split(' ');
  if (cmd !== 'publish') return;
  try {
    await wampy.publish(`ours.ppt.in.${s}`, { argsList: ['from-wampy'], argsDict: { s } }, { ...pptOf(s), exclude_me: true });
    say(`published ${s}`);
  } catch (error) {
    fail(error);
  }
});
lines.on('close', async () => {
  await wampy.disconnect();
  process.exit(0);
});
