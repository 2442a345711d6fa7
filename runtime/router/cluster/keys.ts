/**
 * Keys of the registry bucket (docs/cluster.md has the table). KV keys and NATS subject tokens
 * allow letters, digits, `-`, `_`, `=` and `/` between dots, so realm names are written in
 * base64url and URIs (which may be long) as a 128-bit hash of them; the values hold the URIs.
 */
import { createHash } from 'node:crypto';
import { MatchPolicy, type UriMatch } from '../uri-matcher.js';

export const KeyKind = {
  NODE: 'n',
  DEATH: 'x',
  SESSION: 's',
  TESTAMENTS: 't',
  REGISTRATION: 'r',
  SUBSCRIPTION: 'c',
  MEMBER: 'm',
  RETAINED: 'p',
} as const;
export type KeyKind = (typeof KeyKind)[keyof typeof KeyKind];

const MATCH_LETTER: Readonly<Record<UriMatch, string>> = { exact: 'e', prefix: 'p', wildcard: 'w' };
const HASH_BYTES = 16;

export function realmKey(realm: string): string {
  return Buffer.from(realm, 'utf8').toString('base64url');
}

export function uriHash(uri: string): string {
  return createHash('sha256').update(uri, 'utf8').digest().subarray(0, HASH_BYTES).toString('base64url');
}

export const Keys = {
  node: (node: string) => `${KeyKind.NODE}.${node}`,
  death: (node: string, incarnation: string) => `${KeyKind.DEATH}.${node}.${incarnation}`,
  session: (realm: string, session: number) => `${KeyKind.SESSION}.${realm}.${session}`,
  testaments: (realm: string, session: number) => `${KeyKind.TESTAMENTS}.${realm}.${session}`,
  registration: (realm: string, uri: string, match: UriMatch) => `${KeyKind.REGISTRATION}.${realm}.${MATCH_LETTER[match]}.${uriHash(uri)}`,
  subscription: (realm: string, uri: string, match: UriMatch) => `${KeyKind.SUBSCRIPTION}.${realm}.${MATCH_LETTER[match]}.${uriHash(uri)}`,
  member: (realm: string, subscription: number, session: number) => `${KeyKind.MEMBER}.${realm}.${subscription}.${session}`,
  retained: (realm: string, topic: string) => `${KeyKind.RETAINED}.${realm}.${uriHash(topic)}`,
} as const;

/** A key split into its kind and the parts after it; null for a key this registry does not write. */
export function parseKey(key: string): { kind: KeyKind; parts: string[] } | null {
  const [kind, ...parts] = key.split('.');
  if (!(Object.values(KeyKind) as string[]).includes(kind ?? '')) return null;
  return { kind: kind as KeyKind, parts };
}

export function isUriMatch(value: unknown): value is UriMatch {
  return value === MatchPolicy.EXACT || value === MatchPolicy.PREFIX || value === MatchPolicy.WILDCARD;
}
