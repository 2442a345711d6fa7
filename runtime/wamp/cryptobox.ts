/**
 * End-to-end payload encryption as Autobahn does it ("WAMP-cryptobox", `enc_algo: cryptobox`):
 * a caller or publisher (the originator) encrypts `{ uri, args, kwargs }`, serialized as JSON,
 * with a NaCl box (X25519 key agreement, XSalsa20-Poly1305) from its private key to the
 * callee's or subscriber's (the responder's) public key; the router forwards the bytes
 * untouched (router/passthru.ts); the responder decrypts with its private key and the
 * originator's public key, and encrypts its answer back the same way. The payload is the
 * 24-byte nonce followed by the box (MAC first), as PyNaCl's `Box.encrypt` returns it.
 *
 * Keys are per URI, found by the longest string prefix with a default, and given as Base64
 * (what Autobahn's KeyRing takes). The primitives are @noble/curves' x25519 and
 * @noble/ciphers' hsalsa and xsalsa20poly1305 (audited, by the author of the other two this
 * runtime already depends on); the NaCl box is their composition: the box key is
 * HSalsa20(X25519(secret, public), 0), as crypto_box_beforenm computes it.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { hsalsa, secretbox } from '@noble/ciphers/salsa.js';
import { json } from '../serializers/index.js';
import { decodeValue, encodeValue } from './session-passthru.js';
import { isDict } from './message-fields.js';
import type { Args, EncodedPayload, Kwargs, PayloadCodec } from './types.js';
import { invalidArgument } from './session-checks.js';
import { createError } from '../errors.js';
import { WampErrorCode } from './error-codes.js';

export const CRYPTOBOX = 'cryptobox';
const NONCE_BYTES = 24;
const KEY_BYTES = 32;
/** "expand 32-byte k" as little-endian words: the Salsa20 constant crypto_box_beforenm uses. */
const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);

function fromBase64(value: string, what: string): Uint8Array {
  const bytes = typeof value === 'string' ? Uint8Array.from(atob(value), (c) => c.charCodeAt(0)) : new Uint8Array();
  if (bytes.length !== KEY_BYTES) throw invalidArgument(`${what} must be a Base64 X25519 key of ${KEY_BYTES} bytes`);
  return bytes;
}

function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

/** crypto_box_beforenm: the secretbox key of a key pair's X25519 agreement. */
function boxKey(secret: Uint8Array, peerPublic: Uint8Array): Uint8Array {
  const shared = x25519.getSharedSecret(secret, peerPublic);
  const key = new Uint32Array(8);
  // hsalsa takes the bytes as host words (it normalises big-endian hosts itself); aligned copies.
  hsalsa(SIGMA, new Uint32Array(Uint8Array.from(shared).buffer), new Uint32Array(4), key);
  return new Uint8Array(key.buffer);
}

/** One key pair's view of a URI: originator and responder keys, as Autobahn's `Key`. */
export interface CryptoboxKeyOptions {
  originatorPrivate?: string;
  originatorPublic?: string;
  responderPrivate?: string;
  responderPublic?: string;
}

export class CryptoboxKey {
  readonly #originatorBox: Uint8Array | null;
  readonly #responderBox: Uint8Array | null;

  /** A string is one private key for both roles (Autobahn's shorthand). */
  constructor(options: CryptoboxKeyOptions | string) {
    const o = typeof options === 'string' ? { originatorPrivate: options, responderPrivate: options } : options;
    const half = (priv: string | undefined, pub: string | undefined, role: string): { priv: Uint8Array | null; pub: Uint8Array | null } => {
      const p = priv === undefined ? null : fromBase64(priv, `${role}Private`);
      const derived = p === null ? null : x25519.getPublicKey(p);
      if (pub !== undefined && derived !== null && toBase64(derived) !== toBase64(fromBase64(pub, `${role}Public`))) {
        throw invalidArgument(`${role}Public does not belong to ${role}Private`);
      }
      return { priv: p, pub: derived ?? (pub === undefined ? null : fromBase64(pub, `${role}Public`)) };
    };
    const originator = half(o.originatorPrivate, o.originatorPublic, 'originator');
    const responder = half(o.responderPrivate, o.responderPublic, 'responder');
    this.#originatorBox = originator.priv !== null && responder.pub !== null ? boxKey(originator.priv, responder.pub) : null;
    this.#responderBox = responder.priv !== null && originator.pub !== null ? boxKey(responder.priv, originator.pub) : null;
    if (this.#originatorBox === null && this.#responderBox === null) {
      throw invalidArgument('a cryptobox key needs a private key and the other side\'s public key for at least one role');
    }
  }

