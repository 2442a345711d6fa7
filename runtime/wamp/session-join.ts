/**
 * The client side of session establishment (spec: session establishment, authentication), as
 * pure steps: the HELLO we send with the methods we offer, the AUTHENTICATE answering a
 * CHALLENGE, the check a mutually authenticating method (WAMP-SCRAM) makes of WELCOME before we
 * count as joined, and what WELCOME, ABORT and GOODBYE tell us. session.ts owns the state and
 * decides what happens next.
 */
import type { MessageType } from './message-types.js';
import { authenticateMessage, helloMessage, type AuthenticateMessage, type HelloDetails, type HelloMessage, type MessageOf } from './messages.js';
import { createError } from '../errors.js';
import { SessionErrorCode } from './session-checks.js';
import { CLIENT_ROLES } from './session-roles.js';
import type { Challenge, CloseDetails, JoinOptions, SessionConfig, SessionDetails } from './session-types.js';

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
export function helloFor(realm: string, options: JoinOptions): HelloMessage {
  const details: HelloDetails = { roles: CLIENT_ROLES, agent: 'wampkit' };
  if (options.authmethods !== undefined) details.authmethods = options.authmethods;
  if (options.authid !== undefined) details.authid = options.authid;
  if (options.authrole !== undefined) details.authrole = options.authrole;
  if (options.authextra !== undefined) details.authextra = options.authextra;
  return helloMessage(realm, details);
}

/**
 * The AUTHENTICATE answering a CHALLENGE: `onChallenge` (the session's, overridable) gives the
 * signature; the method's authenticator may add Extra (WAMP-SCRAM's combined nonce).
 */
export async function authenticate(
  config: SessionConfig, msg: MessageOf<typeof MessageType.CHALLENGE>, onChallenge: (challenge: Challenge) => string | Promise<string>,
): Promise<AuthenticateMessage> {
  const challenge: Challenge = { method: msg.authMethod, extra: msg.extra };
  const signature = await onChallenge(challenge);
  const extra = config.authenticators?.find((a) => a.method === challenge.method)?.authenticateExtra?.() ?? {};
  return authenticateMessage(signature, extra);
}

/**
 * Mutual authentication: the check the authenticator of WELCOME's authmethod makes of the
 * router's proof (WAMP-SCRAM), or undefined when it makes none and the session joins at once.
 */
export function welcomeCheck(config: SessionConfig, msg: MessageOf<typeof MessageType.WELCOME>): Promise<void> | undefined {
  const d = msg.details;
  const authenticator = config.authenticators?.find((a) => a.method === d.authmethod);
  if (authenticator?.onWelcome === undefined) return undefined;
  return Promise.resolve().then(() => authenticator.onWelcome?.(d.authextra ?? {}));
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
