/**
 * The establishing phase of a router session (spec: session establishment, authentication), as
 * the router sees authentication: through two interfaces (a realm's authentication hands each
 * session a handshake that turns HELLO and AUTHENTICATE into a verdict), which
 * runtime/auth/router's RealmAuth implements and router.ts plugs in, and the pure conversions
 * between WAMP messages and that handshake. router-session.ts owns the state and acts on verdicts.
 */
import { challengeMessage, welcomeMessage, type ChallengeMessage, type HelloMessage, type WelcomeMessage } from '../wamp/messages.js';
import type { WampTransport } from '../transports/transport.js';
import type { AuthOutcome, AuthResult, HelloInfo } from '../auth/router/types.js';
import { helloInfo, welcomeAuthDetails } from '../auth/router/session-glue.js';
import { ROUTER_ROLES } from './features.js';

/** One session's authentication: HELLO -> (CHALLENGE -> AUTHENTICATE)* -> verdict. */
export interface SessionAuthentication {
  hello(hello: HelloInfo): Promise<AuthOutcome>;
  authenticate(signature: unknown, extra: unknown): Promise<AuthOutcome>;
}

/** A realm's authentication (its configured methods): a fresh handshake per session. */
export interface RealmAuthentication {
  handshake(): SessionAuthentication;
}

/** HELLO.Details.roles: the roles and features the peer announced. */
export type PeerRoles = Record<string, { features?: Record<string, unknown> }>;

export function peerRoles(msg: HelloMessage): PeerRoles {
  return (msg.details.roles ?? {}) as PeerRoles;
}

/** What the handshake learns of a HELLO (and of the transport, for dynamic authenticators). */
export function helloOf(msg: HelloMessage, realm: string, session: number, transport: WampTransport): HelloInfo {
  const kind = transport.serializerName === 'memory' ? 'memory' : 'network';
  return helloInfo(realm, session, msg.details, { type: kind, peer: transport.peer });
}

export function challengeOf(outcome: Extract<AuthOutcome, { kind: 'challenge' }>): ChallengeMessage {
  return challengeMessage(outcome.method, outcome.extra);
}

/** WELCOME for a session authenticated as `result`: its identity and the router's roles. */
export function welcomeOf(session: number, realm: string, result: AuthResult): WelcomeMessage {
  return welcomeMessage(session, { realm, ...welcomeAuthDetails(result), roles: ROUTER_ROLES });
}
