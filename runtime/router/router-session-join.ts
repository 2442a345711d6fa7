/**
 * The establishing phase of a router session (spec: session establishment, authentication):
 * HELLO names a realm, whose authentication decides — WELCOME at once, CHALLENGE/AUTHENTICATE
 * rounds first, or ABORT. router-session.ts owns the state; these steps change it through
 * `JoinState`, one object for all sessions, so a session carries nothing extra for them.
 */
import { MessageType } from '../wamp/message-types.js';
import { ErrorUri } from '../wamp/uris.js';
import type { WampMessage } from '../wamp/messages.js';
import type { WampTransport } from '../transports/transport.js';
import type { RouterPeer } from './peer.js';
import type { RoutingCore } from './realm.js';
import { ROUTER_ROLES } from './features.js';
import type { AuthHandshake, RealmAuth } from '../auth/router/handshake.js';
import type { AuthOutcome, AuthResult } from '../auth/router/types.js';
import { helloInfo, welcomeAuthDetails } from '../auth/router/session-glue.js';
import { logger } from '../log.js';

const log = logger('router');

/** HELLO.Details.roles: the roles and features the peer announced. */
export type PeerRoles = Record<string, { features?: Record<string, unknown> }>;

/** What the establishing phase needs of the router. */
export interface JoinHost {
  findRealm(name: string): RoutingCore | undefined;
  /** The realm's authentication (its configured methods). */
  realmAuth(name: string): RealmAuth | undefined;
}

/** What it needs of the session itself. */
export interface JoiningSession extends RouterPeer {
  readonly transport: WampTransport;
  abort(reason: string, message: string): void;
}

/** The session state the steps change; router-session.ts implements it once for all sessions. */
export interface JoinState<S extends JoiningSession> {
  host(s: S): JoinHost;
  /** HELLO accepted: AUTHENTICATING for `realm` under a new session ID; returns the realm's handshake. */
  authenticating(s: S, realm: RoutingCore, auth: RealmAuth, roles: PeerRoles): AuthHandshake;
  /** The handshake under way (null when the session is not AUTHENTICATING). */
  handshake(s: S): AuthHandshake | null;
  /** The verdict is in: the handshake is over; returns the realm it was for. */
  settled(s: S): RoutingCore | null;
  /** Authenticated: JOINED in `realm` as `result` (WELCOME not sent yet). */
  joined(s: S, realm: RoutingCore, result: AuthResult): void;
}

export function hello<S extends JoiningSession>(s: S, state: JoinState<S>, msg: WampMessage): void {
  if (msg.type !== MessageType.HELLO) return;
  const host = state.host(s);
  const realm = host.findRealm(msg.realm);
  const auth = host.realmAuth(msg.realm);
  if (realm === undefined || auth === undefined) {
    s.abort(ErrorUri.NO_SUCH_REALM, `no realm named '${msg.realm}' exists on this router`);
    return;
  }
  const details = msg.details as Record<string, unknown>;
  const handshake = state.authenticating(s, realm, auth, (details['roles'] ?? {}) as PeerRoles);
  const transport = { type: s.transport.serializerName === 'memory' ? 'memory' : 'network', peer: s.transport.peer };
  log.debug(() => `HELLO from ${transport.peer} for realm ${realm.name}: session ${s.sessionId}, authmethods ${JSON.stringify(details['authmethods'] ?? ['anonymous'])}, authid ${JSON.stringify(details['authid'] ?? null)}`);
  void handshake.hello(helloInfo(realm.name, s.sessionId, details, transport)).then((outcome) => verdict(s, state, handshake, outcome));
}

export function authenticate<S extends JoiningSession>(s: S, state: JoinState<S>, msg: WampMessage): void {
  const handshake = state.handshake(s);
  if (msg.type !== MessageType.AUTHENTICATE || handshake === null) return;
  void handshake.authenticate(msg.signature, msg.extra).then((outcome) => verdict(s, state, handshake, outcome));
}

function verdict<S extends JoiningSession>(s: S, state: JoinState<S>, handshake: AuthHandshake, outcome: AuthOutcome): void {
  // A late outcome for a session that closed, or moved on to another HELLO, is moot.
  if (state.handshake(s) !== handshake) return;
  if (outcome.kind === 'challenge') {
    log.debug(() => `session ${s.sessionId}: CHALLENGE ${outcome.method}`);
    s.send([MessageType.CHALLENGE, outcome.method, outcome.extra]);
    return;
  }
  const realm = state.settled(s);
  if (outcome.kind === 'abort' || realm === null) {
    s.abort(outcome.kind === 'abort' ? outcome.reason : ErrorUri.NO_SUCH_REALM, outcome.kind === 'abort' ? outcome.message : 'realm gone');
    return;
  }
  const { result } = outcome;
  state.joined(s, realm, result);
  log.debug(() => `session ${s.sessionId}: authenticated by ${result.authmethod} as authid ${result.authid}, authrole ${result.authrole}`);
  s.send([MessageType.WELCOME, s.sessionId, { realm: realm.name, ...welcomeAuthDetails(result), roles: ROUTER_ROLES }]);
  log.info(() => `session ${s.sessionId} joined realm ${realm.name} from ${s.transport.peer} (authid ${result.authid}, authrole ${result.authrole}, authmethod ${result.authmethod})`);
  // After WELCOME: on_join (and anything it triggers) must not reach the client before it.
  realm.join(s);
}
