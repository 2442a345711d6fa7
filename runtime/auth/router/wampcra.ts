/**
 * WAMP-CRA, router side: the challenge is a JSON object binding authid, authrole, authmethod,
 * authprovider, a random nonce, a timestamp and the session ID; the client answers
 * base64(HMAC-SHA256(secret, challenge)), compared in constant time. For salted users the
 * stored secret is the derived key and CHALLENGE.Extra carries salt/iterations/keylen.
 */
import { AuthMethod, AuthProvider } from '../methods.js';
import { constantTimeEqualText, randomBytes, toBase64 } from '../bytes.js';
import { computeCraSignature, CRA_LIMITS } from '../wampcra.js';
import { integerIn } from '../options.js';
import type { DynamicAuthConfig, WampCraUser } from './config.js';
import {
  authenticationFailed, callAuthenticator, dynamicDetails, dynamicResult, noSuchPrincipal, staticResult, type DynamicPrincipal,
} from './principal.js';
import type { AuthResult, AuthenticatorCall, MethodStep, RouterAuthenticator } from './types.js';

export const CRA_NONCE_LENGTH = 16;

interface CraSecret {
  secret: string;
  salt?: string;
  iterations?: number;
  keylen?: number;
}

function secretFromDynamic(p: DynamicPrincipal): CraSecret {
  const f = p.fields;
  const secret = f['secret'];
  if (typeof secret !== 'string' || secret === '') throw authenticationFailed(AuthMethod.WAMPCRA, 'the authenticator returned no secret');
  if (typeof f['salt'] !== 'string' || f['salt'] === '') return { secret };
  const iterations = integerIn(f['iterations'] ?? CRA_LIMITS.DEFAULT_ITERATIONS, 1, CRA_LIMITS.MAX_ITERATIONS);
  const keylen = integerIn(f['keylen'] ?? CRA_LIMITS.DEFAULT_KEYLEN, 1, CRA_LIMITS.MAX_KEYLEN);
  if (iterations === undefined || keylen === undefined) throw authenticationFailed(AuthMethod.WAMPCRA, 'the authenticator returned bad salt parameters');
  return { secret, salt: f['salt'], iterations, keylen };
}

function challengeStep(session: number, authid: string, authrole: string, provider: string, user: CraSecret, result: AuthResult): MethodStep {
  const challenge = JSON.stringify({
    authid, authrole, authmethod: AuthMethod.WAMPCRA, authprovider: provider,
    nonce: toBase64(randomBytes(CRA_NONCE_LENGTH)), timestamp: new Date().toISOString(), session,
  });
  const extra: Record<string, unknown> = { challenge };
  if (user.salt !== undefined) {
    extra['salt'] = user.salt;
    extra['iterations'] = user.iterations ?? CRA_LIMITS.DEFAULT_ITERATIONS;
    extra['keylen'] = user.keylen ?? CRA_LIMITS.DEFAULT_KEYLEN;
  }
  return {
    kind: 'challenge',
    extra,
    async verify(signature) {
      const expected = await computeCraSignature(user.secret, challenge);
      if (!constantTimeEqualText(signature, expected)) throw authenticationFailed(AuthMethod.WAMPCRA, 'wrong signature');
      return result;
    },
  };
}

export function wampcraAuthenticator(config: { type: 'static'; users: Record<string, WampCraUser> } | DynamicAuthConfig, call?: AuthenticatorCall): RouterAuthenticator {
  const method = AuthMethod.WAMPCRA;
  return {
    method,
    async hello(hello) {
      const authid = hello.authid;
      if (authid === undefined || authid === '') throw noSuchPrincipal(method);
      if (config.type === 'dynamic') {
        const principal = await callAuthenticator(call, config.authenticator, hello, method, dynamicDetails(hello, method));
        const result = dynamicResult(method, authid, principal);
        return challengeStep(hello.session, result.authid, result.authrole, AuthProvider.DYNAMIC, secretFromDynamic(principal), result);
      }
      const user = Object.hasOwn(config.users, authid) ? config.users[authid] : undefined;
      if (user === undefined) throw noSuchPrincipal(method);
      return challengeStep(hello.session, authid, user.role, AuthProvider.STATIC, user, staticResult(method, authid, user.role, user.authextra));
    },
  };
}
