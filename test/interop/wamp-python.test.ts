// Autobahn|Python (Debian python3-autobahn, asyncio) as a client of our router over WebSocket
// and RawSocket with each serializer: one Python process holding all six sessions.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Router } from '../../runtime/router/router.js';
import { connectWebSocketTransport } from '../../runtime/transports/websocket-transport.js';
import { ApplicationSession, type SessionDetails } from '../../runtime/wamp/session.js';
import { Result } from '../../runtime/wamp/application-error.js';
import { PeerProcess } from './peer-process.js';
import { withTimeout, delay } from '../router/helpers.js';

const PYTHON = '/usr/bin/python3';
const script = fileURLToPath(new URL('./peers/autobahn-python-peer.py', import.meta.url));

function pythonAutobahn(): string | false {
  const probe = spawnSync(PYTHON, ['-c', 'import autobahn.asyncio, msgpack, cbor2'], { encoding: 'utf8', timeout: 30_000 });
  return probe.status === 0 ? false : `Autobahn|Python is not available (${PYTHON} with python3-autobahn, python3-msgpack, python3-cbor2)`;
}

describe('Autobahn|Python against our router', () => {
  const skip = pythonAutobahn();
  let router: Router;
  let ours: ApplicationSession;
  let peer: PeerProcess;

  before(async () => {
    if (skip !== false) return;
    router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0, rawsocket: true }] });
    const [wsUrl, rsUrl] = (await router.start()) as [string, string];
    ours = new ApplicationSession({ realm: 'realm1' });
    const joined = new Promise<SessionDetails>((resolve) => ours.once('join', resolve));
    ours.attach(await connectWebSocketTransport(wsUrl, { serializers: ['msgpack'] }));
    await withTimeout(joined, 15000, 'join');
    await ours.register('ours.echo', (args, kwargs) => new Result(args, kwargs));
    peer = new PeerProcess(PYTHON, [script, 'py', wsUrl, rsUrl]);
    await peer.waitFor(/^ready$/m, 60_000);
  });

  after(async () => {
    if (skip !== false) return;
    await ours.publish('py.stop', [], {}, { acknowledge: true }).catch(() => {});
    await withTimeout(peer.exited, 15_000, 'python exit').catch(() => {});
    await peer.stop();
    await ours.leave();
    ours.disconnect();
    await router.close(200);
  });

  for (const transport of ['ws', 'rs']) {
    for (const serializer of ['json', 'msgpack', 'cbor']) {
      test(`Autobahn|Python over ${transport === 'ws' ? 'WebSocket' : 'RawSocket'} with ${serializer}: register, call, subscribe, publish`, { skip }, async () => {
        const prefix = `py.${transport}.${serializer}`;
        const events: unknown[] = [];
        await ours.subscribe(`${prefix}.out`, (args, kwargs) => void events.push([args, kwargs]));
        assert.equal(await ours.call(`${prefix}.add2`, [2, 3]), 5);
        await ours.publish(`${prefix}.in`, ['ping', 7], { k: 'v' }, { acknowledge: true });
        for (let i = 0; i < 2000 && events.length === 0; i++) await delay(5);
        assert.deepEqual(events, [[['ping', 7], { k: 'v' }]]);
      });
    }
  }

  test('Autobahn|Python sessions leave cleanly on request', { skip }, async () => {
    await ours.publish('py.stop', [], {}, { acknowledge: true });
    assert.equal(await withTimeout(peer.exited, 15_000, 'python exit'), 0);
  });
});
