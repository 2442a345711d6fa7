/**
 * WAMP-SCRAM, client side. HELLO announces a fresh client nonce (authextra.nonce); the
 * CHALLENGE brings the combined nonce, salt and KDF parameters; AUTHENTICATE carries the
 * ClientProof (Extra: nonce, channel_binding: null, cbind_data: null); WELCOME's
 * authextra.verifier is checked against the ServerSignature we expect (mutual
 * authentication). Channel binding is not supported ("n" flag).
 *
 * One authenticator serves one session at a time: it keeps the exchange's state between
 * CHALLENGE and WELCOME, and draws a new client nonce for each exchange.
 */
import type { Authenticator } from '../wamp/auth.js';
import { AuthMethod } from './methods.js';
import { authError, AuthErrorCode, AuthUri, badChallenge, invalidOption } from './errors.js';
import { constantTimeEqualText, fromBase64, randomBytes, toBase64 } from './bytes.js';
import {
  ScramKdf, SCRAM_NONCE_LENGTH, normalizeScramString, scramAuthMessage, scramClientProof, scramKdf, scramKeys,
  scramSaltedPassword, scramServerSignature, type ScramKdfParams,
} from './scram-core.js';
import { integerIn, isRecord, requireOptions, requireString } from './options.js';

/**
 * The cost bounds a client accepts. Below the minimums a rogue router may be fishing for an
 * easily cracked hash (the spec says the client SHOULD abort); above the maximums it could
 * stall the client.
 */
export interface ScramCostLimits {
  minPbkdf2Iterations: number;
  maxPbkdf2Iterations: number;
  minArgon2Iterations: number;
  maxArgon2Iterations: number;
  /** KiB */
  minArgon2Memory: number;
  /** KiB */
  maxArgon2Memory: number;
}

export const DEFAULT_SCRAM_COST_LIMITS: Readonly<ScramCostLimits> = {
  minPbkdf2Iterations: 4096,
  maxPbkdf2Iterations: 10_000_000,
  minArgon2Iterations: 1,
  maxArgon2Iterations: 10_000,
  minArgon2Memory: 512,
  maxArgon2Memory: 1_048_576,
};

export interface ScramOptions {
  authid: string;
  password: string;
  /** Override some cost bounds (e.g. cheaper parameters in tests). */
  costLimits?: Partial<ScramCostLimits>;
}

interface Pending {
  nonce: string;
  authMessage: string;
  serverSignature: string;
}

function checkCost(extra: Record<string, unknown>, kdf: ScramKdf, limits: ScramCostLimits): ScramKdfParams & { salt: string } {
  const salt = extra['salt'];
  if (typeof salt !== 'string' || fromBase64(salt) === undefined || salt === '') throw badChallenge('wamp-scram challenge: salt must be non-empty canonical base64');
  const [min, max] = kdf === ScramKdf.PBKDF2 ? [limits.minPbkdf2Iterations, limits.maxPbkdf2Iterations] : [limits.minArgon2Iterations, limits.maxArgon2Iterations];
  const iterations = integerIn(extra['iterations'], min, max);
  if (iterations === undefined) throw badChallenge(`wamp-scram challenge: ${kdf} iterations must be an integer in ${min}..${max}, got ${JSON.stringify(extra['iterations'])}`);
  if (kdf === ScramKdf.PBKDF2) return { kdf, salt, iterations };
  const memory = integerIn(extra['memory'], limits.minArgon2Memory, limits.maxArgon2Memory);
  if (memory === undefined) {
    throw badChallenge(`wamp-scram challenge: argon2id13 memory must be an integer in ${limits.minArgon2Memory}..${limits.maxArgon2Memory} KiB, got ${JSON.stringify(extra['memory'])}`);
  }
  return { kdf, salt, iterations, memory };
}

