// Payload passthru mode with wampy (npm), the JavaScript client that implements the spec's
// ppt_* form, through our router beside our client: calls and events both ways, for each
// ppt_serializer wampy has (native, json, msgpack, cbor) over its MessagePack, CBOR and JSON
// sessions. wampy's own limits, checked so the docs stay true: its JSON payload serializer
// writes the JSON text (a string) where the spec asks for bytes, which we accept, and cannot
// read the bytes we send; its JSON session serializer cannot carry binaries at all, so over
// JSON only native and json payloads are tried.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { Router } from '../../runtime/router/router.js';
import { connectWebSocketTransport } from '../../runtime/transports/websocket-transport.js';
import { ApplicationSession, type SessionDetails } from '../../runtime/wamp/session.js';
import { ApplicationError, Result } from '../../runtime/wamp/application-error.js';
import type { PayloadPassthru } from '../../runtime/wamp/types.js';
import { PeerProcess } from './peer-process.js';
import { withTimeout, delay } from '../router/helpers.js';

const require_ = createRequire(import.meta.url);
let skip: string | false = false;
try {
  require_.resolve('wampy');
} catch {
  skip = 'wampy is not installed (npm devDependency)';
}
const peerScript = fileURLToPath(new URL('./peers/wampy-passthru-peer.mjs', import.meta.url));
const RUNS = { cbor: ['native', 'json', 'msgpack', 'cbor'], msgpack: ['native', 'json', 'msgpack', 'cbor'], json: ['native', 'json'] } as const;
const pptOf = (s: string): PayloadPassthru => (s === 'native' ? { scheme: 'mqtt', serializer: 'native' } : { scheme: 'x_interop', serializer: s });
const wirePpt = (s: string): Record<string, string> => (s === 'native' ? { ppt_scheme: 'mqtt', ppt_serializer: 'native' } : { ppt_scheme: 'x_interop', ppt_serializer: s });

describe('payload passthru mode: wampy and our client through our router', { skip }, () => {
  let router: Router;
  let url: string;
  let ours: ApplicationSession;
  const events: Array<{ topic: string; args: unknown[]; kwargs: unknown; ppt: PayloadPassthru | undefined }> = [];

  before(async () => {
    router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0 }] });
    [url] = (await router.start()) as [string];
    ours = new ApplicationSession({ realm: 'realm1' });
    const joined = new Promise<SessionDetails>((resolve) => ours.once('join', resolve));
    ours.attach(await connectWebSocketTransport(url, { serializers: ['cbor'] }));
    await withTimeout(joined, 15_000, 'join');
    await ours.register('ours.ppt.echo', (args, kwargs, details) => {
      assert.ok(details.passthru, 'the call came in passthru mode');
      return new Result(args, { ...kwargs, by: 'ours' });
    });
    for (const s of RUNS.cbor) {
      await ours.subscribe(`ours.ppt.in.${s}`, (args, kwargs, details) => void events.push({ topic: s, args, kwargs, ppt: details.passthru }));
    }
  });

  after(async () => {
    await ours?.leave();
    await router?.close(200);
  });

  for (const [session, ppts] of Object.entries(RUNS)) {
    test(`wampy over ${session}: ppt ${ppts.join(', ')}`, async () => {
      const peer = new PeerProcess(process.execPath, [peerScript, url, session, ppts.join(',')]);
      try {
        await peer.waitFor(/^ready$/m, 60_000);
        for (const s of ppts) {
          // wampy calls us: our callee unpacks (wampy's JSON text too) and answers in that mode.
          const line = new RegExp(`^(call|callerror) ${s} (.*)$`, 'm').exec(peer.out);
          assert.ok(line !== null, `no call line for ${s}: ${peer.out}`);
          if (s === 'json') {
            assert.equal(line[1], 'callerror', 'wampy cannot read the JSON bytes the spec asks for');
          } else {
            assert.equal(line[1], 'call', line[2]);
            assert.deepEqual(JSON.parse(line[2]!), { args: ['w', 1], kwargs: { s, by: 'ours' }, ppt: wirePpt(s) });
          }

          // We call wampy in passthru mode: it answers in the same mode.
          const call = ours.callResult(`wampy.ppt.${s}`, ['a', 2], { k: 'v' }, { passthru: pptOf(s) });
          if (s === 'json') await assert.rejects(call, (e: unknown) => ApplicationError.is(e));
          else assert.deepEqual(await call, { args: [2, 'a'], kwargs: { k: 'v', by: 'wampy' } });

          // wampy publishes to us.
          events.length = 0;
          peer.child.stdin!.write(`publish ${s}\n`);
          await peer.waitFor(new RegExp(`^published ${s}$`, 'm'));
          for (let i = 0; i < 2000 && events.length === 0; i++) await delay(5);
          assert.deepEqual(events, [{ topic: s, args: ['from-wampy'], kwargs: { s }, ppt: pptOf(s) }]);

          // We publish to wampy (not json: wampy cannot read those bytes).
          if (s !== 'json') {
            await ours.publish(`wampy.ppt.in.${s}`, ['from-ours'], { s }, { acknowledge: true, passthru: pptOf(s) });
            const event = await peer.waitFor(new RegExp(`^event ${s} (.*)$`, 'm'));
            assert.deepEqual(JSON.parse(event[1]!), { args: ['from-ours'], kwargs: { s }, ppt: wirePpt(s) });
          }
        }
      } finally {
        await peer.stop();
      }
    });
  }
});
