// End-to-end encryption with Autobahn|Python's WAMP-cryptobox (NaCl box: X25519 +
// XSalsa20-Poly1305; Debian python3-autobahn 22.7 with python3-nacl), through our router,
// which forwards the encrypted bytes untouched (router/passthru.ts): our client calls and
// publishes to the Python peer, and the Python peer to our client, each side decrypting
// what the other encrypted (runtime/wamp/cryptobox.ts). Over JSON, MessagePack and CBOR.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Router } from '../../runtime/router/router.js';
import { connectWebSocketTransport } from '../../runtime/transports/websocket-transport.js';
import { ApplicationSession, type SessionDetails } from '../../runtime/wamp/session.js';
import { ApplicationError, Result } from '../../runtime/wamp/application-error.js';
import { CryptoboxKey, CryptoboxKeyRing } from '../../runtime/wamp/cryptobox.js';
import { PeerProcess } from './peer-process.js';
import { withTimeout, delay } from '../router/helpers.js';

const PYTHON = '/usr/bin/python3';
const script = fileURLToPath(new URL('./peers/autobahn-cryptobox-peer.py', import.meta.url));
const probe = spawnSync(PYTHON, ['-c', 'from autobahn.wamp.cryptobox import HAS_CRYPTOBOX; assert HAS_CRYPTOBOX'], { stdio: 'ignore' });
const skip = probe.status === 0 ? false : `Autobahn|Python with cryptobox is not available (${PYTHON} with python3-autobahn, which brings python3-nacl and python3-trie)`;

describe('end-to-end encryption with Autobahn|Python (cryptobox) through our router', { skip }, () => {
  let router: Router;
  let url: string;
  const peerKeys = CryptoboxKeyRing.generateKey();
  const ourKeys = CryptoboxKeyRing.generateKey();

  before(async () => {
    router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0 }] });
    [url] = (await router.start()) as [string];
  });

  after(async () => {
    await router?.close(200);
  });

  for (const serializer of ['json', 'msgpack', 'cbor'] as const) {
    test(`calls, errors and events both ways, encrypted, over ${serializer}`, async () => {
      const ring = new CryptoboxKeyRing();
      // We originate pyserve.e2e.* (call, publish) and answer ours.e2e.* (callee, subscriber).
      ring.setKey('pyserve.e2e.', new CryptoboxKey({ originatorPrivate: ourKeys.privateKey, responderPublic: peerKeys.publicKey }));
      ring.setKey('ours.e2e.', new CryptoboxKey({ responderPrivate: ourKeys.privateKey, originatorPublic: peerKeys.publicKey }));
      const ours = new ApplicationSession({ realm: 'realm1', payloadCodec: ring });
      const joined = new Promise<SessionDetails>((resolve) => ours.once('join', resolve));
      ours.attach(await connectWebSocketTransport(url, { serializers: [serializer] }));
      await withTimeout(joined, 15_000, 'join');
      const seen: unknown[] = [];
      await ours.register('ours.e2e.echo', (args, kwargs, details) => {
        seen.push(details.encAlgo);
        return new Result([...args].reverse(), { ...kwargs, by: 'ours' });
      });
      const events: unknown[] = [];
      await ours.subscribe('ours.e2e.topic', (args, kwargs, details) => void events.push([args, kwargs, details.encAlgo]));
      // A plain watcher on the same topic sees only ciphertext: the router did not decrypt.
      const watcher = new ApplicationSession({ realm: 'realm1' });
      const watcherJoined = new Promise<SessionDetails>((resolve) => watcher.once('join', resolve));
      watcher.attach(await connectWebSocketTransport(url, { serializers: [serializer] }));
      await withTimeout(watcherJoined, 15_000, 'join');
      const watcherErrors: unknown[] = [];
      watcher.on('error', (e) => void watcherErrors.push(e));
      await watcher.subscribe('ours.e2e.topic', () => assert.fail('a session without the key cannot read the event'));

      const peer = new PeerProcess(PYTHON, [script, url, serializer, JSON.stringify({ peer_priv: peerKeys.privateKey, ours_pub: ourKeys.publicKey })]);
      try {
        await peer.waitFor(/^ready$/m, 60_000);
        // The peer called us: we decrypted, answered encrypted, it decrypted.
        const call = /^call (.*)$/m.exec(peer.out);
        assert.deepEqual(JSON.parse(call![1]!), { args: [2, 'from-python'], kwargs: { n: 3, by: 'ours' } });
        assert.deepEqual(seen, ['cryptobox']);
        for (let i = 0; i < 2000 && (events.length === 0 || watcherErrors.length === 0); i++) await delay(5);
        assert.deepEqual(events, [[['py-event', 1], { k: 'v' }, 'cryptobox']]);
        assert.match(String((watcherErrors[0] as Error).message), /no payload codec/);

        // We call the peer, encrypted; it answers encrypted.
        assert.deepEqual(await ours.callResult('pyserve.e2e.echo', ['a', 1], { k: 'v' }), { args: [1, 'a'], kwargs: { k: 'v', by: 'python', enc: 'cryptobox' } });
        await assert.rejects(ours.call('pyserve.e2e.fail', ['x']), (e: unknown) =>
          ApplicationError.is(e) && e.error === 'com.example.e2e_failed' && e.args[0] === 'python says no');
        await ours.publish('pyserve.e2e.topic', ['to-python'], { secret: true }, { acknowledge: true });
        const event = await peer.waitFor(/^event (.*)$/m);
        assert.deepEqual(JSON.parse(event[1]!), { args: ['to-python'], kwargs: { secret: true }, enc: 'cryptobox' });
      } finally {
        await peer.stop();
        await ours.leave();
        await watcher.leave();
      }
    });
  }
});
