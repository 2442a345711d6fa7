// Autobahn|Python (Debian python3-autobahn, asyncio) as a client of our router over WebSocket and RawSocket.
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
  const probe = spawnSync(PYTHON, ['-c', 'import autobahn.asyncio, msgpack, cbor2; print(autobahn.__version__)'], { encoding: 'utf8', timeout: 20_000 });
  return probe.status === 0 ? false : `Autobahn|Python is not available (${PYTHON} with python3-autobahn, python3-msgpack, python3-cbor2)`;
}

describe('Autobahn|Python against our router', () => {
  const skip = pythonAutobahn();
  let router: Router;
  let wsUrl = '';
  let rsUrl = '';
  let ours: ApplicationSession;

  before(async () => {
    if (skip !== false) return;
    router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0, rawsocket: true }] });
    [wsUrl, rsUrl] = (await router.start()) as [string, string];
    ours = new ApplicationSession({ realm: 'realm1' });
    const joined = new Promise<SessionDetails>((resolve) => ours.once('join', resolve));
    ours.attach(await connectWebSocketTransport(wsUrl, { serializers: ['msgpack'] }));
    await withTimeout(joined, 5000, 'join');
    await ours.register('ours.echo', (args, kwargs) => new Result(args, kwargs));
  });

  after(async () => {
    if (skip !== false) return;
    await ours.leave();
    ours.disconnect();
    await router.close(200);
  });

  const cases: Array<[string, string]> = [];
  for (const transport of ['websocket', 'rawsocket']) for (const s of ['json', 'msgpack', 'cbor']) cases.push([transport, s]);
  for (const [transport, serializer] of cases) {
    test(`Autobahn|Python over ${transport} with ${serializer}: register, call, subscribe, publish`, { skip }, async () => {
      const prefix = `py.${transport}.${serializer}`;
      const events: unknown[] = [];
      await ours.subscribe(`${prefix}.out`, (args, kwargs) => void events.push([args, kwargs]));
      const url = transport === 'websocket' ? wsUrl : rsUrl;
      const peer = new PeerProcess(PYTHON, [script, url, serializer, prefix]);
      try {
        await peer.waitFor(/^ready$/m, 30_000);
        assert.equal(await ours.call(`${prefix}.add2`, [2, 3]), 5);
        await ours.publish(`${prefix}.in`, ['ping', 7], { k: 'v' }, { acknowledge: true });
        for (let i = 0; i < 400 && events.length === 0; i++) await delay(5);
        assert.deepEqual(events, [[['ping', 7], { k: 'v' }]]);
        await ours.publish(`${prefix}.stop`, [], {}, { acknowledge: true });
        assert.equal(await withTimeout(peer.exited, 15_000, 'python exit'), 0);
      } finally {
        await peer.stop();
      }
    });
  }
});
