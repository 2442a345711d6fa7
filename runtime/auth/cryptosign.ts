/**
 * WAMP-Cryptosign, client side: the router sends 32 random bytes (hex) in
 * CHALLENGE.extra.challenge; the client answers hex(Ed25519 signature || challenge), 96 bytes.
 * The public key is announced in HELLO.Details.authextra.pubkey. No TLS channel binding: a
 * challenge that names one is refused, since we never asked for it.
 *
 * Router authentication (optional): given the router's public key, the client sends its own
 * fresh 32-byte challenge in HELLO.Details.authextra.challenge and refuses a CHALLENGE unless
 * it carries that public key and the router's signature over that challenge.
 */
import type { Authenticator } from '../wamp/auth.js';
import { AuthMethod } from './methods.js';
import { badChallenge, invalidOption } from './errors.js';
import { concatBytes, constantTimeEqual, fromHex, randomBytes, toHex } from './bytes.js';
import { ED25519_SEED_LENGTH, ED25519_SIGNATURE_LENGTH, ed25519PublicKey, ed25519Sign, ed25519Verify } from './crypto.js';
import { isRecord, optionalRecord, optionalString, requireOptions } from './options.js';

export const CRYPTOSIGN_CHALLENGE_LENGTH = 32;

export interface CryptosignOptions {
  /** Optional: without one, the router assigns the authid of the principal the key belongs to. */
  authid?: string;
  /** The Ed25519 private key: its 32-byte seed, as bytes or 64 hex digits. */
  privateKey: Uint8Array | string;
  /** More HELLO authextra; `pubkey` is filled in (and, if given, must match the private key). */
  authextra?: Record<string, unknown>;
  /** The router's Ed25519 public key (hex): when given, the router must prove it holds the private key. */
  routerPublicKey?: string;
}

/** Ed25519 signature over the challenge, returned as Cryptosign's hex(signature || challenge). */
export function signCryptosignChallenge(seed: Uint8Array, challenge: Uint8Array): string {
  return toHex(concatBytes(ed25519Sign(challenge, seed), challenge));
}

/**
 * Checks a Cryptosign signature: hex of 64 signature bytes, optionally followed by the 32 signed
 * bytes (which must then equal `challenge`), made by `publicKey` (hex) over `challenge`.
 * Strict RFC 8032 verification; the echoed bytes are compared in constant time.
 */
export function verifyCryptosignSignature(publicKey: string, challenge: Uint8Array, signature: string): boolean {
  const key = fromHex(publicKey);
  const bytes = fromHex(signature);
  if (key === undefined || key.length !== 32 || bytes === undefined) return false;
  if (bytes.length !== ED25519_SIGNATURE_LENGTH && bytes.length !== ED25519_SIGNATURE_LENGTH + challenge.length) return false;
  const echoed = bytes.subarray(ED25519_SIGNATURE_LENGTH);
  const echoOk = echoed.length === 0 || constantTimeEqual(echoed, challenge);
  return ed25519Verify(bytes.subarray(0, ED25519_SIGNATURE_LENGTH), challenge, key) && echoOk;
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
  const routerKeyIn = o['routerPublicKey'];
  const routerKey = typeof routerKeyIn === 'string' ? fromHex(routerKeyIn) : undefined;
  if (routerKeyIn !== undefined && (routerKey === undefined || routerKey.length !== 32)) {
    throw invalidOption(`cryptosign(): routerPublicKey must be 64 hex digits, got ${JSON.stringify(routerKeyIn)}`);
  }
  // A fresh client challenge per exchange, so an old router signature cannot be replayed.
  let clientChallenge = routerKey === undefined ? undefined : randomBytes(CRYPTOSIGN_CHALLENGE_LENGTH);
  return {
    method: AuthMethod.CRYPTOSIGN,
    ...(authid === undefined ? {} : { authid }),
    get authextra() {
      return clientChallenge === undefined ? { ...extraIn, pubkey } : { ...extraIn, pubkey, challenge: toHex(clientChallenge) };
    },
    onChallenge(extra) {
      if (!isRecord(extra)) throw badChallenge('cryptosign challenge: extra must be an object');
      const ours = clientChallenge;
      if (ours !== undefined) {
        clientChallenge = randomBytes(CRYPTOSIGN_CHALLENGE_LENGTH);
        const theirKey = extra['pubkey'];
        const signature = extra['signature'];
        if (typeof theirKey !== 'string' || theirKey.toLowerCase() !== toHex(routerKey!) || typeof signature !== 'string' || !verifyCryptosignSignature(theirKey, ours, signature)) {
          throw badChallenge('cryptosign challenge: the router did not prove its identity (router public key or signature wrong)');
        }
      }
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
