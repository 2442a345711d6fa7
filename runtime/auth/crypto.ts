/**
 * The cryptographic primitives the authentication methods need, browser-safe:
 * HMAC-SHA256, SHA-256 and PBKDF2-HMAC-SHA256 from WebCrypto (`globalThis.crypto.subtle`,
 * native in browsers and Node 20), with the pure-JS @noble/hashes versions where WebCrypto is
 * missing (a browser page served over plain http from another host is not a secure context and
 * has no `crypto.subtle`); Argon2id and Ed25519 always from the audited, dependency-free
 * @noble packages (WebCrypto has no Argon2, and its Ed25519 cannot derive a public key from a
 * seed synchronously nor is it in every browser).
 */
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { pbkdf2Async } from '@noble/hashes/pbkdf2.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { ed25519 } from '@noble/curves/ed25519.js';

type Subtle = typeof globalThis.crypto.subtle;

function subtle(): Subtle | undefined {
  return globalThis.crypto?.subtle;
}

// WebCrypto's typings want ArrayBuffer-backed views; copying also detaches us from callers' buffers.
function buf(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  const s = subtle();
  if (s === undefined) return nobleSha256(data);
  return new Uint8Array(await s.digest('SHA-256', buf(data)));
}

export async function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const s = subtle();
  if (s === undefined) return hmac(nobleSha256, key, data);
  const k = await s.importKey('raw', buf(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await s.sign('HMAC', k, buf(data)));
}

export async function pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number, keylen: number): Promise<Uint8Array> {
  const s = subtle();
  if (s === undefined) return pbkdf2Async(nobleSha256, password, salt, { c: iterations, dkLen: keylen });
  const k = await s.importKey('raw', buf(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await s.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: buf(salt), iterations }, k, keylen * 8);
  return new Uint8Array(bits);
}

/** Argon2id v1.3 with parallelism 1 (what WAMP-SCRAM fixes); memory in KiB. Yields to the event loop while it runs. */
export async function argon2id(password: Uint8Array, salt: Uint8Array, iterations: number, memory: number, keylen = 32): Promise<Uint8Array> {
  return argon2idAsync(password, salt, { t: iterations, m: memory, p: 1, dkLen: keylen, version: 0x13 });
}

export const ED25519_SEED_LENGTH = 32;
export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(seed);
}

export function ed25519Sign(message: Uint8Array, seed: Uint8Array): Uint8Array {
  return ed25519.sign(message, seed);
}

/** Strict RFC 8032 verification (no ZIP-215 leniency): a router accepts only canonical signatures. */
export function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}
