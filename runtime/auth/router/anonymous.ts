/** Anonymous authentication, router side: admitted at HELLO under the configured role. */
import { AuthMethod } from '../methods.js';
import type { AnonymousAuthConfig, DynamicAuthConfig } from './config.js';
import { callAuthenticator, dynamicDetails, dynamicResult, randomAuthid, staticResult } from './principal.js';
import type { AuthenticatorCall, RouterAuthenticator } from './types.js';

export const DEFAULT_ANONYMOUS_ROLE = 'anonymous';

export function anonymousAuthenticator(config: AnonymousAuthConfig | DynamicAuthConfig, call?: AuthenticatorCall): RouterAuthenticator {
  const method = AuthMethod.ANONYMOUS;
  return {
    method,
    async hello(hello) {
      const authid = randomAuthid();
      if (config.type === 'static') return { kind: 'accept', result: staticResult(method, authid, config.role ?? DEFAULT_ANONYMOUS_ROLE) };
      const principal = await callAuthenticator(call, config.authenticator, hello, method, dynamicDetails(hello, method));
      return { kind: 'accept', result: dynamicResult(method, authid, principal) };
    },
  };
}
