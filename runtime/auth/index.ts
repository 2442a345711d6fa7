/**
 * wampkit authentication, client side (browser-safe: no Node built-ins in this import graph).
 * Pass these as `authenticators` in the session or Component config.
 */
export { ticket, type TicketOptions } from './ticket.js';
export { wampcra, deriveCraKey, computeCraSignature, CRA_LIMITS, type WampCraOptions } from './wampcra.js';
export { cryptosign, cryptosignPublicKey, signCryptosignChallenge, verifyCryptosignSignature, type CryptosignOptions } from './cryptosign.js';
export { scram, DEFAULT_SCRAM_COST_LIMITS, type ScramOptions, type ScramCostLimits } from './scram.js';
export { deriveScramCredential, ScramKdf, type ScramCredential, type DeriveScramOptions } from './scram-core.js';
export { AuthMethod, AuthProvider } from './methods.js';
export { AuthErrorCode, AuthUri } from './errors.js';
export { anonymous, type Authenticator } from '../wamp/auth.js';
