/**
 * The two conversions a router session needs around the handshake: HELLO.Details into a
 * HelloInfo, and an AuthResult into WELCOME.Details' auth fields. Kept here so the router's
 * integration stays a few lines.
 */
import { isRecord } from '../options.js';
import type { AuthResult, HelloInfo } from './types.js';

export function helloInfo(realm: string, session: number, details: Record<string, unknown>, transport?: Record<string, unknown>): HelloInfo {
  const authid = details['authid'];
  const authrole = details['authrole'];
  const methods = details['authmethods'];
  const authextra = details['authextra'];
  return {
    realm,
    session,
    ...(typeof authid === 'string' && authid !== '' ? { authid } : {}),
    ...(typeof authrole === 'string' && authrole !== '' ? { authrole } : {}),
    ...(Array.isArray(methods) ? { authmethods: methods.filter((m): m is string => typeof m === 'string') } : {}),
    ...(isRecord(authextra) ? { authextra } : {}),
    ...(transport === undefined ? {} : { transport }),
  };
}

/** WELCOME.Details auth fields; `authextra` only when there is something in it. */
export function welcomeAuthDetails(result: AuthResult): Record<string, unknown> {
  return {
    authid: result.authid,
    authrole: result.authrole,
    authmethod: result.authmethod,
    authprovider: result.authprovider,
    ...(Object.keys(result.authextra).length > 0 ? { authextra: result.authextra } : {}),
  };
}
