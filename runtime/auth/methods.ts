/** WAMP authentication method names (HELLO.Details.authmethods, CHALLENGE.AuthMethod). */
export const AuthMethod = {
  ANONYMOUS: 'anonymous',
  TICKET: 'ticket',
  WAMPCRA: 'wampcra',
  CRYPTOSIGN: 'cryptosign',
  /** The spec's name for SCRAM (Autobahn|Python's prototype says 'scram'). */
  SCRAM: 'wamp-scram',
} as const;
export type AuthMethod = (typeof AuthMethod)[keyof typeof AuthMethod];

export const AUTH_METHODS: readonly AuthMethod[] = Object.values(AuthMethod);

export function isAuthMethod(value: unknown): value is AuthMethod {
  return typeof value === 'string' && (AUTH_METHODS as readonly string[]).includes(value);
}

/** Where a router found the principal: its static config or a dynamic authenticator procedure. */
export const AuthProvider = {
  STATIC: 'static',
  DYNAMIC: 'dynamic',
} as const;
export type AuthProvider = (typeof AuthProvider)[keyof typeof AuthProvider];
