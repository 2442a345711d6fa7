/**
 * Helpers shared by the router-side methods: failures with the right ABORT URI, results,
 * and the dynamic-authenticator call (Crossbar's convention: the procedure is called with
 * (realm, authid, details) and returns a role string or an object with at least `role`).
 */
import type { WampkitError } from '../../errors.js';
import { authError, AuthErrorCode, AuthUri } from '../errors.js';
import { AuthProvider } from '../methods.js';
import { isRecord } from '../options.js';
import { randomBytes, toHex } from '../bytes.js';
import type { AuthResult, AuthenticatorCall, HelloInfo } from './types.js';

/** "Not mine": the handshake may try the client's next method. */
export function noSuchPrincipal(method: string): WampkitError {
  return authError(AuthErrorCode.NO_SUCH_PRINCIPAL, `${method}: no such principal`, AuthUri.NO_SUCH_PRINCIPAL);
}

/** A wrong signature, ticket or proof: deliberately says nothing more. */
export function authenticationFailed(method: string, why = 'wrong credentials'): WampkitError {
  return authError(AuthErrorCode.FAILED, `${method}: authentication failed (${why})`, AuthUri.AUTHENTICATION_FAILED);
}

export function staticResult(method: string, authid: string, role: string, authextra?: Record<string, unknown>): AuthResult {
  return { authid, authrole: role, authmethod: method, authprovider: AuthProvider.STATIC, authextra: { ...(authextra ?? {}) } };
}

/** Anonymous and cryptosign-without-authid sessions get a random authid, like the anonymous router did. */
export function randomAuthid(): string {
  return toHex(randomBytes(6));
}

/** What a dynamic authenticator returned, normalized. */
export interface DynamicPrincipal {
  role: string;
  authid?: string;
  authextra?: Record<string, unknown>;
  /** The rest of the returned object (method-specific: secret, salt, pubkey, stored_key, ...). */
  fields: Record<string, unknown>;
}

/** ABORT reasons a dynamic authenticator may choose by raising them; anything else becomes authentication_failed. */
const PASSED_THROUGH: ReadonlySet<string> = new Set([
  AuthUri.AUTHENTICATION_FAILED, AuthUri.AUTHENTICATION_DENIED, AuthUri.NO_SUCH_PRINCIPAL,
  AuthUri.NO_SUCH_ROLE, AuthUri.NOT_AUTHORIZED, 'wamp.error.no_such_realm',
]);

function errorUri(error: unknown): string | undefined {
  if (isRecord(error) || error instanceof Error) {
    const uri = (error as { error?: unknown }).error;
    if (typeof uri === 'string') return uri;
  }
  return undefined;
}

export function dynamicDetails(hello: HelloInfo, method: string, more: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    session: hello.session,
    authmethod: method,
    authid: hello.authid ?? null,
    authrole: hello.authrole ?? null,
    authextra: hello.authextra ?? {},
    transport: hello.transport ?? {},
    ...more,
  };
}

/** Calls the dynamic authenticator; rejects with an auth error (never with the callee's message, which may hold anything). */
export async function callAuthenticator(
  call: AuthenticatorCall | undefined,
  procedure: string,
  hello: HelloInfo,
  method: string,
  details: Record<string, unknown>,
): Promise<DynamicPrincipal> {
  if (call === undefined) {
    throw authError(AuthErrorCode.DENIED, `${method}: dynamic authentication is configured but the router gave no way to call '${procedure}'`, AuthUri.AUTHENTICATION_FAILED);
  }
  let value: unknown;
  try {
    value = await call(procedure, [hello.realm, hello.authid ?? null, details]);
  } catch (error) {
    const uri = errorUri(error);
    const reason = uri !== undefined && PASSED_THROUGH.has(uri) ? uri : AuthUri.AUTHENTICATION_FAILED;
    throw authError(AuthErrorCode.DENIED, `${method}: the authenticator denied the session`, reason, error);
  }
  if (typeof value === 'string' && value !== '') return { role: value, fields: {} };
  if (!isRecord(value) || typeof value['role'] !== 'string' || value['role'] === '') {
    throw authError(AuthErrorCode.DENIED, `${method}: the authenticator returned no role`, AuthUri.AUTHENTICATION_FAILED);
  }
  const authid = value['authid'];
  const extra = value['authextra'] ?? value['extra'];
  return {
    role: value['role'],
    ...(typeof authid === 'string' && authid !== '' ? { authid } : {}),
    ...(isRecord(extra) ? { authextra: extra } : {}),
    fields: value,
  };
}

export function dynamicResult(method: string, authid: string, principal: DynamicPrincipal, authextra: Record<string, unknown> = {}): AuthResult {
  return {
    authid: principal.authid ?? authid,
    authrole: principal.role,
    authmethod: method,
    authprovider: AuthProvider.DYNAMIC,
    authextra: { ...(principal.authextra ?? {}), ...authextra },
  };
}
