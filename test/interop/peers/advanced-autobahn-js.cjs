// Autobahn|JS as an Advanced Profile client of our router, driven line by line.
// usage: node --experimental-websocket advanced-autobahn-js.cjs URL REALM CONFIG_JSON
// CONFIG_JSON: { ticket, craSecret, seed } — the credentials of the sessions it opens:
//   ticket (authid joe), wampcra (authid peter), cryptosign (key from seed), and "bad" (a
//   wrong ticket, which the router must refuse).
// Prints JSON lines: {"ev":"joined"|"refused",...} per session, then {"ev":"ready"}; then reads
// JSON commands {id, op, s, ...} (op: subscribe, publish, call, register) and answers
// {"id":..,"ok":..}; events arrive as {"ev":"event",...}. Ends when stdin closes.
'use strict';
const path = require('node:path');
const readline = require('node:readline');
const autobahn = require('autobahn');
const nacl = require(require.resolve('tweetnacl', { paths: [path.dirname(require.resolve('autobahn'))] }));

const [url, realm, configJson] = process.argv.slice(2);
const config = JSON.parse(configJson);
const say = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
setTimeout(() => {
  say({ ev: 'error', message: 'peer timeout' });
  process.exit(1);
}, 90_000).unref();

const keyPair = nacl.sign.keyPair.fromSeed(Buffer.from(config.seed, 'hex'));
const SESSIONS = {
  ticket: { authmethods: ['ticket'], authid: 'joe', onchallenge: () => config.ticket },
  wampcra: { authmethods: ['wampcra'], authid: 'peter', onchallenge: (s, m, extra) => autobahn.auth_cra.sign(config.craSecret, extra.challenge) },
  cryptosign: {
    authmethods: ['cryptosign'],
    authextra: { pubkey: autobahn.auth_cryptosign.public_key(keyPair) },
    onchallenge: (s, m, extra) => autobahn.auth_cryptosign.sign_challenge(keyPair, extra),
  },
  bad: { authmethods: ['ticket'], authid: 'joe', onchallenge: () => 'wrong ticket' },
};

const sessions = {};
/** Calls in progress by the test's tag, for 'cancel'. */
const calls = {};
const plain = (value) => (value instanceof autobahn.Result ? { args: value.args || [], kwargs: value.kwargs || {} } : { args: value === undefined ? [] : [value], kwargs: {} });

function open(name) {
  return new Promise((resolve) => {
    const connection = new autobahn.Connection({
      transports: [{ type: 'websocket', url, serializers: [new autobahn.serializer.JSONSerializer()] }],
      realm,
      max_retries: 0,
      ...SESSIONS[name],
    });
    let settled = false;
    connection.onopen = (session, details) => {
      sessions[name] = { connection, session };
      say({ ev: 'joined', s: name, session: session.id, authid: details.authid, authrole: details.authrole, authmethod: details.authmethod });
      settled = true;
      resolve();
    };
    connection.onclose = (reason, details) => {
      if (!settled) {
        settled = true;
        say({ ev: 'refused', s: name, reason: (details && details.reason) || reason });
        resolve();
      }
      return true; // no reconnect
    };
    connection.open();
  });
}

const BEHAVIOURS = {
  // Progressive call results from the callee side: two progressive results, then the final one.
  progress: (args, kwargs, details) => {
    if (details.progress) {
      details.progress([1]);
      details.progress([2]);
    }
    return 3;
  },
  // What the dealer told us: the procedure actually called (pattern registrations), the caller.
  // Never answers (Autobahn|JS callees do not handle INTERRUPT; the dealer then skips).
  slow: (args, kwargs, details) => {
    say({ ev: 'invoked', procedure: details.procedure });
    return new Promise(() => {});
  },
  details: (args, kwargs, details) => new autobahn.Result([], { procedure: details.procedure, caller: details.caller === undefined ? null : details.caller }),
};

async function run(cmd) {
  const entry = sessions[cmd.s];
  if (entry === undefined) throw new Error(`no session ${cmd.s}`);
  const { session } = entry;
  switch (cmd.op) {
    case 'subscribe': {
      const sub = await session.subscribe(cmd.topic, (args, kwargs, details) => {
        say({ ev: 'event', s: cmd.s, sub: cmd.topic, topic: details.topic || cmd.topic, args: args || [], kwargs: kwargs || {}, publisher: details.publisher === undefined ? null : details.publisher, retained: details.retained === true });
      }, cmd.options || {});
      return { subscription: sub.id };
    }
    case 'publish': {
      await session.publish(cmd.topic, cmd.args || [], cmd.kwargs || {}, { ...(cmd.options || {}), acknowledge: true });
      return {};
    }
    case 'call': {
      const progress = [];
      const pending = session.call(cmd.procedure, cmd.args || [], cmd.kwargs || {}, cmd.options || {});
      if (cmd.tag !== undefined) calls[cmd.tag] = pending;
      const result = await pending.then(
        (r) => r,
        (e) => Promise.reject(e),
        (p) => progress.push(plain(p).args),
      );
      return { ...plain(result), progress };
    }
    case 'cancel': {
      calls[cmd.tag].cancel({ mode: cmd.mode });
      return {};
    }
    case 'register': {
      const reg = await session.register(cmd.procedure, BEHAVIOURS[cmd.behaviour], cmd.options || {});
      return { registration: reg.id };
    }
    default:
      throw new Error(`unknown op ${cmd.op}`);
  }
}

(async () => {
  for (const name of Object.keys(SESSIONS)) await open(name);
  say({ ev: 'ready' });
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    const cmd = JSON.parse(line);
    run(cmd).then(
      (reply) => say({ id: cmd.id, ok: true, ...reply }),
      (error) => say({ id: cmd.id, ok: false, error: (error && (error.error || error.message)) || String(error) }),
    );
  });
  lines.on('close', () => {
    for (const { connection } of Object.values(sessions)) connection.close();
    setTimeout(() => process.exit(0), 100);
  });
})();
