/**
 * WAMP-SCRAM computations (spec: "SCRAM Algorithms"), shared by the client and the router:
 * the KDFs, the RFC 5802 AuthMessage, client proof and server signature, and credential
 * derivation for a router's user database. Pure functions over strings and bytes.
 */
import { badChallenge, invalidOption } from './errors.js';
import { constantTimeEqual, fromBase64, randomBytes, toBase64, utf8, xorBytes } from './bytes.js';
import { argon2id, hmacSha256, pbkdf2Sha256, sha256 } from './crypto.js';
import { saslprep } from './saslprep.js';

/** KDF type strings (CHALLENGE.Details.kdf). */
export const ScramKdf = {
  ARGON2ID13: 'argon2id13',
  PBKDF2: 'pbkdf2',
} as const;
export type ScramKdf = (typeof ScramKdf)[keyof typeof ScramKdf];

/** Autobahn|Python and Crossbar.io spell Argon2id v1.3 'argon2id-13'; accepted as the same KDF. */
const KDF_ALIASES: Readonly<Record<string, ScramKdf>> = {
  argon2id13: ScramKdf.ARGON2ID13,
  'argon2id-13': ScramKdf.ARGON2ID13,
  pbkdf2: ScramKdf.PBKDF2,
};

export function scramKdf(value: unknown): ScramKdf | undefined {
  return typeof value === 'string' ? KDF_ALIASES[value] : undefined;
}

export const SCRAM_KEY_LENGTH = 32;
/** Recommended nonce and salt length (spec: 16 octets each). */
export const SCRAM_NONCE_LENGTH = 16;

export interface ScramKdfParams {
  kdf: ScramKdf;
  /** base64 salt, as sent in CHALLENGE. */
  salt: string;
  iterations: number;
  /** Argon2 memory cost in KiB (argon2id13 only). */
  memory?: number;
}

export interface ScramKeys {
  saltedPassword: Uint8Array;
  clientKey: Uint8Array;
  storedKey: Uint8Array;
  serverKey: Uint8Array;
}

export function normalizeScramString(value: string, what: string): string {
  const prepared = saslprep(value);
  if (prepared === undefined) throw invalidOption(`wamp-scram: ${what} contains characters SASLprep prohibits`);
  return prepared;
}

/** SaltedPassword = KDF(Normalize(password), salt, params...). */
export async function scramSaltedPassword(password: string, params: ScramKdfParams): Promise<Uint8Array> {
  const salt = fromBase64(params.salt);
  if (salt === undefined) throw badChallenge('wamp-scram: salt must be canonical base64');
  const secret = utf8(normalizeScramString(password, 'the password'));
  if (params.kdf === ScramKdf.PBKDF2) return pbkdf2Sha256(secret, salt, params.iterations, SCRAM_KEY_LENGTH);
  if (params.memory === undefined) throw badChallenge('wamp-scram: argon2id13 needs a memory cost');
  return argon2id(secret, salt, params.iterations, params.memory, SCRAM_KEY_LENGTH);
}

export async function scramKeys(saltedPassword: Uint8Array): Promise<ScramKeys> {
  const clientKey = await hmacSha256(saltedPassword, utf8('Client Key'));
  const serverKey = await hmacSha256(saltedPassword, utf8('Server Key'));
  return { saltedPassword, clientKey, storedKey: await sha256(clientKey), serverKey };
}

/** RFC 5802's Escape: ',' and '=' in a user name. */
function escapeName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

export interface ScramExchange {
  authid: string;
  /** HELLO.Details.authextra.nonce (the client nonce). */
  clientNonce: string;
  /** CHALLENGE.Details.nonce (client nonce + server nonce) = AUTHENTICATE.Extra.nonce. */
  nonce: string;
  salt: string;
  iterations: number;
  channelBinding?: string | null;
  cbindData?: string | null;
}

