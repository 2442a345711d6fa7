// Autobahn|JS and wampy (npm) as clients of our router: each serializer they support, and
// across libraries (one registers, the other calls). One peer process per library.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { Router } from '../../runtime/router/router.js';
import { connectWebSocketTransport } from '../../runtime/transports/websocket-transport.js';
import { ApplicationSession, type SessionDetails } from '../../runtime/wamp/session.js';
import { Result } from '../../runtime/wamp/application-error.js';
import { PeerProcess } from './peer-process.js';
import { withTimeout, delay } from '../router/helpers.js';

const require_ = createRequire(import.meta.url);
function available(name: string): boolean {
  try {
    require_.resolve(name);
    return true;
  } catch {
    return false;
  }
}

const peersDir = fileURLToPath(new URL('./peers/', import.meta.url));
// wampy sends undefined option values ({ match: undefined }). Over JSON they vanish; over CBOR
// (0xf7) and MessagePack (msgpackr's extension 0, `d4 00 00`) our serializers read them as absent.
const PEERS = {
  autobahn: { command: [process.execPath, '--experimental-websocket', `${peersDir}autobahn-peer.cjs`], serializers: ['json', 'msgpack', 'cbor'] },
  wampy: { command: [process.execPath, `${peersDir}wampy-peer.mjs`], serializers: ['json', 'msgpack', 'cbor'] },
} as const;
type PeerName = keyof typeof PEERS;
const ALL = ['json', 'msgpack', 'cbor'] as const;

describe('JavaScript WAMP clients against our router', () => {
  let router: Router;
  let ours: ApplicationSession;
  const peers = new Map<PeerName, PeerProcess>();

  before(async () => {
    router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0 }] });
    const [url] = (await router.start()) as [string];
    ours = new ApplicationSession({ realm: 'realm1' });
    const joined = new Promise<SessionDetails>((resolve) => ours.once('join', resolve));
    ours.attach(await connectWebSocketTransport(url, { serializers: ['cbor'] }));
    await withTimeout(joined, 15000, 'join');
    await ours.register('ours.echo', (args, kwargs) => new Result(args, kwargs));
    for (const name of Object.keys(PEERS) as PeerName[]) {
      if (!available(name)) continue;
      const [cmd, ...args] = PEERS[name].command;
      peers.set(name, new PeerProcess(cmd, [...args, url, name, PEERS[name].serializers.join(',')]));
    }
    for (const peer of peers.values()) await peer.waitFor(/^ready$/m, 60_000);
  });

  after(async () => {
    for (const peer of peers.values()) await peer.stop();
    await ours?.leave();
    ours?.disconnect();
    await router?.close(200);
  });

  for (const name of Object.keys(PEERS) as PeerName[]) {
    for (const serializer of ALL) {
      const supported = (PEERS[name].serializers as readonly string[]).includes(serializer);
      const skip = !available(name) ? `${name} is not installed` : !supported ? `${name} has no ${serializer} serializer` : false;
      test(`${name} (${serializer}): register, call, subscribe, publish with our client`, { skip }, async () => {
        const prefix = `${name}.${serializer}`;
        const events: unknown[] = [];
        await ours.subscribe(`${prefix}.out`, (args, kwargs) => void events.push([args, kwargs]));
        assert.equal(await ours.call(`${prefix}.add2`, [2, 3]), 5);
        await ours.publish(`${prefix}.in`, ['ping', 7], { k: 'v' }, { acknowledge: true });
        for (let i = 0; i < 2000 && events.length === 0; i++) await delay(5);
        assert.deepEqual(events, [[['ping', 7], { k: 'v' }]]);
      });
    }
  }

  for (const [callee, caller, serializer] of [['autobahn', 'wampy', 'cbor'], ['wampy', 'autobahn', 'msgpack']] as const) {
    test(`across libraries: ${callee} registers, ${caller} calls (over ${serializer})`, { skip: available('autobahn') && available('wampy') ? false : 'autobahn or wampy is not installed' }, async () => {
      const proc = `${callee}.json.add2`;
      const peer = peers.get(caller)!;
      peer.child.stdin!.write(`call ${serializer} ${proc}\n`);
      const m = await peer.waitFor(new RegExp(`^result ${serializer} ${proc.replace(/\./g, '\\.')} (.*)$`, 'm'));
      assert.equal(JSON.parse(m[1]!), 5);
    });
  }
});
