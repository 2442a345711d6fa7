/**
 * WAMP-Cryptosign, router side: the client announces its Ed25519 public key in
 * HELLO.Details.authextra.pubkey; the router challenges with 32 fresh random bytes per session
 * and checks the Ed25519 signature (strict RFC 8032) over exactly those bytes. No TLS channel
 * binding: a HELLO asking for one is answered with `channel_binding: null`, as the spec allows.
 * Router authentication: with a `router_key` configured, a client's HELLO.authextra.challenge
 * is signed into CHALLENGE.extra.signature, with the router's public key in extra.pubkey.
 */
import { AuthMethod } from '../methods.js';
import { fromHex, randomBytes, toHex } from '../bytes.js';
import { CRYPTOSIGN_CHALLENGE_LENGTH, cryptosignPublicKey, signCryptosignChallenge, verifyCryptosignSignature } from '../cryptosign.js';
import type { CryptosignPrincipal, CryptosignRouterKey, DynamicAuthConfig } from './config.js';
import {
  authenticationFailed, callAuthenticator, dynamicDetails, dynamicResult, noSuchPrincipal, randomAuthid, staticResult,
} from './principal.js';
import type { AuthResult, AuthenticatorCall, HelloInfo, MethodStep, RouterAuthenticator } from './types.js';

function announcedKey(authextra: Record<string, unknown> | undefined): string | undefined {
  const hex = authextra?.['pubkey'];
  if (typeof hex !== 'string') return undefined;
  const bytes = fromHex(hex);
  return bytes !== undefined && bytes.length === 32 ? hex.toLowerCase() : undefined;
}

interface RouterIdentity {
  seed: Uint8Array;
  pubkey: string;
}

function challengeStep(pubkey: string, result: AuthResult, hello: HelloInfo, router: RouterIdentity | undefined): MethodStep {
  const challenge = randomBytes(CRYPTOSIGN_CHALLENGE_LENGTH);
  const extra: Record<string, unknown> = { challenge: toHex(challenge), channel_binding: null };
  const theirs = hello.authextra?.['challenge'];
  const theirBytes = typeof theirs === 'string' ? fromHex(theirs) : undefined;
  if (router !== undefined && theirBytes !== undefined && theirBytes.length === CRYPTOSIGN_CHALLENGE_LENGTH) {
    extra['pubkey'] = router.pubkey;
    extra['signature'] = signCryptosignChallenge(router.seed, theirBytes);
  }
  return {
    kind: 'challenge',
    extra,
    async verify(signature) {
      // Autobahn sends signature || challenge (96 bytes); a bare 64-byte signature is accepted too.
      if (!verifyCryptosignSignature(pubkey, challenge, signature)) throw authenticationFailed(AuthMethod.CRYPTOSIGN, 'wrong signature');
      return result;
    },
  };
}

export function cryptosignAuthenticator(config: ({ type: 'static'; principals: Record<string, CryptosignPrincipal> } | DynamicAuthConfig) & CryptosignRouterKey, call?: AuthenticatorCall): RouterAuthenticator {
  const method = AuthMethod.CRYPTOSIGN;
  const router = config.router_key === undefined ? undefined : { seed: fromHex(config.router_key)!, pubkey: cryptosignPublicKey(config.router_key) };
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
        return challengeStep(pubkey, dynamicResult(method, hello.authid ?? randomAuthid(), principal), hello, router);
      }
      const authid = hello.authid ?? owners.get(pubkey);
      const principal = authid !== undefined && Object.hasOwn(config.principals, authid) ? config.principals[authid] : undefined;
      if (authid === undefined || principal === undefined || !principal.authorized_keys.some((k) => k.toLowerCase() === pubkey)) {
        throw noSuchPrincipal(method);
      }
      return challengeStep(pubkey, staticResult(method, authid, principal.role, principal.authextra), hello, router);
    },
  };
}
