/**
 * Ticket authentication, router side: CHALLENGE with empty Extra, then the ticket in
 * AUTHENTICATE is compared in constant time with the principal's (static), or handed to the
 * dynamic authenticator as `details.ticket`.
 */
import { AuthMethod } from '../methods.js';
import { constantTimeEqualText } from '../bytes.js';
import type { DynamicAuthConfig, TicketPrincipal } from './config.js';
import { authenticationFailed, callAuthenticator, dynamicDetails, dynamicResult, noSuchPrincipal, staticResult } from './principal.js';
import type { AuthenticatorCall, RouterAuthenticator } from './types.js';

export function ticketAuthenticator(config: { type: 'static'; principals: Record<string, TicketPrincipal> } | DynamicAuthConfig, call?: AuthenticatorCall): RouterAuthenticator {
  const method = AuthMethod.TICKET;
  return {
    method,
    async hello(hello) {
      const authid = hello.authid;
      // The spec makes authid mandatory for ticket.
      if (authid === undefined || authid === '') throw noSuchPrincipal(method);
      if (config.type === 'dynamic') {
        return {
          kind: 'challenge',
          extra: {},
          async verify(signature) {
            const principal = await callAuthenticator(call, config.authenticator, hello, method, dynamicDetails(hello, method, { ticket: signature }));
            return dynamicResult(method, authid, principal);
          },
        };
      }
      const principal = Object.hasOwn(config.principals, authid) ? config.principals[authid] : undefined;
      if (principal === undefined) throw noSuchPrincipal(method);
      return {
        kind: 'challenge',
        extra: {},
        async verify(signature) {
          if (!constantTimeEqualText(signature, principal.ticket)) throw authenticationFailed(method, 'wrong ticket');
          return staticResult(method, authid, principal.role, principal.authextra);
        },
      };
    },
  };
}
