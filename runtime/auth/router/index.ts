/** Router-side authentication: realm auth config, per-method verifiers, and the per-session handshake. */
export { RealmAuth, AuthHandshake, type HandshakeOptions } from './handshake.js';
export {
  validateRealmAuthConfig, DEFAULT_REALM_AUTH, type RealmAuthConfig, type DynamicAuthConfig, type AnonymousAuthConfig,
  type TicketPrincipal, type WampCraUser, type CryptosignPrincipal, type CryptosignRouterKey, type ScramPrincipal,
} from './config.js';
export type { AuthOutcome, AuthResult, AuthenticatorCall, HelloInfo, MethodStep, RouterAuthenticator } from './types.js';
export { anonymousAuthenticator, DEFAULT_ANONYMOUS_ROLE } from './anonymous.js';
export { ticketAuthenticator } from './ticket.js';
export { wampcraAuthenticator } from './wampcra.js';
export { cryptosignAuthenticator } from './cryptosign.js';
export { scramAuthenticator } from './scram.js';
export { deriveCraKey } from '../wampcra.js';
export { deriveScramCredential, ScramKdf, type ScramCredential } from '../scram-core.js';
export { AuthMethod, AuthProvider } from '../methods.js';
export { AuthErrorCode, AuthUri } from '../errors.js';
export { dealerCall, type DealerCallOptions } from '../../router/dealer-call.js';
export { helloInfo, welcomeAuthDetails } from './session-glue.js';
