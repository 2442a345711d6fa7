// wampy as a client of our router: node wampy-peer.mjs URL SERIALIZER PREFIX MODE (modes as autobahn-peer.cjs).
import { Wampy } from 'wampy';
import { JsonSerializer } from 'wampy/JsonSerializer.js';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';
import { CborSerializer } from 'wampy/CborSerializer.js';
import WebSocket from 'ws';

const [url, serializerName, prefix, mode] = process.argv.slice(2);
const serializers = { json: () => new JsonSerializer(), msgpack: () => new MsgpackSerializer(), cbor: () => new CborSerializer() };
const fail = (what) => {
  process.stdout.write(`error ${what instanceof Error ? what.message : JSON.stringify(what)}\n`);
  process.exit(1);
};
setTimeout(() => fail('peer timeout'), 20000).unref();

const wampy = new Wampy(url, { realm: 'realm1', ws: WebSocket, serializer: serializers[serializerName](), autoReconnect: false });
try {
  await wampy.connect();
  if (mode === 'full') {
    await wampy.register(`${prefix}.add2`, ({ argsList }) => ({ argsList: [argsList[0] + argsList[1]] }));
    await wampy.subscribe(`${prefix}.in`, ({ argsList, argsDict }) => {
      wampy.publish(`${prefix}.out`, { argsList, argsDict }, { acknowledge: true }).catch(fail);
    });
    const echoed = await wampy.call('ours.echo', { argsList: ['from-wampy'], argsDict: { n: 1 } });
    if (echoed.argsList?.[0] !== 'from-wampy') fail(`echo mismatch ${JSON.stringify(echoed)}`);
    process.stdout.write('ready\n');
    process.stdin.resume();
    process.stdin.on('end', async () => {
      await wampy.disconnect();
      process.exit(0);
    });
  } else if (mode.startsWith('call:')) {
    const result = await wampy.call(mode.slice(5), { argsList: [2, 3] });
    process.stdout.write(`result ${JSON.stringify(result.argsList.length === 1 ? result.argsList[0] : result.argsList)}\n`);
    await wampy.disconnect();
    process.exit(0);
  }
} catch (error) {
  fail(error);
}
