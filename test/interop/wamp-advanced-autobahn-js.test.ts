// Autobahn|JS (npm autobahn, run with node --experimental-websocket) against our router with
// Advanced Profile features and ticket, WAMP-CRA and Cryptosign authentication.
import { describe } from 'node:test';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { advancedScenarios, PeerDriver, REALM } from './advanced-driver.js';

const require_ = createRequire(import.meta.url);
function missing(): string | false {
  try {
    require_.resolve('autobahn');
    return false;
  } catch {
    return 'npm autobahn is not installed';
  }
}

const script = fileURLToPath(new URL('./peers/advanced-autobahn-js.cjs', import.meta.url));

describe('Autobahn|JS: Advanced Profile and authentication against our router', () => {
  // Its callees do not announce call_canceling: the dealer turns a kill into a skip for them.
  advancedScenarios('abjs', missing(), { answersKill: true, handlesInterrupt: false }, (url, c) => new PeerDriver(process.execPath, ['--experimental-websocket', script, url, REALM, JSON.stringify(c)]));
});
