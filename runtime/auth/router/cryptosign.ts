/**
 * WAMP-Cryptosign, router side: the client announces its Ed25519 public key in
 * HELLO.Details.authextra.pubkey; the router challenges with 32 fresh random bytes per session
 * and checks the Ed25519 signature (strict RFC 8032) over exactly those bytes. No TLS channel
 * binding: a HELLO asking for one is answered with `channel_binding: null`, as the spec allows.
 */
import { AuthMethod } from '../methods.js';
import { constantTimeEqual, fromHex, randomBytes, toHex } from '../bytes.js';
import { ED25519_SIGNATURE_LENGTH, ed25519Verify } from '../crypto.js';
import { CRYPTOSIGN_CHALLENGE_LENGTH } from '../cryptosign.js';
import type { CryptosignPrincipal, DynamicAuthConfig } from './config.js';
import {
  authenticationFailed, callAuthenticator, dynamicDetails, dynamicResult, noSuchPrincipal, randomAuthid, staticResult,
} from './principal.js';
import type { AuthResult, AuthenticatorCall, MethodStep, RouterAuthenticator } from './types.js';

function announcedKey(authextra: Record<string, unknown> | undefined): string | undefined {
  const hex = authextra?.['pubkey'];
  if (typeof hex !== 'string') return undefined;
  const bytes = fromHex(hex);
  return bytes !== undefined && bytes.length === 32 ? hex.toLowerCase() : undefined;
}

function challengeStep(pubkey: string, result: AuthResult): MethodStep {
  const challenge = randomBytes(CRYPTOSIGN_CHALLENGE_LENGTH);
  const key = fromHex(pubkey)!;
  return {
    kind: 'challenge',
    extra: { challenge: toHex(challenge), channel_binding: null },
    async verify(signature) {
      const bytes = fromHex(signature);
      // Autobahn sends signature || challenge (96 bytes); a bare 64-byte signature is accepted too.
      if (bytes === undefined || (bytes.length !== ED25519_SIGNATURE_LENGTH && bytes.length !== ED25519_SIGNATURE_LENGTH + CRYPTOSIGN_CHALLENGE_LENGTH)) {
        throw authenticationFailed(AuthMethod.CRYPTOSIGN, 'malformed signature');
      }
      const sig = bytes.subarray(0, ED25519_SIGNATURE_LENGTH);
      const echoed = bytes.subarray(ED25519_SIGNATURE_LENGTH);
      const echoOk = echoed.length === 0 || constantTimeEqual(echoed, challenge);
      if (!(ed25519Verify(sig, challenge, key) && echoOk)) throw authenticationFailed(AuthMethod.CRYPTOSIGN, 'wrong signature');
      return result;
    },
  };
}

export function cryptosignAuthenticator(config: { type: 'static'; principals: Record<string, CryptosignPrincipal> } | DynamicAuthConfig, call?: AuthenticatorCall): RouterAuthenticator {
  const method = AuthMethod.CRYPTOSIGN;
  // Static: which principal owns each key, for HELLOs that announce a key but no authid.
  const owners = new Map<string, string>();
  if (config.type === 'static') {
    for (const [authid, p] of Object.entries(config.principals)) for (const k of p.authorized_keys) owners.set(k.toLowerCase(), authid);
  }
  return {
    method,
    async hello(hello) {
      const pubkey = announcedKey(hello.authextra);
      if (pubkey === undefined) throw noSuchPrincipal(method);
      if (config.type === 'dynamic') {
        const principal = await callAuthenticator(call, config.authenticator, hello, method, dynamicDetails(hello, method));
        const f = principal.fields;
        const allowed = Array.isArray(f['authorized_keys']) ? f['authorized_keys'] : typeof f['pubkey'] === 'string' ? [f['pubkey']] : undefined;
        if (allowed !== undefined && !allowed.some((k) => typeof k === 'string' && k.toLowerCase() === pubkey)) {
          throw authenticationFailed(method, 'the authenticator did not authorize this key');
        }
        return challengeStep(pubkey, dynamicResult(method, hello.authid ?? randomAuthid(), principal));
      }
      const authid = hello.authid ?? owners.get(pubkey);
      const principal = authid !== undefined && Object.hasOwn(config.principals, authid) ? config.principals[authid] : undefined;
      if (authid === undefined || principal === undefined || !principal.authorized_keys.some((k) => k.toLowerCase() === pubkey)) {
        throw noSuchPrincipal(method);
      }
      return challengeStep(pubkey, staticResult(method, authid, principal.role, principal.authextra));
    },
  };
}
