/**
 * The client side of session establishment (spec: session establishment, authentication):
 * the HELLO we send with the methods we offer, the CHALLENGE answered with AUTHENTICATE, and
 * WELCOME, which a mutually authenticating method (WAMP-SCRAM) checks before we count as joined.
 * session.ts owns the state; these steps reach it through `JoiningSession`.
 */
import type { WampTransport } from '../transports/transport.js';
import { MessageType } from './message-types.js';
import type { MessageOf, WampMessage } from './messages.js';
import { ErrorUri } from './uris.js';
import { createError } from '../errors.js';
import { SessionErrorCode } from './session-wire.js';
import { CLIENT_ROLES } from './session-roles.js';
import type { Challenge, CloseDetails, JoinOptions, SessionConfig, SessionDetails } from './session-types.js';

/** What the join steps need of their session; session.ts builds one per session. */
export interface JoiningSession {
  readonly config: SessionConfig;
  readonly transport: WampTransport | null;
  /** Still JOINING: an authenticator's late answer for a join given up since is dropped. */
  readonly joining: boolean;
  send(message: unknown[]): void;
  /** The session's (overridable) onChallenge. */
  onChallenge(challenge: Challenge): string | Promise<string>;
  /** WELCOME accepted: the session is JOINED. */
  joined(msg: MessageOf<typeof MessageType.WELCOME>): void;
  /** The join failed (or the session ended): back to CONNECTED, join() rejected. */
  left(details: CloseDetails): void;
}

/** The options `onConnect` joins with by default: the config's, completed from its authenticators. */
export function defaultJoinOptions(config: SessionConfig): JoinOptions {
  const options: JoinOptions = { ...config };
  const auth = config.authenticators ?? [];
  if (options.authmethods === undefined && auth.some((a) => a.method !== 'anonymous')) options.authmethods = auth.map((a) => a.method);
  const withId = auth.find((a) => a.authid !== undefined);
  if (options.authid === undefined && withId?.authid !== undefined) options.authid = withId.authid;
  // Every offered method may need its own HELLO extra (cryptosign's pubkey, SCRAM's nonce).
  const extras = auth.flatMap((a) => (a.authextra === undefined ? [] : [a.authextra]));
  if (options.authextra === undefined && extras.length > 0) options.authextra = Object.assign({}, ...extras) as Record<string, unknown>;
  return options;
}

/** The default `onChallenge`: the configured authenticator of the challenge's method answers. */
export function answerChallenge(config: SessionConfig, challenge: Challenge): string | Promise<string> {
  const authenticator = config.authenticators?.find((a) => a.method === challenge.method);
  if (authenticator !== undefined) return authenticator.onChallenge(challenge.extra);
  throw createError(SessionErrorCode.JOIN_FAILED, `no authenticator for challenge method '${challenge.method}'`);
}

/** HELLO for `realm`: our roles, and the authentication fields the options give. */
export function helloMessage(realm: string, options: JoinOptions): unknown[] {
  const details: Record<string, unknown> = { roles: CLIENT_ROLES, agent: 'wampkit' };
  if (options.authmethods !== undefined) details['authmethods'] = options.authmethods;
  if (options.authid !== undefined) details['authid'] = options.authid;
  if (options.authrole !== undefined) details['authrole'] = options.authrole;
  if (options.authextra !== undefined) details['authextra'] = options.authextra;
  return [MessageType.HELLO, realm, details];
}

/** What WELCOME tells us; `realm` is the one we asked for, in case the router does not say. */
export function welcomeDetails(msg: MessageOf<typeof MessageType.WELCOME>, realm: string, rejoined: boolean): SessionDetails {
  const d = msg.details;
  const details: SessionDetails = {
    realm: typeof d['realm'] === 'string' ? d['realm'] : realm,
    session: msg.session,
    routerRoles: d.roles,
    rejoined,
  };
  if (d.authid !== undefined) details.authid = d.authid;
  if (d.authrole !== undefined) details.authrole = d.authrole;
  if (d.authmethod !== undefined) details.authmethod = d.authmethod;
  if (d.authprovider !== undefined) details.authprovider = d.authprovider;
  if (d.authextra !== undefined) details.authextra = d.authextra;
  return details;
}

/** Why ABORT or GOODBYE ended the session. */
export function closeDetails(msg: MessageOf<typeof MessageType.ABORT> | MessageOf<typeof MessageType.GOODBYE>): CloseDetails {
  const details: CloseDetails = { reason: msg.reason };
  if (typeof msg.details.message === 'string') details.message = msg.details.message;
  return details;
}

export function welcome(s: JoiningSession, msg: WampMessage): void {
  if (msg.type !== MessageType.WELCOME) return;
  const d = msg.details;
  // Mutual authentication (WAMP-SCRAM): the authenticator checks the router's proof first.
  const authenticator = s.config.authenticators?.find((a) => a.method === d.authmethod);
  if (authenticator?.onWelcome === undefined) {
    s.joined(msg);
    return;
  }
  const transport = s.transport;
  Promise.resolve()
    .then(() => authenticator.onWelcome?.(d.authextra ?? {}))
    .then(
      () => {
        if (s.transport === transport && s.joining) s.joined(msg);
      },
      (error: unknown) => {
        if (s.transport !== transport || !s.joining) return;
        const message = error instanceof Error ? error.message : String(error);
        s.send([MessageType.ABORT, { message }, ErrorUri.AUTHENTICATION_FAILED]);
        s.left({ reason: ErrorUri.AUTHENTICATION_FAILED, message });
        transport?.close(1000, 'authentication failed');
      },
    );
}

export function challenge(s: JoiningSession, msg: WampMessage): void {
  if (msg.type !== MessageType.CHALLENGE) return;
  const challenge: Challenge = { method: msg.authMethod, extra: msg.extra };
  Promise.resolve()
    .then(() => s.onChallenge(challenge))
    .then(
      (signature) => {
        // WAMP-SCRAM sends its combined nonce in AUTHENTICATE.Extra.
        const extra = s.config.authenticators?.find((a) => a.method === challenge.method)?.authenticateExtra?.() ?? {};
        s.send([MessageType.AUTHENTICATE, signature, extra]);
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        s.send([MessageType.ABORT, { message }, ErrorUri.AUTHENTICATION_FAILED]);
        s.left({ reason: ErrorUri.AUTHENTICATION_FAILED, message });
      },
    );
}
