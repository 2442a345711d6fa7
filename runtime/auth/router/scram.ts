/**
 * WAMP-SCRAM, router side: HELLO brings the client nonce; CHALLENGE sends the combined nonce,
 * the user's salt and KDF parameters; AUTHENTICATE's ClientProof is checked against the
 * stored StoredKey; WELCOME's authextra.verifier carries the ServerSignature. For an unknown
 * authid the router answers with a mock CHALLENGE whose salt is stable per authid (spec:
 * avoid leaking which users exist), and the exchange then fails like a wrong password.
 */
import { AuthMethod } from '../methods.js';
import { fromBase64, randomBytes, toBase64, utf8 } from '../bytes.js';
import { hmacSha256 } from '../crypto.js';
import {
  SCRAM_NONCE_LENGTH, scramAuthMessage, scramKdf, scramServerSignature, verifyScramClientProof, type ScramCredential,
} from '../scram-core.js';
import type { DynamicAuthConfig, ScramPrincipal } from './config.js';
import {
  authenticationFailed, callAuthenticator, dynamicDetails, dynamicResult, noSuchPrincipal, staticResult,
} from './principal.js';
import type { AuthResult, AuthenticatorCall, HelloInfo, MethodStep, RouterAuthenticator } from './types.js';

const method = AuthMethod.SCRAM;

function credentialFrom(fields: Record<string, unknown>): ScramCredential {
  const kdf = scramKdf(fields['kdf']);
  const ok = kdf !== undefined && Number.isInteger(fields['iterations']) && (fields['iterations'] as number) > 0
    && typeof fields['salt'] === 'string' && fromBase64(fields['salt']) !== undefined
    && typeof fields['stored_key'] === 'string' && typeof fields['server_key'] === 'string'
    && (kdf === 'pbkdf2' || Number.isInteger(fields['memory']));
  if (!ok) throw authenticationFailed(method, 'the authenticator returned no usable credential');
  return fields as unknown as ScramCredential;
}

function challengeStep(hello: HelloInfo, clientNonce: string, cred: ScramCredential, result: AuthResult | null): MethodStep {
  const nonce = clientNonce + toBase64(randomBytes(SCRAM_NONCE_LENGTH));
  const extra: Record<string, unknown> = {
    nonce, salt: cred.salt, kdf: scramKdf(cred.kdf), iterations: cred.iterations, memory: cred.memory ?? null,
  };
  return {
    kind: 'challenge',
    extra,
    async verify(signature, authExtra) {
      // The spec's AUTHENTICATE.Extra repeats the combined nonce and the (absent) channel binding.
      const echoed = authExtra['nonce'];
      if (echoed !== undefined && echoed !== null && echoed !== nonce) throw authenticationFailed(method, 'nonce mismatch');
      const binding = authExtra['channel_binding'] ?? null;
      const cbind = authExtra['cbind_data'] ?? null;
      if (binding !== null || cbind !== null) throw authenticationFailed(method, 'channel binding is not supported');
      const storedKey = fromBase64(cred.stored_key);
      const serverKey = fromBase64(cred.server_key);
      const authMessage = scramAuthMessage({ authid: hello.authid!, clientNonce, nonce, salt: cred.salt, iterations: cred.iterations, channelBinding: null, cbindData: null });
      const ok = result !== null && storedKey !== undefined && serverKey !== undefined && (await verifyScramClientProof(storedKey, authMessage, signature));
      if (!ok || result === null || serverKey === undefined) throw authenticationFailed(method, 'wrong proof');
      return { ...result, authextra: { ...result.authextra, verifier: await scramServerSignature(serverKey, authMessage) } };
    },
  };
}

export function scramAuthenticator(config: { type: 'static'; principals: Record<string, ScramPrincipal> } | DynamicAuthConfig, call?: AuthenticatorCall): RouterAuthenticator {
  // Mock challenges for unknown users: a per-router key makes each authid's fake salt stable.
  const mockKey = randomBytes(32);
  const template: ScramCredential | undefined = config.type === 'static' ? Object.values(config.principals)[0] : undefined;
  return {
    method,
    async hello(hello) {
      const authid = hello.authid;
      if (authid === undefined || authid === '') throw noSuchPrincipal(method);
      const clientNonce = hello.authextra?.['nonce'];
      if (typeof clientNonce !== 'string' || clientNonce === '' || fromBase64(clientNonce) === undefined) {
        throw authenticationFailed(method, 'HELLO.Details.authextra.nonce must be canonical base64');
      }
      const binding = hello.authextra?.['channel_binding'];
      if (binding !== undefined && binding !== null) throw authenticationFailed(method, 'channel binding is not supported');
      if (config.type === 'dynamic') {
        const principal = await callAuthenticator(call, config.authenticator, hello, method, dynamicDetails(hello, method));
        return challengeStep(hello, clientNonce, credentialFrom(principal.fields), dynamicResult(method, authid, principal));
      }
      const user = Object.hasOwn(config.principals, authid) ? config.principals[authid] : undefined;
      if (user !== undefined) return challengeStep(hello, clientNonce, user, staticResult(method, authid, user.role, user.authextra));
      if (template === undefined) throw noSuchPrincipal(method);
      const salt = toBase64((await hmacSha256(mockKey, utf8(authid))).subarray(0, fromBase64(template.salt)?.length ?? SCRAM_NONCE_LENGTH));
      return challengeStep(hello, clientNonce, { ...template, salt }, null);
    },
  };
}
