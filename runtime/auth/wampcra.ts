/**
 * WAMP-CRA, client side and its shared computations: the signature is
 * base64(HMAC-SHA256(key, challenge)), where the key is the secret's UTF-8 bytes, or, for a
 * salted secret, the UTF-8 bytes of base64(PBKDF2-HMAC-SHA256(secret, salt, iterations, keylen))
 * (Autobahn's `derive_key`; salt taken as the UTF-8 bytes of the string in CHALLENGE.extra.salt).
 */
import type { Authenticator } from '../wamp/auth.js';
import { AuthMethod } from './methods.js';
import { badChallenge, invalidOption } from './errors.js';
import { toBase64, utf8 } from './bytes.js';
import { hmacSha256, pbkdf2Sha256 } from './crypto.js';
import { integerIn, isRecord, optionalRecord, requireOptions, requireString } from './options.js';

/** Limits on the PBKDF2 parameters a router may ask for: a rogue router must not stall the client. */
export const CRA_LIMITS = {
  MAX_ITERATIONS: 10_000_000,
  MAX_KEYLEN: 1024,
  DEFAULT_ITERATIONS: 1000,
  DEFAULT_KEYLEN: 32,
} as const;

export interface CraSalt {
  salt: string;
  iterations?: number;
  keylen?: number;
}

/** The derived key for a salted WAMP-CRA secret (what a router stores as the user's `secret`). */
export async function deriveCraKey(secret: string, salt: string, iterations: number = CRA_LIMITS.DEFAULT_ITERATIONS, keylen: number = CRA_LIMITS.DEFAULT_KEYLEN): Promise<string> {
  return toBase64(await pbkdf2Sha256(utf8(secret), utf8(salt), iterations, keylen));
}

/**
 * base64(HMAC-SHA256(key, challenge)). `key` is the secret itself or a derived key. An empty key
 * is refused with AUTH_INVALID_OPTION (WebCrypto would throw a raw DOMException for it; HMAC with
 * an empty key would be no secret at all).
 */
export async function computeCraSignature(key: string, challenge: string): Promise<string> {
  if (typeof key !== 'string' || key === '') throw invalidOption(`computeCraSignature(): the key must be a non-empty string, got ${key === '' ? 'an empty one' : typeof key}`);
  if (typeof challenge !== 'string') throw invalidOption(`computeCraSignature(): the challenge must be a string, got ${typeof challenge}`);
  return toBase64(await hmacSha256(utf8(key), utf8(challenge)));
}

/** Reads salt/iterations/keylen from CHALLENGE.extra; undefined for an unsalted challenge. */
export function craSaltFromChallenge(extra: Record<string, unknown>): Required<CraSalt> | undefined {
  const salt = extra['salt'];
  if (salt === undefined || salt === null) return undefined;
  if (typeof salt !== 'string') throw badChallenge('wampcra challenge: salt must be a string');
  const iterations = extra['iterations'] ?? CRA_LIMITS.DEFAULT_ITERATIONS;
  const keylen = extra['keylen'] ?? CRA_LIMITS.DEFAULT_KEYLEN;
  const it = integerIn(iterations, 1, CRA_LIMITS.MAX_ITERATIONS);
  const kl = integerIn(keylen, 1, CRA_LIMITS.MAX_KEYLEN);
  if (it === undefined) throw badChallenge(`wampcra challenge: iterations must be an integer in 1..${CRA_LIMITS.MAX_ITERATIONS}, got ${JSON.stringify(iterations)}`);
  if (kl === undefined) throw badChallenge(`wampcra challenge: keylen must be an integer in 1..${CRA_LIMITS.MAX_KEYLEN}, got ${JSON.stringify(keylen)}`);
  return { salt, iterations: it, keylen: kl };
}

export interface WampCraOptions {
  authid: string;
  /** The shared secret (the password when the router salts it). */
  secret: string;
  authextra?: Record<string, unknown>;
}

export function wampcra(options: WampCraOptions): Authenticator {
  const o = requireOptions(options, 'wampcra');
  const authid = requireString(o, 'authid', 'wampcra');
  const secret = requireString(o, 'secret', 'wampcra', true);
  const authextra = optionalRecord(o, 'authextra', 'wampcra');
  // Derived keys are cached per salt/iterations/keylen: reconnects need not repeat PBKDF2.
  const derived = new Map<string, Promise<string>>();
  return {
    method: AuthMethod.WAMPCRA,
    authid,
    ...(authextra === undefined ? {} : { authextra }),
    async onChallenge(extra) {
      if (!isRecord(extra) || typeof extra['challenge'] !== 'string') throw badChallenge('wampcra challenge: extra.challenge must be a string');
      const salted = craSaltFromChallenge(extra);
      let key = secret;
      if (salted !== undefined) {
        const id = JSON.stringify([salted.salt, salted.iterations, salted.keylen]);
        let pending = derived.get(id);
        if (pending === undefined) {
          pending = deriveCraKey(secret, salted.salt, salted.iterations, salted.keylen);
          derived.set(id, pending);
        }
        key = await pending;
      }
      return computeCraSignature(key, extra['challenge']);
    },
  };
}
