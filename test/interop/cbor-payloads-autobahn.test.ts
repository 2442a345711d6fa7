// Payload fidelity over CBOR between Autobahn|JS (npm `autobahn`, which uses the npm `cbor`
// package) and wampkit, through our router: typed arrays (one of them big-endian), a Date, a
// Set, an unknown tag, 2^128-1 and -(2^128) arrive unchanged, in every direction:
// our caller/publisher -> Autobahn callee/subscriber, Autobahn caller/publisher -> our
// callee/subscriber, and Autobahn -> our router -> Autobahn (what Crossbar.io does).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Router } from '../../runtime/router/router.js';
import { connectWebSocketTransport } from '../../runtime/transports/websocket-transport.js';
import { ApplicationSession, type SessionDetails } from '../../runtime/wamp/session.js';
import { Result } from '../../runtime/wamp/application-error.js';
import { CborTag, cbor } from '../../runtime/serializers/index.js';
import { PeerProcess } from './peer-process.js';
import { withTimeout, delay } from '../router/helpers.js';

const require_ = createRequire(import.meta.url);
const { describe: describeValue } = require_('./peers/describe-value.cjs') as { describe(v: unknown): string };
function available(name: string): boolean {
  try {
    require_.resolve(name);
    return true;
  } catch {
    return false;
  }
}
const SKIP = available('autobahn') ? false : 'autobahn (npm) is not installed';
const peerScript = fileURLToPath(new URL('./peers/autobahn-cbor-payloads.cjs', import.meta.url));

/** A big-endian Float32Array as only a CBOR peer can make it: decoded from tag 81. */
const bigEndianFloats = (cbor.deserialize(new Uint8Array(Buffer.from('81d8514840490fdb3fc00000', 'hex'))) as [Float32Array])[0];

/** What we send. */
const OURS: unknown[] = [
  new Uint16Array([1, 65535]),
  new Float32Array([1.5, -2.25]),
  bigEndianFloats,
  new Int8Array([-1, 2]),
  new BigUint64Array([2n ** 64n - 1n]),
  new Float64Array([Math.E]),
  new Date(1700000000123),
  new Set([1, 'a', new Date(0)]),
  new CborTag(4242, { nested: [1, 2] }),
  2n ** 128n - 1n,
  -(2n ** 128n),
  new Uint8Array([9, 9]),
];
const OURS_KW = { when: new Date(1700000000000), big: -(2n ** 128n), tagged: new CborTag(1000, 'x') };
/** What Autobahn|JS must print for it: the same, except that our byte string is a Buffer there. */
const OURS_AT_AUTOBAHN = `${describeValue(OURS).replace('Uint8Array(9,9)', 'Buffer(9,9)')} ${describeValue(OURS_KW)}`;

/** What the peer sends (autobahn-cbor-payloads.cjs VALUES/KWARGS), as we must receive it. */
const THEIRS: unknown[] = [
  new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]),
  new Uint16Array([1, 65535]),
  new Float32Array([1.5, -2.25]),
  new Int32Array([-7]),
  new BigInt64Array([-5n]),
  new Float64Array([Math.PI]),
  new Date(1700000000123),
  new Set([1, 'a']),
  new CborTag(4242, 'custom'),
  2n ** 128n - 1n,
  -(2n ** 128n),
];
const THEIRS_KW = { when: new Date(1700000000000), big: 2n ** 128n - 1n, bytes: new Uint8Array([9]) };

/** Compares with types: a Buffer is not a Uint8Array here (Autobahn would see the difference). */
function assertSame(actual: unknown, expected: unknown, what: string): void {
  assert.equal(describeValue(actual), describeValue(expected), what);
  assert.deepEqual(actual, expected, what);
}

describe('CBOR payloads between Autobahn|JS and wampkit through our router', { skip: SKIP }, () => {
  let router: Router;
  let ours: ApplicationSession;
  let peer: PeerProcess;
  const invocations: Array<[unknown, unknown]> = [];
  const events: Array<[unknown, unknown]> = [];

  before(async () => {
    router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0 }] });
    const [url] = (await router.start()) as [string];
    ours = new ApplicationSession({ realm: 'realm1' });
    const joined = new Promise<SessionDetails>((resolve) => ours.once('join', resolve));
    ours.attach(await connectWebSocketTransport(url, { serializers: ['cbor'] }));
    await withTimeout(joined, 15000, 'join');
    await ours.register('ours.echo', (args, kwargs) => {
      invocations.push([args, kwargs]);
      return new Result(args, kwargs);
    });
    await ours.subscribe('ours.topic', (args, kwargs) => void events.push([args, kwargs]));
    peer = new PeerProcess(process.execPath, ['--experimental-websocket', peerScript, url]);
    await peer.waitFor(/^ready$/m, 60_000);
  });

  after(async () => {
    await peer?.stop();
    await ours?.leave();
    ours?.disconnect();
    await router?.close(200);
  });

  test('our caller -> Autobahn|JS callee: it receives exactly our values, and we get them back', async () => {
    const result = (await ours.call('ab.echo', OURS, OURS_KW)) as Result;
    const invoked = await peer.waitFor(/^invoked (.*)$/m);
    assert.equal(invoked[1], OURS_AT_AUTOBAHN);
    // Our byte string came back as one; in Node our decoder hands those out as Buffer views.
    assertSame(result.args, [...OURS.slice(0, -1), Buffer.from([9, 9])], 'result args');
    assertSame(result.kwargs, OURS_KW, 'result kwargs');
  });

  test('our publisher -> Autobahn|JS subscriber', async () => {
    await ours.publish('ab.topic', OURS, OURS_KW, { acknowledge: true });
    const event = await peer.waitFor(/^event (.*)$/m);
    assert.equal(event[1], OURS_AT_AUTOBAHN);
  });

  test('Autobahn|JS caller -> our callee: we receive its values as natural JS values, it gets them back unchanged', async () => {
    peer.child.stdin!.write('call-ours\n');
    const echoed = await peer.waitFor(/^ours-echo (\w+) (.*)$/m);
    assert.equal(invocations.length, 1);
    const [args, kwargs] = invocations[0]!;
    assertSame(args, THEIRS, 'args at our callee');
    assertSame(kwargs, THEIRS_KW, 'kwargs at our callee');
    assert.equal(echoed[1], 'same', `Autobahn|JS got back ${echoed[2]}`);
  });

  test('Autobahn|JS publisher -> our subscriber', async () => {
    peer.child.stdin!.write('publish-ours\n');
    await peer.waitFor(/^published$/m);
    for (let i = 0; i < 400 && events.length === 0; i++) await delay(5);
    assert.equal(events.length, 1);
    assertSame(events[0]![0], THEIRS, 'event args');
    assertSame(events[0]![1], THEIRS_KW, 'event kwargs');
  });

  test('Autobahn|JS -> our router -> Autobahn|JS: everything comes back as sent (tag-64 Uint8Array included)', async () => {
    peer.child.stdin!.write('call-self\n');
    const echoed = await peer.waitFor(/^self-echo (\w+) (.*)$/m);
    assert.equal(echoed[1], 'same', `Autobahn|JS got back ${echoed[2]}`);
  });
});