/** AuthMessage = ClientFirstBare "," ServerFirst "," ClientFinalNoProof (RFC 5802 section 7 syntax). */
export function scramAuthMessage(x: ScramExchange): string {
  const clientFirstBare = `n=${escapeName(normalizeScramString(x.authid, 'the authid'))},r=${x.clientNonce}`;
  const serverFirst = `r=${x.nonce},s=${x.salt},i=${x.iterations}`;
  const flag = x.channelBinding === undefined || x.channelBinding === null ? 'n' : `p=${x.channelBinding}`;
  let cbindData: Uint8Array = new Uint8Array(0);
  if (x.cbindData !== undefined && x.cbindData !== null) {
    const decoded = fromBase64(x.cbindData);
    if (decoded === undefined) throw badChallenge('wamp-scram: cbind_data must be canonical base64');
    cbindData = decoded;
  }
  const header = utf8(`${flag},,`);
  const cbindInput = new Uint8Array(header.length + cbindData.length);
  cbindInput.set(header);
  cbindInput.set(cbindData, header.length);
  return `${clientFirstBare},${serverFirst},c=${toBase64(cbindInput)},r=${x.nonce}`;
}

/** ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage), base64. */
export async function scramClientProof(keys: Pick<ScramKeys, 'clientKey' | 'storedKey'>, authMessage: string): Promise<string> {
  const signature = await hmacSha256(keys.storedKey, utf8(authMessage));
  return toBase64(xorBytes(keys.clientKey, signature));
}

/** ServerSignature = HMAC(ServerKey, AuthMessage), base64. */
export async function scramServerSignature(serverKey: Uint8Array, authMessage: string): Promise<string> {
  return toBase64(await hmacSha256(serverKey, utf8(authMessage)));
}

/** The router's check: SHA256(ClientProof XOR HMAC(StoredKey, AuthMessage)) == StoredKey, in constant time. */
export async function verifyScramClientProof(storedKey: Uint8Array, authMessage: string, proof: string): Promise<boolean> {
  const received = fromBase64(proof);
  if (received === undefined || received.length !== SCRAM_KEY_LENGTH || storedKey.length !== SCRAM_KEY_LENGTH) return false;
  const signature = await hmacSha256(storedKey, utf8(authMessage));
  return constantTimeEqual(await sha256(xorBytes(received, signature)), storedKey);
}

/** What a router stores per WAMP-SCRAM user (the `wamp-scram` principals in realm auth config). */
export interface ScramCredential {
  kdf: ScramKdf;
  iterations: number;
  /** KiB, argon2id13 only. */
  memory?: number;
  /** base64 */
  salt: string;
  /** base64 StoredKey */
  stored_key: string;
  /** base64 ServerKey */
  server_key: string;
}

export interface DeriveScramOptions {
  password: string;
  kdf?: ScramKdf;
  /** Default: 4096 for pbkdf2, 3 for argon2id13. */
  iterations?: number;
  /** KiB for argon2id13; default 65536 (64 MiB). */
  memory?: number;
  /** base64 salt; default 16 random bytes. */
  salt?: string;
}

/** Derives the credential a router stores for a user; the password itself is not kept. */
export async function deriveScramCredential(options: DeriveScramOptions): Promise<ScramCredential> {
  const kdf = options.kdf ?? ScramKdf.ARGON2ID13;
  if (scramKdf(kdf) === undefined) throw invalidOption(`deriveScramCredential(): kdf must be 'argon2id13' or 'pbkdf2', got ${JSON.stringify(kdf)}`);
  const iterations = options.iterations ?? (kdf === ScramKdf.PBKDF2 ? 4096 : 3);
  if (!Number.isInteger(iterations) || iterations < 1) throw invalidOption(`deriveScramCredential(): iterations must be a positive integer, got ${JSON.stringify(iterations)}`);
  const memory = kdf === ScramKdf.ARGON2ID13 ? options.memory ?? 65536 : undefined;
  if (memory !== undefined && (!Number.isInteger(memory) || memory < 8)) throw invalidOption(`deriveScramCredential(): memory must be an integer >= 8 (KiB), got ${JSON.stringify(memory)}`);
  const salt = options.salt ?? toBase64(randomBytes(SCRAM_NONCE_LENGTH));
  const params: ScramKdfParams = { kdf, salt, iterations, ...(memory === undefined ? {} : { memory }) };
  const keys = await scramKeys(await scramSaltedPassword(options.password, params));
  return {
    kdf, iterations, ...(memory === undefined ? {} : { memory }), salt,
    stored_key: toBase64(keys.storedKey), server_key: toBase64(keys.serverKey),
  };
}