  /** The secretbox key of one side (originator: callers, publishers), or null. */
  boxKeyOf(originating: boolean): Uint8Array | null {
    return originating ? this.#originatorBox : this.#responderBox;
  }
}

function decodeFailed(message: string): Error {
  return createError(WampErrorCode.INVALID_PAYLOAD, `cryptobox: ${message}`);
}

/** Autobahn's KeyRing: keys by URI prefix (longest wins), with a default. */
export class CryptoboxKeyRing implements PayloadCodec {
  readonly #keys = new Map<string, CryptoboxKey>();
  #default: CryptoboxKey | null;

  constructor(defaultKey?: CryptoboxKey | string) {
    this.#default = defaultKey === undefined ? null : typeof defaultKey === 'string' ? new CryptoboxKey(defaultKey) : defaultKey;
  }

  /** A fresh key pair, Base64, as Autobahn's `generate_key` returns it. */
  static generateKey(): { privateKey: string; publicKey: string } {
    const { secretKey, publicKey } = x25519.keygen();
    return { privateKey: toBase64(secretKey), publicKey: toBase64(publicKey) };
  }

  /** Sets (or with null removes) the key for URIs starting with `uri`; '' is the default. */
  setKey(uri: string, key: CryptoboxKey | string | null): void {
    const k = key === null ? null : typeof key === 'string' ? new CryptoboxKey(key) : key;
    if (uri === '') this.#default = k;
    else if (k === null) this.#keys.delete(uri);
    else this.#keys.set(uri, k);
  }

  #box(originating: boolean, uri: string): Uint8Array | null {
    let best: CryptoboxKey | null = null;
    let length = -1;
    for (const [prefix, key] of this.#keys) {
      if (prefix.length > length && uri.startsWith(prefix)) [best, length] = [key, prefix.length];
    }
    return (best ?? this.#default)?.boxKeyOf(originating) ?? null;
  }

  encode(originating: boolean, uri: string, args: Args | undefined, kwargs: Kwargs | undefined): EncodedPayload | undefined {
    const key = this.#box(originating, uri);
    if (key === null) return undefined;
    const plain = encodeValue(json, { uri, args: args ?? null, kwargs: kwargs ?? null });
    const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
    const sealed = secretbox(key, nonce).seal(plain);
    const payload = new Uint8Array(NONCE_BYTES + sealed.length);
    payload.set(nonce);
    payload.set(sealed, NONCE_BYTES);
    return { payload, algo: CRYPTOBOX, serializer: 'json' };
  }

  decode(originating: boolean, uri: string, encoded: EncodedPayload): { uri: string; args: Args; kwargs: Kwargs } {
    if (encoded.algo !== CRYPTOBOX) throw decodeFailed(`cannot decode enc_algo ${JSON.stringify(encoded.algo)}`);
    if (encoded.serializer !== 'json') throw decodeFailed(`cannot decode enc_serializer ${JSON.stringify(encoded.serializer)}`);
    const key = this.#box(originating, uri);
    if (key === null) throw decodeFailed(`no key for ${uri}`);
    const bytes = encoded.payload;
    if (bytes.length < NONCE_BYTES) throw decodeFailed('payload shorter than its nonce');
    let plain: Uint8Array;
    try {
      plain = secretbox(key, bytes.subarray(0, NONCE_BYTES)).open(bytes.subarray(NONCE_BYTES));
    } catch {
      throw decodeFailed(`the payload for ${uri} does not decrypt with our key`);
    }
    const value = decodeValue(json, plain);
    if (!isDict(value) || typeof value['uri'] !== 'string') throw decodeFailed('the decrypted payload is not { uri, args, kwargs }');
    const { args, kwargs } = value as { args?: unknown; kwargs?: unknown };
    if ((args != null && !Array.isArray(args)) || (kwargs != null && !isDict(kwargs))) throw decodeFailed('args must be a list and kwargs a dict');
    return { uri: value['uri'], args: (args ?? []) as Args, kwargs: (kwargs ?? {}) as Kwargs };
  }
}