export function scram(options: ScramOptions): Authenticator {
  const o = requireOptions(options, 'scram');
  const authid = requireString(o, 'authid', 'scram');
  const password = requireString(o, 'password', 'scram', true);
  // Fail at construction, not mid-handshake, on names SASLprep refuses.
  normalizeScramString(authid, 'the authid');
  normalizeScramString(password, 'the password');
  const limitsIn = o['costLimits'];
  if (limitsIn !== undefined && !isRecord(limitsIn)) throw invalidOption(`scram(): costLimits must be an object, got ${JSON.stringify(limitsIn)}`);
  const limits: ScramCostLimits = { ...DEFAULT_SCRAM_COST_LIMITS, ...(limitsIn as Partial<ScramCostLimits> | undefined) };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw invalidOption(`scram(): costLimits.${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }

  let clientNonce = toBase64(randomBytes(SCRAM_NONCE_LENGTH));
  let pending: Pending | null = null;
  // Salted passwords are cached per KDF parameters: reconnecting need not repeat the KDF.
  const salted = new Map<string, Promise<Uint8Array>>();

  return {
    method: AuthMethod.SCRAM,
    authid,
    get authextra() {
      return { nonce: clientNonce, channel_binding: null };
    },
    async onChallenge(extra) {
      pending = null;
      if (!isRecord(extra)) throw badChallenge('wamp-scram challenge: extra must be an object');
      const nonce = extra['nonce'];
      const ownNonce = clientNonce;
      // A fresh nonce for the next HELLO, whatever becomes of this exchange.
      clientNonce = toBase64(randomBytes(SCRAM_NONCE_LENGTH));
      if (typeof nonce !== 'string' || !nonce.startsWith(ownNonce) || nonce.length <= ownNonce.length) {
        throw badChallenge('wamp-scram challenge: nonce does not extend the client nonce');
      }
      const binding = extra['channel_binding'];
      if (binding !== undefined && binding !== null) throw badChallenge(`wamp-scram challenge: channel binding ${JSON.stringify(binding)} was not requested`);
      const kdf = scramKdf(extra['kdf']);
      if (kdf === undefined) throw badChallenge(`wamp-scram challenge: unknown kdf ${JSON.stringify(extra['kdf'])}`);
      const params = checkCost(extra, kdf, limits);
      const id = JSON.stringify([params.kdf, params.salt, params.iterations, params.memory ?? null]);
      let saltedPassword = salted.get(id);
      if (saltedPassword === undefined) {
        saltedPassword = scramSaltedPassword(password, params);
        salted.set(id, saltedPassword);
        saltedPassword.catch(() => salted.delete(id));
      }
      const keys = await scramKeys(await saltedPassword);
      const authMessage = scramAuthMessage({ authid, clientNonce: ownNonce, nonce, salt: params.salt, iterations: params.iterations, channelBinding: null, cbindData: null });
      pending = { nonce, authMessage, serverSignature: await scramServerSignature(keys.serverKey, authMessage) };
      return scramClientProof(keys, authMessage);
    },
    authenticateExtra() {
      return { nonce: pending?.nonce ?? null, channel_binding: null, cbind_data: null };
    },
    onWelcome(authextra) {
      const expected = pending;
      pending = null;
      const verifier = isRecord(authextra) ? authextra['verifier'] : undefined;
      if (expected === null || typeof verifier !== 'string') {
        throw authError(AuthErrorCode.BAD_WELCOME, 'wamp-scram: WELCOME carries no server signature (authextra.verifier)', AuthUri.AUTHENTICATION_FAILED);
      }
      // RFC 5802 spells the verifier "v=<base64>"; the spec's example does too. Accept the bare form as well.
      const got = verifier.startsWith('v=') ? verifier.slice(2) : verifier;
      if (!constantTimeEqualText(got, expected.serverSignature)) {
        throw authError(AuthErrorCode.BAD_WELCOME, 'wamp-scram: the router\'s server signature is wrong', AuthUri.AUTHENTICATION_FAILED);
      }
    },
  };
}
