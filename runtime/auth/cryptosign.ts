/**
 * WAMP-Cryptosign, client side: the router sends 32 random bytes (hex) in
 * CHALLENGE.extra.challenge; the client answers hex(Ed25519 signature || challenge), 96 bytes.
 * The public key is announced in HELLO.Details.authextra.pubkey. No TLS channel binding: a
 * challenge that names one is refused, since we never asked for it.
 */
import type { Authenticator } from '../wamp/auth.js';
import { AuthMethod } from './methods.js';
import { badChallenge, invalidOption } from './errors.js';
import { concatBytes, fromHex, toHex } from './bytes.js';
import { ED25519_SEED_LENGTH, ed25519PublicKey, ed25519Sign } from './crypto.js';
import { isRecord, optionalRecord, optionalString, requireOptions } from './options.js';

export const CRYPTOSIGN_CHALLENGE_LENGTH = 32;

export interface CryptosignOptions {
  /** Optional: without one, the router assigns the authid of the principal the key belongs to. */
  authid?: string;
  /** The Ed25519 private key: its 32-byte seed, as bytes or 64 hex digits. */
  privateKey: Uint8Array | string;
  /** More HELLO authextra; `pubkey` is filled in (and, if given, must match the private key). */
  authextra?: Record<string, unknown>;
}

/** Ed25519 signature over the challenge, returned as Cryptosign's hex(signature || challenge). */
export function signCryptosignChallenge(seed: Uint8Array, challenge: Uint8Array): string {
  return toHex(concatBytes(ed25519Sign(challenge, seed), challenge));
}

/** The hex public key of an Ed25519 seed (32 bytes or 64 hex digits). */
export function cryptosignPublicKey(privateKey: Uint8Array | string): string {
  return toHex(ed25519PublicKey(seedFrom(privateKey)));
}

function seedFrom(privateKey: unknown): Uint8Array {
  const seed = typeof privateKey === 'string' ? fromHex(privateKey) : privateKey instanceof Uint8Array ? new Uint8Array(privateKey) : undefined;
  if (seed === undefined || seed.length !== ED25519_SEED_LENGTH) {
    throw invalidOption(`cryptosign(): privateKey must be a ${ED25519_SEED_LENGTH}-byte Ed25519 seed (Uint8Array or ${2 * ED25519_SEED_LENGTH} hex digits)`);
  }
  return seed;
}

export function cryptosign(options: CryptosignOptions): Authenticator {
  const o = requireOptions(options, 'cryptosign');
  const authid = optionalString(o, 'authid', 'cryptosign');
  const seed = seedFrom(o['privateKey']);
  const pubkey = toHex(ed25519PublicKey(seed));
  const extraIn = optionalRecord(o, 'authextra', 'cryptosign') ?? {};
  const announced = extraIn['pubkey'];
  if (announced !== undefined && (typeof announced !== 'string' || announced.toLowerCase() !== pubkey)) {
    throw invalidOption(`cryptosign(): authextra.pubkey ${JSON.stringify(announced)} does not belong to privateKey`);
  }
  if (extraIn['channel_binding'] !== undefined && extraIn['channel_binding'] !== null) {
    throw invalidOption(`cryptosign(): channel binding ${JSON.stringify(extraIn['channel_binding'])} is not supported`);
  }
  const authextra = { ...extraIn, pubkey };
  return {
    method: AuthMethod.CRYPTOSIGN,
    ...(authid === undefined ? {} : { authid }),
    authextra,
    onChallenge(extra) {
      if (!isRecord(extra)) throw badChallenge('cryptosign challenge: extra must be an object');
      const binding = extra['channel_binding'];
      if (binding !== undefined && binding !== null) throw badChallenge(`cryptosign challenge: channel binding ${JSON.stringify(binding)} was not requested`);
      const hex = extra['challenge'];
      const challenge = typeof hex === 'string' ? fromHex(hex) : undefined;
      if (challenge === undefined || challenge.length !== CRYPTOSIGN_CHALLENGE_LENGTH) {
        throw badChallenge(`cryptosign challenge: extra.challenge must be ${CRYPTOSIGN_CHALLENGE_LENGTH} bytes as hex`);
      }
      return signCryptosignChallenge(seed, challenge);
    },
  };
}
