/**
 * Ticket authentication, client side: the router's CHALLENGE is answered with the ticket
 * itself (a password or token). It travels in clear: use it over TLS only.
 */
import type { Authenticator } from '../wamp/auth.js';
import { AuthMethod } from './methods.js';
import { optionalRecord, requireOptions, requireString } from './options.js';

export interface TicketOptions {
  authid: string;
  /** The ticket, or a function producing a fresh one (e.g. a short-lived token) per challenge. */
  ticket: string | (() => string | Promise<string>);
  authextra?: Record<string, unknown>;
}

export function ticket(options: TicketOptions): Authenticator {
  const o = requireOptions(options, 'ticket');
  const authid = requireString(o, 'authid', 'ticket');
  const source = o['ticket'];
  if (typeof source !== 'function') requireString(o, 'ticket', 'ticket', true);
  const authextra = optionalRecord(o, 'authextra', 'ticket');
  return {
    method: AuthMethod.TICKET,
    authid,
    ...(authextra === undefined ? {} : { authextra }),
    async onChallenge() {
      return typeof source === 'function' ? await (source as () => string | Promise<string>)() : (source as string);
    },
  };
}
