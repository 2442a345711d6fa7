// Autobahn|Python (Debian python3-autobahn, asyncio, PyNaCl for Cryptosign) against our
// router with Advanced Profile features and ticket, WAMP-CRA and Cryptosign authentication.
import { describe } from 'node:test';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { advancedScenarios, PeerDriver, REALM } from './advanced-driver.js';

const PYTHON = '/usr/bin/python3';
const script = fileURLToPath(new URL('./peers/advanced-autobahn-python.py', import.meta.url));

function missing(): string | false {
  const probe = spawnSync(PYTHON, ['-c', 'import autobahn.asyncio, autobahn.wamp.cryptosign, nacl'], { encoding: 'utf8', timeout: 30_000 });
  return probe.status === 0 ? false : `Autobahn|Python with PyNaCl is not available (${PYTHON} with python3-autobahn, python3-nacl)`;
}

describe('Autobahn|Python: Advanced Profile and authentication against our router', () => {
  advancedScenarios('abpy', missing(), { answersKill: false, handlesInterrupt: true }, (url, c) => new PeerDriver(PYTHON, [script, url, REALM, JSON.stringify(c)]));
});
