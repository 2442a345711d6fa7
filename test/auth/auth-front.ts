// A stand-in for the router's HELLO/CHALLENGE/AUTHENTICATE handling, driven by RealmAuth over a
// real transport: what router-session.ts does once authentication is integrated, reduced to the
// authentication phase (after WELCOME it answers nothing). Lets the real ApplicationSession and
// the client authenticators be tested end to end before the router supports them.
import { createMemoryPair } from '../../runtime/transports/memory.js';
import type { WampTransport } from '../../runtime/transports/transport.js';
import { RealmAuth, type AuthOutcome } from '../../runtime/auth/router/index.js';

const HELLO = 1;
const WELCOME = 2;
const ABORT = 3;
const CHALLENGE = 4;
const AUTHENTICATE = 5;

export interface AuthFront {
  client: WampTransport;
  /** Messages the front received from the client, in order. */
  received: unknown[][];
  outcomes: AuthOutcome[];
}

export function startAuthFront(realm: RealmAuth, session = 1001): AuthFront {
  const [client, server] = createMemoryPair();
  const handshake = realm.handshake();
  const front: AuthFront = { client, received: [], outcomes: [] };
  const reply = (outcome: AuthOutcome): void => {
    front.outcomes.push(outcome);
    if (outcome.kind === 'challenge') server.send([CHALLENGE, outcome.method, outcome.extra]);
    else if (outcome.kind === 'abort') {
      server.send([ABORT, { message: outcome.message }, outcome.reason]);
      server.close(1000);
    } else {
      const r = outcome.result;
      server.send([WELCOME, session, {
        realm: 'realm1', authid: r.authid, authrole: r.authrole, authmethod: r.authmethod, authprovider: r.authprovider,
        authextra: r.authextra, roles: { broker: { features: {} }, dealer: { features: {} } },
      }]);
    }
  };
  server.on('message', (value) => {
    const m = value as unknown[];
    front.received.push(m);
    if (m[0] === HELLO) {
      const d = (m[2] ?? {}) as Record<string, unknown>;
      void handshake.hello({
        realm: String(m[1]),
        session,
        ...(typeof d['authid'] === 'string' ? { authid: d['authid'] } : {}),
        ...(Array.isArray(d['authmethods']) ? { authmethods: d['authmethods'] as string[] } : {}),
        ...(typeof d['authextra'] === 'object' && d['authextra'] !== null ? { authextra: d['authextra'] as Record<string, unknown> } : {}),
      }).then(reply);
    } else if (m[0] === AUTHENTICATE) {
      void handshake.authenticate(m[1], m[2]).then(reply);
    }
  });
  return front;
}
