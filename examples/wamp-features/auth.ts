// Authentication: WAMP-CRA (salted password) and Cryptosign (Ed25519 key), client and router.
//
//   npx tsx examples/wamp-features/auth.ts
//
// The embedded router gets a realm whose `auth` section lists who may join and how: a WAMP-CRA
// user whose password the router stores only as a PBKDF2-derived key, and a device known by
// its Ed25519 public key. Each client joins with its authenticator and learns the authid and
// role the router gave it; a wrong password is refused. (Keys are generated for the run: a
// real device keeps its 32-byte seed secret and the router config lists its public key.)
import { randomBytes } from 'node:crypto';
import { ApplicationSession, type SessionConfig } from '../../runtime/wamp/session.js';
import { connectWebSocketTransport } from '../../runtime/transports/websocket-transport.js';
import { Router } from '../../runtime/router/router.js';
import { cryptosign, cryptosignPublicKey, deriveCraKey, wampcra } from '../../runtime/auth/index.js';
import type { RealmAuthConfig } from '../../runtime/auth/router/index.js';

const SALT = randomBytes(16).toString('hex');
const ITERATIONS = 1000;
const KEYLEN = 32;
const deviceSeed = randomBytes(32).toString('hex');

const auth: RealmAuthConfig = {
  wampcra: {
    type: 'static',
    users: { alice: { secret: await deriveCraKey('correct horse', SALT, ITERATIONS, KEYLEN), role: 'user', salt: SALT, iterations: ITERATIONS, keylen: KEYLEN } },
  },
  cryptosign: {
    type: 'static',
    principals: { 'sensor-7': { authorized_keys: [cryptosignPublicKey(deviceSeed)], role: 'device' } },
  },
};
const realm = { name: 'realm1', auth };
const router = new Router({ realms: [realm], listeners: [{ type: 'websocket', port: 0 }] });
const [url] = await router.start();

/** Joins with the given authenticators; resolves with what the router said. */
async function tryJoin(config: SessionConfig): Promise<string> {
  const session = new ApplicationSession(config);
  const outcome = new Promise<string>((resolve) => {
    session.once('join', (d) => resolve(`joined as ${d.authid} (role ${d.authrole}, method ${d.authmethod})`));
    session.once('leave', (d) => resolve(`refused: ${d.reason}${d.message === undefined ? '' : ` (${d.message})`}`));
  });
  session.attach(await connectWebSocketTransport(url!));
  const result = await outcome;
  if (session.isOpen) await session.leave();
  session.disconnect();
  return result;
}

const results = {
  wampcra: await tryJoin({ realm: 'realm1', authenticators: [wampcra({ authid: 'alice', secret: 'correct horse' })] }),
  cryptosign: await tryJoin({ realm: 'realm1', authenticators: [cryptosign({ privateKey: deviceSeed })] }),
  'wrong password': await tryJoin({ realm: 'realm1', authenticators: [wampcra({ authid: 'alice', secret: 'battery staple' })] }),
};
for (const [who, what] of Object.entries(results)) console.log(`${who}: ${what}`);
await router.close();

const ok = results.wampcra.startsWith('joined as alice') && results.cryptosign.startsWith('joined as sensor-7') && results['wrong password'].startsWith('refused');
console.log(ok ? 'OK' : 'FAIL: the router did not authenticate as configured (does it support realm auth yet?)');
process.exit(ok ? 0 : 1);
